#!/usr/bin/env bash
# Faults while writing: an interrupt or a full disk must leave no partial or
# temporary file, and an existing output must survive untouched.
. "$(dirname "$0")/lib.sh"

out="$WORK/out"
mkdir -p "$out"

# SIGINT and SIGTERM after the temporary file exists (raised by a test hook
# at that point, so the test does not depend on timing): the process dies of
# the signal (128 + n) and removes the temporary file.
for sig in 2 15; do
  HF2GGUF_TEST_RAISE=$sig "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outfile "$out/x.gguf" 2>"$WORK/err"
  rc=$?
  if [ $rc -eq $((128 + sig)) ] && [ -z "$(ls -A "$out")" ] && grep -q "partial output removed" "$WORK/err"
  then pass; else fail "signal $sig: rc $rc, left: $(ls -A "$out"), $(cat "$WORK/err")"; fi
done

# An interrupted --force run leaves the existing file as it was.
echo precious > "$out/keep.gguf"
HF2GGUF_TEST_RAISE=2 "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outfile "$out/keep.gguf" --force 2>/dev/null
[ "$(cat "$out/keep.gguf")" = precious ] && [ "$(ls -A "$out")" = keep.gguf ] && pass ||
  fail "interrupted --force run touched the existing file"
rm -f "$out/keep.gguf"

# A full disk (simulated: writes past 100 kB fail with ENOSPC).
expect_error "disk full (simulated)" "write failed: no space left on device" "$out" \
  -- env HF2GGUF_TEST_WRITE_LIMIT=100000 "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outfile "$out/x.gguf"

# A real full disk: a 200 kB tmpfs, when this machine lets us mount one.
tfs="$WORK/tmpfs"
mkdir -p "$tfs"
if mount -t tmpfs -o size=200k tmpfs "$tfs" 2>/dev/null; then
  expect_error "disk full (tmpfs)" "no space left on device" "$tfs" \
    -- "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outfile "$tfs/x.gguf" --no-space-check
  umount "$tfs"
else
  echo "note: cannot mount a tmpfs here; the real full-disk case was not run"
fi

finish
