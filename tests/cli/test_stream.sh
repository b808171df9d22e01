#!/usr/bin/env bash
# Standard output (--outfile -: a pipe, a FIFO, a device, a file) on all
# cores: pieces are computed out of order and put back in file order by the
# reorder window. For every fixture checkout in tests/data, at 1, 2, 4 and 16
# threads, the bytes through a pipe (default and tiny pieces) and into a
# file by redirection (tiny pieces) are those of the ordinary file path
# (itself checked against the goldens), for bf16, q8_0 and --quantize. Then a FIFO, /dev/null, a stream and a file in one
# run, a failing write and the compressed-archive refusal.
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"
: "${PACK_ARCHIVE:?PACK_ARCHIVE must point at the pack_archive tool}"

# Every checkout among the fixtures (a folder with a config.json).
fixtures=()
for d in "$DATA"/*/; do
  [ -f "$d/config.json" ] && fixtures+=("$(basename "$d")")
done
[ "${#fixtures[@]}" -ge 5 ] && pass || fail "expected at least 5 fixture checkouts, found ${fixtures[*]}"

# type_args TYPE: --outtype for f16/bf16/q8_0..., --quantize for Q8_0, Q4_K_M...
type_args() { case $1 in [A-Z]*) echo "--quantize $1" ;; *) echo "--outtype $1" ;; esac; }

# same_stream NAME REF WAYS -- CMD...: CMD's standard output, read through a
# pipe (and, with WAYS "pipe file", redirected to a file too), is REF byte
# for byte, and CMD exits 0.
same_stream() {
  local name=$1 ref=$2 ways=$3
  shift 4
  if "$@" | cat > "$WORK/piped" && cmp -s "$WORK/piped" "$ref"; then pass
  else fail "$name: through a pipe differs from the file path"; fi
  [ "$ways" = "pipe file" ] || return 0
  if "$@" > "$WORK/redirected" && cmp -s "$WORK/redirected" "$ref"; then pass
  else fail "$name: redirected to a file differs from the file path"; fi
}

# Quantized pieces (whole rows, llama-quantize's encoders) go through the
# same window: for those, tiny pieces only (the window's hard case).
for fx in "${fixtures[@]}"; do
  for t in bf16 q8_0 Q8_0 Q4_K_M; do
    ref="$WORK/$fx-$t.gguf"
    # shellcheck disable=SC2046
    if ! "$HF2GGUF" convert "$DATA/$fx" $(type_args "$t") --outfile "$ref" --quiet 2>/dev/null; then
      continue # a type this checkout (or build) cannot make: no file path to compare with
    fi
    man="$DATA/$fx/expected/$fx-$t.manifest.json"
    if [ -f "$man" ]; then
      "$MANIFEST_CHECK" "$man" "$ref" >/dev/null && pass || fail "$fx $t: file path not the golden"
    fi
    sizes="default 96"
    case $t in [A-Z]*) sizes=96 ;; esac
    for n in 1 2 4 16; do
      for elems in $sizes; do
        # shellcheck disable=SC2046
        if [ "$elems" = default ]; then
          same_stream "$fx $t --threads $n" "$ref" pipe -- \
            "$HF2GGUF" convert "$DATA/$fx" $(type_args "$t") --outfile - --threads "$n" --quiet
        else
          same_stream "$fx $t --threads $n in $elems-element pieces" "$ref" "pipe file" -- \
            env HF2GGUF_CHUNK_ELEMS="$elems" \
            "$HF2GGUF" convert "$DATA/$fx" $(type_args "$t") --outfile - --threads "$n" --quiet
        fi
      done
    done
  done
done

# Standard output redirected into a FIFO: all cores, in order.
v3=deepseek-v3-fp8-tiny
"$HF2GGUF" convert "$DATA/$v3" --outtype bf16 --outfile "$WORK/v3.gguf" --quiet
mkfifo "$WORK/out.fifo"
cat "$WORK/out.fifo" > "$WORK/from-fifo" &
reader=$!
HF2GGUF_CHUNK_ELEMS=96 "$HF2GGUF" convert "$DATA/$v3" --outtype bf16 --outfile - \
  --threads 4 --quiet > "$WORK/out.fifo"; rc=$?
wait "$reader"
[ $rc -eq 0 ] && cmp -s "$WORK/from-fifo" "$WORK/v3.gguf" && pass || fail "into a FIFO: rc $rc"

# Standard output on a character device (/dev/null) takes the whole file.
# (On a machine where something replaced /dev/null with a plain file there
# is no device to test with: said, not failed.)
if [ ! -c /dev/null ]; then
  echo "note: /dev/null is not a character device here; device output not tested" >&2
elif "$HF2GGUF" convert "$DATA/$v3" --outtype q8_0 --outfile - --threads 2 --quiet > /dev/null; then
  pass
else fail "--outfile - > /dev/null"; fi

# The text model on standard output while the mmproj goes to a file in the
# same run: the window orders only the stream's pieces.
ocr=deepseek-ocr-tiny
HF2GGUF_CHUNK_ELEMS=64 "$HF2GGUF" convert "$DATA/$ocr" --outtype f16 --outfile - \
  --mmproj="$WORK/mmproj.gguf" --threads 4 --quiet > "$WORK/ocr-text"; rc=$?
if [ $rc -eq 0 ] &&
   cmp -s "$WORK/ocr-text" "$DATA/$ocr/expected/$ocr-f16.gguf" &&
   cmp -s "$WORK/mmproj.gguf" "$DATA/$ocr/expected/mmproj-$ocr-f16.gguf"; then pass
else fail "text on stdout and mmproj into a file: rc $rc"; fi

# A write that fails half-way (a full disk, simulated) while 4 workers
# compute ahead: exit 1 with the message, no hang, nothing beside the output.
err=$(HF2GGUF_TEST_WRITE_LIMIT=200000 HF2GGUF_CHUNK_ELEMS=96 \
      "$HF2GGUF" convert "$DATA/$v3" --outtype bf16 --outfile - --threads 4 2>&1 >"$WORK/partial")
rc=$?
if [ $rc -eq 1 ] && [[ $err == *"standard output: write failed: no space left on device"* ]]; then pass
else fail "failing stream write: rc $rc, $err"; fi

# A compressed archive stages its shards and writes out of order: still
# refused for standard output at 1 and 4 threads, before a byte is written.
"$PACK_ARCHIVE" "$WORK/v3.tar.gz" tar.gz "$DATA/$v3" >/dev/null 2>&1
for n in 1 4; do
  err=$("$HF2GGUF" convert "$WORK/v3.tar.gz" --outfile - --threads $n 2>&1 >"$WORK/arc-out"); rc=$?
  if [ $rc -eq 2 ] && [ ! -s "$WORK/arc-out" ] &&
     [[ $err == *"--outfile - cannot be used with a compressed archive"* ]]; then pass
  else fail "compressed archive to stdout, --threads $n: rc $rc, $err"; fi
done

finish
