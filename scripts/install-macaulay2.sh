#!/usr/bin/env bash
# Installs Macaulay2 from Debian's package `macaulay2` when `M2` is not on PATH (required: without
# root, prints the command to run and fails). The plain package has everything `ker`, `mingens`,
# `hilbertSeries` use.
exec "$(dirname "$0")/install-debian-package.sh" M2 macaulay2 required Macaulay2
