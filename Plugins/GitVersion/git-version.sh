#!/bin/sh
# Writes the Swift file that gives kubectl-certs its version: `git describe` of the package's
# checkout without the tag's `v` (1.2.0, 1.2.0-3-g1a2b3c4, 1.2.0-dirty); 0.1.0-dev-g<commit>
# before the first v* tag; 0.1.0-dev without git (a source tarball, a container build).
# Every form is a valid image tag, so `kubectl certs install`'s default image is one too.
#
#   git-version.sh PACKAGE_DIR SWIFT_FILE
#
# Only a git work tree whose top is PACKAGE_DIR counts, not one the sources happen to be
# unpacked inside. The file is rewritten only when its text changes, so an unchanged checkout
# recompiles nothing. GIT_OPTIONAL_LOCKS=0: describing never takes the index lock from a
# concurrent `git commit`.
set -eu
package=$1 file=$2
PATH=${PATH:-/usr/bin:/bin}
export GIT_OPTIONAL_LOCKS=0
version=0.1.0-dev
if top=$(git -C "$package" rev-parse --show-toplevel 2>/dev/null) && [ "$top" -ef "$package" ] &&
    described=$(git -C "$package" describe --tags --match 'v*' --dirty --always 2>/dev/null); then
    case $described in
        v[0-9]*) version=${described#v} ;;
        *) version=0.1.0-dev-g$described ;;
    esac
fi
case $version in
    *[!A-Za-z0-9._+-]*)
        echo "GitVersion: git describe gave \"$version\", which is not a version: name release tags v1.2.3" >&2
        exit 1 ;;
esac
mkdir -p "$(dirname "$file")"
text="// Written at build time by Plugins/GitVersion from git describe; not kept in the repository.
enum GitDescribe {
    static let version = \"$version\"
}"
if [ ! -f "$file" ] || [ "$(cat "$file")" != "$text" ]; then
    printf '%s\n' "$text" > "$file.new"
    mv "$file.new" "$file"
fi
