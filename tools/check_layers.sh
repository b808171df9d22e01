#!/usr/bin/env bash
# check_layers.sh - the layering of src/ (src/README.md), checked on every
# #include "..." of the library and of the public headers.
#
#   tools/check_layers.sh [ROOT]     ROOT: the source tree (default: this script's ..)
#
# Each stage folder may include headers of its own folder and of the folders
# listed for it below; a public header (include/hf2gguf/) belongs to the folder
# that implements it. The command line (src/cli/) may use the public headers
# and its own only. Prints one line per wrong include, FILE:LINE, and exits 1
# when there is any; 0 and a one-line summary otherwise.
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}

# What each folder may use, besides itself (bottom up; vocab and plan sit side
# by side and neither uses the other).
declare -A may_use=(
  [base]=""
  [source]="base"
  [numeric]="base source"
  [gguf]="base source numeric"
  [vocab]="base source numeric gguf"
  [plan]="base source numeric gguf"
  [arch]="base source numeric gguf vocab plan"
  [convert]="base source numeric gguf vocab plan arch"
  [cli]="public"
)

# The folder that implements each public header.
declare -A public_owner=(
  [error.h]=base
  [checkout.h]=source [safetensors.h]=source [hf_cache.h]=source
  [ggml_type.h]=numeric [numeric.h]=numeric
  [gguf.h]=gguf [kv.h]=gguf [gguf_json.h]=gguf [gguf_set.h]=gguf [diff.h]=gguf [verify.h]=gguf
  [vocab.h]=vocab
  [plan.h]=plan [plan_options.h]=plan [ftype.h]=plan [general.h]=plan [split.h]=plan
  [convert.h]=convert [executor.h]=convert [version.h]=convert
)

problems=0
files=0
say() { echo "$1: $2"; problems=$((problems + 1)); }

# allowed FOLDER TARGET: whether FOLDER may include a header of TARGET.
allowed() {
  local folder=$1 target=$2 f
  [ "$folder" = "$target" ] && return 0
  for f in ${may_use[$folder]}; do [ "$f" = "$target" ] && return 0; done
  return 1
}

# check_file FILE FOLDER: every quoted include of FILE (relative to ROOT),
# judged for FOLDER.
check_file() {
  local file=$1 folder=$2 line inc target
  files=$((files + 1))
  while IFS=: read -r line inc; do
    inc=${inc#*\"}; inc=${inc%%\"*}
    case "$inc" in
      hf2gguf/*)
        target=${public_owner[${inc#hf2gguf/}]:-}
        if [ -z "$target" ]; then say "$file:$line" "public header $inc has no owner in check_layers.sh"; continue; fi
        [ "${may_use[$folder]}" = public ] && continue ;;
      */*) target=${inc%%/*}
        if [ "${may_use[$folder]}" = public ] && [ "$target" != cli ]; then
          say "$file:$line" "$folder/ may use the public headers only, not \"$inc\""; continue
        fi ;;
      *) say "$file:$line" "\"$inc\" does not name its folder"; continue ;;
    esac
    if [ -z "${may_use[$target]+x}" ]; then say "$file:$line" "\"$inc\": no such stage folder"; continue; fi
    allowed "$folder" "$target" || say "$file:$line" "$folder/ may not use $target/ (\"$inc\")"
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$root/$file")
}

for dir in "$root"/src/*/; do
  folder=$(basename "$dir")
  if [ -z "${may_use[$folder]+x}" ]; then say "src/$folder" "a folder the layering does not know (add it to check_layers.sh and src/README.md)"; continue; fi
  for f in "$dir"*.[ch]; do [ -e "$f" ] && check_file "${f#"$root"/}" "$folder"; done
done
for f in "$root"/src/*.[ch]; do [ -e "$f" ] && say "${f#"$root"/}" "a source file outside the stage folders"; done
for f in "$root"/include/hf2gguf/*.h; do
  owner=${public_owner[$(basename "$f")]:-}
  if [ -z "$owner" ]; then say "${f#"$root"/}" "public header with no owner in check_layers.sh"; continue; fi
  check_file "${f#"$root"/}" "$owner"
done

if [ "$problems" -gt 0 ]; then
  echo "layering: $problems wrong include(s) in $files files"
  exit 1
fi
echo "layering: $files files, every include allowed"
