/// The bash completion script: every request goes to `kubectl-certs __complete`, the same
/// engine kubectl's plugin completion uses through `kubectl_complete-certs`.
enum BashCompletionScript {
    static let text = #"""
    # bash completion for kubectl-certs (from `kubectl-certs completion bash`).
    # Asks `kubectl-certs __complete WORDS...` for candidates; its last line is :DIRECTIVE
    # (1 error, 2 no space, 4 no file names), as for kubectl's plugin completion.
    _kubectl_certs_complete() {
        local line="${COMP_LINE:0:COMP_POINT}"
        local -a words=()
        read -r -a words <<< "$line"
        if [[ -z "$line" || "$line" =~ [[:space:]]$ ]]; then words+=(""); fi
        local program="${words[0]/#\~/$HOME}"
        local current="${words[${#words[@]}-1]}"
        local reply
        reply=$("$program" __complete "${words[@]:1}" 2>/dev/null) || return 0

        local directive=0 entry
        local -a candidates=()
        while IFS= read -r entry; do
            if [[ "$entry" =~ ^:[0-9]+$ ]]; then
                directive=${entry:1}
            elif [[ -n "$entry" ]]; then
                candidates+=("${entry%%$'\t'*}")
            fi
        done <<< "$reply"
        (( directive & 1 )) && return 0

        # bash splits words at '=' and ':' too; replace only its last piece of the word.
        local piece="${COMP_WORDS[COMP_CWORD]}"
        local before="${current%"$piece"}"
        if (( ${#candidates[@]} == 0 )); then
            (( directive & 4 )) && return 0
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$piece")
            return 0
        fi
        (( directive & 2 )) && compopt -o nospace 2>/dev/null
        COMPREPLY=()
        for entry in "${candidates[@]}"; do
            COMPREPLY+=("${entry#"$before"}")
        done
    }
    complete -F _kubectl_certs_complete kubectl-certs

    """#
}
