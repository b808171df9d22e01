#!/usr/bin/env bash
# The shell completions in src/cli/completions/: the bash one, sourced into a
# plain bash (no bash-completion package needed), must offer the commands,
# exactly the flags each --help names, the values of --outtype, --layout and
# --tokenizer-pre, *.gguf files, checkouts (directories, archives) and the
# models of a Hugging Face cache. The zsh one must name every flag of every
# --help, and pass `zsh -n` when zsh is installed.
. "$(dirname "$0")/lib.sh"
dir=$(cd "$TESTS/../src/cli/completions" && pwd)

flags_of_help() { grep -o -- '--[a-z0-9][a-z0-9-]*[a-z0-9]' | sort -u; }

# complete_words WORD...: what the bash completion offers for the command
# line "hf2gguf WORD...", the last word being completed; one per line, sorted.
complete_words() {
  (cd "$WORK/files" && bash -c '
    . "$1"; shift
    COMP_WORDS=(hf2gguf "$@"); COMP_CWORD=$#
    _hf2gguf
    printf "%s\n" "${COMPREPLY[@]}"' _ "$dir/hf2gguf.bash" "$@") | sed '/^$/d' | sort
}
# expect NAME "EXPECTED WORDS" WORD...: the offer must be exactly EXPECTED.
expect() {
  local name=$1 want got
  want=$(printf '%s\n' $2 | sed '/^$/d' | sort)
  shift 2
  got=$(complete_words "$@")
  [ "$got" = "$want" ] && pass || fail "$name: offered [$(echo $got)], expected [$(echo $want)]"
}

mkdir -p "$WORK/files/models/sub" "$WORK/cache/models--acme--tiny-v3/snapshots" "$WORK/cache/datasets--x--y"
touch "$WORK/files/a.gguf" "$WORK/files/b.txt" "$WORK/files/m.tar.zst" "$WORK/files/m.zip" \
      "$WORK/files/models/c.gguf"

out=$(bash -c '. "$1" && complete -p hf2gguf' _ "$dir/hf2gguf.bash" 2>&1)
[ "$out" = "complete -F _hf2gguf hf2gguf" ] && pass || fail "sourcing: $out"

expect "commands" "convert inspect verify diff checksum --version --help" ""
expect "command prefix" "checksum convert" c
# Each command's flags: exactly those of its --help.
for cmd in convert inspect verify diff checksum; do
  "$HF2GGUF" "$cmd" --help | flags_of_help > "$WORK/help-$cmd"
  expect "$cmd flags" "$(cat "$WORK/help-$cmd")" "$cmd" --
done
expect "--version flags" "--json" --version -
expect "outtype values" "f32 f16 bf16 q8_0 auto" convert m --outtype ""
expect "outtype prefix" "bf16" convert m --outtype b
expect "layout values" "llama.cpp ollama" convert m --layout ""
expect "quantize by prefix, any case" "Q4_0 Q4_1 Q4_K_S Q4_K_M" convert m --quantize q4
expect "tokenizer-pre" "deepseek-llm deepseek-coder deepseek-v3" convert m --tokenizer-pre deepseek
expect "threads: no guess" "" convert m --threads ""
# Files: *.gguf (and folders) for the GGUF commands, checkouts for convert.
expect "inspect files" "a.gguf models" inspect ""
expect "diff second file" "models/c.gguf models/sub" diff a.gguf models/
expect "outfile" "a.gguf models" convert m --outfile ""
expect "outdir: folders" "models" convert m --outdir ""
expect "mmproj=PATH" "a.gguf models" convert m --mmproj = ""
export HF_HUB_CACHE="$WORK/cache"
expect "convert checkouts" "models m.tar.zst m.zip acme/tiny-v3" convert ""
expect "cached model by prefix" "acme/tiny-v3" convert ac
mkdir -p "$WORK/cache/models--acme--tiny-v3/refs"
echo 1111111111111111111111111111111111111111 > "$WORK/cache/models--acme--tiny-v3/refs/main"
echo 2222222222222222222222222222222222222222 > "$WORK/cache/models--acme--tiny-v3/refs/v1.0"
expect "--revision: the model's refs" "main v1.0" convert acme/tiny-v3 --revision ""
expect "--revision: no model, no refs" "" convert m --revision ""
expect "--model-name: no guess" "" convert m --model-name ""
unset HF_HUB_CACHE
HF_HOME="$WORK/hfhome" expect "HF_HOME without hub" "models m.tar.zst m.zip" convert ""

# zsh: every flag of every --help is named; the script parses.
zsh_file="$dir/_hf2gguf"
"$HF2GGUF" --help | flags_of_help > "$WORK/help-top"
for f in $(cat "$WORK"/help-* | sort -u); do
  grep -Eq -- "'(\\([^)]*\\))?[*]?$f[=[]" "$zsh_file" && pass || fail "_hf2gguf lacks $f"
done
if command -v zsh >/dev/null; then
  zsh -n "$zsh_file" && pass || fail "zsh -n $zsh_file fails"
else
  echo "zsh not installed: zsh -n skipped"
fi
finish
