#!/usr/bin/env bash
# Every fixture's text model, for every outtype, must be byte-identical to
# what llama.cpp's converter wrote (expected/*.manifest.json: file sha256;
# expected/*-f16.gguf: cmp), with 1 and 4 threads, and under the default
# file name when --outfile names a directory.
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"

fixtures="deepseek-v2-lite-tiny deepseek-v3-tiny deepseek-v3-fp8-tiny deepseek-ocr-tiny deepseek-ocr2-tiny
  deepseek-v4-tiny deepseek-v32-tiny deepseek-moe-tiny"

# The default name recorded in expected/default_filenames.json for an outtype.
default_name() {
  sed -n "s|.*\"text/$2\": \"\\(.*\\)\".*|\\1|p" "$DATA/$1/expected/default_filenames.json"
}

for fx in $fixtures; do
  for t in f32 f16 bf16 q8_0; do
    out="$WORK/$fx-$t"
    mkdir -p "$out"
    if ! "$HF2GGUF" convert "$DATA/$fx" --outfile "$out/" --outtype "$t" --quiet; then
      fail "$fx $t: convert failed"; continue
    fi
    name=$(default_name "$fx" "$t")
    if [ ! -f "$out/$name" ] || [ "$(ls "$out")" != "$name" ]; then
      fail "$fx $t: expected only $name in the output directory, found: $(ls "$out")"; continue
    fi
    if result=$("$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-$t.manifest.json" "$out/$name"); then pass
    else fail "$fx $t: $result"; fi
    if [ "$t" = f16 ]; then
      cmp -s "$out/$name" "$DATA/$fx/expected/$fx-f16.gguf" && pass || fail "$fx f16: cmp differs"
    fi
  done
done

# auto (no --outtype): the reference's own --outtype auto output and default
# name, for the fixtures that have one (bf16 for these bf16/fp8 checkouts).
# deepseek-v32-tiny and deepseek-moe-tiny have no auto golden: their sources
# (FP8 with BF16 embeddings, BF16) make the reference's auto bf16, so auto
# must give the bf16 golden under the bf16 name.
for fx in $fixtures; do
  want="$DATA/$fx/expected/$fx-auto.manifest.json" name=$(default_name "$fx" auto)
  case $fx in deepseek-v32-tiny|deepseek-moe-tiny)
    want="$DATA/$fx/expected/$fx-bf16.manifest.json" name=$(default_name "$fx" bf16) ;;
  esac
  [ -f "$want" ] || continue
  out="$WORK/$fx-auto"
  mkdir -p "$out"
  "$HF2GGUF" convert "$DATA/$fx" --outfile "$out/" --quiet &&
    [ "$(ls "$out")" = "$name" ] &&
    "$MANIFEST_CHECK" "$want" "$out/$name" >/dev/null &&
    pass || fail "$fx auto: not $name with the reference's auto bytes ($(ls "$out"))"
done

# The thread count changes nothing.
for n in 1 4; do
  "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outfile "$WORK/v3-t$n.gguf" --outtype q8_0 \
    --threads "$n" --quiet &&
    "$MANIFEST_CHECK" "$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-q8_0.manifest.json" \
      "$WORK/v3-t$n.gguf" >/dev/null && pass || fail "--threads $n: output differs"
done

# Tiny pieces (96 elements) on 4 threads: every tensor is cut at many places,
# FP8 block rows and expert boundaries included, and the bytes stay the same.
# deepseek-moe-tiny: the q/k row permutation read in pieces that start and
# end inside rows; deepseek-v32-tiny: FP8 indexer and MTP tensors.
for fx in deepseek-v3-fp8-tiny deepseek-v2-lite-tiny deepseek-v4-tiny deepseek-moe-tiny \
          deepseek-v32-tiny; do
  for t in bf16 q8_0; do
    HF2GGUF_CHUNK_ELEMS=96 "$HF2GGUF" convert "$DATA/$fx" --outfile "$WORK/$fx-small-$t.gguf" \
      --outtype "$t" --threads 4 --quiet &&
      "$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-$t.manifest.json" "$WORK/$fx-small-$t.gguf" >/dev/null &&
      pass || fail "$fx $t in 96-element pieces differs"
  done
done

# --outfile - streams the same bytes to standard output, through a pipe too.
"$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outtype f16 --outfile - --quiet | cat > "$WORK/stream.gguf"
cmp -s "$WORK/stream.gguf" "$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf" &&
  pass || fail "--outfile - through a pipe differs"
"$HF2GGUF" convert "$DATA/deepseek-v2-lite-tiny" --outtype q8_0 --outfile - --quiet > "$WORK/stream2.gguf"
"$MANIFEST_CHECK" "$DATA/deepseek-v2-lite-tiny/expected/deepseek-v2-lite-tiny-q8_0.manifest.json" \
  "$WORK/stream2.gguf" >/dev/null && pass || fail "--outfile - to a file differs"

# Without --outfile the default name lands in the current directory.
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outtype f16 --quiet)
[ -f "$WORK/cwd/$(default_name deepseek-v3-tiny f16)" ] && pass || fail "default name in cwd"

# No temporary files anywhere.
if find "$WORK" -name '*.tmp' | grep -q .; then fail "temporary files left"; else pass; fi

finish
