#!/usr/bin/env bash
# The progress line at a terminal (issue 14, item 15): never wider than the
# terminal (a wrapped line leaves stale rows), and an error starts on a
# clean line, the progress line wiped first. script(1) gives the run a
# terminal; COLUMNS stands for its width (script's terminal has none).
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "note: script(1) missing; not run"; finish; }
v3="$DATA/deepseek-v3-tiny"

# Narrow terminals: every line drawn fits in COLUMNS - 1.
for cols in 20 40 200; do
  out=$(COLUMNS=$cols script -qec "'$HF2GGUF' convert '$v3' --outfile '$WORK/n$cols.gguf' --split-max-tensors 30" \
        /dev/null | tr '\r' '\n')
  long=$(grep '^\[' <<< "$out" | sed 's/ *$//' | awk -v m=$((cols - 1)) 'length($0) > m')
  [ -n "$(grep '^\[100%\]' <<< "$out")" ] && [ -z "$long" ] && pass ||
    fail "COLUMNS=$cols: lines too long: $long"
done

# An error after some progress: the run stops itself once its file exists
# (test hook), waits a moment so that its first piece is reported, and then
# runs into a full disk (test hook) at byte 400000.
rm -f "$WORK/pid"
# (hf2gguf runs in the background of a shell, so that script(1) waits for the
# shell, not for a process that stops itself.)
timeout 60 script -qec "sh -c 'env HF2GGUF_TEST_RAISE=19 HF2GGUF_CHUNK_ELEMS=256 \
  HF2GGUF_TEST_WRITE_LIMIT=400000 $HF2GGUF convert $v3 --outfile $WORK/e.gguf --threads 1 & \
  echo \$! > $WORK/pid; wait'" /dev/null > "$WORK/term" &
spid=$!
for _ in $(seq 600); do [ -s "$WORK/pid" ] && break; sleep 0.05; done
pid=$(cat "$WORK/pid")
while [ -n "$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != T ] && [ -e "/proc/$pid" ]; do sleep 0.05; done
sleep 0.5 # so that the first piece after this is reported (at most 5 a second)
[ -n "$pid" ] && kill -CONT "$pid"
wait $spid
out=$(tr '\r' '\n' < "$WORK/term")
if grep -Eq '^\[ *[0-9]+%\]' <<< "$out" && grep -q '^hf2gguf: error: .*e.gguf: write failed: no space left on device' <<< "$out"
then pass; else fail "the error does not start a clean line: $(cat -A "$WORK/term")"; fi

finish
