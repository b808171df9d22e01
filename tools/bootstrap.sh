#!/usr/bin/env bash
# Installs the Debian packages hf2gguf needs to build and test, if any is
# missing. Does nothing when everything is there. Uses sudo when not root.
set -euo pipefail

packages=(gcc make cmake pkg-config libcjson-dev zlib1g-dev libarchive-dev libyaml-dev
          libcmocka-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
