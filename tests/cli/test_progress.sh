#!/usr/bin/env bash
# What a conversion says about itself: the closing totals line, the progress
# line at a terminal (per-file and overall ETA as h:mm:ss), and --json's
# seconds, bytes read and written and peak RSS. Shapes and counts only:
# no figure that depends on the speed of the machine is asserted.
. "$(dirname "$0")/lib.sh"

v3=deepseek-v3-tiny
bytes=$(wc -c < "$DATA/$v3/expected/$v3-f16.gguf")

# The totals line closes every conversion that is not --quiet, terminal or
# not: files, bytes written (the golden's size) and read, h:mm:ss, threads.
err=$("$HF2GGUF" convert "$DATA/$v3" --outtype f16 --outfile "$WORK/a.gguf" --threads 2 2>&1 >/dev/null)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
re="^hf2gguf: total: 1 file, $mb MB written, [0-9.]+ MB read in 0:00:0[0-9] \([0-9]+ MB/s, 2 threads\), peak RSS [0-9]+ MB$"
if [[ $(tail -1 <<< "$err") =~ $re ]]; then pass; else fail "totals line: $err"; fi
err=$("$HF2GGUF" convert "$DATA/$v3" --outtype f16 --outfile "$WORK/b.gguf" --quiet 2>&1)
[ -z "$err" ] && pass || fail "--quiet still says: $err"
err=$("$HF2GGUF" convert "$DATA/$v3" --outtype f16 --outfile - --threads 1 2>&1 >/dev/null)
[[ $(tail -1 <<< "$err") == "hf2gguf: total: 1 file, $mb MB written,"*"1 thread),"* ]] && pass ||
  fail "totals line for --outfile -: $err"

# At a terminal (script(1) gives one), the progress line ends at 100% with
# nothing left: overall ETA 0:00:00 and, for split files, the last file's.
# The pty is made 200 columns wide: the line is cut to the terminal width, and
# at script(1)'s default of 80 a fast run's rate (more digits) cut its end.
if command -v script >/dev/null; then
  out=$(script -qec "stty cols 200 2>/dev/null; '$HF2GGUF' convert '$DATA/$v3' --outtype f16 --outfile '$WORK/split.gguf' \
        --split-max-tensors 30 --threads 2" /dev/null | tr '\r' '\n')
  re='^\[100%\] [0-9.]+ MB/[0-9.]+ MB  [0-9]+ MB/s  ETA 0:00:00  tensors 70/70  file 3/3 ETA 0:00:00 *$'
  if grep -Eq "$re" <<< "$out"; then pass; else fail "progress line at a terminal: $out"; fi
  grep -q '^hf2gguf: total: 3 files,' <<< "$out" && pass || fail "totals for 3 files: $out"
  # One file: no per-file part.
  out=$(script -qec "'$HF2GGUF' convert '$DATA/$v3' --outtype f16 --outfile '$WORK/one.gguf'" \
        /dev/null | tr '\r' '\n')
  grep -Eq '^\[100%\] .* ETA 0:00:00  tensors 70/70 *$' <<< "$out" && pass ||
    fail "one file's progress line: $out"
else
  echo "note: script(1) missing; the terminal progress line is not tested" >&2
fi

# --json: seconds, bytes read and written, peak RSS (a plausible count of
# bytes: above 1 MB, below 1 GB for a 1 MB checkout).
json=$("$HF2GGUF" convert "$DATA/$v3" --outtype f16 --outfile "$WORK/j.gguf" --json --quiet)
field() { sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\([0-9.e+-]*\),*$/\1/p" <<< "$json" | tail -1; }
[ "$(field bytes_written)" = "$bytes" ] && pass || fail "--json bytes_written: $(field bytes_written)"
[ "$(field bytes_read)" -gt 0 ] 2>/dev/null && pass || fail "--json bytes_read: $(field bytes_read)"
[ -n "$(field convert_seconds)" ] && [ -n "$(field seconds)" ] && pass || fail "--json seconds: $json"
rss=$(field peak_rss_bytes)
[ "${rss:-0}" -gt 1000000 ] && [ "$rss" -lt 1000000000 ] && pass || fail "--json peak_rss_bytes: $rss"
# Planning only reports its peak RSS too.
json=$("$HF2GGUF" convert "$DATA/$v3" --outfile "$WORK/dry.gguf" --dry-run --json --quiet)
[ "$(field peak_rss_bytes)" -gt 1000000 ] 2>/dev/null && pass || fail "--dry-run --json peak_rss_bytes"

finish
