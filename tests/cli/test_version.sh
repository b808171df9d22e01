#!/usr/bin/env bash
# hf2gguf --version [--json]: the version CMake was given, the git revision of
# the source tree (when it is a git checkout), the reference llama.cpp
# version, and the run-time versions of cJSON, zlib, libarchive and libyaml,
# which on a normal system are the versions pkg-config reports.
. "$(dirname "$0")/lib.sh"
src="$TESTS/.."

text=$("$HF2GGUF" --version); rc=$?
[ "$rc" -eq 0 ] && pass || fail "--version: exit $rc"
version=$(sed -n 's/^project(hf2gguf VERSION \([0-9.]*\) .*/\1/p' "$src/CMakeLists.txt")
line1=$(echo "$text" | sed -n 1p)
case "$line1" in "hf2gguf $version"|"hf2gguf $version (git "*")") pass ;;
  *) fail "--version first line: '$line1' (CMakeLists.txt says $version)" ;; esac
if head=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null); then
  case "$line1" in *"(git $head)"|*"(git $head-dirty)") pass ;;
    *) fail "--version does not name the checkout's revision $head: $line1" ;; esac
fi
[ "$(echo "$text" | sed -n 2p)" = "reproduces llama.cpp 0.7.0 (convert_hf_to_gguf.py and llama-quantize)" ] \
  && pass || fail "--version line 2: $(echo "$text" | sed -n 2p)"
libs="libraries: cJSON $(pkg-config --modversion libcjson), zlib $(pkg-config --modversion zlib), libarchive $(pkg-config --modversion libarchive), libyaml $(pkg-config --modversion yaml-0.1)"
[ "$(echo "$text" | sed -n 3p)" = "$libs" ] && pass \
  || fail "--version line 3: '$(echo "$text" | sed -n 3p)', expected '$libs'"
[ "$(echo "$text" | wc -l)" -eq 3 ] && pass || fail "--version: $(echo "$text" | wc -l) lines"

json=$("$HF2GGUF" --version --json | tr -d '\n\t ')
want="{\"version\":\"$version\",\"git_revision\":"
case "$json" in "$want"*) pass ;; *) fail "--version --json: $json" ;; esac
for kv in '"reference_llama_cpp":"0.7.0"' "\"cJSON\":\"$(pkg-config --modversion libcjson)\"" \
          "\"zlib\":\"$(pkg-config --modversion zlib)\"" "\"libarchive\":\"$(pkg-config --modversion libarchive)\"" \
          "\"libyaml\":\"$(pkg-config --modversion yaml-0.1)\""; do
  case "$json" in *"$kv"*) pass ;; *) fail "--version --json lacks $kv: $json" ;; esac
done
rev=$(echo "$line1" | sed -n 's/.*(git \(.*\))$/\1/p')
if [ -n "$rev" ]; then
  case "$json" in *"\"git_revision\":\"$rev\""*) pass ;; *) fail "--json git_revision is not $rev: $json" ;; esac
else
  case "$json" in *'"git_revision":null'*) pass ;; *) fail "--json git_revision not null: $json" ;; esac
fi

err=$("$HF2GGUF" --version --bogus 2>&1); rc=$?
[ "$rc" -eq 2 ] && pass || fail "--version --bogus: exit $rc"
case "$err" in "hf2gguf: error: --version takes only --json, not '--bogus' (see hf2gguf --help)") pass ;;
  *) fail "--version --bogus: $err" ;; esac
finish
