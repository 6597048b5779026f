/// The zsh completion script: candidates, with descriptions, from `kubectl-certs __complete`.
enum ZshCompletionScript {
    static let text = #"""
    #compdef kubectl-certs
    # zsh completion for kubectl-certs (from `kubectl-certs completion zsh`): put it in a
    # directory of $fpath as _kubectl-certs, or source it after compinit.
    # Asks `kubectl-certs __complete WORDS...` for candidates; its last line is :DIRECTIVE
    # (1 error, 2 no space, 4 no file names), as for kubectl's plugin completion.
    _kubectl-certs() {
        local reply directive=0 entry
        local -a lines candidates suffix
        reply=$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
        lines=("${(@f)reply}")
        if [[ ${lines[-1]} == :<-> ]]; then
            directive=${lines[-1]#:}
            lines=("${(@)lines[1,-2]}")
        fi
        (( directive & 1 )) && return 1
        for entry in "${lines[@]}"; do
            [[ -z $entry ]] && continue
            if [[ $entry == *$'\t'* ]]; then
                candidates+=("${${entry%%$'\t'*}//:/\\:}:${entry#*$'\t'}")
            else
                candidates+=("${entry//:/\\:}")
            fi
        done
        if (( ${#candidates} == 0 )); then
            (( directive & 4 )) && return 1
            _files
            return
        fi
        (( directive & 2 )) && suffix=(-S '')
        _describe -t values 'kubectl-certs' candidates "${suffix[@]}"
    }

    if [[ ${funcstack[1]} == _kubectl-certs ]]; then
        _kubectl-certs "$@"
    else
        compdef _kubectl-certs kubectl-certs
    fi

    """#
}
