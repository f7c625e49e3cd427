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


def add_option_flags(parser: argparse.ArgumentParser, names) -> None:
    """The flags of the computation options `names`, made from the option table (help, unit, default
    and the rule that checks a value: one place for all three of the command line, the case files and
    the guide). A flag not given is None: IdealOptions' default applies."""
    from ..errors import M2BridgeError
    from ..ideals.option_table import METHODS, OPTIONS
    from ..ideals.options import default_of

    for name in names:
        option = OPTIONS[name]
        if option.flag is None:  # a bug of the caller: only options with a flag are asked for
            raise M2BridgeError(f"option {name} has no command-line flag")
        default = default_of(name)
        shown = f"{default:g}" if isinstance(default, float) else default
        unit = f" ({option.unit})" if option.unit and option.unit not in option.help else ""
        text = option.help + unit + (f"; default {shown}" if default is not None and option.kind != "flag" else "")
        if option.kind == "flag":
            parser.add_argument(option.flag, action="store_true", default=None, help=text)
        else:
            metavars: dict[type | str, str] = {int: "N", float: "X"}
            metavar = metavars.get(option.kind) if name != "method" else None
            parser.add_argument(option.flag, type=_checked(option), metavar=metavar, help=text.replace("%", "%%"),
                                choices=(*METHODS, "m2") if name == "method" else None)


class BadFlagValue(Exception):
    """A flag's value refused by its option's rule. Not a ValueError, so that argparse lets it through
    and the command line prints the rule's own message with the flag's name (`--timeout 1e9: at most
    …`), as it does for the same value from anywhere else; exit 2."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


def _checked(option):
    """argparse type: a value checked by the option's rule (bad values: one line, exit 2)."""
    from ..errors import InputError

    def parse(text: str):
        try:
            return option.parse_text(text)
        except InputError as exc:
            raise BadFlagValue(exc) from None

    parse.__name__ = option.name  # argparse names the type in "invalid <name> value"
    return parse


def options_given(args, names) -> dict:
    """The computation options given on the command line, in IdealOptions' units."""
    from ..ideals.option_table import OPTIONS

    given = {}
    for name in names:
        value = getattr(args, name, None)
        if value is not None:
            scale = OPTIONS[name].scale
            given[name] = int(value * scale) if scale != 1 else value
    return given


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
