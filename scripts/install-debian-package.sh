#!/usr/bin/env bash
# Installs one of m2bridge's external engines from its Debian package when its command is not on
# PATH (idempotent: exits at once when it is). Needs root; otherwise prints the command to run and
# exits 1 for a required engine, 0 for an optional one (set-up goes on without it).
#   install-debian-package.sh COMMAND PACKAGE required|optional NAME
# --no-install-recommends: the recommended extras (TeX, browsers, manuals, editor modes) are not
# needed by any template in m2scripts/.
set -euo pipefail
command_name=$1 package=$2 need=$3 name=$4
if command -v "$command_name" >/dev/null 2>&1; then
    exit 0
fi
cmd="apt-get install -y --no-install-recommends $package"
if [ "$(id -u)" != "0" ]; then
    echo "m2bridge: $name ($command_name) is not installed. Run as root:" >&2
    echo "    apt-get update && $cmd" >&2
    [ "$need" = optional ] && exit 0
    exit 1
fi
echo "m2bridge: installing $name: apt-get update && $cmd"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
apt-get update -qq
$cmd -qq >/dev/null
echo "m2bridge: $name installed in $(( $(date +%s) - start )) s: $("$command_name" --version 2>&1 | head -n 1)"
