#!/usr/bin/env bash
# Builds the documentation site strictly: every mkdocs warning (a page left out of the nav, a broken
# link or anchor) fails the build and is shown. Not `mkdocs --quiet`: it drops warnings before
# `--strict` counts them, so a quiet strict build passes with warnings.
#   scripts/build-docs.sh [MKDOCS_CONFIG] [SITE_DIR]      (defaults: mkdocs.yml, build/site)
set -uo pipefail
config="${1:-mkdocs.yml}"
site="${2:-build/site}"
mkdocs="${MKDOCS:-.venv/bin/mkdocs}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
start=$(date +%s)
if ! "$mkdocs" build --strict --config-file "$config" --site-dir "$site" >"$log" 2>&1; then
    grep -v '^INFO' "$log" >&2
    echo "docs: mkdocs build --strict failed ($config)" >&2
    exit 1
fi
if grep -q '^WARNING' "$log"; then  # belt and braces: a warning is a failure even if mkdocs passed
    grep '^WARNING' "$log" >&2
    echo "docs: warnings in a strict build ($config)" >&2
    exit 1
fi
echo "docs: built $site in $(( $(date +%s) - start )) s (mkdocs --strict, no warnings)"
