#!/usr/bin/env bash
# fuzz.sh NAME SECONDS [LIBFUZZER ARGS...] - builds the libFuzzer harness
# fuzz_NAME (NAME: safetensors, gguf, json, archive, tiktoken or model_card) in
# build-fuzz/ with clang and runs it for SECONDS on its corpus fuzz/corpus/NAME/.
#
# New inputs go to build-fuzz/corpus-NAME/ (the checked-in seeds stay as
# they are); crashes to build-fuzz/artifacts-NAME/. A crash worth keeping is
# minimised (fuzz_NAME -minimize_crash=1 -runs=10000 FILE) and copied under
# tests/data/malformed/regress/, where tests/cli/test_malformed.sh replays it.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: tools/fuzz.sh NAME SECONDS [libFuzzer args...]" >&2
  exit 2
fi
name=${1#fuzz_}
seconds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
seeds="$root/fuzz/corpus/$name"
[ -d "$seeds" ] || { echo "fuzz.sh: no corpus $seeds" >&2; exit 2; }

CC=${CC:-clang} cmake -S "$root" -B "$build" -DHF2GGUF_FUZZ=ON -DHF2GGUF_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target "fuzz_$name" -j2 >/dev/null

mkdir -p "$build/corpus-$name" "$build/artifacts-$name"
cd "$build"
# One in-process job: -jobs would make libFuzzer fork a worker that logs to a
# file. The machine has two cores, for two harnesses at a time.
# fuzz_json: planning allocates per config value before checking it (a known
# bug, see fuzz/fuzz_json.c), so single mallocs may be large; RSS stays capped.
extra=()
[ "$name" = json ] && extra=(-malloc_limit_mb=1048576)
dict=()
[ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
exec "./fuzz/fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$build/artifacts-$name/" -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
  "${extra[@]}" "$@" "$build/corpus-$name" "$seeds"
