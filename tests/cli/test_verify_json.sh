#!/usr/bin/env bash
# verify of split sets, vocab-only files and several files (issue 14, item
# 12); JSON and exit statuses of verify and diff (item 16).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
v3="$DATA/deepseek-v3-tiny"
F="$v3/expected/deepseek-v3-tiny-f16.gguf"
s="$WORK/split"
mkdir -p "$s"

# 12. A split set, given any part: all parts read, the set checked as one.
"$HF2GGUF" convert "$v3" --outtype f16 --outfile "$s/m.gguf" --split-max-tensors 30 --quiet
for part in "$s/m-00001-of-00003.gguf" "$s/m-00003-of-00003.gguf"; do
  out=$("$HF2GGUF" verify "$part"); rc=$?
  [ $rc -eq 0 ] && [[ $out == "$part: OK (arch deepseek2, split set of 3 parts, "*", 70 tensors)" ]] &&
    pass || fail "split set via $part: $rc $out"
done
cp "$s/m-00002-of-00003.gguf" "$WORK/keep"
rm "$s/m-00002-of-00003.gguf"
out=$("$HF2GGUF" verify "$s/m-00001-of-00003.gguf"); rc=$?
[ $rc -eq 1 ] && [[ $out == *"m-00002-of-00003.gguf"* ]] && pass || fail "missing part: $rc $out"
cp "$WORK/keep" "$s/m-00002-of-00003.gguf"
cp "$s/m-00003-of-00003.gguf" "$s/m-00004-of-00004.gguf"
out=$("$HF2GGUF" verify "$s/m-00001-of-00003.gguf"); rc=$?
[ $rc -eq 1 ] && [[ $out == *"m-00004-of-00004.gguf: extra part: not one of the 3 parts of this set"* ]] &&
  pass || fail "extra part: $rc $out"
rm "$s/m-00004-of-00004.gguf"
# A vocab-only file: keys and tokenizer checked, tensor rules skipped.
"$HF2GGUF" convert "$v3" --vocab-only --outfile "$WORK/vocab.gguf" --quiet
out=$("$HF2GGUF" verify "$WORK/vocab.gguf"); rc=$?
[ $rc -eq 0 ] && [[ $out == *": OK (arch deepseek2, vocab only: tensor rules skipped, "* ]] && pass ||
  fail "vocab-only: $rc $out"
# Several files, like diff and checksum: each reported; 1 when any is bad.
out=$("$HF2GGUF" verify "$F" "$WORK/vocab.gguf"); rc=$?
[ $rc -eq 0 ] && [ "$(grep -c ': OK (' <<< "$out")" -eq 2 ] && pass || fail "two good files: $rc $out"
printf 'GGUF' > "$WORK/bad.gguf"
out=$("$HF2GGUF" verify "$F" "$WORK/bad.gguf" "$WORK/vocab.gguf" 2>&1); rc=$?
[ $rc -eq 1 ] && [ "$(grep -c ': OK (' <<< "$out")" -eq 2 ] && [[ $out == *"bad.gguf:"* ]] && pass ||
  fail "a bad file among good ones: $rc $out"

# 16. verify --json: an error object for an unreadable file; an array for
# several files.
json=$("$HF2GGUF" verify --json "$WORK/absent.gguf" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && grep -q '"ok":[[:space:]]*false' <<< "$json" &&
  grep -q "\"error\":[[:space:]]*\"$WORK/absent.gguf: cannot open: No such file or directory\"" <<< "$json" &&
  pass || fail "verify --json of an absent file: $rc $json"
json=$("$HF2GGUF" verify --json "$F" "$WORK/absent.gguf" 2>/dev/null); rc=$?
[ $rc -eq 1 ] && [[ $json == "["* ]] && [ "$(grep -c '"file":' <<< "$json")" -eq 2 ] && pass ||
  fail "verify --json of two files: $rc $json"
# diff follows diff(1): 0 same, 1 different, 2 trouble; --json says which.
"$HF2GGUF" diff "$F" "$F" >/dev/null; [ $? -eq 0 ] && pass || fail "diff same"
"$HF2GGUF" diff "$F" "$WORK/vocab.gguf" >/dev/null; [ $? -eq 1 ] && pass || fail "diff different"
"$HF2GGUF" diff "$F" "$WORK/absent.gguf" >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "diff absent"
"$HF2GGUF" diff "$F" >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "diff usage"
json=$("$HF2GGUF" diff --json "$F" "$F"); grep -q '"status":[[:space:]]*"identical"' <<< "$json" &&
  pass || fail "diff --json identical: $json"
json=$("$HF2GGUF" diff --json "$F" "$WORK/vocab.gguf"); grep -q '"status":[[:space:]]*"different"' <<< "$json" &&
  pass || fail "diff --json different"
json=$("$HF2GGUF" diff --json "$F" "$WORK/absent.gguf" 2>/dev/null); rc=$?
[ $rc -eq 2 ] && grep -q '"status":[[:space:]]*"error"' <<< "$json" &&
  grep -q '"error":[[:space:]]*".*absent.gguf: cannot open' <<< "$json" && pass ||
  fail "diff --json absent: $rc $json"
# Numbers are JSON numbers: a FLOAT32 infinity is null with a flag; a
# UINT64 past 2^53 is a number with every digit.
u32le() { local n=$1 i t=""; for i in 0 1 2 3; do t+=$(printf '\\x%02x' $(( (n >> (8 * i)) & 255 ))); done; printf "$t"; }
gs() { u64le ${#1}; printf '%s' "$1"; }
{ printf 'GGUF'; u32le 3; u64le 0; u64le 2
  gs x.inf; u32le 6; printf '\x00\x00\x80\x7f'
  gs x.big; u32le 10; u64le $(( (1 << 62) + 1 )); } > "$WORK/num.gguf"
json=$("$HF2GGUF" inspect --json "$WORK/num.gguf")
grep -q '"value":[[:space:]]*null' <<< "$json" && grep -q '"non_finite":[[:space:]]*true' <<< "$json" &&
  grep -q '"value":[[:space:]]*4611686018427387905[,]*$' <<< "$json" && ! grep -q '"inf"' <<< "$json" &&
  pass || fail "inspect --json numbers: $json"
# --json to a full standard output: not a success.
if [ -w /dev/full ]; then
  for cmd in "verify --json $F" "diff --json $F $WORK/vocab.gguf" "inspect --json $F" "checksum $F" \
             "convert $v3 --dry-run --json"; do
    $HF2GGUF $cmd > /dev/full 2>/dev/null; rc=$?
    [ $rc -ne 0 ] && pass || fail "$cmd > /dev/full: exit 0"
  done
fi

finish
