#!/usr/bin/env bash
# hf2gguf diff and hf2gguf checksum: exit statuses (0 identical, 1 different
# or unreadable, 2 usage), one line per difference, --ignore-kv, --json, and
# split sets (written by convert --split-max-tensors) against the plain file.
. "$(dirname "$0")/lib.sh"

F="$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf"
OTHER="$DATA/deepseek-v2-lite-tiny/expected/deepseek-v2-lite-tiny-f16.gguf"

# expect_status NAME STATUS CMD...: the command must exit with STATUS.
expect_status() {
  local name=$1 want=$2 rc
  shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"; rc=$?
  if [ "$rc" -eq "$want" ]; then pass
  else fail "$name: exit status $rc, expected $want ($(head -c 300 "$WORK/err"))"; fi
}

# expect_out NAME TEXT: the last command's stdout must be exactly TEXT.
expect_out() {
  if [ "$(cat "$WORK/out")" = "$2" ]; then pass
  else fail "$1: stdout was: $(head -c 600 "$WORK/out")"; fi
}

# expect_in FILE NAME FRAGMENT: FILE ($WORK/out or $WORK/err) must say FRAGMENT.
expect_in() {
  if grep -qF -- "$3" "$WORK/$1"; then pass
  else fail "$2: $1 lacks '$3': $(head -c 600 "$WORK/$1")"; fi
}

# patch FILE OFFSET BYTE: overwrites one byte (BYTE as \xNN) in place.
patch() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# The manifest's overall checksum (its last "sha256" member).
total_sha() { "$HF2GGUF" checksum "$1" | grep '"sha256"' | tail -n 1 | tr -d ' \t",' | cut -d: -f2; }

# --- identical, different ----------------------------------------------------
expect_status "same file" 0 "$HF2GGUF" diff "$F" "$F"
expect_out "same file prints nothing" ""
expect_status "other fixture" 1 "$HF2GGUF" diff "$F" "$OTHER"
expect_in out "other fixture" 'kv deepseek2.block_count: value differs: A 4, B 27'
expect_in out "other fixture" 'tensor token_embd.weight: shape differs: A [64, 400], B [32, 320]'

# --- a KV edit: general.name "Deepseek v3 Tiny" -> "Xeepseek v3 Tiny" ----------
cp "$F" "$WORK/kv.gguf"
off=$(grep -obUaF "Deepseek v3 Tiny" "$WORK/kv.gguf" | head -n 1 | cut -d: -f1)
patch "$WORK/kv.gguf" "$off" 'X'
expect_status "KV edit" 1 "$HF2GGUF" diff "$F" "$WORK/kv.gguf"
expect_out "KV edit, one line" 'kv general.name: value differs: A "Deepseek v3 Tiny", B "Xeepseek v3 Tiny"'
expect_status "--ignore-kv general." 0 "$HF2GGUF" diff "$F" "$WORK/kv.gguf" --ignore-kv general.
expect_out "--ignore-kv prints nothing" ""
expect_status "--ignore-kv other prefix" 1 "$HF2GGUF" diff --ignore-kv tokenizer. "$F" "$WORK/kv.gguf"
expect_status "KV edit --json" 1 "$HF2GGUF" diff --json "$F" "$WORK/kv.gguf"
if command -v jq >/dev/null; then
  got=$(jq -c '[.identical, (.kv | length), .kv[0].key, .kv[0].what, .kv[0].b, (.tensors | length)]' "$WORK/out")
  [ "$got" = '[false,1,"general.name","value","Xeepseek v3 Tiny",0]' ] && pass || fail "--json: $got"
else
  expect_in out "--json" '"identical":	false'
fi
expect_status "identical --json" 0 "$HF2GGUF" diff --json "$F" "$F"
expect_in out "identical --json" '"identical":	true'

