#!/usr/bin/env bash
# The manual page src/cli/hf2gguf.1 against the program: every flag each
# --help names is documented under that command's heading (.SS hf2gguf CMD),
# the page names no flag the program lacks, its version is the program's,
# and it renders (groff, man -l) without a single warning. Without groff
# (Debian package groff-base) the render checks are skipped.
. "$(dirname "$0")/lib.sh"
page="$TESTS/../src/cli/hf2gguf.1"

# flags_of_help: the long flags in a help text on stdin, one per line, sorted.
flags_of_help() { grep -o -- '--[a-z0-9][a-z0-9-]*[a-z0-9]' | sort -u; }
# flags_of_man: the same for man source on stdin (flags are spelled \-\-a\-b).
flags_of_man() {
  grep -v '^\.\\"' | sed 's/\\-/-/g; s/\\f[BIRP]//g' | grep -o -- '--[a-z0-9][a-z0-9-]*[a-z0-9]' | sort -u
}
# section TITLE: the page's lines from ".SS TITLE" to the next .SS or .SH.
section() {
  awk -v t=".SS $1" '$0 == t {on = 1; next} /^\.S[SH] / {on = 0} on' "$page"
}
# same NAME EXPECTED ACTUAL: one failure per flag missing on either side.
same() {
  local name=$1 missing extra
  missing=$(comm -23 "$2" "$3" | tr '\n' ' ')
  extra=$(comm -13 "$2" "$3" | tr '\n' ' ')
  [ -z "$missing" ] && pass || fail "$name: in --help but not in the man page: $missing"
  [ -z "$extra" ] && pass || fail "$name: in the man page but not in --help: $extra"
}

[ -f "$page" ] || { fail "no man page at $page"; finish; }
for cmd in convert inspect verify diff checksum; do
  "$HF2GGUF" "$cmd" --help | flags_of_help > "$WORK/help-$cmd"
  [ -s "$WORK/help-$cmd" ] || fail "$cmd --help names no flag"
  section "hf2gguf $cmd" | flags_of_man > "$WORK/man-$cmd"
  same "$cmd" "$WORK/help-$cmd" "$WORK/man-$cmd"
done
# The top level: hf2gguf --help against the --version and --help sections.
"$HF2GGUF" --help | flags_of_help > "$WORK/help-top"
{ echo '--version'; echo '--help'; section 'hf2gguf \-\-version'; section 'hf2gguf \-\-help'; } \
  | flags_of_man > "$WORK/man-top"
same "hf2gguf" "$WORK/help-top" "$WORK/man-top"
# The whole page (synopsis, examples) names only flags some --help names.
cat "$WORK"/help-* | sort -u > "$WORK/help-all"
flags_of_man < "$page" > "$WORK/man-all"
extra=$(comm -13 "$WORK/help-all" "$WORK/man-all" | tr '\n' ' ')
[ -z "$extra" ] && pass || fail "the man page names flags no --help has: $extra"
# Each command has its heading, and each is in the synopsis.
for cmd in convert inspect verify diff checksum; do
  grep -qx ".SS hf2gguf $cmd" "$page" && pass || fail "no .SS hf2gguf $cmd heading"
  sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$page" | grep -qx ".B hf2gguf $cmd" && pass \
    || fail "$cmd is not in the SYNOPSIS"
done
for sh in NAME SYNOPSIS DESCRIPTION COMMANDS 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
  grep -qx ".SH $sh" "$page" && pass || fail "no .SH $sh section"
done

version=$("$HF2GGUF" --version | sed -n '1s/^hf2gguf \([^ ]*\).*/\1/p')
grep -q "^\.TH HF2GGUF 1 \"[0-9-]*\" \"hf2gguf $version\"" "$page" && pass \
  || fail "the .TH line does not say hf2gguf $version: $(grep '^\.TH' "$page")"

# Rendering: no warning at all, from groff itself and through man -l.
if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z "$page" 2>&1)
  [ -z "$warnings" ] && pass || fail "groff warns: $warnings"
  text=$(LANG=C MANWIDTH=80 groff -man -Tascii -P-cbou "$page" 2>&1)
  case "$text" in *"hf2gguf convert MODEL"*"EXIT STATUS"*) pass ;; *) fail "groff output lacks the synopsis" ;; esac
  if command -v man >/dev/null; then
    warnings=$(LANG=C MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] && pass || fail "man -l warns: $warnings"
  fi
else
  echo "groff not installed: render checks skipped"
fi
finish
