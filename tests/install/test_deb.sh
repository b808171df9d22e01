#!/usr/bin/env bash
# The Debian package: cpack builds hf2gguf_<version>_<arch>.deb from the
# build tree; its control fields name the right run-time packages; it holds
# what `cmake --install` puts under /usr; unpacked into a throwaway root
# (dpkg -x, no root rights, nothing touched outside it), its program converts
# a fixture byte for byte. Environment as test_install.sh.
. "$SRC/tests/cli/lib.sh"
: "${BUILD:?}"
fx=deepseek-v3-tiny
version=$("$HF2GGUF" --version --json | sed -n 's/.*"version":[[:space:]]*"\(.*\)".*/\1/p')
arch=$(dpkg --print-architecture)
deb="$WORK/pkg/hf2gguf_${version}_${arch}.deb"

if ! (cd "$BUILD" && cpack -G DEB -B "$WORK/pkg") >"$WORK/cpack.log" 2>&1; then
  fail "cpack -G DEB failed: $(tail -5 "$WORK/cpack.log")"; finish
fi
[ -f "$deb" ] && pass || { fail "no $deb; cpack made: $(ls "$WORK/pkg")"; finish; }

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = hf2gguf ] && pass || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] && pass || fail "Version: $(field Version)"
[ "$(field Architecture)" = "$arch" ] && pass || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
for p in libc6 libcjson1 zlib1g 'libarchive13(t64)?' libyaml-0-2; do
  echo "$depends" | grep -Eq "(^|, )$p(,|$| )" && pass || fail "Depends lacks $p: $depends"
done
# Each named package is a real one: installed here, where hf2gguf was built.
for p in $(echo "$depends" | tr ',' '\n' | sed 's/(.*//; s/ //g'); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && pass \
    || fail "Depends names $p, which is not an installed package here"
done
# ... and each library the program and libhf2gguf.so need comes from one of them.
for lib in $(objdump -p "$BUILD/hf2gguf" "$BUILD/libhf2gguf.so" | awk '$1 == "NEEDED" {print $2}' | sort -u); do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
  owner=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
  [ -z "$owner" ] && owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
  echo "$depends" | tr ',' '\n' | sed 's/(.*//; s/ //g' | grep -qx "$owner" && pass \
    || fail "$lib comes from package '$owner', which Depends does not name ($depends)"
done

# Contents, under /usr.
dpkg-deb -c "$deb" | awk '{print $6}' > "$WORK/contents"
for f in ./usr/bin/hf2gguf ./usr/share/man/man1/hf2gguf.1 \
         ./usr/share/bash-completion/completions/hf2gguf ./usr/share/zsh/vendor-completions/_hf2gguf \
         ./usr/share/doc/hf2gguf/README.md ./usr/include/hf2gguf/convert.h \
         ./usr/lib/pkgconfig/hf2gguf.pc ./usr/lib/cmake/hf2gguf/hf2gguf-config.cmake; do
  grep -qx "$f" "$WORK/contents" && pass || fail "the package lacks $f"
done
grep -q '^./usr/lib/libhf2gguf.so.0.1.0$' "$WORK/contents" && pass || fail "the package lacks libhf2gguf.so"
grep -v '^\./usr/' "$WORK/contents" | grep -vx './' | grep -q . \
  && fail "files outside /usr: $(grep -v '^\./usr/' "$WORK/contents" | grep -vx './')" || pass

# Unpacked into a throwaway root, the program converts a fixture.
root="$WORK/root"
dpkg -x "$deb" "$root" && pass || fail "dpkg -x failed"
mkdir -p "$WORK/out"
if "$root/usr/bin/hf2gguf" convert "$DATA/$fx" --outtype f16 --outfile "$WORK/out/" --quiet \
   && cmp -s "$WORK/out/Deepseek-v3-Tiny-8x226K-F16.gguf" "$DATA/$fx/expected/$fx-f16.gguf"; then pass
else fail "the packaged hf2gguf's f16 output differs from the golden: $(ls "$WORK/out")"; fi
"$root/usr/bin/hf2gguf" --version | grep -q "^hf2gguf $version" && pass \
  || fail "packaged --version: $("$root/usr/bin/hf2gguf" --version 2>&1 | head -1)"
finish
