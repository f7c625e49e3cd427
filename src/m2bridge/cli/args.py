"""What every sub-command shares: argument types, the variety arguments, the JSON printer.

Argument types reject bad values before any work starts (argparse turns the ArgumentTypeError into
one usage line and exit 2).
"""

from __future__ import annotations

import argparse
import json
import math
import re


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def nonnegative_int(text: str) -> int:
    """argparse type: an integer >= 0 (seeds)."""
    if not re.fullmatch(r"[0-9]+", text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer >= 0")
    return int(text)


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite positive number")
    return value


def show_progress(args) -> bool:
    """The progress display: asked for with --progress, or by default on a terminal (not in CI),
    unless -q (only errors) or --json."""
    asked = getattr(args, "progress", None)
    if asked is not None:
        return asked and not args.quiet
    if args.quiet or getattr(args, "json", False):
        return False
    from .._progress import interactive

    return interactive()


def print_json(data, args=None) -> None:
    """The one JSON printer of every `--json`: one object on one line of stdout. Its first key,
    `m2bridge`, says what wrote it: {"m2bridge": {"command": "ideal", "version": "0.1.0", "format": 1},
    ...the command's fields}; a list of results (conjecture --name all) is under a key naming it
    ("verdicts"). docs/guide.md describes the layout."""
    if isinstance(data, list):
        data = {"verdicts": data}
    head = {"command": getattr(args, "command", None), "version": _version(), "format": JSON_FORMAT}
    print(json.dumps({"m2bridge": head, **data}, ensure_ascii=False))


JSON_FORMAT = 1
"""The version of the `--json` layout: raised when a key is renamed or removed."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("m2bridge")
    except PackageNotFoundError:
        return "unknown"


def warn(message: str) -> None:
    """A note for the user on stderr (silenced by -q)."""
    import logging

    logging.getLogger("m2bridge").warning(message)
