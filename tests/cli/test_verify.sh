#!/usr/bin/env bash
# hf2gguf verify: exit status and output lines for good files (the expected
# ones and fresh conversions in every outtype), a corrupted file, a file that
# is not GGUF, a missing file and usage errors. (--json is parsed by
# tests/unit/test_verify.c.)
. "$(dirname "$0")/lib.sh"

# expect_run NAME STATUS STDOUT -- CMD...: the command must exit STATUS and
# print exactly STDOUT.
expect_run() {
  local name=$1 status=$2 want=$3
  shift 4
  local out rc
  out=$("$@" 2>"$WORK/stderr"); rc=$?
  if [ "$rc" -ne "$status" ]; then
    fail "$name: exit status $rc, expected $status ($(cat "$WORK/stderr"))"; return
  fi
  if [ "$out" != "$want" ]; then
    fail "$name: output was:"$'\n'"$out"$'\n'"expected:"$'\n'"$want"; return
  fi
  pass
}

# The expected files: one OK line each, exit 0.
f="$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf"
expect_run "v3 expected" 0 "$f: OK (arch deepseek2, 53 KVs, 70 tensors)" -- "$HF2GGUF" verify "$f"
f="$DATA/deepseek-ocr-tiny/expected/mmproj-deepseek-ocr-tiny-f16.gguf"
expect_run "ocr mmproj expected" 0 \
  "$f: OK (arch clip, projector deepseekocr, 30 KVs, 332 tensors)" -- "$HF2GGUF" verify "$f"
for f in "$DATA"/*/expected/*.gguf; do
  out=$("$HF2GGUF" verify "$f") && [[ $out == "$f: OK ("* ]] && pass || fail "$f: $out"
done

# Fresh conversions verify clean in every outtype (q8_0 falls back to f16
# for some tensors, bf16 and f32 change nothing the loader looks at).
for t in f32 bf16 q8_0; do
  for fx in deepseek-v2-lite-tiny deepseek-ocr2-tiny; do
    out="$WORK/$fx-$t.gguf"
    if ! "$HF2GGUF" convert "$DATA/$fx" --outfile "$out" --outtype "$t" --quiet; then
      fail "$fx $t: convert failed"; continue
    fi
    res=$("$HF2GGUF" verify "$out") && pass || fail "$fx $t: $res"
  done
done
"$HF2GGUF" convert "$DATA/deepseek-ocr-tiny" --mmproj-only --outfile "$WORK/mmproj-q8.gguf" \
  --outtype q8_0 --quiet && res=$("$HF2GGUF" verify "$WORK/mmproj-q8.gguf") && pass ||
  fail "ocr mmproj q8_0: $res"

# A key renamed in place (same length): one problem line, a count, exit 1.
bad="$WORK/bad.gguf"
LC_ALL=C sed 's/attention\.kv_lora_rank/attention.kv_lora_rxnk/' \
  "$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf" > "$bad"
expect_run "renamed key" 1 \
  "$bad: deepseek2.attention.kv_lora_rank: required key is missing
$bad: 1 problem" -- "$HF2GGUF" verify "$bad"

# A truncated file: the reader's message is the one problem.
head -c -1000 "$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf" > "$WORK/cut.gguf"
out=$("$HF2GGUF" verify "$WORK/cut.gguf"); rc=$?
if [ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" -eq 2 ] &&
   [[ $out == "$WORK/cut.gguf: "*"run past the end"* ]] &&
   [[ $out == *$'\n'"$WORK/cut.gguf: 1 problem" ]]; then pass
else fail "truncated file: rc $rc, $out"; fi

# A missing file: an error on stderr, nothing on stdout, exit 1.
out=$("$HF2GGUF" verify "$WORK/nope.gguf" 2>"$WORK/err"); rc=$?
if [ $rc -eq 1 ] && [ -z "$out" ] &&
   [ "$(cat "$WORK/err")" = \
     "hf2gguf: error: $WORK/nope.gguf: cannot open: No such file or directory" ]
then pass; else fail "missing file: rc $rc, stdout '$out', stderr $(cat "$WORK/err")"; fi

# --help goes to stdout with exit 0; usage errors exit 2.
out=$("$HF2GGUF" verify --help) && [[ $out == "usage: hf2gguf verify FILE.gguf... [--json]"* ]] &&
  pass || fail "--help"
"$HF2GGUF" verify >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "no file: exit not 2"
"$HF2GGUF" verify --frob "$bad" >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "bad option"
"$HF2GGUF" verify "$bad" "$bad" >/dev/null 2>&1; [ $? -eq 1 ] && pass || fail "two files (both bad)"

finish
