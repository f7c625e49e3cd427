"""The results of a conjecture sweep (Conjecture 6.1 and the like) as two files: a JSON object and a
Markdown page.

`conjecture_results(store, sweep)` reads a sweep's records (one per orbit of cases: the canonical
case) and collects, for one statement, every reading's outcomes per architecture, how J^A was known
(`ker` complete, or interpolated through degree D), which verdicts are proved (`complete`), and every
failure with its certified extra generators. `results_markdown` writes the page.
"""

from __future__ import annotations

import platform
import time
from collections import Counter

from .store import CaseStore

PREFIX = "conjectures:"


def _reading(verdict: dict) -> str:
    variant = "R1 ∪ R2" if verdict.get("variant") == "union" else "n1"
    return f"{verdict.get('rank_convention') or '-'}, {variant}"


def _proof(verdict: dict) -> str:
    """A short name for the argument that proved (or bounded) a verdict (docs/certificates.md)."""
    text = verdict.get("certificate") or ""
    if not verdict.get("complete"):
        return "rank argument through degree " + str(verdict.get("checked_through_degree"))
    for start, name in (("ker (", "ker + linear algebra"), ("ker + Macaulay2", "ker + Macaulay2"),
                        ("C ⊆ J^A exactly", "ideal(C) prime of the Jacobian dimension"),
                        ("counterexample", "certified counterexample"), ("a polynomial of C", "C not in J^A")):
        if text.startswith(start):
            return name
    return text or "?"


def conjecture_results(store: CaseStore, sweep: str, statement: str = "shallow-two-block",
                       claim: str = "generation") -> dict:
    """Outcomes of `claim` of `statement` over the orbits of `sweep` (see the module docstring)."""
    keys = {key for _, key in store.sweep_members(sweep)}
    records = store.fetch_many(keys).values()
    ideals = {r.case: r for r in records if r.computation == "ideal"}
    counts: dict[str, dict[str, Counter]] = {}
    totals: dict[str, Counter] = {}
    proofs: dict[str, Counter] = {}
    failures, errors, seconds = [], [], Counter()
    for record in records:
        seconds[record.computation.split(":")[0]] += record.seconds
        if record.computation != PREFIX + statement:
            continue
        arch = record.case.arch
        if record.status != "ok":
            errors.append({"arch": arch, "pattern": record.case.pattern, "status": record.status,
                           "error": (record.error or "")[:300]})
            continue
        for v in record.result.get("verdicts", []):
            if v.get("claim") != claim or not v.get("applies"):
                continue
            reading = _reading(v)
            outcome = v["outcome"] + ("" if v.get("complete") or v["outcome"].startswith("holds through") else
                                      " (not proved)")
            counts.setdefault(arch, {}).setdefault(reading, Counter())[outcome] += 1
            totals.setdefault(reading, Counter())[outcome] += 1
            proofs.setdefault(reading, Counter())[_proof(v)] += 1
            if v.get("failed") or v["outcome"] == "fails" or v.get("contained") is False:
                failures.append({
                    "arch": arch, "pattern": record.case.pattern, "reading": reading, "ranks": v.get("ranks"),
                    "method": v.get("method"), "complete": v.get("complete"), "certificate": v.get("certificate"),
                    "extra": [(e["degree"], e["count"], e.get("certified", True)) for e in v.get("extra_generators", [])],
                    "not_contained": len(v.get("not_contained", [])),
                })
    ideal_methods = Counter(("complete" if r.result.get("complete") else f"through degree "
                             f"{r.result.get('checked_through_degree')}") + f" ({r.result.get('method_used', '?')})"
                            for r in ideals.values() if r.status == "ok")
    return {
        "sweep": sweep, "statement": statement, "claim": claim, "orbits": len(ideals),
        "ideals": dict(ideal_methods), "totals": {k: dict(v) for k, v in totals.items()},
        "proofs": {k: dict(v) for k, v in proofs.items()},
        "by_architecture": {a: {k: dict(v) for k, v in per.items()} for a, per in sorted(counts.items())},
        "failures": sorted(failures, key=lambda f: (f["reading"], f["arch"], f["pattern"])), "errors": errors,
        "compute_seconds": dict(seconds), "written": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "python": platform.python_version(),
    }


def _cell(counter: dict) -> str:
    return ", ".join(f"{n} {o}" for o, n in sorted(counter.items(), key=lambda kv: -kv[1])) or "-"


def results_markdown(results: dict, title: str, preamble: str = "") -> str:
    """A Markdown page: summary per reading, outcomes per architecture, failures, errors."""
    readings = sorted(results["totals"])
    lines = [f"# {title}", ""]
    if preamble:
        lines += [preamble.strip(), ""]
    lines += [f"Sweep `{results['sweep']}`, statement `{results['statement']}`, claim `{results['claim']}`: "
              f"{results['orbits']} orbits of cases. Written {results['written']}.", "",
              "How J^A was known: " + _cell(results["ideals"]) + ".", "",
              "## Outcomes per reading", "", "| reading | outcomes | proved by |", "|---|---|---|"]
    lines += [f"| {r} | {_cell(results['totals'][r])} | {_cell(results['proofs'].get(r, {}))} |" for r in readings]
    lines += ["", "## Outcomes per architecture", "", "| architecture | " + " | ".join(readings) + " |",
              "|---|" + "---|" * len(readings)]
    for arch, per in results["by_architecture"].items():
        lines.append(f"| {arch} | " + " | ".join(_cell(per.get(r, {})) for r in readings) + " |")
    lines += ["", f"## Failures ({len(results['failures'])})", ""]
    if results["failures"]:
        lines += ["| reading | case (canonical) | ranks | J^A | extra generators (degree × count, certified) | proved |",
                  "|---|---|---|---|---|---|"]
        for f in results["failures"]:
            extra = "; ".join(f"{d} × {n}{'' if c else ' (candidates)'}" for d, n, c in f["extra"])
            if f["not_contained"]:
                extra = f"{f['not_contained']} of C not in J^A; " + extra
            ranks = ", ".join(f"{k}={v}" for k, v in (f["ranks"] or {}).items())
            pattern = f["pattern"]  # a code span: its | does not split the cell (Python-Markdown, GFM)
            lines.append(f"| {f['reading']} | {f['arch']} `{pattern}` | {ranks} | {f['method']} | {extra} | "
                         f"{'yes' if f['complete'] else 'no'} |")
    else:
        lines.append("None.")
    if results["errors"]:
        lines += ["", f"## Cases without a verdict ({len(results['errors'])})", ""]
        lines += [f"- {e['arch']} `{e['pattern']}`: {e['status']}: {e['error']}" for e in results["errors"]]
    lines += ["", "Architectures are those of the canonical cases: a network and its transpose share a row."]
    seconds = results["compute_seconds"]
    lines += ["", "Compute time summed over tasks: " + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(seconds.items()))
              + "."]
    return "\n".join(lines) + "\n"


def write_results(store: CaseStore, sweep: str, stem, title: str, preamble: str = "") -> dict:
    """Write `stem`.json and `stem`.md (e.g. docs/results/conjecture-6.1) and return the results."""
    import json
    from pathlib import Path

    results = conjecture_results(store, sweep)
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    (stem.parent / f"{stem.name}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    (stem.parent / f"{stem.name}.md").write_text(results_markdown(results, title, preamble))
    return results
