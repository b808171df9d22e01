#!/usr/bin/env bash
# --metadata FILE, as the reference's: the general.* values of a JSON object
# replace the derived ones. tests/data/metadata/<case>-vocab-f16.gguf were
# made for hf2gguf by llama.cpp 0.7.0's converter (--vocab-only --outtype
# f16 --metadata <case>.json) on deepseek-v2-lite-tiny with card.md as its
# README.md; hf2gguf must write the same bytes. The default file name follows
# the override (the reference names that file bn-1B-ft-v9-F16.gguf). Wrong
# types, a missing file and a non-object are errors that write nothing.
. "$(dirname "$0")/lib.sh"

M="$DATA/metadata"
d=$(fixture_copy deepseek-v2-lite-tiny "m/deepseek-v2-lite-tiny")
cp "$M/card.md" "$d/README.md"
out="$WORK/out"
mkdir -p "$out"

for c in naming strings lists sampling nulls; do
  if ! "$HF2GGUF" convert "$d" --vocab-only --outtype f16 --metadata "$M/$c.json" \
       --outfile "$out/$c.gguf" --quiet; then
    fail "$c: convert failed"; continue
  fi
  cmp -s "$out/$c.gguf" "$M/$c-vocab-f16.gguf" && pass ||
    fail "$c: differs from the reference: $("$HF2GGUF" diff "$M/$c-vocab-f16.gguf" "$out/$c.gguf" | head -3)"
done

# The override names the file.
mkdir -p "$WORK/named"
"$HF2GGUF" convert "$d" --outtype f16 --metadata "$M/naming.json" --outfile "$WORK/named/" --quiet &&
  [ "$(ls "$WORK/named")" = bn-1B-ft-v9-F16.gguf ] && pass ||
  fail "default name with --metadata: $(ls "$WORK/named")"

# --model-name still wins for general.name.
"$HF2GGUF" convert "$d" --vocab-only --metadata "$M/naming.json" --model-name Winner \
  --outfile "$out/winner.gguf" --quiet &&
  "$HF2GGUF" inspect "$out/winner.gguf" | grep -qx 'general.name = "Winner"  (STRING)' && pass ||
  fail "--model-name after --metadata: $("$HF2GGUF" inspect "$out/winner.gguf" | grep general.name)"
rm -f "$out"/*

# bad NAME JSON FRAGMENT: --metadata NAME.json holding JSON ("-": no such
# file) is refused, FRAGMENT on stderr ("FILE" stands for the file's path),
# nothing written.
bad() {
  local f="$WORK/$1.json"
  [ "$2" = - ] || printf '%s' "$2" > "$f"
  expect_error "$1" "${3//FILE/$f}" "$out" -- \
    "$HF2GGUF" convert "$d" --metadata "$f" --outfile "$out/x.gguf"
}
bad type-sampling '{"general.sampling.top_k": "forty"}' \
  "--metadata: 'general.sampling.top_k' must be a whole number within INT32, found a string"
bad type-name '{"general.name": 7}' "--metadata: 'general.name' must be a string, found a number"
bad type-tags '{"general.tags": "one"}' "--metadata: 'general.tags' must be a list of strings"
bad type-entry '{"general.base_models": [{"name": 1}]}' \
  "--metadata: 'general.base_models' entry 0: 'name' must be a string, found a number"
bad not-object '["general.name"]' "--metadata FILE: must be a JSON object of general.* keys"
bad not-json '{"general.name": ' "--metadata FILE: not valid JSON"
bad none - "--metadata FILE: cannot open: No such file or directory"

finish
