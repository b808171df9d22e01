#!/usr/bin/env bash
# bench/scale.sh - a DeepSeek-V3-shaped FP8 checkout streamed to standard
# output, single thread against all cores, in one run.
#
#   bench/scale.sh [--layers N] [--types "bf16 q8_0"] [--sinks "pipe hash null"]
#                  [--threads "1 ALL"] [--hash CMD] [--reps R] [--work DIR] [--v4]
#
# It generates (tools/gen_checkpoint.c, sparse files: no disk space needed)
#   - v3-sparse at the real width (hidden 7168, 256 experts, FP8 128x128
#     blocks) with N layers (default 4: 3 dense + 1 MoE, ~17 GB declared,
#     ~30 GB of bf16 output; 61 is the full 671B model, 1.34 TB of bf16);
#   - with --v4, the DeepSeek-V4-Flash-shaped one (`gen_checkpoint v4-sparse`,
#     full size: 43 layers; converted with its default types only);
# and converts each with `--outfile -`, for every type (plus
# `--quantize Q4_K_M` when this build can make it), thread count and sink:
#   pipe  | cat > /dev/null   (a pipe with the cheapest reader)
#   hash  | CMD               (default cksum; the hashes must agree across
#                              thread counts, which the script checks)
#   null  > /dev/null         (a character device: no copy at all)
# For each it prints the medians over R rounds (thread counts take turns in
# each round) of wall seconds, GB/s of output, CPU seconds (user+sys of
# hf2gguf) per GB, cores used (CPU s / wall s), peak RSS, and the 1-minute
# load average before the runs (this machine is shared: read the rates
# against the load and the cores hf2gguf actually got). Then the rate
# of every thread count relative to --threads 1, and the time and RSS of
# planning (--dry-run) the full 61-layer checkout, which must take < 2 s.
# "ALL" in --threads means all online cores.
set -euo pipefail
cd "$(dirname "$0")/.."

layers=4 types="bf16 q8_0" sinks="pipe hash null" threads_list="1 ALL" hash=cksum reps=1 v4=0
work="${TMPDIR:-/tmp}/hf2gguf-scale"
usage() {
  echo "usage: bench/scale.sh [--layers N] [--types \"bf16 q8_0\"] [--sinks \"pipe hash null\"]" \
       "[--threads \"1 ALL\"] [--hash CMD] [--reps R] [--work DIR] [--v4]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  if [ "$1" = --v4 ]; then v4=1; shift; continue; fi
  [ $# -ge 2 ] || usage
  case "$1" in
    --layers) layers=$2 ;;
    --types) types=$2 ;;
    --sinks) sinks=$2 ;;
    --threads) threads_list=$2 ;;
    --hash) hash=$2 ;;
    --reps) reps=$2 ;;
    --work) work=$2 ;;
    *) usage ;;
  esac
  shift 2
done
threads_list=${threads_list//ALL/$(nproc)}

. bench/lib.sh
build_bench
mkdir -p "$work/out"

# type_args TYPE: the options that ask for TYPE (auto: none).
type_args() {
  case $1 in
    auto) ;;
    [A-Z]*) echo "--quantize $1" ;;
    *) echo "--outtype $1" ;;
  esac
}

# Q4_K_M, once this build quantizes to it (tried on a fixture).
if "$bin" convert tests/data/deepseek-v3-tiny --quantize Q4_K_M --outfile - --quiet \
     >/dev/null 2>&1; then
  types+=" Q4_K_M"
fi

# The checkouts, made once and kept in $work.
tok=tests/data/deepseek-v3-tiny
ckpts=("$work/v3-L$layers")
[ -d "$work/v3-L$layers" ] || "$gen" v3-sparse "$work/v3-L$layers" "$tok" "$layers" >/dev/null
if [ $v4 = 1 ]; then
  if [ -d "$work/v4-flash" ] ||
     "$gen" v4-sparse "$work/v4-flash" tests/data/deepseek-v4-tiny >/dev/null; then
    ckpts+=("$work/v4-flash")
  else
    echo "note: gen_checkpoint v4-sparse failed; V4-Flash not measured" >&2
  fi
fi
[ -d "$work/v3-L61" ] || "$gen" v3-sparse "$work/v3-L61" "$tok" 61 >/dev/null

load1() { cut -d' ' -f1 /proc/loadavg; }

# out_bytes CKPT TYPE: the size of the output, from the plan.
out_bytes() {
  # shellcheck disable=SC2046
  "$bin" convert "$1" $(type_args "$2") --outfile "$work/out/x.gguf" --dry-run --json --quiet |
    sed -n 's/^[[:space:]]*"bytes":[[:space:]]*\([0-9]*\),*$/\1/p' | head -1
}

