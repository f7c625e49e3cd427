"""The `m2bridge` command line.

Sub-commands live in a table (name → module, one-line help), in the spirit of pip's lazy command
table: `m2bridge --help` lists them without importing any of them, and `m2bridge NAME …` imports
only `m2bridge.cli.<module>`. A command module has `configure(name, parser)`, which adds the
arguments and sets `handler(args) -> exit code`.

Library code raises and returns; this package alone prints. Every error m2bridge raises on
purpose becomes one line on stderr: exit 2 for bad input, 3 for a Macaulay2 timeout, 1 for every
other failure (Macaulay2 crashed, the environment is broken).
"""

from __future__ import annotations

import importlib
import os
import sys

# name: (module under m2bridge.cli, one-line help), in the order `m2bridge --help` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "ideal": ("ideal", "the ideal J^A (I_X^A with --data) through Macaulay2 or interpolation"),
    "dim": ("ideal", "dimension from the Jacobian rank alone (no Macaulay2)"),
    "conjecture": ("conjecture", "check a published theorem or conjecture on one case"),
    "sweep": ("sweep", "compute every case of a case file, cached in the case database"),
    "report": ("report", "one row per case of a sweep, as Markdown, CSV, LaTeX or JSON"),
    "export": ("report", "write a self-contained reproducible record of a sweep or case"),
    "verify": ("report", "recompute an export and report any difference"),
    "codes": ("codes", "ReLU codes of data points: distances and cell adjacency"),
    "patterns": ("codes", "activation pattern of a dataset (blocks of points sharing a code)"),
    "regions": ("regions", "count or bound the linear regions of a ReLU network on an input box"),
    "doctor": ("doctor", "check the installation: Macaulay2, python-flint, extras, a smoke computation"),
}

