#!/usr/bin/env bash
# Installs Singular from Debian's package `singular` when `Singular` is not on PATH. Singular is an
# optional second engine for J^A's kernel (docs/certificates.md): m2bridge works without it, so
# without root the command to run is printed and set-up goes on. The plain package has everything
# `eliminate`, `minbase`, `hilb` use.
exec "$(dirname "$0")/install-debian-package.sh" Singular singular optional Singular
