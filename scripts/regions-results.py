"""Write docs/results/regions.md: linear regions of networks trained on scikit-learn's digits
(`m2bridge.networks.regions.digits`), one row per split n1 + n2 = 22 of the hidden units.

    .venv/bin/python scripts/regions-results.py [--dimensions 4] [--out docs/results/regions.md]

Run by `make results`. Deterministic (fixed seeds); about 10 minutes on 2 cores, most of it
MIPBound's SCIP runs.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from m2bridge.networks.regions.digits import SPLITS, digits_plane_figure, digits_row, results_markdown
from m2bridge.networks.regions.traversal import DEFINITIONS

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dimensions", type=int, default=4)
    parser.add_argument("--splits", default=",".join(map(str, SPLITS)))
    parser.add_argument("--out", default=str(ROOT / "docs" / "results" / "regions.md"))
    parser.add_argument("--json", default=str(ROOT / "build" / "results" / "regions.json"))
    args = parser.parse_args()
    started = time.monotonic()
    rows = []
    for n1 in (int(s) for s in args.splits.split(",")):
        rows.append(digits_row(n1, args.dimensions))
        print(json.dumps(rows[-1]), flush=True)
    d = args.dimensions
    page = f"""# Linear regions of networks trained on digits

Written by `make results` (`scripts/regions-results.py`); do not edit by hand.

Networks {d}-n1-n2-10 with n1 + n2 = 22 hidden units, in the spirit of Table 1 of Serra &
Ramalingam, "Empirical Bounds on Linear Regions of Deep Rectifier Networks" (AAAI 2020), trained
here (numpy, full-batch Adam, seed 100·n1, or the next one when a hidden layer died at
initialisation) on scikit-learn's bundled digits: the 64 pixels in
[0, 1] projected onto their first {d} principal axes, each rescaled to [0, 1]. Input box [0, 1]^{d}.

{results_markdown(rows, d)}

- **activation regions** (exact, by traversal of adjacent regions): {DEFINITIONS["activation_regions"]}.
- **linear regions**: {DEFINITIONS["linear_regions"]}.
- **XOR-k LB**: MIPBound (Algorithm 1 of the paper) with parity constraints of size k, the
  largest 2^j holding with probability ≥ 95 % (SCIP, 60 s per size); a lower bound on the MILP's
  patterns, which equal the activation regions for networks in general position.
- **Empirical UB**, **Configuration UB**, **Montúfar UB**: the closed-form upper bounds
  (`m2bridge.networks.regions.bounds`); the Empirical UB uses the stable units found on the box.
- **gap closed %**: 100 (Configuration UB − Empirical UB) / (Configuration UB − activation regions),
  the column of the paper's Table 1.

Total time {time.monotonic() - started:.0f} s.
"""
    Path(args.out).write_text(page)
    digits_plane_figure().savefig(ROOT / "docs" / "images" / "regions-digits.png", dpi=100)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
