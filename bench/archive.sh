#!/usr/bin/env bash
# bench/archive.sh - converting from an archive against the plain ways of
# reading the same bytes, in the same run, on the same disk.
#
#   bench/archive.sh [--size MB] [--reps 3] [--work DIR]
#
# Generates a DeepSeek-V2-Lite-shaped bf16 checkpoint of SIZE MB in 4 shards
# (tools/gen_checkpoint.c), packs it as .tar and .tar.zst (zstd -1), then
# measures REPS times each, with /usr/bin/time, and prints medians:
#   dir        hf2gguf convert DIR --outtype q8_0 (the reference point)
#   tar        hf2gguf convert DIR.tar ...           ratio to dir (read in place)
#   unzstd     zstd -dc DIR.tar.zst > out/x.tar && sync: one decompression
#   tar.zst    hf2gguf convert DIR.tar.zst ...       ratio to unzstd (it
#              decompresses twice: to index, then shard by shard)
# q8_0 is used so that the conversion itself is not the slowest part.
set -euo pipefail
cd "$(dirname "$0")/.."

size=1000 reps=3 work="${TMPDIR:-/tmp}/hf2gguf-bench-archive"
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "usage: bench/archive.sh [--size MB] [--reps 3] [--work DIR]" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
build_bench

lite_checkpoint "$size"
[ -f "$ckpt.tar" ] || tar -C "$work" -cf "$ckpt.tar" "lite-$size"
[ -f "$ckpt.tar.zst" ] || zstd -q -1 -T0 "$ckpt.tar" -o "$ckpt.tar.zst"
cat "$ckpt"/*.safetensors "$ckpt.tar" "$ckpt.tar.zst" >/dev/null # warm the page cache

row() { # LABEL BASE_SECS
  printf '%-8s %9.2f %9.0f %10.2f %7.1f MB\n' "$1" "$secs" \
    "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$(echo "$secs / $2" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)"
}

printf '%s MB of bf16 shards; tar.zst is %s MB\n' "$((bytes / 1000000))" \
  "$(( $(stat -c %s "$ckpt.tar.zst") / 1000000 ))"
printf '%-8s %9s %9s %10s %10s\n' what seconds MB/s "x base" "peak RSS"
conv=(convert --outfile "$work/out/m.gguf" --outtype q8_0 --quiet)
measure "$bin" "${conv[@]}" "$ckpt"
dir_secs=$secs
row dir "$dir_secs"
measure "$bin" "${conv[@]}" "$ckpt.tar"
row tar "$dir_secs"
measure sh -c "zstd -q -dc $ckpt.tar.zst > $work/out/x.tar && sync $work/out/x.tar"
unzstd_secs=$secs
row unzstd "$unzstd_secs"
measure "$bin" "${conv[@]}" "$ckpt.tar.zst"
row tar.zst "$unzstd_secs"
echo "(x base: tar against dir, tar.zst against unzstd)"
rm -rf "$work/out"
