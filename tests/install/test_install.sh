#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then everything an installed
# hf2gguf must do from there: the program converts a fixture byte for byte;
# examples/convert_min.c compiles against the installed headers with
# pkg-config and with find_package (shared and static) and converts too; the
# shared library exports exactly the public API; the man page renders; the
# completions load. Environment (ctest): BUILD (the build tree), SRC (the
# source tree), DATA, HF2GGUF, MANIFEST_CHECK, CC.
. "$SRC/tests/cli/lib.sh"
: "${BUILD:?}" "${MANIFEST_CHECK:?}"
CC=${CC:-cc}
fx=deepseek-v3-tiny
golden_f16="$DATA/$fx/expected/$fx-f16.gguf"
prefix="$WORK/prefix"

if ! cmake --install "$BUILD" --prefix "$prefix" >"$WORK/install.log" 2>&1; then
  fail "cmake --install failed: $(tail -5 "$WORK/install.log")"; finish
fi

# Where everything goes (lib/, not lib/<multiarch>/, for any prefix but /usr).
for f in bin/hf2gguf share/man/man1/hf2gguf.1 share/bash-completion/completions/hf2gguf \
         share/zsh/site-functions/_hf2gguf share/doc/hf2gguf/README.md share/doc/hf2gguf/LICENSE \
         lib/libhf2gguf.a lib/libhf2gguf.so lib/libhf2gguf.so.0.1 lib/libhf2gguf.so.0.1.0 \
         include/hf2gguf/convert.h include/hf2gguf/version.h lib/pkgconfig/hf2gguf.pc \
         lib/cmake/hf2gguf/hf2gguf-config.cmake lib/cmake/hf2gguf/hf2gguf-config-version.cmake \
         lib/cmake/hf2gguf/hf2gguf-targets.cmake; do
  [ -e "$prefix/$f" ] && pass || fail "not installed: $f"
