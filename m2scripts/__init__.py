"""The Macaulay2 templates of m2bridge (`*.m2.j2`, Jinja2 around Macaulay2; `lib/` is the shared
library every script includes). This folder is the one place they are read and edited; the build
maps it into the package as `m2bridge.m2scripts` (pyproject.toml, setup.py). This file only makes
the folder an importable package, so that the installed and the editable package both find it."""
