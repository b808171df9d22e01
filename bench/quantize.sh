#!/usr/bin/env bash
# bench/quantize.sh - one-pass quantization against hf2gguf's own bf16
# conversion of the same checkpoint, in the same run.
#
#   bench/quantize.sh [--size MB] [--reps N] [--types "Q4_K_M"] [--work DIR] [--threads N]
#
# Generates a DeepSeek-V2-Lite-shaped bf16 checkpoint of --size MB (default
# 3900, the real V2-Lite's 27 layers with 32 routed + 2 shared experts;
# tools/gen_checkpoint.c), then measures, REPS times each (median),
#   bf16     hf2gguf convert --outtype bf16            (the file llama-quantize would read)
#   TYPE     hf2gguf convert --quantize TYPE           (that file quantized, in one pass)
# with /usr/bin/time: wall seconds, MB/s of checkpoint, ratio to bf16, peak
# RSS, output size. The machine may be shared: `uptime` is printed before
# and after, so the load the figures were taken under is on record.
set -euo pipefail
cd "$(dirname "$0")/.."

size=3900 reps=1 types="Q4_K_M" work="${TMPDIR:-/tmp}/hf2gguf-bench-q" threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --types) types=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --threads) threads="--threads $2"; shift 2 ;;
    *) echo "usage: bench/quantize.sh [--size MB] [--reps N] [--types \"Q4_K_M ...\"] [--work DIR] [--threads N]" >&2
       exit 2 ;;
  esac
done

. bench/lib.sh
build_bench

lite_checkpoint "$size"
cat "$ckpt"/*.safetensors >/dev/null # warm the page cache for every row alike

echo "before: $(uptime)"
echo "$((bytes / 1000000)) MB of bf16 shards, $(nproc) cores${threads:+, $threads}, median of $reps"
printf '%-8s %9s %9s %8s %10s %10s\n' what seconds MB/s "x bf16" "peak RSS" "output"
row() { # NAME ARGS...: measures hf2gguf convert with ARGS
  local name=$1
  shift
  measure "$bin" convert "$ckpt" --outfile "$work/out/m.gguf" --quiet $threads "$@"
  [ "$name" = bf16 ] && base=$secs
  "$bin" convert "$ckpt" --outfile "$work/size.gguf" --quiet --dry-run "$@" > "$work/plan.txt"
  local out_mb
  out_mb=$(head -1 "$work/plan.txt" | sed -n 's/.* \([0-9]*\) bytes$/\1/p')
  printf '%-8s %9.2f %9.0f %8.2f %7.1f MB %7.0f MB\n' "$name" "$secs" \
    "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$(echo "$secs / $base" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" "$(echo "$out_mb / 1000000" | bc -l)"
}
row bf16 --outtype bf16
for t in $types; do row "$t" --quantize "$t"; done
echo "after: $(uptime)"
rm -rf "$work/out" "$work/size.gguf" "$work/plan.txt"
