#!/usr/bin/env bash
# Models from the Hugging Face cache by id (hf2gguf convert ORG/NAME): a fake
# hub cache laid out as huggingface_hub lays it out (refs/, snapshots/COMMIT/
# whose files are symlinks into blobs/) built from the fixtures, then:
# refs/main and --revision (a ref name, a commit hash) each give the right
# snapshot, byte for byte; the model is named after NAME, not the commit,
# also when the snapshot folder is given directly; --model-name overrides
# general.name; the cache is found through HF_HUB_CACHE, HF_HOME,
# XDG_CACHE_HOME or HOME in huggingface_hub's order; a missing model,
# revision or snapshot is an error naming it, with the `hf download`
# command, and writes nothing.
. "$(dirname "$0")/lib.sh"

hub="$WORK/hub"
commit_v3=1111111111111111111111111111111111111111
commit_ocr=2222222222222222222222222222222222222222
commit_gone=3333333333333333333333333333333333333333

# add_snapshot REPO_DIR COMMIT FIXTURE: the fixture's files as blobs (named by
# their sha256, as the Hub names them), linked from snapshots/COMMIT/.
add_snapshot() {
  local repo=$1 commit=$2 fx=$3 f sha
  mkdir -p "$repo/blobs" "$repo/refs" "$repo/snapshots/$commit"
  for f in "$DATA/$fx"/*; do
    [ -f "$f" ] || continue
    sha=$(sha256sum "$f" | cut -c1-64)
    cp "$f" "$repo/blobs/$sha"
    ln -s "../../blobs/$sha" "$repo/snapshots/$commit/$(basename "$f")"
  done
}
repo="$hub/models--acme--deepseek-v3-tiny"
add_snapshot "$repo" "$commit_v3" deepseek-v3-tiny
add_snapshot "$repo" "$commit_ocr" deepseek-ocr-tiny
printf '%s' "$commit_ocr" > "$repo/refs/main"        # main: the OCR checkout
printf '%s\n' "$commit_v3" > "$repo/refs/release"    # release: the V3 one
printf '%s' "$commit_gone" > "$repo/refs/gone"       # a ref whose snapshot is missing
[ -L "$repo/snapshots/$commit_v3/config.json" ] && pass || fail "the fake cache has no symlinks"
export HF_HUB_CACHE="$hub"

v3_golden="$DATA/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf"
v3_name=Deepseek-v3-Tiny-8x226K-F16.gguf
ocr_golden="$DATA/deepseek-ocr-tiny/expected/deepseek-ocr-tiny-f16.gguf"
ocr_name=DeepSeek-OCR-4x64K-F16.gguf

# converts NAME EXPECTED_FILE GOLDEN ARGS...: convert ARGS (run in $RUN_IN,
# when set) into a fresh folder must write exactly EXPECTED_FILE there,
# byte-identical to GOLDEN.
converts() {
  local name=$1 file=$2 golden=$3 out="$WORK/out-$1" err
  shift 3
  mkdir -p "$out"
  if ! err=$(cd "${RUN_IN:-.}" && "$HF2GGUF" convert "$@" --outtype f16 --outfile "$out/" --quiet 2>&1); then
    fail "$name: convert failed: $err"; return
  fi
  if [ "$(ls "$out")" != "$file" ]; then fail "$name: wrote [$(ls "$out")], expected $file"; return; fi
  cmp -s "$out/$file" "$golden" && pass || fail "$name: $file differs from $golden"
}

converts "refs/main" "$ocr_name" "$ocr_golden" acme/deepseek-v3-tiny
converts "--revision release" "$v3_name" "$v3_golden" acme/deepseek-v3-tiny --revision release
converts "--revision COMMIT" "$v3_name" "$v3_golden" acme/deepseek-v3-tiny --revision "$commit_v3"
converts "snapshot folder given" "$v3_name" "$v3_golden" "$repo/snapshots/$commit_v3"
converts "snapshot folder, trailing /" "$v3_name" "$v3_golden" "$repo/snapshots/$commit_v3/"
RUN_IN="$repo/snapshots/$commit_v3" converts "snapshot folder as ." "$v3_name" "$v3_golden" .
# Not named after the commit even where the folder is reached through a link.
ln -s "$repo/snapshots/$commit_v3" "$WORK/linked"
converts "link to a snapshot" "$v3_name" "$v3_golden" "$WORK/linked"

# The note on stderr says which snapshot was used.
err=$("$HF2GGUF" convert acme/deepseek-v3-tiny --revision release --dry-run 2>&1 >/dev/null)
case "$err" in *"acme/deepseek-v3-tiny: the Hugging Face cache's snapshot $repo/snapshots/$commit_v3"*) pass ;;
  *) fail "no note naming the snapshot: $err" ;; esac

# --model-name: general.name, as the reference's --model-name.
out="$WORK/out-model-name"
mkdir -p "$out"
"$HF2GGUF" convert acme/deepseek-v3-tiny --revision release --model-name "Acme Model" --outtype f16 \
  --outfile "$out/m.gguf" --quiet && pass || fail "--model-name: convert failed"
name=$("$HF2GGUF" inspect "$out/m.gguf" --json | tr -d '\n' | grep -o '"general.name"[^}]*' | grep -o '"value":[[:space:]]*"[^"]*"')
case "$name" in *'"Acme Model"') pass ;; *) fail "--model-name: general.name is $name" ;; esac

# Where the cache is: HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE, else HF_HOME/hub,
# else XDG_CACHE_HOME/huggingface/hub, else HOME/.cache/huggingface/hub.
mkdir -p "$WORK/hfhome" "$WORK/xdg/huggingface" "$WORK/home/.cache/huggingface" "$WORK/empty"
ln -s "$hub" "$WORK/hfhome/hub"
ln -s "$hub" "$WORK/xdg/huggingface/hub"
ln -s "$hub" "$WORK/home/.cache/huggingface/hub"
# finds NAME ENV...: with exactly ENV set, the model is found.
finds() {
  local name=$1 out
  shift
  if out=$(env -u HF_HUB_CACHE -u HUGGINGFACE_HUB_CACHE -u HF_HOME -u XDG_CACHE_HOME "$@" \
           "$HF2GGUF" convert acme/deepseek-v3-tiny --dry-run --quiet 2>&1); then pass
  else fail "$name: $out"; fi
}
# misses NAME ENV...: with exactly ENV set, the model is not found.
misses() {
  local name=$1 out
  shift
  if out=$(env -u HF_HUB_CACHE -u HUGGINGFACE_HUB_CACHE -u HF_HOME -u XDG_CACHE_HOME "$@" \
           "$HF2GGUF" convert acme/deepseek-v3-tiny --dry-run --quiet 2>&1); then
    fail "$name: found, expected not"
  else pass; fi
}
finds "HF_HUB_CACHE" HF_HUB_CACHE="$hub" HOME="$WORK/empty"
finds "HUGGINGFACE_HUB_CACHE" HUGGINGFACE_HUB_CACHE="$hub" HOME="$WORK/empty"
finds "HF_HOME" HF_HOME="$WORK/hfhome" HOME="$WORK/empty"
finds "XDG_CACHE_HOME" XDG_CACHE_HOME="$WORK/xdg" HOME="$WORK/empty"
finds "HOME" HOME="$WORK/home"
finds "HF_HUB_CACHE with ~" HF_HUB_CACHE="~/.cache/huggingface/hub" HOME="$WORK/home"
misses "HF_HUB_CACHE before HF_HOME" HF_HUB_CACHE="$WORK/empty" HF_HOME="$WORK/hfhome"
misses "HF_HOME before XDG_CACHE_HOME" HF_HOME="$WORK/empty" XDG_CACHE_HOME="$WORK/xdg"
misses "XDG_CACHE_HOME before HOME" XDG_CACHE_HOME="$WORK/empty" HOME="$WORK/home"
finds "empty HF_HUB_CACHE is unset" HF_HUB_CACHE= HF_HOME="$WORK/hfhome"

# Missing things: exit 1, the message, the download command, nothing written.
out="$WORK/out-missing"
mkdir -p "$out"
expect_error "missing model" \
  "acme/nothing: not in the Hugging Face cache (no $hub/models--acme--nothing); hf2gguf downloads nothing; fetch it with: hf download acme/nothing" \
  "$out" -- "$HF2GGUF" convert acme/nothing --outfile "$out/"
expect_error "missing ref" \
  "acme/deepseek-v3-tiny: revision 'v9' is not in the Hugging Face cache (no $repo/refs/v9); hf2gguf downloads nothing; fetch it with: hf download acme/deepseek-v3-tiny --revision v9" \
  "$out" -- "$HF2GGUF" convert acme/deepseek-v3-tiny --revision v9 --outfile "$out/"
expect_error "missing snapshot of a ref" \
  "acme/deepseek-v3-tiny: revision 'gone' (commit $commit_gone) is not in the Hugging Face cache (no $repo/snapshots/$commit_gone)" \
  "$out" -- "$HF2GGUF" convert acme/deepseek-v3-tiny --revision gone --outfile "$out/"
expect_error "missing commit" \
  "(commit 4444444444444444444444444444444444444444) is not in the Hugging Face cache" \
  "$out" -- "$HF2GGUF" convert acme/deepseek-v3-tiny --revision 4444444444444444444444444444444444444444 --outfile "$out/"
printf 'not-a-hash\n' > "$repo/refs/broken"
expect_error "ref without a hash" "$repo/refs/broken: expected a 40-digit commit hash, found 'not-a-hash'" \
  "$out" -- "$HF2GGUF" convert acme/deepseek-v3-tiny --revision broken --outfile "$out/"
expect_error "ref outside refs/" "--revision '../../x' is not a branch, tag or commit name" \
  "$out" -- "$HF2GGUF" convert acme/deepseek-v3-tiny --revision ../../x --outfile "$out/"
# Not an id (no ORG/): the usual message about a missing checkout.
expect_error "not an id" "deepseek-v3-tiny: no such file or directory" \
  "$out" -- "$HF2GGUF" convert deepseek-v3-tiny --outfile "$out/"

# --revision only means something for a model id.
err=$("$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --revision main --dry-run 2>&1); rc=$?
[ "$rc" -eq 2 ] && pass || fail "--revision with a folder: exit $rc ($err)"
case "$err" in *"--revision applies to a model id from the Hugging Face cache (ORG/NAME)"*) pass ;;
  *) fail "--revision with a folder: $err" ;; esac
# An existing path wins over the cache, whatever it looks like.
mkdir -p "$WORK/acme"
cp -r "$DATA/deepseek-v3-tiny" "$WORK/acme/"
rm -rf "$WORK/acme/deepseek-v3-tiny/expected"
RUN_IN="$WORK" converts "local ORG/NAME folder" "$v3_name" "$v3_golden" acme/deepseek-v3-tiny
# --model-name with a batch is refused.
err=$("$HF2GGUF" convert a b --outdir "$WORK/x" --model-name M 2>&1); rc=$?
[ "$rc" -eq 2 ] && pass || fail "--model-name with several MODEL_DIRs: exit $rc ($err)"
finish
