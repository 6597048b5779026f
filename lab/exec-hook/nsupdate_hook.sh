#!/bin/sh
# A hook script as lego users write them for the exec provider:
#   nsupdate_hook.sh present|cleanup FQDN VALUE
# adds or deletes that TXT value by RFC 2136 update. Its settings come from the environment
# (HOOK_NAMESERVER, HOOK_ZONE, HOOK_KEY_FILE: a BIND key file), as a hook script's credentials do.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 present|cleanup FQDN VALUE" >&2; exit 64; }
case "$1" in
    present) change="update add $2 30 TXT \"$3\"" ;;
    cleanup) change="update delete $2 TXT \"$3\"" ;;
    *) echo "$0: unknown action $1" >&2; exit 64 ;;
esac
printf 'server %s 53\nzone %s\n%s\nsend\n' "$HOOK_NAMESERVER" "$HOOK_ZONE" "$change" | nsupdate -t 3 -k "$HOOK_KEY_FILE"
echo "$1 $2 done"
