#!/usr/bin/env bash
# Names and terminal safety (issue 14, items 5 and 6): default output names
# made from the checkout never leave the requested folder or carry control
# characters; strings from a checkout or a GGUF reach the terminal escaped.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

ESC=$'\033'
out="$WORK/out"
mkdir -p "$out"

# card FIELD VALUE: a copy of v2 whose model card sets FIELD (YAML).
card() {
  local d
  d=$(fixture_copy deepseek-v2-lite-tiny "card-$1")
  printf -- '---\n%s: %s\n---\n' "$1" "$2" > "$d/README.md"
  echo "$d"
}

# only_in_out NAME: the one file written is a plain file directly in $out.
only_in_out() {
  local name=$1 files
  files=$(cd "$WORK" && find . -newer "$WORK/stamp" -type f -name '*.gguf' | grep -v '^./card-')
  if [ "$(echo "$files" | wc -l)" -eq 1 ] && [[ $files == ./out/* ]] &&
     [[ ${files#./out/} != */* ]] && [[ ${files#./out/} != [-.]* ]] &&
     ! printf '%s' "$files" | grep -q '[[:cntrl:]\\]'; then pass
  else fail "$name: written: $files"; fi
  rm -rf "${out:?}"/* "$WORK/evil" "$WORK"/*.gguf 2>/dev/null
}

# 5. Every part of the default name.
for field in name basename finetune version size_label model_type; do
  for value in '"../../evil"' '"a/../../b"' '"x\\y"' '"-rf"' '"..\\u001b[31mred"' '".."'; do
    d=$(card "$field" "$value")
    touch "$WORK/stamp"; sleep 0.01
    if "$HF2GGUF" convert "$d" --outfile "$out/" --quiet 2>"$WORK/err"; then
      only_in_out "$field=$value"
    else fail "$field=$value: $(cat "$WORK/err")"; fi
    rm -rf "$d"
  done
done
# _name_or_path and the folder name.
d=$(fixture_copy deepseek-v2-lite-tiny nop)
sed -i 's|^{|{"_name_or_path": "-x/..",|' "$d/config.json"
touch "$WORK/stamp"; sleep 0.01
"$HF2GGUF" convert "$d" --outfile "$out/" --quiet && only_in_out "_name_or_path" || fail "_name_or_path"
odd="$WORK/-odd"$'\n'"dir"
mkdir -p "$odd"; cp -r "$DATA/deepseek-v2-lite-tiny/." "$odd/"; rm -rf "$odd/expected"
touch "$WORK/stamp"; sleep 0.01
"$HF2GGUF" convert "$odd" --outfile "$out/" --quiet && only_in_out "folder name" || fail "folder name"
# The reference's names are untouched (the fixtures' goldens check this too).
name=$("$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --dry-run | head -1)
[[ $name == "Deepseek-v3-Tiny-8x226K-BF16.gguf: "* ]] && pass || fail "plain name changed: $name"

# 6. Terminal safety: an escape sequence in the architecture name, a tensor
# name, a folder name and a GGUF's keys is shown as \x1b.
d=$(fixture_copy deepseek-v2-lite-tiny esc)
sed -i "s/\"DeepseekV2ForCausalLM\"/\"Evil\\\\u001b[2JArch\"/" "$d/config.json"
err=$("$HF2GGUF" convert "$d" --outfile "$out/x.gguf" 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *'Evil\x1b[2JArch'* ]] && [[ $err != *$ESC* ]] && pass ||
  fail "architecture name: $rc $(printf '%q' "$err")"
err=$("$HF2GGUF" convert "$odd" --outfile "$WORK/nope/" 2>&1)
[[ $err == *'-odd\x0adir'* || $err == *"nope/: no such directory"* ]] && [[ $err != *$'\n'dir* ]] && pass ||
  fail "folder name in a message: $(printf '%q' "$err")"
# A tensor name with an escape, in --dry-run's table and in errors.
d=$(fixture_copy deepseek-v2-lite-tiny esc2)
python_free_rename() { # renames tensor $2 to $3 in safetensors $1, same length
  LC_ALL=C sed -i "s/\"$2\"/\"$3\"/" "$1"
}
python_free_rename "$d/model.safetensors" "model.norm.weight" "model.nor\\\\u001bweight"
err=$("$HF2GGUF" convert "$d" --outfile "$out/x.gguf" 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err != *$ESC* ]] && [[ $err == *'\x1b'* ]] && pass ||
  fail "tensor name: $rc $(printf '%q' "$err")"
# verify, inspect and diff of a GGUF whose architecture and keys hold escapes.
g="$WORK/esc.gguf"
u32le() { local n=$1 i s=""; for i in 0 1 2 3; do s+=$(printf '\\x%02x' $(( (n >> (8 * i)) & 255 ))); done; printf "$s"; }
gs() { u64le ${#1}; printf '%s' "$1"; }
{ printf 'GGUF'; u32le 3; u64le 0; u64le 2
  gs general.architecture; u32le 8; gs "deep${ESC}]0;pwned${ESC}\\"
  gs "key${ESC}[31m"; u32le 4; u32le 7; } > "$g"
for cmd in verify inspect; do
  text=$("$HF2GGUF" $cmd "$g" 2>&1)
  [[ $text != *$ESC* ]] && [[ $text == *'\x1b'* ]] && pass || fail "$cmd: $(printf '%q' "$text")"
done
cp "$g" "$WORK/esc2.gguf"; printf 'x' >> "$WORK/esc2.gguf"
{ printf 'GGUF'; u32le 3; u64le 0; u64le 1; gs "other${ESC}[1m"; u32le 4; u32le 7; } > "$WORK/esc3.gguf"
text=$("$HF2GGUF" diff "$g" "$WORK/esc3.gguf" 2>&1)
[[ $text != *$ESC* ]] && [[ $text == *'key\x1b[31m'* ]] && pass || fail "diff keys: $(printf '%q' "$text")"

finish
