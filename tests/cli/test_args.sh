#!/usr/bin/env bash
# Arguments and messages (issue 14, items 4, 7 and 14): usage errors exit 2
# with nothing written and name the right argument; help works from every
# place; messages about missing inputs and folders say what is wrong.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

v3="$DATA/deepseek-v3-tiny"
ocr="$DATA/deepseek-ocr-tiny"
out="$WORK/out"
mkdir -p "$out"
cd "$out" || exit 1

# usage NAME FRAGMENT CMD...: exit 2, FRAGMENT on stderr, nothing written.
usage() {
  local name=$1 fragment=$2 err rc
  shift 2
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 2 ] && [[ $err == *"$fragment"* ]] && [ -z "$(ls -A "$out")" ]; then pass
  else fail "$name: rc $rc (expected 2), left: $(ls -A "$out"): $err"; fi
  rm -rf "${out:?}"/*
}

# 4. Arguments.
usage "second positional" "unexpected second argument 'x.gguf': to name the output use --outfile x.gguf" \
  "$HF2GGUF" convert "$v3" x.gguf
usage "after --" "unexpected second argument '--force' after '--' (what follows '--' is taken as MODEL_DIRs" \
  "$HF2GGUF" convert "$v3" -- --force
for v in -1 0 "" 1x 99999999999999999999999 +3; do
  usage "--split-max-tensors '$v'" "--split-max-tensors '$v' must be a whole number from 1 to" \
    "$HF2GGUF" convert "$v3" --split-max-tensors "$v"
done
for v in -1 0 1025 99999999999999999999 " 4"; do
  usage "--threads '$v'" "--threads '$v' must be a number from 1 to 1024" \
    "$HF2GGUF" convert "$v3" --threads "$v"
done
usage "--split-max-size overflow" "--split-max-size '99999999999999999999999' must be a size" \
  "$HF2GGUF" convert "$v3" --split-max-size 99999999999999999999999
usage "--split-max-size negative" "--split-max-size '-5G' must be a size" \
  "$HF2GGUF" convert "$v3" --split-max-size -5G
usage "grouped short options" "unknown option '-q'" "$HF2GGUF" convert "$v3" -qx
usage "unknown short option" "unknown option '-z'" "$HF2GGUF" convert -z "$v3"
usage "missing value" "option '--outfile' needs a value" "$HF2GGUF" convert "$v3" --outfile
usage "ambiguous long option" "unknown or ambiguous option '--out'" "$HF2GGUF" convert --out x "$v3"
for cmd in convert inspect verify diff checksum; do
  for h in -h --help; do
    text=$("$HF2GGUF" $cmd $h 2>&1); rc=$?
    [ $rc -eq 0 ] && [[ $text == "usage: hf2gguf $cmd "* ]] && pass || fail "$cmd $h: rc $rc: ${text:0:80}"
  done
  text=$("$HF2GGUF" help $cmd 2>&1); rc=$?
  [ $rc -eq 0 ] && [[ $text == "usage: hf2gguf $cmd "* ]] && pass || fail "help $cmd: rc $rc: ${text:0:80}"
done
usage "help of nothing" "unknown command 'nope'" "$HF2GGUF" help nope
text=$("$HF2GGUF" convert "$v3" -h); [[ $text == "usage: hf2gguf convert "* ]] && pass ||
  fail "-h after MODEL_DIR"

# --mmproj DIR/ is the projector's folder, not a second checkout.
mkdir -p "$WORK/mm"
"$HF2GGUF" convert "$ocr" --mmproj "$WORK/mm/" --outfile "$WORK/t.gguf" --quiet &&
  [ -f "$WORK/mm/mmproj-DeepSeek-OCR-BF16.gguf" ] && [ -f "$WORK/t.gguf" ] && pass ||
  fail "--mmproj DIR/: $(ls "$WORK/mm")"
err=$("$HF2GGUF" convert "$ocr" --mmproj "$WORK/nodir/" --outfile "$WORK/t2.gguf" --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"--mmproj $WORK/nodir/: no such directory"* ]] && pass ||
  fail "--mmproj missing DIR/: $rc $err"

# 7. --outfile - at a terminal is refused (script(1) gives the run a
# terminal); the summaries call it standard output.
if command -v script >/dev/null; then
  text=$(script -qec "'$HF2GGUF' convert '$v3' --outfile -" /dev/null </dev/null); rc=$?
  [ $rc -eq 2 ] && [[ $text == *"--outfile - writes binary GGUF data to standard output, which is a terminal"* ]] &&
    [[ $text != *GGUF[^\ ]* ]] && pass || fail "--outfile - at a terminal: rc $rc: ${text:0:200}"
else
  echo "note: script(1) missing; the terminal case was not run"
fi
text=$("$HF2GGUF" convert "$v3" --outfile - --dry-run 2>&1)
[[ $text == "standard output: model, arch deepseek2"* ]] && pass || fail "dry-run to stdout: ${text:0:80}"
err=$("$HF2GGUF" convert "$v3" --outfile - 2>&1 >/dev/null)
[[ $err == "hf2gguf: wrote standard output ("* ]] && pass || fail "summary for stdout: $err"

# 14. Messages.
err=$("$HF2GGUF" convert "$WORK/absent" 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"$WORK/absent: no such file or directory"* ]] && pass || fail "absent: $rc $err"
"$HF2GGUF" convert "$v3" --outdir "$WORK/a/b/c" --quiet && [ -n "$(ls "$WORK/a/b/c")" ] && pass ||
  fail "--outdir a/b/c"
touch "$WORK/plain"
err=$("$HF2GGUF" convert "$v3" --outdir "$WORK/plain/x" --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"--outdir $WORK/plain/x: cannot create $WORK/plain: Not a directory"* ]] &&
  pass || fail "--outdir through a file: $rc $err"
pt="$WORK/pt"; mkdir -p "$pt"; cp "$v3/config.json" "$pt/"; : > "$pt/pytorch_model.bin"
err=$("$HF2GGUF" convert "$pt" --outfile "$WORK/pt.gguf" 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"only pytorch_model.bin: pickled PyTorch checkpoints are not read"*"convert it to safetensors first"* ]] &&
  pass || fail "pytorch_model.bin: $rc $err"
# Messages name the final path, not the temporary file's.
err=$(HF2GGUF_TEST_WRITE_LIMIT=100000 "$HF2GGUF" convert "$v3" --outfile "$WORK/full.gguf" 2>&1)
[[ $err == *"$WORK/full.gguf: write failed: no space left on device"* ]] && [[ $err != *.tmp* ]] &&
  pass || fail "message names the temporary file: $err"

finish