# run_once CKPT TYPE THREADS SINK: one conversion; sets t_wall t_cpu t_rss
# (KB) and, for the hash sink, t_hash.
run_once() {
  local ck=$1 ty=$2 n=$3 sink=$4 tf="$work/time.txt"
  local cmd=(/usr/bin/time -f "%e %U %S %M" -o "$tf" "$bin" convert "$ck")
  # shellcheck disable=SC2207
  cmd+=($(type_args "$ty") --outfile - --threads "$n" --quiet)
  t_hash=""
  case $sink in
    pipe) "${cmd[@]}" | cat > /dev/null ;;
    hash) t_hash=$("${cmd[@]}" | $hash | cut -d" " -f1 | cut -c1-16) ;;
    null) "${cmd[@]}" > /dev/null ;;
  esac
  read -r t_wall u s t_rss < "$tf"
  t_cpu=$(echo "$u + $s" | bc -l)
}

echo "hf2gguf scale bench: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB," \
     "$(uname -r); hash sink: $hash"
echo "start: $(uptime)"
printf '%-9s %-7s %-5s %3s %8s %7s %8s %6s %7s %6s %s\n' checkout type sink thr seconds GB/s \
  "CPU s/GB" cores "RSS MB" load1 hash
declare -A rate walls cpus rsss loads hashes
for ck in "${ckpts[@]}"; do
  name=$(basename "$ck") ck_types=$types
  [ "$name" = v4-flash ] && ck_types=auto
  for ty in $ck_types; do
    bytes=$(out_bytes "$ck" "$ty")
    gb=$(echo "$bytes / 1000000000" | bc -l)
    for sink in $sinks; do
      # Thread counts take turns in each round, so a change of load on the
      # machine falls on all of them alike.
      for ((r = 0; r < reps; r++)); do
        for n in $threads_list; do
          loads[$n]+="$(load1) "
          run_once "$ck" "$ty" "$n" "$sink"
          walls[$n]+="$t_wall " cpus[$n]+="$t_cpu " rsss[$n]+="$t_rss " hashes[$n]=$t_hash
        done
      done
      first_hash=""
      for n in $threads_list; do
        med() { tr ' ' '\n' <<< "$1" | grep . | median; }
        wall=$(med "${walls[$n]}") cpu=$(med "${cpus[$n]}") rss=$(med "${rsss[$n]}")
        load=$(med "${loads[$n]}")
        walls[$n]="" cpus[$n]="" rsss[$n]="" loads[$n]=""
        rate[$name/$ty/$sink/$n]=$(echo "$gb / $wall" | bc -l)
        printf '%-9s %-7s %-5s %3s %8.1f %7.3f %8.2f %6.2f %7.1f %6.2f %s\n' "$name" "$ty" \
          "$sink" "$n" "$wall" "${rate[$name/$ty/$sink/$n]}" "$(echo "$cpu / $gb" | bc -l)" \
          "$(echo "$cpu / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$load" "${hashes[$n]}"
        if [ "$sink" = hash ]; then
          [ -z "$first_hash" ] && first_hash=${hashes[$n]}
          [ "${hashes[$n]}" = "$first_hash" ] ||
            echo "MISMATCH: $name $ty --threads $n hashes ${hashes[$n]}, not $first_hash"
        fi
      done
    done
  done
done

echo
echo "rate relative to --threads 1 (same run):"
for key in "${!rate[@]}"; do
  n=${key##*/} base=${key%/*}
  [ "$n" = 1 ] || [ -z "${rate[$base/1]:-}" ] ||
    printf '  %-32s --threads %-3s %.2fx\n' "$base" "$n" "$(echo "${rate[$key]} / ${rate[$base/1]}" | bc -l)"
done | sort

echo
echo "planning (--dry-run) the full 61-layer checkout (median of 3 after one to warm up):"
for ty in $types; do
  ts=() ks=()
  for r in 0 1 2 3; do
    # shellcheck disable=SC2046
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" convert "$work/v3-L61" $(type_args "$ty") \
      --outfile "$work/out/x.gguf" --dry-run --quiet >/dev/null
    read -r s k < "$work/time.txt"
    [ $r = 0 ] || { ts+=("$s"); ks+=("$k"); }
  done
  s=$(printf '%s\n' "${ts[@]}" | median) k=$(printf '%s\n' "${ks[@]}" | median)
  verdict=$(echo "$s < 2" | bc -l)
  printf '  %-7s %6.2f s  %6.1f MB  %s\n' "$ty" "$s" "$(echo "$k / 1024" | bc -l)" \
    "$([ "$verdict" = 1 ] && echo "< 2 s" || echo "OVER 2 s")"
done
echo "end: $(uptime)"
