"""Reading cached cases: 1,008 real records (the 168 tasks of two-block-shallow under 6 seeds) in an
SQLite case database, read (a) one `fetch` per case, (b) with one batched `fetch_many`, and (c) as
fully cached sweeps (planning + symmetry + cache look-up). Target: well under a second for 1,000.

    .venv/bin/python benchmarks/bench_store.py
"""

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from m2bridge.sweeps.casefile import SweepSpec  # noqa: E402
from m2bridge.sweeps.store import SQLiteCaseStore, case_key  # noqa: E402
from m2bridge.sweeps.sweep import run_sweep  # noqa: E402

SEEDS = range(6)


def main():
    spec = SweepSpec.load(ROOT / "cases" / "two-block-shallow.toml")
    spec.compute = ["ideal", "dim"]
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteCaseStore(Path(tmp) / "cases.sqlite")
        start = time.perf_counter()
        run_sweep(spec, store, workers=2)
        print(f"computed {len(store.records())} records once in {time.perf_counter() - start:.1f} s")
        # The same real results under other seeds: distinct keys, realistic payloads.
        for record in store.records():
            for seed in SEEDS[1:]:
                copy = dataclasses.replace(record, seed=seed)
                copy.key = case_key(copy.case, copy.computation, copy.field, copy.method, copy.template_hash, seed)
                store.save(copy)
        keys = [r.key for r in store.records()]
        print(f"{len(keys)} records in {Path(tmp) / 'cases.sqlite'}")

        start = time.perf_counter()
        one_by_one = [store.fetch(k) for k in keys]
        single = time.perf_counter() - start
        start = time.perf_counter()
        batched = store.fetch_many(keys)
        batch = time.perf_counter() - start
        assert len(batched) == len(one_by_one) == len(keys)
        start = time.perf_counter()
        for seed in SEEDS:
            summary = run_sweep(dataclasses.replace(spec, options=dataclasses.replace(spec.options, seed=seed)), store)
            assert summary.computed == 0 and summary.cached == summary.tasks
        sweeps = time.perf_counter() - start
        print(f"(a) {len(keys)} single fetches:           {single:.3f} s")
        print(f"(b) one fetch_many of {len(keys)}:          {batch:.3f} s   ratio (a)/(b) {single / batch:.1f}x")
        print(f"(c) {len(SEEDS)} fully cached sweeps ({len(keys)} cases): {sweeps:.3f} s   "
              f"ratio to the 1 s target {1 / sweeps:.1f}x")
        store.close()


if __name__ == "__main__":
    main()
