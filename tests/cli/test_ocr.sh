#!/usr/bin/env bash
# DeepSeek-OCR and OCR-2: text model and mmproj from one run, byte-identical
# to the reference's two runs; the default names; --mmproj-only; the note
# when the vision part is skipped; bad vision configs.
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"

default_name() {
  sed -n "s|.*\"$2/$3\": \"\\(.*\\)\".*|\\1|p" "$DATA/$1/expected/default_filenames.json"
}

for fx in deepseek-ocr-tiny deepseek-ocr2-tiny; do
  for t in f32 f16 bf16 q8_0; do
    out="$WORK/$fx-$t"
    mkdir -p "$out"
    if ! "$HF2GGUF" convert "$DATA/$fx" --outfile "$out/" --mmproj --outtype "$t" --quiet; then
      fail "$fx $t: convert --mmproj failed"; continue
    fi
    text=$(default_name "$fx" text "$t") mmproj=$(default_name "$fx" mmproj "$t")
    [ "$(ls "$out" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$text" "$mmproj" | sort | tr '\n' ' ')" ] &&
      pass || fail "$fx $t: expected $text and $mmproj, found $(ls "$out")"
    r=$("$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-$t.manifest.json" "$out/$text") &&
      pass || fail "$fx $t text: $r"
    r=$("$MANIFEST_CHECK" "$DATA/$fx/expected/mmproj-$fx-$t.manifest.json" "$out/$mmproj") &&
      pass || fail "$fx $t mmproj: $r"
    if [ "$t" = f16 ]; then
      cmp -s "$out/$text" "$DATA/$fx/expected/$fx-f16.gguf" && pass || fail "$fx: text cmp"
      cmp -s "$out/$mmproj" "$DATA/$fx/expected/mmproj-$fx-f16.gguf" && pass || fail "$fx: mmproj cmp"
    fi
  done
done

# --mmproj-only writes just the projector, to --outfile.
"$HF2GGUF" convert "$DATA/deepseek-ocr-tiny" --mmproj-only --outtype f16 \
  --outfile "$WORK/only.gguf" --quiet &&
  cmp -s "$WORK/only.gguf" "$DATA/deepseek-ocr-tiny/expected/mmproj-deepseek-ocr-tiny-f16.gguf" &&
  pass || fail "--mmproj-only"

# --mmproj PATH.gguf (separate argument) names the projector's file.
mkdir -p "$WORK/sep"
"$HF2GGUF" convert "$DATA/deepseek-ocr2-tiny" --outfile "$WORK/sep/t.gguf" --mmproj "$WORK/sep/v.gguf" \
  --outtype f16 --quiet && [ "$(ls "$WORK/sep" | tr '\n' ' ')" = "t.gguf v.gguf " ] &&
  pass || fail "--mmproj PATH: $(ls "$WORK/sep")"

# Without --mmproj an OCR checkout gives the text model and says how to get the rest.
err=$("$HF2GGUF" convert "$DATA/deepseek-ocr-tiny" --outfile "$WORK/text-only.gguf" 2>&1 >/dev/null)
[[ $err == *"only the text model was written. Add --mmproj"* ]] && pass || fail "skip note: $err"

# A checkout without a vision tower has no mmproj to write.
mkdir -p "$WORK/none"
expect_error "mmproj of a text-only model" "no vision projector" "$WORK/none" \
  -- "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outfile "$WORK/none/" --mmproj

# Bad vision configs: exit 1, the key named, nothing written.
bad_config() { # NAME FRAGMENT PYTHON-FREE-SED-EXPRESSION
  local d out="$WORK/out-$1"
  d=$(fixture_copy deepseek-ocr-tiny "$1")
  mkdir -p "$out"
  sed -i "$3" "$d/config.json"
  expect_error "$1" "$2" "$out" -- "$HF2GGUF" convert "$d" --outfile "$out/" --mmproj
}
bad_config no-vision-config "'vision_config' is missing" 's/"vision_config"/"vision_config_gone"/'
bad_config no-sam "vision_config.width.sam_vit_b is missing" 's/"sam_vit_b"/"sam_vit_x"/'
bad_config unknown-width "unknown entry 'vit-h-14'" 's/"width": {/"width": {"vit-h-14": {},/'
# SAM width 16 in the tensors, 24 in the config: the first SAM tensor is refused.
bad_config sam-shape "does not match vision_config.width.sam_vit_b.width" \
  '/"sam_vit_b"/,/}/ s/"width": 16/"width": 24/'

finish
