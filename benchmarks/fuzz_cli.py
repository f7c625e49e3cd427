"""Hostile invocations of the `m2bridge` command line, in-process, and what became of them.

Every invocation is drawn with a fixed seed from hostile values (huge, negative, non-finite and
malformed numbers, long and odd patterns, endless and special files, broken case files, exports and
databases, output paths in the wrong places) and run through `m2bridge.cli.main`, with a time limit
per invocation. Each ends as one of:

- clean error: a non-zero exit whose stderr ends with one `m2bridge: error: …` line (nothing else
  but notes);
- ran: exit 0, or a verdict on stdout (verify's differences);
- internal error: `internal error`, a traceback, an exception escaping `main`, or an error of
  several lines;
- hang: still running after the time limit.

The process caps its own address space (`--memory`), so that an unbounded read of a hostile
file ends in a MemoryError instead of filling the machine's memory. Files live in a temporary directory (also the working directory, $TMPDIR and tempfile's directory
while it runs) that is removed at the end. Not part of the test suite (a few minutes);
tests/test_hostile_inputs.py runs a small sample.

    python benchmarks/fuzz_cli.py [--count 600] [--seed 21] [--limit 60] [--show 20]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import resource
import shutil
import signal
import sqlite3
import stat
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np


class Hang(BaseException):
    """Raised by SIGALRM: a BaseException, so that `main` cannot report it as an error of its own."""


HUGE = "9" * 400
NUMBERS = ["0", "-1", "1", "2", "-0", "1e400", "nan", "inf", "-inf", "1e-300", "0.0001", "10000001", HUGE, "", " ",
           "0x10", "1_000", "½", "٣", "1e7", "3.5", "+5", "٠", "99999999999999999999999"]
ARCHS = ["2,2,2", "3,3,3", "2,2,2,2", "", "0,0,0", "2", "2,2", "1,1,1", "-2,2,2", "2,,2", "2;2;2", "a,b,c",
         "2,2,2,", " 2,2,2", "100000,2,2", "2," * 3000 + "2", "2,2,99999", "２,２,２", HUGE + ",2,2"]
PATTERNS = ["10|11", "110|011", "10/11|01/11", "1", "", "|", "10|", "12|11", "10|11|", "x", "10 | 11",
            "10|11/01", "10/11|01/11", "1" * 5000, "10|" * 3000 + "11", "00|00", "11/11|11/11", "１０|１１",
            "10\n11", "10|11\x00", "/", "10//11"]
FIELDS = ["QQ", "ZZ/3", "ZZ/2", "ZZ/4", "ZZ/0", "ZZ/-7", "GF(7)", "ZZ/" + HUGE, "ZZ/2147483647", "ZZ/2147483659",
          "qq", "RR", "", "ZZ/32003"]
METHODS = ["ker", "interpolate", "auto", "m2", "fast", "", "KER"]
SCHEDULERS = ["tls://127.0.0.1:8786", "tcp://127.0.0.1:99999", "tcp://127.0.0.1:0", "tcp://", "not a url",
              "tcp://256.1.1.1:1", "inproc://x", "tcp://[::1]:70000", "http://127.0.0.1:8786", ""]

CASE_FILES = {
    "good": '[sweep]\nname = "g"\ncompute = ["dim"]\n[[sweep.family]]\narchitectures = ["2,2,2"]\npatterns = ["10|11"]\n',
    "bom": '\ufeff[sweep]\nname = "b"\ncompute = ["dim"]\n[[sweep.family]]\narchitectures = ["2,2,2"]\nblocks = 2\n',
    "deep": "a = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "seed": '[sweep]\nname = "s"\nseed = 99999999999999999999999\ncompute = ["dim"]\n[[sweep.family]]\n'
            'architectures = ["2,2,2"]\npatterns = ["10|11"]\n',
    "negseed": '[sweep]\nname = "s"\nseed = -1\ncompute = ["dim"]\n[[sweep.family]]\narchitectures = ["2,2,2"]\n'
               'patterns = ["10|11"]\n',
    "blocks": '[sweep]\nname = "k"\ncompute = ["dim"]\n[[sweep.family]]\narchitectures = ["2,2,2"]\nblocks = 99999\n',
    "types": '[sweep]\nname = 5\ncompute = "dim"\nfamily = 3\n',
    "family-types": '[sweep]\nname = "t"\n[[sweep.family]]\narchitectures = [2, [3]]\npatterns = [{a = 1}]\n',
    "empty": "",
    "nul": "[sweep]\x00\n",
    "binary": "\x89PNG\r\n\x1a\n\x00\x00",
    "timeout": '[sweep]\nname = "t"\ntimeout = 1e400\ncompute = ["ideal"]\n[[sweep.family]]\narchitectures = ["2,2,2"]\n'
               'patterns = ["10|11"]\n',
    "memory": '[sweep]\nname = "m"\nmemory_limit = -1\ncompute = ["ideal"]\n[[sweep.family]]\n'
              'architectures = ["2,2,2"]\npatterns = ["10|11"]\n',
    "method": '[sweep]\nname = "m"\nmethod = "auto<=3"\ncompute = ["ideal"]\n[[sweep.family]]\n'
              'architectures = ["2,2,2"]\npatterns = ["10|11"]\n',
    "field": '[sweep]\nname = "f"\nfield = "ZZ/4"\ncompute = ["dim"]\n[[sweep.family]]\narchitectures = ["2,2,2"]\n'
             'patterns = ["10|11"]\n',
    "conj": '[sweep]\nname = "c"\ncompute = ["conjectures"]\nconjectures = ["nonsense"]\n[[sweep.family]]\n'
            'architectures = ["2,2,2"]\npatterns = ["10|11"]\n',
    "many": '[sweep]\nname = "many"\ncompute = ["dim"]\n[[sweep.family]]\narchitectures = ['
            + ", ".join(['"2,2,2"'] * 20_000) + ']\nblocks = 2\n',
    "long-name": '[sweep]\nname = "' + "n" * 100_000 + '"\ncompute = ["dim"]\nfamily = []\n',
    "unknown": '[sweep]\nname = "u"\nwhatever = 1\nfamily = []\n[other]\n',
    "huge-int": "[sweep]\nname = \"h\"\nseed = " + "9" * 5000 + "\nfamily = []\n",
}

EXPORTS = {
    "empty-records": '{"format": "m2bridge-export-2", "records": []}',
    "not-json": "{not json",
    "deep-json": "[" * 100_000 + "]" * 100_000,
    "wrong-format": '{"format": "other", "records": []}',
    "records-not-list": '{"format": "m2bridge-export-2", "records": 5}',
    "bad-record": '{"format": "m2bridge-export-2", "records": [1, 2]}',
    "method": '{"format": "m2bridge-export-2", "records": [{"key": "k", "case": {"arch": "2,2,2", "pattern": '
              '"10|11", "bias": false}, "computation": "ideal", "field": "QQ", "method": "quick", '
              '"template_hash": "x", "seed": 0, "status": "ok", "result": {}}]}',
    "case": '{"format": "m2bridge-export-2", "records": [{"key": "k", "case": {"arch": "x", "pattern": 5, '
            '"bias": "no"}, "computation": "ideal", "field": "QQ", "method": "ker", "template_hash": "x", '
            '"seed": 0, "status": "ok", "result": {}}]}',
    "seed": '{"format": "m2bridge-export-2", "records": [{"key": "k", "case": {"arch": "2,2,2", "pattern": "10|11", '
            '"bias": false}, "computation": "dim", "field": "QQ", "method": "jacobian", "template_hash": "-", '
            '"seed": 1e400, "status": "ok", "result": {}}]}',
    "big-int": '{"format": "m2bridge-export-2", "records": [{"key": "k", "seed": ' + "9" * 5000 + "}]}",
    "binary": "\x00\x01\x02\xff",
}


def make_files(root: Path) -> dict[str, list[str]]:
    """Hostile input files in `root`; returns lists of paths by kind."""
    def write(name: str, content) -> str:
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, errors="surrogateescape")
        return str(path)

    (root / "a-directory").mkdir()
    os.mkfifo(root / "fifo")
    special = ["/dev/zero", "/dev/null", str(root / "a-directory"), str(root / "missing"), "", ".", "/",
               str(root / "no" / "such" / "dir" / "f")]
    cases = [write(f"case-{name}.toml", text) for name, text in CASE_FILES.items()] + special
    exports = [write(f"export-{name}.json", text) for name, text in EXPORTS.items()] + special
    rng = np.random.default_rng(0)
    np.savez(root / "net.npz", W1=rng.standard_normal((3, 2)), b1=np.zeros(3), W2=rng.standard_normal((1, 3)),
             b2=np.zeros(1))
    np.savez(root / "net-nan.npz", W1=np.full((3, 2), np.nan), b1=np.zeros(3), W2=np.ones((1, 3)), b2=np.zeros(1))
    np.savez(root / "net-shapes.npz", W1=np.ones((3, 2)), b1=np.zeros(4), W2=np.ones((1, 5)), b2=np.zeros(1))
    np.savez(root / "net-names.npz", weights=np.ones(3))
    np.save(root / "X.npy", rng.standard_normal((20, 2)))
    np.save(root / "X-3d.npy", np.ones((2, 2, 2)))
    np.save(root / "X-str.npy", np.array([["a", "b"]]))
    np.save(root / "X-inf.npy", np.array([[np.inf, 1.0], [1.0, 2.0]]))
    np.save(root / "X-wide.npy", np.ones((4, 7)))
    np.save(root / "X-empty.npy", np.ones((0, 2)))
    np.save(root / "X-int.npy", np.array([[1, 2], [3, 1]]))
    np.save(root / "y.npy", np.arange(20))
    np.save(root / "y-short.npy", np.arange(3))
    networks = [str(root / n) for n in ("net.npz", "net-nan.npz", "net-shapes.npz", "net-names.npz")]
    networks += [write("net-garbage.npz", b"PK\x03\x04garbage"), write("net.pt", b"not torch"), *special]
    data = [str(root / n) for n in ("X.npy", "X-3d.npy", "X-str.npy", "X-inf.npy", "X-wide.npy", "X-empty.npy",
                                    "X-int.npy")]
    data += [write("d.json", '[["1/3", "1"], ["2", "1"]]'), write("d-deep.json", "[" * 100_000 + "]" * 100_000),
             write("d-zero.json", '[["1/0", "1"], ["2", "1"]]'), write("d-float.json", "[[0.5, 1], [2, 1]]"),
             write("d-big.json", '[["' + "9" * 3000 + '", "1"], ["2", "1"]]'), write("d-obj.json", '{"a": 1}'),
             write("d.txt", "1 2\n3 4\n"), write("d-garbage.npy", b"\x93NUMPYgarbage"), *special]
    labels = [str(root / "y.npy"), str(root / "y-short.npy"), str(root / "X.npy"), *special]
    write("db-garbage.sqlite", b"SQLite format 3\x00" + b"\xff" * 2000)
    db = root / "db-other.sqlite"
    with contextlib.closing(sqlite3.connect(db)) as connection:
        connection.execute("CREATE TABLE cases (x)")
        connection.commit()
    # no /dev paths as databases: SQLite would make its journal files beside them, in /dev
    dbs = [str(root / "db-garbage.sqlite"), str(db), write("db-text.sqlite", "hello"), ":memory:",
           *[p for p in special if not p.startswith("/dev")], str(root / "fresh.sqlite")]
    victim = write("victim.txt", "precious\n")
    os.symlink(victim, root / ".out.md.m2bridge-tmp")
    os.symlink(root / "nowhere", root / "dangling.md")
    outs = [str(root / "out.md"), str(root / "a-directory"), str(root / "no" / "out.md"), str(root / "fifo"),
            str(root / "dangling.md"), "", str(root / ("o" * 300)), str(root / "out\udcff.md")]
    try:  # a device node of our own like /dev/full (writes fail with ENOSPC); /dev itself is never a target
        os.mknod(root / "full", stat.S_IFCHR | 0o600, os.makedev(1, 7))
        outs.append(str(root / "full"))
    except PermissionError:
        pass
    return {"case": cases, "export": exports, "network": networks, "data": data, "labels": labels, "db": dbs,
            "out": outs}


# Sensible values, drawn as often as hostile ones, so that invocations get past the first check.
SENSIBLE = {"arch": ["2,2,2", "3,3,3", "2,2,2,2", "2,3,2"], "pattern": ["10|11", "110|011", "10/11|01/11", "1", "11|01"],
            "number": ["1", "2", "3", "30"], "field": ["QQ", "ZZ/32003", "ZZ/3"]}


def invocations(rng: random.Random, files: dict, count: int, sensible: float = 0.5) -> list[list[str]]:
    """`count` argument lists, drawn with `rng`: each value is sensible with probability `sensible`."""
    def pick(values):
        kind = {id(ARCHS): "arch", id(PATTERNS): "pattern", id(NUMBERS): "number", id(FIELDS): "field"}.get(id(values))
        return rng.choice(SENSIBLE[kind] if kind and rng.random() < sensible else values)

    def maybe(*flags: tuple[str, list[str]]) -> list[str]:
        out = []
        for flag, values in flags:
            if rng.random() < 0.3:
                out += [flag] if values is None else [flag, pick(values)]
        return out

    def variety() -> list[str]:
        return ["--arch", pick(ARCHS), "--pattern", pick(PATTERNS)] + maybe(
            ("--bias", None), ("--data", files["data"]), ("--blocks", ["2", "1,1", "0", "-1", "2,2,2", HUGE, "x"]))

    def ideal():
        return ["ideal", *variety(), "--timeout", pick(["30", *NUMBERS])] + maybe(
            ("--field", FIELDS), ("--method", METHODS), ("--max-degree", NUMBERS), ("--memory-limit", NUMBERS),
            ("--seed", NUMBERS), ("--workers", NUMBERS), ("--prime", NUMBERS), ("--ker-timeout", NUMBERS),
            ("--recheck-prime", NUMBERS), ("--m2-trace", NUMBERS), ("--lift", None), ("--certify", None),
            ("--json", None))

    def dim():
        return ["dim", *variety()] + maybe(("--seed", NUMBERS), ("--json", None))

    def conjecture():
        return ["conjecture", *variety(), "--timeout", "30"] + maybe(
            ("--name", ["shallow-two-block", "deep-two-block", "all", "mine", "x", ""]),
            ("--claim", ["containment", "generation", "dimension", "x"]), ("--rank-convention", ["literal", "x"]),
            ("--field", FIELDS), ("--max-degree", NUMBERS), ("--json", None))

    def sweep():
        return ["sweep", pick(files["case"]), "--db", pick([":memory:", *files["db"]])] + maybe(
            ("--workers", NUMBERS), ("--executor", ["local", "dask", "x"]), ("--scheduler", SCHEDULERS),
            ("--json", None), ("--force", None))

    def report():
        return ["report", "--db", pick(files["db"])] + maybe(
            ("--sweep", ["g", "x", ""]), ("--format", ["md", "csv", "tex", "json", "x"]), ("--conjectures", None),
            ("--out", files["out"]), ("--results", files["out"]), ("--statement", ["x"]), ("--claim", ["x"]),
            ("--title", ["T", "x" * 10_000]), ("--preamble", files["export"]))

    def export():
        return ["export", pick(["g", "2,2,2:10|11", "x", "2,2,2:10|11:bias", "", "2,2,2:" + "10|" * 3000 + "11"]),
                "--out", pick(files["out"]), "--db", pick(files["db"])]

    def verify():
        return ["verify", pick(files["export"])] + maybe(("--timeout", NUMBERS))

    def networks():
        command = pick(["codes", "patterns", "regions"])
        args = [command, "--network", pick(files["network"])]
        if command == "regions":
            return args + maybe(("--box", ["0,1", "1,0", "x", "nan,1", "0," + HUGE, ""]),
                                ("--method", ["bounds", "exact", "x"]), ("--xor-k", ["1", "0", "x", HUGE]),
                                ("--time-limit", ["5", *NUMBERS]), ("--count-limit", ["10", *NUMBERS]),
                                ("--seed", NUMBERS), ("--json", None))
        args += ["--data", pick(files["data"])]
        if command == "codes":
            return args + maybe(("--theta", NUMBERS), ("--lp-max-distance", NUMBERS), ("--no-adjacency", None),
                                ("--json", None))
        return args + maybe(("--labels", files["labels"]), ("--case-out", files["out"]),
                            ("--name", ["n", "", "a b", "x" * 10_000]), ("--field", FIELDS), ("--timeout", NUMBERS),
                            ("--json", None))

    def doctor():
        return ["doctor", "--no-smoke", *maybe(("--timeout", NUMBERS), ("--json", None))]

    def garbage():
        tokens = ["ideal", "sweep", "--arch", "--pattern", "-q", "-v", "-vv", "--", "-", "--help=x", "--version",
                  "--db", HUGE, "x", "=", "--timeout=nan", "-x", "--json", "report"]
        return [pick(tokens) for _ in range(rng.randint(0, 6))]

    makers = [ideal] * 6 + [dim] * 5 + [conjecture] * 2 + [sweep] * 5 + [report] * 4 + [export] * 3 + [verify] * 3 \
        + [networks] * 4 + [doctor] + [garbage] * 2
    return [pick(makers)() for _ in range(count)]


def run_one(argv: list[str], limit: float) -> tuple[str, int | None, str, float]:
    """(outcome, exit code, stderr, seconds) of one in-process invocation."""
    from m2bridge.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Hang()))
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    code = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
        outcome = classify(code, out.getvalue(), err.getvalue())
    except Hang:
        outcome = "hang"
    except SystemExit as exc:  # argparse's --help and --version
        code = int(exc.code or 0)
        outcome = "ran" if code == 0 else classify(code, out.getvalue(), err.getvalue())
    except BaseException as exc:  # noqa: BLE001 (anything escaping main is an internal error)
        err.write(f"escaped main: {type(exc).__name__}: {exc}\n")
        outcome = "internal error"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return outcome, code, err.getvalue(), time.perf_counter() - start


def classify(code: int, stdout: str, stderr: str) -> str:
    if "internal error" in stderr or "Traceback" in stderr:
        return "internal error"
    lines = [line for line in stderr.splitlines() if line.strip()]
    if code == 0 or (code == 1 and "DIFFERENT" in stdout and not lines):
        return "ran"
    errors = [line for line in lines if line.startswith("m2bridge: error:")]
    others = [line for line in lines if not line.startswith("m2bridge: ")]
    if len(errors) == 1 and not others and lines[-1] == errors[0]:
        return "clean error"
    return "internal error"  # several lines, no error line, or an error that is not the last word


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before an invocation counts as a hang")
    parser.add_argument("--show", type=int, default=20, help="internal errors and hangs to print")
    parser.add_argument("--sensible", type=float, default=0.5, help="probability of a sensible value")
    parser.add_argument("--memory", type=float, default=8.0,
                        help="GiB of address space for this process: an unbounded read ends in MemoryError here "
                             "instead of filling the machine's memory")
    parser.add_argument("--log", help="write one line per invocation (index, outcome, exit code, arguments) here")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (int(args.memory * 2**30), resource.getrlimit(resource.RLIMIT_AS)[1]))
    print(f"{args.count} invocations, seed {args.seed}, {args.limit:g} s each at most, sensible values {args.sensible:g}")
    counts, shown = run(args.count, args.seed, args.limit, show=args.show, sensible=args.sensible, log=args.log)
    for outcome, argv, stderr in shown:
        print(f"{outcome.upper()}: m2bridge {' '.join(repr(a) if len(a) < 80 else repr(a[:60] + '…') for a in argv)}")
        print("    " + (stderr.strip().splitlines() or ["(no stderr)"])[-1][:300])
    print(", ".join(f"{counts[o]} {o}" for o in ("clean error", "ran", "internal error", "hang")),
          f"(and {counts['wrote through a planted symlink']} wrote through a planted symlink)",
          f"({args.count} invocations, {counts['seconds']:.0f} s)")


def run(count: int, seed: int, limit: float, show: int = 0, only=None, sensible: float = 0.5, log=None):
    """Run the invocations; returns (Counter of outcomes and 'seconds', [(outcome, argv, stderr)] shown)."""
    root = Path(tempfile.mkdtemp(prefix="m2bridge-fuzz-"))
    cwd, saved_tmp, saved_env = os.getcwd(), tempfile.tempdir, os.environ.get("TMPDIR")
    counts: Counter = Counter()
    shown = []
    try:
        os.chdir(root)
        (root / "tmp").mkdir()
        tempfile.tempdir = os.environ["TMPDIR"] = str(root / "tmp")
        files = make_files(root)
        argvs = invocations(random.Random(seed), files, count, sensible)
        for index, argv in enumerate(argvs if only is None else [argvs[i] for i in only]):
            outcome, code, stderr, seconds = run_one(argv, limit)
            counts[outcome] += 1
            counts["seconds"] += seconds
            if log:
                with open(log, "a", errors="backslashreplace") as fh:
                    shown_argv = " ".join(a if len(a) < 60 else a[:40] + "…" for a in argv).replace(str(root), "R")
                    fh.write(f"{index}\t{outcome}\t{code}\t{shown_argv}\t{stderr.strip()[-150:]!r}\n")
            if outcome in ("internal error", "hang") and len(shown) < show:
                shown.append((outcome, argv, stderr))
            victim = root / "victim.txt"
            if victim.read_text() != "precious\n":  # written through the symlink planted beside out.md
                counts["wrote through a planted symlink"] += 1
                shown.append(("wrote through a planted symlink", argv, victim.read_text()[:200]))
                victim.write_text("precious\n")
    finally:
        os.chdir(cwd)
        tempfile.tempdir = saved_tmp
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(root, ignore_errors=True)
    return counts, shown


if __name__ == "__main__":
    sys.exit(main())
