#!/usr/bin/env bash
# bench/v4.sh - DeepSeek-V4-Flash at full scale, without the bytes.
#
#   bench/v4.sh [--reps 3] [--work DIR] [--threads N]
#
# Generates a DeepSeek-V4-Flash-shaped checkout (tools/gen_checkpoint.c
# v4-sparse: 43 layers, 256 FP4 experts, hidden 4096, FP8 attention with
# E8M0 scales, tid2eid tables, the MTP block; 46 shards whose data regions
# are sparse, so they read as zeros), then measures with /usr/bin/time
# (medians of REPS):
#   plan     hf2gguf convert --dry-run (opening 46 headers, ~200 000 tensors)
#   stream   hf2gguf convert --outfile - > /dev/null: the whole conversion,
#            MXFP4 repack and Q8_0 included, streamed in order
# and prints the output's size by kind of tensor (from --dry-run --json).
# The machine is shared: the load average is printed with the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=3 work="${TMPDIR:-/tmp}/hf2gguf-bench-v4" threads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --threads) threads=(--threads "$2"); shift 2 ;;
    *) echo "usage: bench/v4.sh [--reps 3] [--work DIR] [--threads N]" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
build_bench

ckpt="$work/v4-flash-sparse"
[ -d "$ckpt" ] || "$gen" v4-sparse "$ckpt" tests/data/deepseek-v4-tiny
declared=$(du -b --apparent-size -c "$ckpt"/*.safetensors | tail -1 | cut -f1)
tensors=$(grep -o 'safetensors"' "$ckpt/model.safetensors.index.json" | wc -l)
echo "load: $(uptime | sed 's/.*load average: //')"

measure_cpu "$bin" convert "$ckpt" --dry-run --outfile "$work/out/v4.gguf"
printf 'plan:   %.2f s (%.2f s CPU), peak RSS %.1f MB (%s source tensors, %.1f GB declared)\n' \
  "$secs" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$tensors" "$(echo "$declared / 1000000000" | bc -l)"

measure_cpu sh -c "$bin convert $ckpt --outfile - --quiet ${threads[*]} > /dev/null"
# the plan's first line ends with "N bytes" (awk reads it all: no SIGPIPE)
bytes=$("$bin" convert "$ckpt" --dry-run --outfile "$work/out/v4.gguf" | awk 'NR == 1 {print $(NF - 1)}')
printf 'stream: %.1f s (%.1f s CPU), %.0f MB/s written, peak RSS %.1f MB (to /dev/null)\n' \
  "$secs" "$cpu" "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
echo "load: $(uptime | sed 's/.*load average: //')"

# The output by tensor type: count and GB.
"$bin" convert "$ckpt" --dry-run --json --outfile "$work/out/v4.gguf" |
  awk -F'"' '/"type":/ {t = $4} /"bytes":/ && t != "" {gsub(/[^0-9]/, "", $3); n[t]++; b[t] += $3}
    END {for (t in n) printf "  %-6s %6d tensors %9.2f GB\n", t, n[t], b[t] / 1e9}' | sort
printf 'output: %.2f GB (%s bytes)\n' "$(echo "$bytes / 1000000000" | bc -l)" "$bytes"
rm -rf "$work/out"
