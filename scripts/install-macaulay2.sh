#!/usr/bin/env bash
# Installs Macaulay2 from Debian's package `macaulay2` when `M2` is not on PATH (idempotent: exits at
# once when it is). Needs root; otherwise prints the command to run.
# --no-install-recommends: the recommended extras (TeX, browsers, ~1,000 packages) are not needed by
# any template in m2scripts/; the plain package has everything `ker`,
# `mingens`, `hilbertSeries` use.
set -euo pipefail
if command -v M2 >/dev/null 2>&1; then
    exit 0
fi
cmd="apt-get install -y --no-install-recommends macaulay2"
if [ "$(id -u)" != "0" ]; then
    echo "m2bridge: Macaulay2 (M2) is not installed. Run as root:" >&2
    echo "    apt-get update && $cmd" >&2
    exit 1
fi
echo "m2bridge: installing Macaulay2: apt-get update && $cmd"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
apt-get update -qq
$cmd -qq >/dev/null
echo "m2bridge: Macaulay2 $(M2 --version) installed in $(( $(date +%s) - start )) s"
