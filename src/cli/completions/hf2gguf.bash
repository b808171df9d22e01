# bash completion for hf2gguf                                  -*- shell-script -*-
#
# Installed as share/bash-completion/completions/hf2gguf (loaded on demand by
# bash-completion), or sourced by hand. Needs nothing but bash itself.
# Completes the commands, each command's flags (tests/cli/test_completion.sh
# checks them against every --help), the values of --outtype, --quantize, --layout and
# --tokenizer-pre, checkouts (directories, archives, and ORG/NAME models in
# the Hugging Face cache) for convert, and *.gguf files for the others.

# The Hugging Face hub cache, found as huggingface_hub finds it.
_hf2gguf_hub_cache() {
    if [[ -n ${HF_HUB_CACHE-} ]]; then printf '%s\n' "$HF_HUB_CACHE"
    elif [[ -n ${HUGGINGFACE_HUB_CACHE-} ]]; then printf '%s\n' "$HUGGINGFACE_HUB_CACHE"
    elif [[ -n ${HF_HOME-} ]]; then printf '%s\n' "$HF_HOME/hub"
    elif [[ -n ${XDG_CACHE_HOME-} ]]; then printf '%s\n' "$XDG_CACHE_HOME/huggingface/hub"
    else printf '%s\n' "$HOME/.cache/huggingface/hub"
    fi
}

# ORG/NAME for every model in the cache (models--ORG--NAME folders).
_hf2gguf_cached_models() {
    local cache d name
    cache=$(_hf2gguf_hub_cache)
    for d in "$cache"/models--*--*; do
        [[ -d $d ]] || continue
        name=${d##*/models--}
        printf '%s\n' "${name/--//}"
    done
}

# The branches and tags (refs/) of the cached models named on the line.
_hf2gguf_cached_refs() {
    local cache word ref
    cache=$(_hf2gguf_hub_cache)
    for word in "${COMP_WORDS[@]}"; do
        [[ $word == */* && -d $cache/models--${word/\//--}/refs ]] || continue
        for ref in "$cache/models--${word/\//--}"/refs/*; do
            [[ -f $ref ]] && printf '%s\n' "${ref##*/refs/}"
        done
    done
}

# Files ending in one of the given suffixes, and directories to descend into.
_hf2gguf_files() {
    local cur=$1 ext
    shift
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -d -- "$cur"))
    for ext in "$@"; do
        COMPREPLY+=($(compgen -f -X "!*$ext" -- "$cur"))
    done
}

_hf2gguf() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local cmd=${COMP_WORDS[1]-} IFS=$'\n'
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W $'convert\ninspect\nverify\ndiff\nchecksum\n--version\n--help' -- "$cur"))
        return
    fi

    local flags
    case $cmd in
    convert)
        flags=$'--outfile\n--outdir\n--outtype\n--quantize\n--layout\n--mmproj\n--mmproj-only\n--vocab-only\n--split-max-size\n--split-max-tensors\n--no-tensor-first-split\n--dry-run\n--threads\n--force\n--no-verify\n--no-space-check\n--revision\n--model-name\n--metadata\n--tokenizer-pre\n--json\n--quiet\n--list-architectures\n--help'
        case $prev in
        --outtype) COMPREPLY=($(compgen -W $'f32\nf16\nbf16\nq8_0\nauto' -- "$cur")); return ;;
        --layout) COMPREPLY=($(compgen -W $'llama.cpp\nollama' -- "$cur")); return ;;
        --quantize)
            COMPREPLY=($(compgen -W $'Q4_0\nQ4_1\nQ5_0\nQ5_1\nQ8_0\nQ2_K\nQ2_K_S\nQ3_K_S\nQ3_K_M\nQ3_K_L\nQ4_K_S\nQ4_K_M\nQ5_K_S\nQ5_K_M\nQ6_K\nIQ4_NL\nIQ4_XS\nTQ1_0\nTQ2_0\nMXFP4_MOE' -- "${cur^^}"))
            return ;;
        --tokenizer-pre)
            COMPREPLY=($(compgen -W $'deepseek-llm\ndeepseek-coder\ndeepseek-v3\nkimi-k2\nllama-bpe\nqwen2\ndefault' -- "$cur"))
            return ;;
        --outfile) _hf2gguf_files "$cur" .gguf; return ;;
        --metadata) _hf2gguf_files "$cur" .json; return ;;
        --outdir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --revision) COMPREPLY=($(compgen -W "$(_hf2gguf_cached_refs)" -- "$cur")); return ;;
        --threads | --split-max-size | --split-max-tensors | --model-name) return ;;
        esac
        # --mmproj=PATH: bash splits the word at "=" (COMP_WORDBREAKS).
        if [[ $cur == --mmproj=* ]]; then
            _hf2gguf_files "${cur#--mmproj=}" .gguf
            return
        fi
        if [[ $prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --mmproj ]] ||
           [[ $cur == = && $prev == --mmproj ]]; then
            [[ $cur == = ]] && cur=
            _hf2gguf_files "$cur" .gguf
            return
        fi
        if [[ $cur != -* ]]; then
            _hf2gguf_files "$cur" .tar .tar.gz .tgz .tar.zst .tar.xz .tar.bz2 .zip
            COMPREPLY+=($(compgen -W "$(_hf2gguf_cached_models)" -- "$cur"))
            return
        fi
        ;;
    inspect) flags=$'--tensors\n--full\n--json\n--help' ;;
    verify) flags=$'--json\n--help' ;;
    diff)
        flags=$'--json\n--ignore-kv\n--ignore-order\n--help'
        [[ $prev == --ignore-kv ]] && return
        ;;
    checksum) flags=$'--help' ;;
    --version) flags=$'--json' ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif [[ $cmd != --version ]]; then
        _hf2gguf_files "$cur" .gguf
    fi
}

complete -F _hf2gguf hf2gguf
