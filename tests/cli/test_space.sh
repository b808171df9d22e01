#!/usr/bin/env bash
# Free space (issue 14, item 8): a conversion that cannot fit is refused
# before anything is written, with both numbers; --no-space-check goes on.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

v3="$DATA/deepseek-v3-tiny"
ocr="$DATA/deepseek-ocr-tiny"
out="$WORK/out"
mkdir -p "$out"

# The free space measured is replaced by the test hook: the planned size of
# deepseek-v3-tiny at bf16 is 729632 bytes.
expect_error "too little room" \
  "not enough free space in $out: the output needs 729632 bytes (729.6 kB), the file system has 729631 bytes (729.6 kB) free; --no-space-check writes anyway" \
  "$out" -- env HF2GGUF_TEST_FREE_BYTES=729631 "$HF2GGUF" convert "$v3" --outfile "$out/x.gguf"
HF2GGUF_TEST_FREE_BYTES=729632 "$HF2GGUF" convert "$v3" --outfile "$out/x.gguf" --quiet &&
  pass || fail "exactly enough room was refused"
rm -f "$out/x.gguf"
HF2GGUF_TEST_FREE_BYTES=10 "$HF2GGUF" convert "$v3" --outfile "$out/x.gguf" --quiet --no-space-check &&
  [ -f "$out/x.gguf" ] && pass || fail "--no-space-check"
rm -f "$out/x.gguf"
# Every file counts: a text model and its mmproj, split parts.
both=0
for b in $("$HF2GGUF" convert "$ocr" --outfile "$out/" --mmproj --dry-run --json |
           sed -n 's/^\t\t\t"bytes":\t\([0-9]*\),*$/\1/p'); do both=$((both + b)); done
expect_error "model + mmproj" "the output needs $both bytes" "$out" \
  -- env HF2GGUF_TEST_FREE_BYTES=$((both - 1)) "$HF2GGUF" convert "$ocr" --outfile "$out/" --mmproj
HF2GGUF_TEST_FREE_BYTES=$both "$HF2GGUF" convert "$ocr" --outfile "$out/" --mmproj --quiet &&
  pass || fail "model + mmproj with exactly enough room"
rm -rf "${out:?}"/*
# --dry-run and standard output are not checked.
HF2GGUF_TEST_FREE_BYTES=0 "$HF2GGUF" convert "$v3" --outfile "$out/x.gguf" --dry-run >/dev/null &&
  pass || fail "--dry-run checked the space"
HF2GGUF_TEST_FREE_BYTES=0 "$HF2GGUF" convert "$v3" --outfile - --quiet | cmp -s - <("$HF2GGUF" convert "$v3" --outfile - --quiet) &&
  pass || fail "standard output checked the space"

# A real small file system, where one can be mounted: refused before
# anything is written.
tfs="$WORK/tmpfs"
mkdir -p "$tfs"
if mount -t tmpfs -o size=200k tmpfs "$tfs" 2>/dev/null; then
  expect_error "tmpfs" "not enough free space in $tfs: the output needs 729632 bytes" "$tfs" \
    -- "$HF2GGUF" convert "$v3" --outfile "$tfs/x.gguf"
  umount "$tfs"
else
  echo "note: cannot mount a tmpfs here; the real small-disk case was not run"
fi

finish
