"""The orbits of Conjecture 6.1 at widths <= 5 that the previous ladder left "holds through degree 5"
(a neuron in both blocks, one in each block only), decided by the command a researcher types:
`m2bridge conjecture --arch … --pattern … --variant union --json` with default settings, one orbit
after another on this machine. Prints per orbit the outcome, the proof, K and N of the degree count
(of the narrowed network under inheritance) and the wall seconds; the target is every orbit decided
within 120 s.

    .venv/bin/python benchmarks/bench_heart_orbits.py [--limit SECONDS] [--only ARCH:PATTERN]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("m2bridge"))
ORBITS = [
    ("4,3,4", "011|101"), ("4,4,4", "0011|0101"), ("4,4,4", "0111|1011"),
    ("4,3,5", "011|101"), ("5,3,5", "011|101"), ("4,4,5", "0011|0101"), ("4,4,5", "0011|1101"),
    ("4,4,5", "0111|1011"), ("4,5,4", "00011|00101"), ("4,5,4", "00111|01011"), ("4,5,5", "00011|01101"),
    ("4,5,5", "00011|00101"), ("4,5,5", "00111|01011"), ("5,4,5", "0011|0101"), ("5,4,5", "0011|1101"),
    ("5,4,5", "0111|1011"), ("5,5,5", "00011|00101"), ("5,5,5", "00011|01101"), ("5,5,5", "00011|11101"),
    ("5,5,5", "00111|01011"), ("5,5,5", "00111|11001"), ("5,5,5", "01111|10111"), ("5,5,5", "00111|11011"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=600, help="seconds before an orbit is called undecided")
    parser.add_argument("--only", action="append", default=[], help="ARCH:PATTERN (repeatable)")
    args = parser.parse_args()
    orbits = [tuple(o.split(":", 1)) for o in args.only] or ORBITS
    print(f"{'arch':8} {'pattern':12} {'outcome':24} {'proof':12} {'K':>6} {'N':>6} {'seconds':>8}")
    decided = 0
    for arch, pattern in orbits:
        started = time.perf_counter()
        command = [CLI, "conjecture", "--arch", arch, "--pattern", pattern, "--variant", "union", "--json"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = process.communicate(timeout=args.limit)
            seconds = time.perf_counter() - started
            verdict = json.loads(stdout) if process.returncode == 0 else {"outcome": stderr.strip()[:40]}
        except subprocess.TimeoutExpired:
            seconds, verdict = time.perf_counter() - started, {"outcome": f"not decided in {args.limit:g} s"}
            process.terminate()  # SIGTERM: m2bridge ends its Macaulay2 and deletes its script (SIGKILL would not)
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        text = verdict.get("certificate") or ""
        k = re.search(r"K = (\d+)", text)
        n = re.search(r"N = (\d+)", text)
        decided += verdict.get("complete") is True
        print(f"{arch:8} {pattern:12} {verdict.get('outcome', '?'):24} {verdict.get('proof', '-'):12} "
              f"{k.group(1) if k else '-':>6} {n.group(1) if n else '-':>6} {seconds:8.1f}", flush=True)
    print(f"decided: {decided} of {len(orbits)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
