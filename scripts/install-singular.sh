#!/usr/bin/env bash
# Installs Singular from Debian's package `singular` when `Singular` is not on PATH (idempotent: exits
# at once when it is). Singular is an optional second engine for J^A's kernel (docs/certificates.md):
# m2bridge works without it, so a non-root user gets the command to run and set-up goes on.
# --no-install-recommends: the recommended extras (the manual, emacs mode) are not needed by any
# template in m2scripts/; the plain package has everything `eliminate`, `minbase`, `hilb` use.
set -euo pipefail
if command -v Singular >/dev/null 2>&1; then
    exit 0
fi
cmd="apt-get install -y --no-install-recommends singular"
if [ "$(id -u)" != "0" ]; then
    echo "m2bridge: Singular (optional, a second kernel engine) is not installed. Run as root:" >&2
    echo "    apt-get update && $cmd" >&2
    exit 0
fi
echo "m2bridge: installing Singular: apt-get update && $cmd"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
apt-get update -qq
$cmd -qq >/dev/null
echo "m2bridge: $(Singular --version 2>/dev/null | head -n 1) installed in $(( $(date +%s) - start )) s"
