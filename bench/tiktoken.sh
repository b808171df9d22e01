#!/usr/bin/env bash
# bench/tiktoken.sh - the Kimi-K2 vocabulary rebuild at full size.
#
#   bench/tiktoken.sh [--ranks 163584] [--reps 5] [--work DIR]
#
# Writes a synthetic tiktoken.model with RANKS ranks (tools/gen_tiktoken.c;
# the real file has 163,584, so that vocab_size is 163,840) into a copy of
# the kimi-k2-tiny fixture, then measures REPS times each, with
# /usr/bin/time, and prints medians of wall time, CPU time and peak RSS:
#   tiny   hf2gguf convert kimi-k2-tiny --vocab-only (450 ranks: the fixed cost)
#   full   the same with the full-size tiktoken.model
# --vocab-only writes every tokenizer key and no tensor, so the difference is
# the rebuild: reading and checking the file, 163k BPE runs for the merges,
# the token strings, and writing them.
set -euo pipefail
cd "$(dirname "$0")/.."

ranks=163584 reps=5 work="${TMPDIR:-/tmp}/hf2gguf-bench-tiktoken"
while [ $# -gt 0 ]; do
  case "$1" in
    --ranks) ranks=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "usage: bench/tiktoken.sh [--ranks N] [--reps 5] [--work DIR]" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
build_bench

full="$work/kimi-full"
rm -rf "$full" && mkdir -p "$full"
cp tests/data/kimi-k2-tiny/*.json tests/data/kimi-k2-tiny/*.safetensors "$full/"
chmod -R u+w "$full"
build-bench/gen_tiktoken "$ranks" > "$full/tiktoken.model"
sed -i "s/\"vocab_size\": 706/\"vocab_size\": $((ranks + 256))/" "$full/config.json"

printf '%-6s %8s %10s %8s %9s %12s\n' what ranks 'mean bytes' wall cpu 'peak RSS'
for what in tiny full; do
  dir=$([ "$what" = tiny ] && echo tests/data/kimi-k2-tiny || echo "$full")
  n=$(grep -c . "$dir/tiktoken.model")
  mean=$(awk '{ l = length($1); p = gsub(/=/, "", $1); t += l / 4 * 3 - p } END { printf "%.1f", t / NR }' "$dir/tiktoken.model")
  measure_cpu "$bin" convert "$dir" --vocab-only --outfile "$work/out/v.gguf" --quiet
  printf '%-6s %8s %10s %8.2f %9.2f %9.1f MB\n' "$what" "$n" "$mean" "$secs" "$cpu" "$(echo "$rss / 1024" | bc -l)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
