# bench/lib.sh - what the bench scripts share (sourced; they set $reps and
# $work before calling measure).

# Builds the Release binaries in build-bench/ (dependencies first).
build_bench() {
  tools/bootstrap.sh
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DHF2GGUF_TESTS=OFF >/dev/null
  cmake --build build-bench -j "$(nproc)" >/dev/null
  bin=build-bench/hf2gguf gen=build-bench/gen_checkpoint
  mkdir -p "$work"
}

# lite_checkpoint SIZE: a V2-Lite-shaped checkout of SIZE MB in $ckpt
# ($work/lite-SIZE, generated once and kept); its shards' bytes in $bytes.
lite_checkpoint() {
  ckpt="$work/lite-$1"
  [ -d "$ckpt" ] || "$gen" lite "$ckpt" "$1" 4 tests/data/deepseek-v2-lite-tiny >/dev/null
  bytes=$(cat "$ckpt"/*.safetensors | wc -c)
}

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# measure CMD...: runs CMD $reps times, each with an empty $work/out; sets
# $secs and $rss (KB) to the medians of wall time and peak RSS.
measure() {
  local t=() r=() i out
  for ((i = 0; i < reps; i++)); do
    rm -rf "$work/out" && mkdir -p "$work/out" && sync
    out=$( { /usr/bin/time -f "%e %M" "$@" >/dev/null; } 2>&1 | tail -1)
    t+=("${out% *}") r+=("${out#* }")
  done
  secs=$(printf '%s\n' "${t[@]}" | median)
  rss=$(printf '%s\n' "${r[@]}" | median)
}

# measure_cpu CMD...: like measure (without the sync), plus $cpu, the median
# of user + system seconds: on a shared machine the wall time also counts
# waiting for a core.
measure_cpu() {
  local t=() r=() c=() i out w m u s
  for ((i = 0; i < reps; i++)); do
    rm -rf "$work/out" && mkdir -p "$work/out"
    out=$( { /usr/bin/time -f "%e %M %U %S" "$@" >/dev/null; } 2>&1 | tail -1)
    read -r w m u s <<< "$out"
    t+=("$w") r+=("$m") c+=("$(echo "$u + $s" | bc -l)")
  done
  secs=$(printf '%s\n' "${t[@]}" | median)
  rss=$(printf '%s\n' "${r[@]}" | median)
  cpu=$(printf '%s\n' "${c[@]}" | median)
}
