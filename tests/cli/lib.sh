# lib.sh - helpers for the command-line tests (sourced).
# Environment from ctest: HF2GGUF (the binary), DATA (tests/data), TESTS (tests/).
set -u

: "${HF2GGUF:?HF2GGUF must point at the hf2gguf binary}"
: "${DATA:?DATA must point at tests/data}"

failures=0
checks=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hf2gguf-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }

# Ends the script with the plain closing line ctest and CI read.
finish() {
  echo "$((checks)) passed, $((failures)) failed"
  [ "$failures" -eq 0 ]
  exit $?
}

# A fresh copy of a fixture checkout (writable) under $WORK; prints its path.
fixture_copy() {
  local name=$1 dest="$WORK/$2"
  mkdir -p "$dest"
  cp -r "$DATA/$name/." "$dest/"
  rm -rf "$dest/expected"
  chmod -R u+w "$dest"
  echo "$dest"
}

# expect_error NAME FRAGMENT OUTDIR -- CMD...: the command must exit 1, say
# FRAGMENT on stderr, and leave no file at all in OUTDIR.
expect_error() {
  local name=$1 fragment=$2 outdir=$3
  shift 4
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne 1 ]; then fail "$name: exit status $rc, expected 1 ($err)"; return; fi
  case "$err" in
    *"$fragment"*) ;;
    *) fail "$name: stderr lacks '$fragment': $err"; return ;;
  esac
  if [ -n "$(ls -A "$outdir" 2>/dev/null)" ]; then
    fail "$name: files left behind: $(ls -A "$outdir")"; return
  fi
  pass
}

# Writes a little-endian uint64.
u64le() {
  local n=$1 i s=""
  for i in 0 1 2 3 4 5 6 7; do s+=$(printf '\\x%02x' $(( (n >> (8 * i)) & 255 ))); done
  printf "$s"
}

# write_safetensors FILE HEADER_JSON DATA_BYTES: a safetensors file whose
# header is HEADER_JSON and whose data is DATA_BYTES zero bytes.
write_safetensors() {
  local file=$1 header=$2 n=$3
  { u64le ${#header}; printf '%s' "$header"; head -c "$n" /dev/zero; } > "$file"
}
