/// The fish completion script: candidates, with descriptions, from `kubectl-certs __complete`.
enum FishCompletionScript {
    static let text = #"""
    # fish completion for kubectl-certs (from `kubectl-certs completion fish`).
    # Asks `kubectl-certs __complete WORDS...` for candidates; its last line is :DIRECTIVE
    # (1 error, 2 no space, 4 no file names), as for kubectl's plugin completion.
    function __kubectl_certs_complete
        set -l words (commandline -opc)
        set -l program $words[1]
        set -e words[1]
        set -l current (commandline -ct)
        set -l reply ($program __complete $words "$current" 2>/dev/null)
        or return
        set -l directive 0
        if string match -qr '^:[0-9]+$' -- "$reply[-1]"
            set directive (string sub -s 2 -- $reply[-1])
            set -e reply[-1]
        end
        test (math "bitand($directive, 1)") -ne 0; and return
        if test (count $reply) -eq 0
            test (math "bitand($directive, 4)") -ne 0; and return
            __fish_complete_path "$current"
            return
        end
        printf '%s\n' $reply
    end
    complete -c kubectl-certs -f -a '(__kubectl_certs_complete)'

    """#
}
