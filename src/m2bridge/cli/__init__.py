"""The `m2bridge` command line.

Each feature module registers its own sub-commands through `register(subparsers)`, listed in
COMMAND_MODULES; every handler returns an exit code. All errors m2bridge raises on purpose become
one line on stderr: exit 2 for bad input, 3 for a Macaulay2 timeout, 1 for every other failure.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from ..errors import InputError, M2BridgeError, M2TimeoutError

# Modules with a `register(subparsers)` function, in the order `m2bridge --help` lists them.
COMMAND_MODULES = (
    "m2bridge.ideals.api",
    "m2bridge.sweeps.sweep",
    "m2bridge.sweeps.report",
    "m2bridge.conjectures.check",
    "m2bridge.cli.codes",
    "m2bridge.cli.regions",
)


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def positive_float(text: str) -> float:
    """argparse type: a number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line plus the usage, exit 2 (argparse's own code)."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="m2bridge",
        description="Pattern varieties of ReLU networks through Macaulay2.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        print(f"m2bridge: error: {exc}", file=sys.stderr)
        return 2
    except M2TimeoutError as exc:
        print(f"m2bridge: error: {exc}", file=sys.stderr)
        return 3
    except M2BridgeError as exc:
        print(f"m2bridge: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("m2bridge: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug of ours: still one line, the traceback on request
        if os.environ.get("M2BRIDGE_DEBUG"):
            raise
        print(f"m2bridge: internal error: {type(exc).__name__}: {exc} "
              "(rerun with M2BRIDGE_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