# --- a tensor byte: the last 256 bytes are output_norm.weight (64 x F32) ------
cp "$F" "$WORK/data.gguf"
size=$(stat -c %s "$WORK/data.gguf")
patch "$WORK/data.gguf" $((size - 2)) '\x7f' # byte 2 of element 63 (the last F32)
expect_status "tensor byte" 1 "$HF2GGUF" diff "$F" "$WORK/data.gguf"
expect_in out "tensor byte" 'tensor output_norm.weight: data differs: 1 of 64 values, first at element 63, max abs diff'
[ "$(wc -l <"$WORK/out")" -eq 1 ] && pass || fail "tensor byte: more than one line"

# --- checksum ----------------------------------------------------------------
base=$(total_sha "$F")
[ ${#base} -eq 64 ] && pass || fail "checksum: no sha256 ($base)"
[ "$(total_sha "$WORK/kv.gguf")" = "$base" ] && pass || fail "checksum changed with a KV edit"
[ "$(total_sha "$WORK/data.gguf")" != "$base" ] && pass || fail "checksum kept a tensor byte change"
if command -v jq >/dev/null; then # the documented recomputation from the manifest
  "$HF2GGUF" checksum "$F" >"$WORK/manifest.json"
  again=$(jq -j '.tensors[] | "\(.name)\t\(.type)\t\(.shape | map(tostring) | join(","))\t\(.sha256)\n"' \
            "$WORK/manifest.json" | sha256sum | cut -d' ' -f1)
  [ "$again" = "$base" ] && pass || fail "checksum not recomputable from its manifest"
fi

# --- split sets ----------------------------------------------------------------
mkdir -p "$WORK/split"
if "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --outtype f16 --split-max-tensors 20 \
     --outfile "$WORK/split/m.gguf" --quiet; then
  shards=("$WORK"/split/m-0000*-of-0000*.gguf)
  [ ${#shards[@]} -ge 3 ] && pass || fail "split: only ${#shards[@]} shards"
  expect_status "split set vs plain (first shard)" 0 "$HF2GGUF" diff "$F" "${shards[0]}"
  expect_status "split set vs plain (second shard)" 0 "$HF2GGUF" diff "${shards[1]}" "$F"
  expect_status "split set vs KV edit" 1 "$HF2GGUF" diff "${shards[1]}" "$WORK/kv.gguf"
  expect_out "split set vs KV edit, one line" 'kv general.name: value differs: A "Deepseek v3 Tiny", B "Xeepseek v3 Tiny"'
  [ "$(total_sha "${shards[2]}")" = "$base" ] && pass || fail "split set: another checksum"
  last=${shards[${#shards[@]} - 1]}
  rm "$last"
  expect_status "missing shard" 2 "$HF2GGUF" diff "$F" "${shards[0]}"
  expect_in err "missing shard" "$(basename "$last")"
  expect_status "missing shard (checksum)" 1 "$HF2GGUF" checksum "${shards[0]}"
else
  fail "split: convert failed"
fi

# --- unreadable input, usage ---------------------------------------------------
expect_status "absent file" 2 "$HF2GGUF" diff "$F" "$WORK/absent.gguf"
expect_in err "absent file" "hf2gguf: error: $WORK/absent.gguf"
head -c 100 "$F" >"$WORK/short.gguf"
expect_status "truncated file" 1 "$HF2GGUF" checksum "$WORK/short.gguf"
expect_status "diff without files" 2 "$HF2GGUF" diff
expect_status "diff with one file" 2 "$HF2GGUF" diff "$F"
expect_status "diff with three files" 2 "$HF2GGUF" diff "$F" "$F" "$F"
expect_status "diff unknown option" 2 "$HF2GGUF" diff --frob "$F" "$F"
expect_in err "diff unknown option" "see hf2gguf diff --help"
expect_status "--ignore-kv without prefix" 2 "$HF2GGUF" diff "$F" "$F" --ignore-kv
expect_status "diff --help" 0 "$HF2GGUF" diff --help
expect_in out "diff --help" "usage: hf2gguf diff"
expect_status "checksum without file" 2 "$HF2GGUF" checksum
expect_status "checksum unknown option" 2 "$HF2GGUF" checksum --json "$F"
expect_status "checksum --help" 0 "$HF2GGUF" checksum --help

finish
