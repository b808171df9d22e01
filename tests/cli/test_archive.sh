#!/usr/bin/env bash
# Checkouts packed in archives: every fixture packed seven ways (made here with
# tests/tools/pack_archive.c) converts to the same bytes as its directory;
# standard output, interrupts, full disks and batches behave with archives as
# with directories; nothing is left in the output folder, staging included.
# (Hostile and broken archives are rows of test_malformed.sh.)
. "$(dirname "$0")/lib.sh"
: "${PACK_ARCHIVE:?PACK_ARCHIVE must point at the pack_archive tool}"

# pack FIXTURE FORMAT [TOP]: packs the fixture (less expected/) as
# $WORK/arc/FIXTURE.FORMAT, under folder TOP when given; prints the path.
pack() {
  local fx=$1 fmt=$2 top=${3:-} ext=$2
  [ "$fmt" = zip-stored ] && ext=zip
  mkdir -p "$WORK/arc/$fmt"
  local a="$WORK/arc/$fmt/$fx.$ext"
  if [ -n "$top" ]; then "$PACK_ARCHIVE" "$a" "$fmt" --top "$top" "$DATA/$fx" >&2
  else "$PACK_ARCHIVE" "$a" "$fmt" "$DATA/$fx" >&2; fi
  echo "$a"
}

