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


def print_json(data) -> None:
    """The one JSON printer: one object per line on stdout."""
    print(json.dumps(data))


def warn(message: str) -> None:
    """A note for the user on stderr (silenced by -q)."""
    import logging

    logging.getLogger("m2bridge").warning(message)
