#!/usr/bin/env bash
# test_oom_messages.sh - every "out of memory" message names what was being
# allocated (issue 14, item 10): a user can act on "tokenizer.json: out of
# memory for the 129280 tokens' table", not on "out of memory (in
# add_template_list)". The sources under src/ must not hold
#   - the C function's name in such a message ("out of memory (in %s)" with
#     __func__, on the line or the line after the message), nor
#   - a message that stops at "out of memory" ("%s: out of memory").
# Each offending line is printed as file:line. The scanner is also run on a
# copy of the tree with planted offences, so that a scanner that finds
# nothing (a wrong path, a broken pattern) cannot pass.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)

# offences FILE SHOWN: the offending lines of FILE, as "SHOWN:LINE: text".
offences() {
  awk -v shown="$2" '
    function report() { sub(/^[ \t]+/, ""); print shown ":" FNR ": " $0 }
    /out of memory \(in %s\)/ || /out of memory(\\n)?"/ { report(); prev = ""; next }
    /__func__/ && (/out of memory/ || prev ~ /out of memory/) { report() }
    { prev = $0 }' "$1"
}

# scan TREE: prints the offences of every .c and .h under TREE/src, then
# "scanned N" (the number of files read).
scan() {
  local tree=$1 f n=0
  while IFS= read -r f; do
    offences "$tree/$f" "$f"
    n=$((n + 1))
  done < <(cd "$tree" && find src -name '*.[ch]' | LC_ALL=C sort)
  echo "scanned $n"
}

# The real tree: no offence, and the files were really read.
out=$(scan "$ROOT")
found=$(grep -v '^scanned ' <<<"$out")
scanned=$(sed -n 's/^scanned //p' <<<"$out")
if [ -n "$found" ]; then
  fail "out-of-memory messages that do not name what was being allocated:"
  echo "$found" >&2
else
  pass
fi
[ "${scanned:-0}" -ge 50 ] && pass || fail "only ${scanned:-0} source files scanned under $ROOT/src"

# Planted offences in a copy of the tree: each must be found, by file and
# line; __func__ outside a message must not be.
tree="$WORK/planted"
mkdir -p "$tree"
cp -r "$ROOT/src" "$tree/"
plant() { # plant FILE TEXT: appends TEXT; prints the line number of its first line
  local n
  n=$(($(wc -l < "$tree/$1") + 1))
  printf '%s\n' "$2" >> "$tree/$1"
  echo "$n"
}
l1=$(plant src/gguf/read.c 'static int p1(h2g_error *e) { return h2g_fail(e, "out of memory (in %s)", __func__); }')
l2=$(plant src/gguf/read.c 'static int p2(h2g_error *e) { return h2g_fail(e, "out of memory in %s",
                                                     __func__); }')
l3=$(plant src/arch/common.c 'static int p3(h2g_error *e) { return h2g_fail(e, "%s: out of memory", "x"); }')
l4=$(plant src/cli/text.c 'static void p4(void) { fputs("hf2gguf: error: out of memory\n", stderr); }')
l5=$(plant src/base/util.c 'static const char *p5(void) { return __func__; } /* not a message */')
out=$(scan "$tree")
for want in "src/gguf/read.c:$l1:" "src/gguf/read.c:$((l2 + 1)):" "src/arch/common.c:$l3:" \
            "src/cli/text.c:$l4:"; do
  grep -qF "$want" <<<"$out" && pass || fail "planted offence $want not found: $out"
done
grep -qF "src/base/util.c:$l5:" <<<"$out" && fail "__func__ outside a message was flagged: $out" || pass

finish
