#!/usr/bin/env bash
# The build's hygiene, configured (not built) in throwaway trees:
# - without cmocka the configuration succeeds, says so, and builds no tests;
# - inside another project (add_subdirectory) tests, examples, benches and
#   tools are off, the library and the program on;
# - tools/bootstrap.sh --check needs no dpkg: with the tools and pkg-config
#   modules present it is silent and exits 0; with cmocka missing it names
#   the package and `make deps`, and exits 1, installing nothing;
# - `make` (the default goal) only checks, never installs: its commands
#   call bootstrap.sh with --check alone.
# Environment: SRC (the source tree).
. "$SRC/tests/cli/lib.sh"

# A pkg-config search path with everything but cmocka.
pcdir="$WORK/pc"
mkdir -p "$pcdir"
for m in libcjson zlib libarchive yaml-0.1; do
  f=$(pkg-config --variable=pcfiledir "$m")/$m.pc
  cp "$f" "$pcdir/" || fail "no $m.pc"
done
# pkg-config files name other modules (Requires.private): keep those found.
for m in $(cat "$pcdir"/*.pc | sed -n 's/^Requires[^:]*://p' | tr ', ' '\n\n' | sed 's/[<>=].*//' | sort -u); do
  [ -f "$pcdir/$m.pc" ] && continue
  f=$(pkg-config --variable=pcfiledir "$m" 2>/dev/null)/$m.pc
  [ -f "$f" ] && cp "$f" "$pcdir/"
done

# No cmocka: configures, warns, no tests.
if PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_PATH= cmake -S "$SRC" -B "$WORK/no-cmocka" >"$WORK/no-cmocka.log" 2>&1; then
  pass
  grep -q "cmocka not found" "$WORK/no-cmocka.log" && pass || fail "no message about cmocka: $(cat "$WORK/no-cmocka.log")"
  grep -q '^HF2GGUF_TESTS:BOOL=ON' "$WORK/no-cmocka/CMakeCache.txt" && [ ! -f "$WORK/no-cmocka/CTestTestfile.cmake" ] \
    && pass || fail "tests still configured without cmocka"
else fail "configure without cmocka failed: $(tail -5 "$WORK/no-cmocka.log")"; fi

# As a subproject.
mkdir -p "$WORK/parent"
cat > "$WORK/parent/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.18)
project(parent C)
add_subdirectory("$SRC" hf2gguf)
CMAKE
if cmake -S "$WORK/parent" -B "$WORK/parent/build" >"$WORK/parent.log" 2>&1; then
  pass
  for opt in TESTS EXAMPLES BENCH TOOLS; do
    grep -q "^HF2GGUF_$opt:BOOL=OFF" "$WORK/parent/build/CMakeCache.txt" && pass \
      || fail "as a subproject HF2GGUF_$opt is not OFF"
  done
  for t in hf2gguf hf2gguf_core hf2gguf_shared; do
    grep -q "^$t:" <(make -C "$WORK/parent/build" help 2>/dev/null | sed -n 's/^\.\.\. \([^ ]*\).*/\1:/p') && pass \
      || fail "as a subproject there is no target $t"
  done
  make -C "$WORK/parent/build" help 2>/dev/null | grep -Eq '\.\.\. (test_|convert_min|bench_kernels|gen_checkpoint)' \
    && fail "as a subproject tests, examples or tools are built" || pass
else fail "configure as a subproject failed: $(tail -5 "$WORK/parent.log")"; fi

# bootstrap.sh --check: no dpkg needed, nothing installed.
bindir="$WORK/bin"
mkdir -p "$bindir"
for t in bash cc make cmake pkg-config sed grep id cat; do
  p=$(command -v "$t") && ln -s "$p" "$bindir/$t"
done
out=$(PATH="$bindir" bash "$SRC/tools/bootstrap.sh" --check 2>&1); rc=$?
[ "$rc" -eq 0 ] && [ -z "$out" ] && pass || fail "bootstrap --check without dpkg: exit $rc: $out"
out=$(PATH="$bindir" PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_PATH= bash "$SRC/tools/bootstrap.sh" --check 2>&1); rc=$?
[ "$rc" -eq 1 ] && pass || fail "bootstrap --check without cmocka: exit $rc"
case "$out" in *"libcmocka-dev"*"make deps"*) pass ;; *) fail "bootstrap --check without cmocka says: $out" ;; esac

# The default goal only checks.
plan=$(make -C "$SRC" -n 2>&1)
echo "$plan" | grep -q 'bootstrap.sh --check' && pass || fail "make does not check the dependencies: $plan"
echo "$plan" | grep -E 'bootstrap.sh($| [^-])|sudo|apt-get' && fail "make would install: $plan" || pass
finish
