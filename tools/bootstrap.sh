#!/usr/bin/env bash
# bootstrap.sh [--check] - the Debian packages hf2gguf needs to build and test.
#
# Decides what is missing from the tools and pkg-config modules themselves
# (not from dpkg's records), so that a machine with everything built from
# source, or without dpkg at all, passes. With --check, only says what is
# missing (exit 1 when anything is). Otherwise installs the missing packages
# with apt-get: directly when root, through sudo otherwise (`make deps` runs
# this; plain `make` never does).
set -euo pipefail

# command or pkg-config module : the Debian package that provides it
needs=(cc:gcc make:make cmake:cmake pkg-config:pkg-config
       pc:libcjson:libcjson-dev pc:zlib:zlib1g-dev pc:libarchive:libarchive-dev
       pc:yaml-0.1:libyaml-dev pc:cmocka:libcmocka-dev)

have_pkgconfig=false
command -v pkg-config >/dev/null 2>&1 && have_pkgconfig=true
missing=()
for need in "${needs[@]}"; do
  package=${need##*:}
  case "$need" in
    pc:*) module=${need#pc:}; module=${module%%:*}
          $have_pkgconfig && pkg-config --exists "$module" && continue ;;
    *) command -v "${need%%:*}" >/dev/null 2>&1 && continue ;;
  esac
  missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${1:-}" = --check ]; then
  echo "hf2gguf needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: make deps   (runs tools/bootstrap.sh: apt-get, with sudo when not root)" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bootstrap: no apt-get here; install the equivalents of: ${missing[*]}" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "bootstrap: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
