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

bad() { printf '%s' "$2" > "$WORK/$1.json"; }
bad type-sampling '{"general.sampling.top_k": "forty"}'
bad type-name '{"general.name": 7}'
bad type-tags '{"general.tags": "one"}'
bad type-entry '{"general.base_models": [{"name": 1}]}'
bad not-object '["general.name"]'
bad not-json '{"general.name": '
expect_error "wrong sampling type" "--metadata: 'general.sampling.top_k' must be a whole number within INT32, found a string" "$out" -- \
  "$HF2GGUF" convert "$d" --metadata "$WORK/type-sampling.json" --outfile "$out/x.gguf"
expect_error "wrong name type" "--metadata: 'general.name' must be a string, found a number" "$out" -- \
  "$HF2GGUF" convert "$d" --metadata "$WORK/type-name.json" --outfile "$out/x.gguf"
expect_error "tags not a list" "--metadata: 'general.tags' must be a list of strings" "$out" -- \
  "$HF2GGUF" convert "$d" --metadata "$WORK/type-tags.json" --outfile "$out/x.gguf"
expect_error "entry field not a string" "--metadata: 'general.base_models' entry 0: 'name' must be a string, found a number" "$out" -- \
  "$HF2GGUF" convert "$d" --metadata "$WORK/type-entry.json" --outfile "$out/x.gguf"
expect_error "not an object" "--metadata $WORK/not-object.json: must be a JSON object of general.* keys" "$out" -- \
  "$HF2GGUF" convert "$d" --metadata "$WORK/not-object.json" --outfile "$out/x.gguf"
expect_error "not JSON" "--metadata $WORK/not-json.json: not valid JSON" "$out" -- \
  "$HF2GGUF" convert "$d" --metadata "$WORK/not-json.json" --outfile "$out/x.gguf"
expect_error "missing file" "--metadata $WORK/none.json: cannot open: No such file or directory" "$out" -- \
  "$HF2GGUF" convert "$d" --metadata "$WORK/none.json" --outfile "$out/x.gguf"

finish