# Library parameters named in error messages → the flags a user types.
FLAGS = {
    "max_degree": "--max-degree", "memory_limit": "--memory-limit", "recheck_prime": "--recheck-prime",
    "rank_convention": "--rank-convention", "time_limit": "--time-limit", "count_limit": "--count-limit",
    "xor_k": "--xor-k", "case_out": "--case-out", "lp_max_distance": "--lp-max-distance",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("m2bridge")
    except PackageNotFoundError:
        return "unknown (not installed)"


DESCRIPTION = "Pattern varieties of ReLU networks through Macaulay2."


def overview() -> str:
    """`m2bridge --help`, written from the table alone (no argparse, no command module)."""
    width = max(len(name) for name in COMMANDS) + 2
    lines = ["usage: m2bridge [-h] [--version] [-q] [-v] COMMAND ...", "", DESCRIPTION, "", "commands:"]
    lines += [f"  {name:<{width}}{help_text}" for name, (_, help_text) in COMMANDS.items()]
    lines += ["", "options:", "  -h, --help  show this help message and exit",
              "  --version   print the version and exit", "  -q, --quiet only errors on stderr (no notes)",
              "  -v          more on stderr (-vv: details)", "",
              "`m2bridge COMMAND --help` describes one command."]
    return "\n".join(lines)


def build_parser(command: str | None = None):
    """The parser; only `command`'s module is imported."""
    import argparse

    from ..errors import abbreviate

    class VersionAction(argparse.Action):
        def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
            super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

        def __call__(self, parser, namespace, values, option_string=None):
            print(f"m2bridge {_version()}")
            parser.exit()

    def one_line_errors(p):
        # A usage error is one line, like every other error (argparse would print the usage first;
        # `m2bridge COMMAND --help` still shows it).
        p.error = lambda message: p.exit(2, f"m2bridge: error: {abbreviate(message)}\n")
        return p

    parser = one_line_errors(argparse.ArgumentParser(prog="m2bridge", description=DESCRIPTION))
    parser.add_argument("--version", action=VersionAction, help="print the version and exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr (no notes)")
    parser.add_argument("-v", action="count", default=0, dest="loudness",
                        help="more on stderr: -v what m2bridge decides, -vv details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module, help_text) in COMMANDS.items():
        p = one_line_errors(sub.add_parser(name, help=help_text, description=help_text))
        if name == command:
            # -q and -v after the command too (`m2bridge ideal … -v`)
            p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
            p.add_argument("-v", action="count", dest="loudness", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
            importlib.import_module(f"{__name__}.{module}").configure(name, p)
    return parser


def unknown_command(word: str) -> str:
    """The error for a mistyped command, with the nearest names (difflib) as suggestions."""
    import difflib

    close = difflib.get_close_matches(word, COMMANDS, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"unknown command {word!r}{hint}; `m2bridge --help` lists the commands"


def flag_message(exc: Exception) -> str:
    """The error's text with the library parameter it names spelled as the command-line flag."""
    text = str(exc)
    parameter = getattr(exc, "parameter", None)
    if parameter:
        text = text.replace(parameter, FLAGS.get(parameter, "--" + parameter.replace("_", "-")), 1)
    return text


def _configure_logging(args) -> None:
    """Notes and warnings of the library go through `logging` (logger "m2bridge") to stderr."""
    import logging

    level = logging.ERROR if args.quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.loudness, 2)]
    logger = logging.getLogger("m2bridge")
    logger.setLevel(level)
    if not any(getattr(h, "m2bridge_cli", False) for h in logger.handlers):

        class CurrentStderr(logging.StreamHandler):
            # Whatever sys.stderr is when a record is written (tests redirect it).
            stream = property(lambda self: sys.stderr, lambda self, value: None)
            m2bridge_cli = True  # the handler this function added (and formats)

        logger.addHandler(CurrentStderr())
    # -vv: when (seconds since start) and which module decided, for a researcher reading a log
    detail = "m2bridge %(relativeCreated)7.0fms %(name)s: %(message)s" if level <= logging.DEBUG else None
    for h in logger.handlers:
        if getattr(h, "m2bridge_cli", False):
            h.setFormatter(logging.Formatter(detail or "m2bridge: %(message)s"))
    logging.captureWarnings(True)


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C while starting (importing, parsing), before _main's handlers: a KeyboardInterrupt, or,
    # inside the import of a compiled extension, whatever that import turns it into (numpy raises
    # ImportError). The handler remembers the signal, so that either ends as one line, exit 130.
    interrupted: list[int] = []

    def on_interrupt(signum, _frame):
        interrupted.append(signum)
        raise KeyboardInterrupt

    import signal

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread (an embedding program): its own handlers stay
        previous = None
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("m2bridge: interrupted", file=sys.stderr)
        return 130
    except Exception:
        if not interrupted:
            raise
        print("m2bridge: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv in (["-h"], ["--help"]):
        print(overview())
        return 0
    command = next((a for a in argv if not a.startswith("-")), None)
    if command is not None and command not in COMMANDS:
        print(f"m2bridge: error: {unknown_command(command)}", file=sys.stderr)
        return 2
    parser = build_parser(command if command in COMMANDS else None)
    from .args import BadFlagValue

    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    except BadFlagValue as exc:
        print(f"m2bridge: error: {flag_message(exc.error)}", file=sys.stderr)
        return 2
    import signal

    from .._processes import Terminated, install_signal_handlers, received_signal
    from ..errors import InputError, M2BridgeError, M2TimeoutError, abbreviate

    _configure_logging(args)
    # SIGTERM and SIGHUP end m2bridge like Ctrl-C does (every `finally` runs), with exit 128 + N;
    # each of them, and SIGINT, first ends every child (Macaulay2 under its launcher).
    handlers = install_signal_handlers()
    try:
        code = int(args.handler(args) or 0)
        signum = received_signal()
        if signum is not None and signum != signal.SIGINT:  # the command stopped early for it
            print(f"m2bridge: terminated by {signal.Signals(signum).name}", file=sys.stderr)
            return 128 + signum
        return code
    except Terminated as exc:
        print(f"m2bridge: {exc}", file=sys.stderr)
        return 128 + exc.signum
    except InputError as exc:
        print(f"m2bridge: error: {flag_message(exc)}", file=sys.stderr)
        return 2
    except M2TimeoutError as exc:
        print(f"m2bridge: error: {exc}", file=sys.stderr)
        return 3
    except M2BridgeError as exc:
        print(f"m2bridge: error: {flag_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("m2bridge: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug of ours: still one line, the traceback on request
        if received_signal() == signal.SIGINT:  # Ctrl-C inside an import turned into another error
            print("m2bridge: interrupted", file=sys.stderr)
            return 130
        if os.environ.get("M2BRIDGE_DEBUG"):
            raise
        print(f"m2bridge: internal error: {type(exc).__name__}: {abbreviate(str(exc))} "
              "(rerun with M2BRIDGE_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    finally:
        handlers.restore()
