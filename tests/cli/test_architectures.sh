#!/usr/bin/env bash
# `hf2gguf convert --list-architectures` prints the library's registry as the
# table README.md shows under "Supported checkouts": the two must be equal
# line for line, every row a class the converter accepts, and the option
# needs no MODEL_DIR.
. "$(dirname "$0")/lib.sh"
: "${TESTS:?TESTS must point at tests/}"
README="$TESTS/../README.md"

if ! list=$("$HF2GGUF" convert --list-architectures); then
  fail "--list-architectures: exit status $?"
fi
[ -n "$list" ] && pass || fail "--list-architectures printed nothing"

# README's table: the lines between the two markers.
table=$(sed -n '/^<!-- architectures/,/^<!-- \/architectures -->/p' "$README" | sed '1d;$d')
[ -n "$table" ] && pass || fail "README.md has no architectures table between the markers"
if [ "$list" = "$table" ]; then pass
else fail "README's table and --list-architectures differ: $(diff <(printf '%s\n' "$table") <(printf '%s\n' "$list"))"
fi

# Every row names a class with four non-empty cells, and each class is one
# the converter knows: the unknown-architecture message lists exactly them.
co=$(fixture_copy deepseek-v3-tiny unknown)
sed -i 's/"DeepseekV3ForCausalLM"/"NoSuchForCausalLM"/' "$co/config.json"
known=$("$HF2GGUF" convert "$co" --dry-run 2>&1 >/dev/null | sed -n 's/.*(supported: \(.*\))$/\1/p')
classes=$(printf '%s\n' "$list" | sed '1,2d' | cut -d'|' -f2 | sed 's/^ *//;s/ *$//' | paste -sd, - | sed 's/,/, /g')
[ -n "$known" ] && [ "$classes" = "$known" ] && pass ||
  fail "table classes '$classes' are not the supported ones '$known'"
bad=$(printf '%s\n' "$list" | sed '1,2d' | awk -F'|' 'NF != 6 || $2 ~ /^ *$/ || $3 ~ /^ *$/ || $4 ~ /^ *$/ || $5 ~ /^ *$/')
[ -z "$bad" ] && pass || fail "rows with empty cells: $bad"

# With other options it still only lists (and writes nothing).
mkdir -p "$WORK/out"
(cd "$WORK/out" && "$HF2GGUF" convert "$DATA/deepseek-v3-tiny" --list-architectures >/dev/null) &&
  [ -z "$(ls -A "$WORK/out")" ] && pass || fail "--list-architectures with a MODEL_DIR converted"

finish