done
n_headers=$(ls "$SRC"/include/hf2gguf/*.h | wc -l)
[ "$(ls "$prefix"/include/hf2gguf/*.h | wc -l)" -eq "$n_headers" ] && pass \
  || fail "installed $(ls "$prefix"/include/hf2gguf | wc -l) headers, the tree has $n_headers"
[ "$(readlink "$prefix/lib/libhf2gguf.so")" = libhf2gguf.so.0.1 ] && pass \
  || fail "libhf2gguf.so -> $(readlink "$prefix/lib/libhf2gguf.so")"
soname=$(objdump -p "$prefix/lib/libhf2gguf.so.0.1.0" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = libhf2gguf.so.0.1 ] && pass || fail "SONAME '$soname', expected libhf2gguf.so.0.1"

# The installed program: no libhf2gguf.so needed, converts byte for byte.
if objdump -p "$prefix/bin/hf2gguf" | grep -q 'NEEDED.*libhf2gguf'; then
  fail "bin/hf2gguf needs libhf2gguf.so (it should have the library linked in)"
else pass; fi
mkdir -p "$WORK/out"
if "$prefix/bin/hf2gguf" convert "$DATA/$fx" --outtype f16 --outfile "$WORK/out/a.gguf" --quiet \
   && cmp -s "$WORK/out/a.gguf" "$golden_f16"; then pass
else fail "installed hf2gguf: f16 output differs from $golden_f16"; fi

# Only the documented API leaves the shared library: exactly the names the
# public headers declare (comments aside), none of src/'s helpers.
nm -D --defined-only "$prefix/lib/libhf2gguf.so" | awk '{print $3}' | sort > "$WORK/exported"
sed 's|//.*||' "$prefix"/include/hf2gguf/*.h | tr '\n' ' ' | sed 's|/\*[^*]*\*\+\([^/*][^*]*\*\+\)*/||g' \
  | sed 's/(\*[ ]*h2g_[A-Za-z0-9_]*//g' | grep -o 'h2g_[A-Za-z0-9_]*[ ]*[([]' \
  | sed 's/[ ]*[([]$//' | sort -u > "$WORK/declared"
if diff "$WORK/declared" "$WORK/exported" > "$WORK/exports.diff"; then pass
else fail "exports differ from the public headers' declarations (< declared, > exported): $(cat "$WORK/exports.diff")"; fi
grep -qx h2g_strdup "$WORK/exported" && fail "h2g_strdup (src/base/util.h) is exported" || pass
[ "$(wc -l < "$WORK/exported")" -gt 50 ] && pass || fail "only $(wc -l < "$WORK/exported") symbols exported"

# examples/convert_min.c with pkg-config: shared, then static.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion hf2gguf)" = "$("$HF2GGUF" --version --json | sed -n 's/.*"version":[[:space:]]*"\(.*\)".*/\1/p')" ] \
  && pass || fail "pkg-config --modversion hf2gguf: $(pkg-config --modversion hf2gguf 2>&1)"
# run_example NAME BINARY: converts the fixture (default type: bf16) and checks it.
run_example() {
  local name=$1 bin=$2 out="$WORK/out/$1.gguf" r
  if ! LD_LIBRARY_PATH="$prefix/lib" "$bin" "$DATA/$fx" "$out" >"$WORK/$name.log" 2>&1; then
    fail "$name: convert_min failed: $(cat "$WORK/$name.log")"; return
  fi
  if r=$("$MANIFEST_CHECK" "$DATA/$fx/expected/$fx-bf16.manifest.json" "$out"); then pass
  else fail "$name: $r"; fi
}
# shellcheck disable=SC2046
if "$CC" -std=c11 -Wall -Werror "$SRC/examples/convert_min.c" $(pkg-config --cflags --libs hf2gguf) \
     -o "$WORK/cm_pc" 2>"$WORK/cc.log"; then
  pass
  objdump -p "$WORK/cm_pc" | grep -q 'NEEDED.*libhf2gguf.so.0.1' && pass \
    || fail "convert_min (pkg-config) does not need libhf2gguf.so.0.1"
  run_example pkg-config "$WORK/cm_pc"
else fail "compiling convert_min.c with pkg-config: $(cat "$WORK/cc.log")"; fi
# shellcheck disable=SC2046
# (libhf2gguf.a by name; the libraries under it as shared ones: this system
# has no static libarchive dependencies for pkg-config --static to name.)
if "$CC" -std=c11 -Wall -Werror "$SRC/examples/convert_min.c" $(pkg-config --cflags hf2gguf) \
     $(pkg-config --libs hf2gguf | sed 's/-lhf2gguf/-l:libhf2gguf.a/') \
     $(pkg-config --libs zlib libarchive yaml-0.1) -pthread -lm -o "$WORK/cm_pc_static" 2>"$WORK/cc.log"; then
  pass
  objdump -p "$WORK/cm_pc_static" | grep -q 'NEEDED.*libhf2gguf' \
    && fail "cm_pc_static needs libhf2gguf.so" || pass
  run_example pkg-config-static "$WORK/cm_pc_static"
else fail "compiling convert_min.c against libhf2gguf.a with pkg-config: $(cat "$WORK/cc.log")"; fi

# ... and with find_package, both libraries.
mkdir -p "$WORK/consumer"
cp "$SRC/examples/convert_min.c" "$WORK/consumer/"
cat > "$WORK/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(hf2gguf 0.1 REQUIRED)
add_executable(cm_shared convert_min.c)
target_link_libraries(cm_shared PRIVATE hf2gguf::hf2gguf)
add_executable(cm_static convert_min.c)
target_link_libraries(cm_static PRIVATE hf2gguf::hf2gguf_static)
CMAKE
if CC="$CC" cmake -S "$WORK/consumer" -B "$WORK/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
     >"$WORK/consumer.log" 2>&1 && cmake --build "$WORK/consumer/build" >>"$WORK/consumer.log" 2>&1; then
  pass
  run_example find_package-shared "$WORK/consumer/build/cm_shared"
  run_example find_package-static "$WORK/consumer/build/cm_static"
  objdump -p "$WORK/consumer/build/cm_static" | grep -q 'NEEDED.*libhf2gguf' \
    && fail "cm_static needs libhf2gguf.so" || pass
else fail "find_package(hf2gguf) consumer: $(tail -20 "$WORK/consumer.log")"; fi

# The man page renders (its own test checks it in depth), the completions load.
if command -v man >/dev/null; then
  [ -n "$(MANWIDTH=80 man -l "$prefix/share/man/man1/hf2gguf.1" 2>/dev/null | grep -F 'hf2gguf convert')" ] \
    && pass || fail "man -l of the installed page shows no 'hf2gguf convert'"
fi
out=$(bash -c '. "$1"; complete -p hf2gguf' _ "$prefix/share/bash-completion/completions/hf2gguf" 2>&1)
case "$out" in *"complete -F"*hf2gguf) pass ;; *) fail "bash completion: $out" ;; esac
finish
