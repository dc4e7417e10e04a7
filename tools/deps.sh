#!/bin/sh
# deps.sh - install the Debian packages ringsim needs, only those missing.
# Quiet and quick when everything is present; apt-get update first otherwise.
set -eu
PKGS="build-essential gcc-multilib pkg-config libelf-dev libcriterion-dev libsdl2-dev \
libsdl2-ttf-dev fonts-dejavu-core libzydis-dev zlib1g-dev gdb qemu-system-x86"
missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "deps: need root (or sudo) to install:$missing" >&2; exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