# same_files A B: the two folders hold the same names (hidden ones too) and
# the same bytes under each.
same_files() {
  local a=$1 b=$2 f
  [ "$(ls -A "$a")" = "$(ls -A "$b")" ] || { echo "files: $(ls -A "$a" | tr '\n' ' ') vs $(ls -A "$b" | tr '\n' ' ')"; return 1; }
  for f in "$a"/*; do cmp -s "$f" "$b/$(basename "$f")" || { echo "$(basename "$f") differs"; return 1; }; done
}

# convert_both NAME DIR_ARGS -- ARCHIVE: converts the fixture directory and
# the archive with the same options into two folders and compares them.
FORMATS="tar:top tar.gz:top zip-stored: zip:top tar.zst:top tar.xz:top tar.bz2:top"
for fx in deepseek-v3-tiny deepseek-v3-fp8-tiny deepseek-v2-lite-tiny deepseek-ocr-tiny \
          deepseek-ocr2-tiny kimi-k2-tiny deepseek-v4-tiny kimi-k2-int4-tiny deepseek-v32-tiny \
          deepseek-moe-tiny; do
  opts=(--outtype bf16 --quiet)
  case $fx in deepseek-ocr*) opts+=(--mmproj) ;; esac
  ref="$WORK/ref-$fx"
  mkdir -p "$ref"
  "$HF2GGUF" convert "$DATA/$fx" --outdir "$ref" "${opts[@]}" || { fail "$fx: directory"; continue; }
  for spec in $FORMATS; do
    fmt=${spec%%:*} top=${spec#*:}
    a=$(pack "$fx" "$fmt" ${top:+"$fx"}) || { fail "$fx $fmt: pack"; continue; }
    out="$WORK/out-$fx-$fmt"
    mkdir -p "$out"
    if ! err=$("$HF2GGUF" convert "$a" --outdir "$out" "${opts[@]}" 2>&1); then
      fail "$fx $fmt: $err"; continue
    fi
    why=$(same_files "$ref" "$out") && pass || fail "$fx $fmt${top:+ (top folder)}: $why"
  done
done

# Tiny pieces: every expert stack is cut at its sources' edges and many
# chunks wait for their shard's turn (three shards; stacks span them).
for fx in deepseek-v3-tiny deepseek-v3-fp8-tiny deepseek-v4-tiny kimi-k2-int4-tiny; do
  out="$WORK/small-$fx"
  mkdir -p "$out"
  HF2GGUF_CHUNK_ELEMS=64 "$HF2GGUF" convert "$WORK/arc/tar.gz/$fx.tar.gz" --outdir "$out" \
    --outtype q8_0 --quiet &&
    "$HF2GGUF" convert "$DATA/$fx" --outfile "$WORK/small-$fx.ref" --outtype q8_0 --quiet &&
    cmp -s "$out"/* "$WORK/small-$fx.ref" && pass || fail "$fx: tar.gz in 64-element pieces"
done

# A split output from a compressed archive: every part as from the directory.
why="a conversion failed"
mkdir -p "$WORK/split-dir" "$WORK/split-arc"
"$HF2GGUF" convert "$DATA/deepseek-v3-fp8-tiny" --split-max-tensors 20 --outdir "$WORK/split-dir" --quiet &&
  "$HF2GGUF" convert "$WORK/arc/tar.gz/deepseek-v3-fp8-tiny.tar.gz" --split-max-tensors 20 \
    --outdir "$WORK/split-arc" --quiet &&
  [ "$(ls "$WORK/split-arc" | wc -l)" -eq 3 ] &&
  why=$(same_files "$WORK/split-dir" "$WORK/split-arc") && pass || fail "split from tar.gz: $why"

# The Ollama layout from a compressed archive.
why="a conversion failed"
mkdir -p "$WORK/oll-dir" "$WORK/oll-arc"
"$HF2GGUF" convert "$DATA/deepseek-ocr-tiny" --layout ollama --outdir "$WORK/oll-dir" --quiet &&
  "$HF2GGUF" convert "$WORK/arc/tar.zst/deepseek-ocr-tiny.tar.zst" --layout ollama \
    --outdir "$WORK/oll-arc" --quiet &&
  why=$(same_files "$WORK/oll-dir" "$WORK/oll-arc") && pass || fail "ollama layout from tar.zst: $why"

# Standard output: archives read in place stream like a directory; from a
# compressed one it is a usage error (exit 2) and nothing is written.
v3=deepseek-v3-tiny
"$HF2GGUF" convert "$DATA/$v3" --outfile "$WORK/v3.gguf" --outtype q8_0 --quiet
for fmt in tar zip-stored; do
  ext=${fmt%-stored}
  "$HF2GGUF" convert "$WORK/arc/$fmt/$v3.$ext" --outfile - --outtype q8_0 --quiet |
    cmp -s - "$WORK/v3.gguf" && pass || fail "--outfile - from $fmt"
done
for fmt in tar.gz zip; do
  err=$("$HF2GGUF" convert "$WORK/arc/$fmt/$v3.$fmt" --outfile - 2>&1 >"$WORK/stdout"); rc=$?
  if [ $rc -eq 2 ] && [ ! -s "$WORK/stdout" ] &&
     [[ $err == *"--outfile - cannot be used with a compressed archive"* ]]; then pass
  else fail "--outfile - from $fmt: rc $rc, $(wc -c < "$WORK/stdout") bytes out, $err"; fi
done

# An interrupt while converting a compressed archive (raised once the
# temporary output exists): exit 130, the output folder empty.
out="$WORK/int"
mkdir -p "$out"
HF2GGUF_TEST_RAISE=2 "$HF2GGUF" convert "$WORK/arc/tar.gz/$v3.tar.gz" --outdir "$out" 2>/dev/null
rc=$?
[ $rc -eq 130 ] && [ -z "$(ls -A "$out")" ] && pass || fail "SIGINT: rc $rc, left: $(ls -A "$out")"

# A full disk, simulated (writes past 100 kB fail) and, where a tmpfs can be
# mounted, real: too small for the output and the staged shard together.
out="$WORK/full"
mkdir -p "$out"
expect_error "disk full (simulated, tar.gz)" "no space left on device" "$out" \
  -- env HF2GGUF_TEST_WRITE_LIMIT=100000 "$HF2GGUF" convert "$WORK/arc/tar.gz/$v3.tar.gz" --outdir "$out"
if mount -t tmpfs -o size=1200k tmpfs "$out" 2>/dev/null; then
  expect_error "disk full (tmpfs, tar.gz)" "no space left on device" "$out" \
    -- "$HF2GGUF" convert "$WORK/arc/tar.gz/$v3.tar.gz" --outdir "$out" --outtype f32 --no-space-check
  # Without --no-space-check, refused before writing: the output and the
  # largest shard (staged beside it) are counted.
  expect_error "free space (tmpfs, tar.gz)" "not enough free space in $out: the output needs" "$out" \
    -- "$HF2GGUF" convert "$WORK/arc/tar.gz/$v3.tar.gz" --outdir "$out" --outtype f32
  umount "$out"
else
  echo "note: cannot mount a tmpfs here; the real full-disk case was not run"
fi

# A batch of an archive, a directory and a broken archive: one JSON line
# each, the broken one reported, exit 1.
head -c 3000 "$WORK/arc/tar.gz/$v3.tar.gz" > "$WORK/broken.tar.gz"
mkdir -p "$WORK/batch"
"$HF2GGUF" convert "$WORK/arc/tar.zst/$v3.tar.zst" "$DATA/deepseek-v2-lite-tiny" \
  "$WORK/broken.tar.gz" --outdir "$WORK/batch" --json --quiet >"$WORK/batch.json" 2>/dev/null
rc=$?
ok=$(grep -c '"status":"ok"' "$WORK/batch.json") bad=$(grep -c '"status":"error"' "$WORK/batch.json")
lines=$(wc -l < "$WORK/batch.json")
[ $rc -eq 1 ] && [ "$ok" -eq 2 ] && [ "$bad" -eq 1 ] && [ "$lines" -eq 3 ] &&
  grep -q '"input":"[^"]*broken.tar.gz","error":"[^"]*broken.tar.gz: ' "$WORK/batch.json" &&
  [ "$(ls -A "$WORK/batch" | wc -l)" -eq 2 ] && pass ||
  fail "batch: rc $rc, $ok ok, $bad errors, $lines lines: $(cat "$WORK/batch.json")"

# Hostile names write nothing anywhere: not beside the archive, not in the
# folder above, not at the absolute path named (the messages themselves are
# rows of test_malformed.sh).
h="$WORK/hostile"
mkdir -p "$h/run/out" "$h/src/m"
cp "$DATA/deepseek-v2-lite-tiny/config.json" "$h/src/m/"
abs="$WORK/abs-target"
(cd "$h/src" && tar -cf "$h/run/up.tar" m && tar -rf "$h/run/up.tar" --transform 's,^m/,m/../../escaped-,' m/config.json 2>/dev/null &&
  tar -cPf "$h/run/abs.tar" --transform "s,^m/,$abs/," m/config.json &&
  ln -s "$WORK" m/link && tar -cf "$h/run/link.tar" m)
for a in up abs link; do
  (cd "$h/run" && "$HF2GGUF" convert "$a.tar" --outdir out --quiet 2>/dev/null); rc=$?
  [ $rc -eq 1 ] && [ -z "$(ls -A "$h/run/out")" ] && [ ! -e "$h/escaped-config.json" ] &&
    [ ! -e "$WORK/escaped-config.json" ] && [ ! -e "$abs" ] &&
    [ "$(ls -A "$h/run")" = "$(printf '%s\n' abs.tar link.tar out up.tar)" ] && pass ||
    fail "hostile $a.tar: rc $rc, run/: $(ls -A "$h/run" | tr '\n' ' ')"
done

finish
