#!/usr/bin/env bash
# bench/run.sh - conversion speed and memory against `cp` of the same bytes.
#
#   bench/run.sh [--sizes "1000 4000"] [--reps 3] [--work DIR] [--threads N]
#
# For each size (MB) it generates a DeepSeek-V2-Lite-shaped bf16 checkpoint
# in 4 shards (tools/gen_checkpoint.c), then, REPS times each, measures
#   cp     cp of the shards to the output directory, then sync of the copies
#   bf16   hf2gguf convert --outtype bf16 (which fsyncs its output)
#   f16    hf2gguf convert --outtype f16
#   q8_0   hf2gguf convert --outtype q8_0
# with /usr/bin/time (wall seconds, peak RSS), and prints medians: seconds,
# MB/s of input, ratio to cp, peak RSS. Then it plans a DeepSeek-V3-shaped
# FP8 checkout of 163 sparse shards (--dry-run) and reports time and RSS.
# It first prints the kernels' throughput per core (bench/kernels.c).
# Inputs stay in the page cache between runs (24 GiB machine), as they do
# for cp, so both sides are measured alike.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="1000 4000" reps=3 work="${TMPDIR:-/tmp}/hf2gguf-bench" threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --threads) threads="--threads $2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--sizes \"1000 4000\"] [--reps 3] [--work DIR] [--threads N]" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
build_bench
build-bench/bench_kernels
echo

printf '%-8s %-6s %9s %9s %8s %10s\n' size what seconds MB/s "x cp" "peak RSS"
for size in $sizes; do
  lite_checkpoint "$size"
  cat "$ckpt"/*.safetensors >/dev/null # warm the page cache for everyone
  measure sh -c "cp $ckpt/*.safetensors $work/out/ && sync $work/out/*.safetensors"
  cp_secs=$secs
  printf '%-8s %-6s %9.2f %9.0f %8.2f %7.1f MB\n' "${size}MB" cp "$secs" \
    "$(echo "$bytes / 1000000 / $secs" | bc -l)" 1 "$(echo "$rss / 1024" | bc -l)"
  for t in bf16 f16 q8_0; do
    measure "$bin" convert "$ckpt" --outfile "$work/out/m.gguf" --outtype "$t" --quiet $threads
    printf '%-8s %-6s %9.2f %9.0f %8.2f %7.1f MB\n' "${size}MB" "$t" "$secs" \
      "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$(echo "$secs / $cp_secs" | bc -l)" \
      "$(echo "$rss / 1024" | bc -l)"
  done
done

v3="$work/v3-sparse"
[ -d "$v3" ] || "$gen" v3-sparse "$v3" tests/data/deepseek-v3-tiny >/dev/null
measure "$bin" convert "$v3" --dry-run --outfile "$work/out/v3.gguf"
printf 'DeepSeek-V3-shaped plan (163 sparse shards, %s tensors): %.2f s, peak RSS %.1f MB\n' \
  "$(grep -o 'safetensors"' "$v3/model.safetensors.index.json" | wc -l)" "$secs" "$(echo "$rss / 1024" | bc -l)"
rm -rf "$work/out"
