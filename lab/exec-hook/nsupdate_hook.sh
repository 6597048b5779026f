#!/bin/sh
# A hook script as lego users write them for the exec provider:
#   nsupdate_hook.sh present|cleanup FQDN VALUE
#   nsupdate_hook.sh present|cleanup -- DOMAIN TOKEN KEY_AUTHORIZATION    (EXEC_MODE=RAW)
# adds or deletes that TXT value by RFC 2136 update; in RAW mode it works out the name
# (_acme-challenge.DOMAIN.) and the value (base64url of the key authorization's SHA-256) itself,
# as RAW hook scripts do. Its settings come from the environment (HOOK_NAMESERVER, HOOK_ZONE,
# HOOK_KEY_FILE: a BIND key file), as a hook script's credentials do.
set -eu
action=${1:-}
if [ $# -eq 5 ] && [ "$2" = "--" ]; then
    fqdn="_acme-challenge.$3."
    value=$(printf '%s' "$5" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
elif [ $# -eq 3 ]; then
    fqdn=$2
    value=$3
else
    echo "usage: $0 present|cleanup FQDN VALUE, or present|cleanup -- DOMAIN TOKEN KEY_AUTHORIZATION" >&2
    exit 64
fi
case "$action" in
    present) change="update add $fqdn 30 TXT \"$value\"" ;;
    cleanup) change="update delete $fqdn TXT \"$value\"" ;;
    *) echo "$0: unknown action $action" >&2; exit 64 ;;
esac
printf 'server %s 53\nzone %s\n%s\nsend\n' "$HOOK_NAMESERVER" "$HOOK_ZONE" "$change" | nsupdate -t 3 -k "$HOOK_KEY_FILE"
echo "$action $fqdn done"
