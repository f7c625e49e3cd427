#!/usr/bin/env bash
# Checks that PYTHON (default python3) is Python >= 3.11 and can create a venv; on Debian as root,
# installs what is missing (python3, python3-venv), otherwise says what to install.
set -euo pipefail
python="${1:-python3}"
ok() {
    command -v "$python" >/dev/null 2>&1 &&
        "$python" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}
if ok; then
    exit 0
fi
packages="python3 python3-venv"
if [ "$python" = "python3" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "m2bridge: installing Python with venv: apt-get install -y --no-install-recommends $packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
    ok && exit 0
fi
echo "m2bridge: needs Python >= 3.11 with the venv module as '$python'" >&2
echo "    (Debian: apt-get install $packages; or run make with PYTHON=/path/to/python3.11)" >&2
exit 1
