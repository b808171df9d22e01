#!/usr/bin/env bash
# test_layers.sh - tools/check_layers.sh catches includes that break the
# layering of src/ (src/README.md): each case copies the tree, adds one wrong
# include, and expects exit 1 with a line naming the file, line and folders.
# (The real tree is checked by the ctest `layout.layers`.)
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)
CHECK=$ROOT/tools/check_layers.sh

# tree_copy NAME: a copy of src/ and include/ under $WORK/NAME; prints its path.
tree_copy() {
  local dest="$WORK/$1"
  mkdir -p "$dest"
  cp -r "$ROOT/src" "$ROOT/include" "$dest/"
  echo "$dest"
}

# expect_refused NAME FILE INCLUDE FRAGMENT: INCLUDE added at the end of FILE
# (relative to the tree) must make the check fail with FRAGMENT in its output.
expect_refused() {
  local name=$1 file=$2 inc=$3 fragment=$4 tree out rc
  tree=$(tree_copy "$name")
  printf '#include "%s"\n' "$inc" >> "$tree/$file"
  out=$(bash "$CHECK" "$tree" 2>&1); rc=$?
  if [ "$rc" -ne 1 ]; then fail "$name: exit $rc, expected 1: $out"; return; fi
  case "$out" in
    *"$fragment"*) pass ;;
    *) fail "$name: output lacks '$fragment': $out" ;;
  esac
}

tree=$(tree_copy clean)
if out=$(bash "$CHECK" "$tree" 2>&1); then pass; else fail "clean copy refused: $out"; fi

lines=$(wc -l < "$ROOT/src/gguf/read.c")
expect_refused upward-plan src/gguf/read.c plan/transform.h \
  "src/gguf/read.c:$((lines + 1)): gguf/ may not use plan/ (\"plan/transform.h\")"
expect_refused upward-public src/numeric/codec.c hf2gguf/convert.h \
  "numeric/ may not use convert/ (\"hf2gguf/convert.h\")"
expect_refused side-by-side src/vocab/llama.c plan/transform.h "vocab/ may not use plan/"
expect_refused base-uses-source src/base/util.c source/hparams.h "base/ may not use source/"
expect_refused cli-private src/cli/cmd_convert.c base/util.h \
  "cli/ may use the public headers only, not \"base/util.h\""
expect_refused unqualified src/plan/plan.c util.h "\"util.h\" does not name its folder"
expect_refused public-header include/hf2gguf/kv.h hf2gguf/plan.h \
  "include/hf2gguf/kv.h:"
expect_refused no-such-folder src/arch/common.c nowhere/x.h "no such stage folder"

# A file outside the folders, and a folder the table does not know.
tree=$(tree_copy stray)
echo 'int x;' > "$tree/src/stray.c"
mkdir "$tree/src/extra"; echo 'int y;' > "$tree/src/extra/y.c"
out=$(bash "$CHECK" "$tree" 2>&1); rc=$?
case "$rc:$out" in
  1:*"src/extra: a folder the layering does not know"*"src/stray.c: a source file outside the stage folders"*) pass ;;
  *) fail "stray files: exit $rc: $out" ;;
esac

finish
