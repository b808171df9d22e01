#!/usr/bin/env bash
# Output-file safety (issue 14, items 1-3 and 13): runs aimed at one path
# never mix and never both report success for one file; devices, FIFOs and
# links are handled as --help says; the checkout is never overwritten;
# --dry-run reports a clash instead of failing.
. "$(dirname "$0")/lib.sh"
: "${MANIFEST_CHECK:?MANIFEST_CHECK must point at the manifest_check tool}"

v3="$DATA/deepseek-v3-tiny"
golden16="$v3/expected/deepseek-v3-tiny-f16.gguf"
golden_bf16="$v3/expected/deepseek-v3-tiny-bf16.manifest.json"
out="$WORK/out"
mkdir -p "$out"

# tmp_left DIR: whether a temporary file is left in DIR.
tmp_left() { ls -A "$1" | grep -q '\.tmp$'; }

# state PID: the process's state letter (T when stopped).
state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }

# ---------------------------------------------------------------------------
# 1. A file that appears while converting is not replaced. Run A stops itself
# (SIGSTOP, by the test hook) once its temporary file exists; run B then
# writes the same path to the end; A, continued, must refuse to replace B's
# file. Deterministic: no timing, the state is polled. Done for each way of
# renaming (renameat2, link + unlink, check + rename).
# ---------------------------------------------------------------------------
for way in 0 1 2; do
  rm -rf "${out:?}"/*
  HF2GGUF_TEST_NO_RENAMEAT2=$way HF2GGUF_TEST_RAISE=19 \
    "$HF2GGUF" convert "$v3" --outtype bf16 --outfile "$out/race.gguf" --quiet 2>"$WORK/err_a" &
  pid=$!
  while [ "$(state $pid)" != T ] && [ -e "/proc/$pid" ]; do sleep 0.05; done
  "$HF2GGUF" convert "$v3" --outtype f16 --outfile "$out/race.gguf" --quiet; rc_b=$?
  kill -CONT $pid; wait $pid; rc_a=$?
  if [ $rc_b -eq 0 ] && [ $rc_a -eq 1 ] && grep -q "race.gguf appeared while converting" "$WORK/err_a" &&
     cmp -s "$out/race.gguf" "$golden16" && ! tmp_left "$out"; then pass
  else fail "way $way: rc A $rc_a (expected 1), rc B $rc_b, $(cat "$WORK/err_a"), left: $(ls -A "$out")"; fi
done

# Split parts are all or nothing: when a part appeared meanwhile, the parts
# this run already put in place are removed again.
rm -rf "${out:?}"/*
HF2GGUF_TEST_RAISE=19 "$HF2GGUF" convert "$v3" --outtype f16 --outfile "$out/s.gguf" \
  --split-max-tensors 10 --quiet 2>"$WORK/err_a" &
pid=$!
while [ "$(state $pid)" != T ] && [ -e "/proc/$pid" ]; do sleep 0.05; done
last=$(ls "$out" | sed -n 's/^\(s-.*-of-.*\.gguf\)\..*\.tmp$/\1/p' | sort | tail -1)
echo other > "$out/$last"
kill -CONT $pid; wait $pid; rc_a=$?
if [ $rc_a -eq 1 ] && [ "$(ls -A "$out")" = "$last" ] && [ "$(cat "$out/$last")" = other ]; then pass
else fail "split set: rc $rc_a, left: $(ls -A "$out")"; fi

# Two real processes at once against one output, many times: without
# --force exactly one succeeds and the file is wholly its output; with
# --force both may succeed but the file is wholly one run's output (one
# writes f16, the other bf16, so a mixed file would match neither).
whole() { cmp -s "$1" "$golden16" || "$MANIFEST_CHECK" "$golden_bf16" "$1" >/dev/null; }
bad=0
for i in $(seq 1 25); do
  rm -rf "${out:?}"/*
  "$HF2GGUF" convert "$v3" --outtype f16 --outfile "$out/r.gguf" --quiet 2>/dev/null & p1=$!
  "$HF2GGUF" convert "$v3" --outtype bf16 --outfile "$out/r.gguf" --quiet 2>/dev/null & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  if [ $((r1 + r2)) -ne 1 ] || ! whole "$out/r.gguf" || tmp_left "$out"; then
    bad=$((bad + 1)); echo "race $i: exits $r1 $r2, left: $(ls -A "$out")"
  fi
  "$HF2GGUF" convert "$v3" --outtype f16 --outfile "$out/r.gguf" --force --quiet & p1=$!
  "$HF2GGUF" convert "$v3" --outtype bf16 --outfile "$out/r.gguf" --force --quiet & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  if [ $r1 -ne 0 ] || [ $r2 -ne 0 ] || ! whole "$out/r.gguf" || tmp_left "$out"; then
    bad=$((bad + 1)); echo "race --force $i: exits $r1 $r2, left: $(ls -A "$out")"
  fi
done
[ $bad -eq 0 ] && pass || fail "$bad of 50 concurrent pairs went wrong"

# The temporary file is unique per run and the output gets ordinary
# permissions (umask applied), not mkstemp's 0600.
rm -rf "${out:?}"/*
(umask 022; "$HF2GGUF" convert "$v3" --outfile "$out/p.gguf" --quiet)
[ "$(stat -c %a "$out/p.gguf")" = 644 ] && pass || fail "mode $(stat -c %a "$out/p.gguf")"

# ---------------------------------------------------------------------------
# 2. Non-regular targets: refused (exit 1), never replaced, even with
# --force. A link to a file: that file is written, the link stays.
# ---------------------------------------------------------------------------
rm -rf "${out:?}"/*
mkfifo "$out/fifo"
for target in "$out/fifo" /dev/null; do
  for force in "" --force; do
    err=$("$HF2GGUF" convert "$v3" --outfile "$target" $force --quiet 2>&1); rc=$?
    if [ $rc -eq 1 ] && [[ $err == *"is "*", not a regular file"*"--outfile - > $target"* ]] &&
       [ -p "$out/fifo" ] && [ -c /dev/null ]; then pass
    else fail "target $target $force: rc $rc: $err"; fi
  done
done
if command -v python3 >/dev/null; then
  python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$out/sock"
  err=$("$HF2GGUF" convert "$v3" --outfile "$out/sock" --force --quiet 2>&1); rc=$?
  [ $rc -eq 1 ] && [[ $err == *"is a socket, not a regular file"* ]] && [ -S "$out/sock" ] && pass ||
    fail "socket: rc $rc: $err"
fi
rm -rf "${out:?}"/*
echo old > "$out/real.gguf"
ln -s real.gguf "$out/link.gguf"
err=$("$HF2GGUF" convert "$v3" --outtype f16 --outfile "$out/link.gguf" --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"real.gguf already exists"* ]] && pass || fail "link, no --force: $rc $err"
"$HF2GGUF" convert "$v3" --outtype f16 --outfile "$out/link.gguf" --force --quiet
[ -L "$out/link.gguf" ] && cmp -s "$out/real.gguf" "$golden16" && ! tmp_left "$out" && pass ||
  fail "link with --force: $(ls -lA "$out")"
ln -s nowhere.gguf "$out/dangling.gguf"
err=$("$HF2GGUF" convert "$v3" --outfile "$out/dangling.gguf" --force --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"dangling.gguf is a symbolic link to a file that does not exist"* ]] &&
  [ ! -e "$out/nowhere.gguf" ] && pass || fail "dangling link: $rc $err"

# ---------------------------------------------------------------------------
# 3. The checkout is never overwritten: its files (by inode: through a
# link, a hard link, odd spellings), its folder (and below), its archive.
# ---------------------------------------------------------------------------
d=$(fixture_copy deepseek-v2-lite-tiny chk)
sum=$(cat "$d"/* | sha256sum)
ln -s "$d/model.safetensors" "$WORK/shard-link.gguf"
ln "$d/config.json" "$WORK/config-hardlink.gguf"
for target in "$d/model.safetensors" "$d//./config.json" "$WORK/shard-link.gguf" \
              "$WORK/config-hardlink.gguf"; do
  err=$("$HF2GGUF" convert "$d" --outfile "$target" --force --quiet 2>&1); rc=$?
  [ $rc -eq 1 ] && [[ $err == *"one of the checkout's own files; refusing to overwrite it"* ||
                      $err == *"lies inside the checkout being converted"* ]] && pass ||
    fail "input $target: rc $rc: $err"
done
mkdir -p "$d/sub"
for target in "$d/new.gguf" "$d/sub/new.gguf" "$d/sub/../sub/x.gguf"; do
  err=$("$HF2GGUF" convert "$d" --outfile "$target" --quiet 2>&1); rc=$?
  [ $rc -eq 1 ] && [[ $err == *"lies inside the checkout being converted"* ]] && pass ||
    fail "inside $target: rc $rc: $err"
done
err=$(cd "$d" && "$HF2GGUF" convert . --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"lies inside the checkout being converted"* ]] && pass ||
  fail "default name in the checkout: rc $rc: $err"
err=$("$HF2GGUF" convert "$d" --outdir "$d/gguf" --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"lies inside the checkout being converted"* ]] && pass ||
  fail "--outdir in the checkout: rc $rc: $err"
rmdir "$d/gguf" "$d/sub" 2>/dev/null
[ "$(cat "$d"/* | sha256sum)" = "$sum" ] && [ -z "$(ls "$d" | grep gguf)" ] && pass ||
  fail "the checkout changed: $(ls "$d")"
# mmproj and split parts are checked the same way.
o=$(fixture_copy deepseek-ocr-tiny ocr)
err=$("$HF2GGUF" convert "$o" --outfile "$out/t.gguf" --mmproj="$o/config.json" --force --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"config.json is one of the checkout's own files"* ]] &&
  [ ! -e "$out/t.gguf" ] && pass ||
  fail "mmproj into the checkout: $rc $err"
ln -s "$d/model.safetensors" "$out/s-00002-of-00011.gguf"
err=$("$HF2GGUF" convert "$d" --outfile "$out/s.gguf" --split-max-tensors 40 --force --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"one of the checkout's own files"* ]] && pass || fail "split part: $rc $err"
rm -f "$out/s-00002-of-00011.gguf"
# An archive: itself refused; its own folder is fine.
(cd "$WORK" && tar -cf chk.tar chk)
cp "$WORK/chk.tar" "$WORK/chk.tar.orig"
err=$("$HF2GGUF" convert "$WORK/chk.tar" --outfile "$WORK/./chk.tar" --force --quiet 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"is the archive being converted; refusing to overwrite it"* ]] &&
  cmp -s "$WORK/chk.tar" "$WORK/chk.tar.orig" && pass || fail "archive: $rc $err"
"$HF2GGUF" convert "$WORK/chk.tar" --outfile "$WORK/beside.gguf" --quiet && pass ||
  fail "writing beside the archive was refused"

# ---------------------------------------------------------------------------
# 13. --dry-run never fails because the output exists; it says so.
# ---------------------------------------------------------------------------
rm -rf "${out:?}"/*
echo old > "$out/x.gguf"
err=$("$HF2GGUF" convert "$v3" --outfile "$out/x.gguf" --dry-run 2>&1 >/dev/null); rc=$?
[ $rc -eq 0 ] && [[ $err == *"x.gguf already exists; the conversion would need --force"* ]] &&
  [ "$(cat "$out/x.gguf")" = old ] && pass || fail "dry-run clash: $rc $err"
json=$("$HF2GGUF" convert "$v3" --outfile "$out/x.gguf" --dry-run --json 2>/dev/null); rc=$?
[ $rc -eq 0 ] && grep -qP '"exists":\ttrue' <<< "$json" && pass || fail "dry-run --json clash: $rc"
json=$("$HF2GGUF" convert "$v3" --outfile "$out/y.gguf" --dry-run --json 2>/dev/null)
grep -qP '"exists":\tfalse' <<< "$json" && pass || fail "dry-run --json, no clash"

finish
