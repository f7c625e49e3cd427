"""The results of a conjecture sweep (Conjecture 6.1, the deep two-block theorem, three-block mining)
as two files: a JSON object and a Markdown page.

`conjecture_results(store, sweep)` reads a sweep's records (one per orbit of cases: the canonical
case) and keeps, for one statement and one claim, one object per orbit and reading (`verdicts`:
arch, pattern, reading, outcome, checked_through_degree, complete, certificate, extra_generators,
each entry of these with its shortest polynomials; all of them stay in the database). The counts
per reading and architecture, how J^A was known (`ker` complete, or interpolated through degree D)
and every failure are derived from them. For a containment claim (a theorem) the page also says
whether the statement's polynomials generate J^A: information, not a counterexample.
`results_markdown` writes the page.
"""

from __future__ import annotations

import platform
import time
from collections import Counter

from .._files import write_output
from ..conjectures.statements import reading_name
from ..conjectures.verdict import proof_of
from ..errors import InputError
from ..sweeps.store import CaseStore
from ..sweeps.renaming import form_of

PREFIX = "conjectures:"



def _known_by(method: str | None) -> str:
    """How a verdict of a check with certificates first knew J^A (per reading and orbit)."""
    if method == "certificate":
        return "not computed: a certificate decided (per reading and orbit)"
    if method == "composition":
        return "not computed: a polynomial of C off the variety decided (per reading and orbit)"
    bound = (method or "?").partition("<=")[2]
    return f"through degree {bound} (per reading and orbit)" if bound else f"complete ({method}; per reading and orbit)"

def _reading(verdict: dict) -> str:
    return reading_name(verdict.get("statement") or "", verdict.get("rank_convention"), verdict.get("variant"))


def _generation(verdict: dict) -> str:
    """Whether the statement's polynomials generate J^A, whatever the claim."""
    if verdict.get("contained") is False:
        return "not contained"
    if verdict.get("generates"):
        return "generates"
    if verdict.get("generates") is False:
        return "does not generate"
    through = verdict.get("checked_through_degree")
    return f"generates through degree {through}" if through is not None else "undecided"


def _outcome(verdict: dict) -> str:
    outcome = verdict["outcome"]
    return outcome if verdict.get("complete") or outcome.startswith("holds through") else outcome + " (not proved)"


SHOWN_POLYNOMIALS = 3  # per degree on a results page; every one stays in the database (`export`)


def _shown(entries: list[dict]) -> list[dict]:
    """Extra generators with their `SHOWN_POLYNOMIALS` shortest polynomials (a (5,5,5) verdict has
    hundreds of quintics: megabytes that a results file does not need)."""
    out = []
    for entry in entries:
        polys = sorted(entry.get("polynomials", []), key=lambda p: (len(p), p))[:SHOWN_POLYNOMIALS]
        out.append(dict(entry, polynomials=polys, shown=len(polys)))
    return out


def _orbit(record, verdict: dict) -> dict:
    return {
        "arch": record.case.arch, "pattern": record.case.pattern, "reading": _reading(verdict),
        "outcome": _outcome(verdict), "checked_through_degree": verdict.get("checked_through_degree"),
        "complete": bool(verdict.get("complete")), "certificate": verdict.get("certificate"),
        "proved_by": proof_of(verdict),  # its `proof` field, or derived for older records
        "method": verdict.get("method"), "ranks": verdict.get("ranks") or {},
        "contained": verdict.get("contained"), "generates": verdict.get("generates"),
        "generation": _generation(verdict), "extra_generators": _shown(verdict.get("extra_generators", [])),
        "not_contained": verdict.get("not_contained", []),
        "notes": verdict.get("notes", []),  # e.g. which certificate did not finish, and why
    }


def _choose(found: set, given: str | None, what: str, prefer: str | None = None) -> str:
    if given is not None:
        if given not in found:
            raise InputError(f"{what} {given!r}: the sweep has {sorted(found) or 'no conjecture verdicts'}", what)
        return given
    if prefer is not None and prefer in found:
        return prefer
    if len(found) == 1:
        return next(iter(found))
    raise InputError(f"{what}: the sweep has {sorted(found) or 'no conjecture verdicts'}; name one", what)


def conjecture_results(store: CaseStore, sweep: str, statement: str | None = None, claim: str | None = None) -> dict:
    """Outcomes of `claim` of `statement` over the orbits of `sweep` (see the module docstring).

    `statement` and `claim` default to the sweep's only statement and to `generation` when it is
    claimed (else the only claim); an ambiguous or unknown one raises InputError."""
    members = store.sweep_members(sweep)
    found = store.fetch_many({key for _, key in members})
    records = list(found.values())
    statement = _choose({r.computation[len(PREFIX):] for r in records if r.computation.startswith(PREFIX)},
                        statement, "statement")
    checks = [r for r in records if r.computation == PREFIX + statement]
    verdicts = [(r, v) for r in checks if r.status == "ok" for v in r.result.get("verdicts", []) if v.get("applies")]
    claim = _choose({v.get("claim") for _, v in verdicts}, claim, "claim", prefer="generation")
    orbits = sorted((_orbit(r, v) for r, v in verdicts if v.get("claim") == claim),
                    key=lambda o: (o["arch"], o["pattern"], o["reading"]))
    errors = [{"arch": r.case.arch, "pattern": r.case.pattern, "status": r.status, "error": (r.error or "")[:300]}
              for r in checks if r.status != "ok"]
    checked = {(r.case.arch, r.case.pattern) for r in checks}
    seconds: dict[str, float] = {}  # computation kind → seconds summed over its tasks
    for record in records:
        kind = record.computation.split(":")[0]
        seconds[kind] = seconds.get(kind, 0.0) + record.seconds
    ideals = [r for r in records if r.computation == "ideal" and r.status == "ok"]
    errors += [{"arch": r.case.arch, "pattern": r.case.pattern, "status": "pending",
                "error": "J^A is known, the statement was not checked yet (rerun the sweep)"}
               for r in ideals if (r.case.arch, r.case.pattern) not in checked]
    known = checked | {(r.case.arch, r.case.pattern) for r in ideals}
    with_verdicts = {(o["arch"], o["pattern"]) for o in orbits}
    missing: set[str] = set()  # keys of the sweep with no record: orbits of which nothing is stored yet
    for case, key in members:
        if key in found or key in missing:
            continue
        missing.add(key)
        orbit = form_of(case).case
        if (orbit.arch, orbit.pattern) not in known:
            known.add((orbit.arch, orbit.pattern))
            errors.append({"arch": orbit.arch, "pattern": orbit.pattern, "status": "pending",
                           "error": "nothing computed yet (rerun the sweep)"})
    ideal_methods = Counter(("complete" if r.result.get("complete") else f"through degree "
                             f"{r.result.get('checked_through_degree')}") + f" ({r.result.get('method_used', '?')})"
                            for r in ideals)
    if not ideals:  # certificates first: each check computed J^A itself, where it had to
        ideal_methods = Counter(_known_by(v.get("method")) for _, v in verdicts if v.get("claim") == claim)
    published = all(v.get("published", True) for _, v in verdicts)
    return {
        "sweep": sweep, "statement": statement, "claim": claim, "published": published,
        # Orbits with verdicts; `pending_count` more have none yet (listed among `errors`).
        "orbit_count": len(with_verdicts), "pending_count": len(known - with_verdicts),
        "ideals": dict(ideal_methods),
        "totals": _count(orbits, "outcome"), "proofs": _count(orbits, "proved_by"),
        "generation": _count(orbits, "generation"),
        "by_architecture": _count_by_architecture(orbits, "outcome"),
        "generation_by_architecture": _count_by_architecture(orbits, "generation"),
        "verdicts": orbits, "errors": errors,
        "compute_seconds": {k: round(v, 1) for k, v in seconds.items()},
        "written": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "python": platform.python_version(),
    }


def _count(orbits: list[dict], field: str) -> dict:
    """Counts of `field` per reading."""
    out: dict[str, Counter] = {}
    for o in orbits:
        out.setdefault(o["reading"], Counter())[o[field]] += 1
    return {k: dict(v) for k, v in sorted(out.items())}


def _count_by_architecture(orbits: list[dict], field: str) -> dict:
    """Counts of `field` per architecture and reading."""
    archs = sorted({o["arch"] for o in orbits})
    return {a: _count([o for o in orbits if o["arch"] == a], field) for a in archs}


def _failures(results: dict) -> list[dict]:
    """The verdicts whose claim failed (for a containment claim: polynomials of C outside J^A)."""
    return [o for o in results["verdicts"] if o["outcome"].startswith("fails") or o["contained"] is False]


def _cell(counter: dict) -> str:
    return ", ".join(f"{n} {o}" for o, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"


def _extras(o: dict) -> str:
    text = "; ".join(f"{e['degree']} × {e['count']}{'' if e.get('certified', True) else ' (candidates)'}"
                     for e in o["extra_generators"])
    if o["not_contained"]:
        text = f"{len(o['not_contained'])} of C not in J^A" + ("; " + text if text else "")
    return text or "-"


def _certified(o: dict) -> bool:
    return all(e.get("certified", True) for e in o["extra_generators"])


def _case_table(rows: list[dict], proved=lambda o: o["complete"], last: str = "proved") -> list[str]:
    lines = [f"| reading | case (canonical) | ranks | J^A | extra generators (degree × count) | {last} | proof |",
             "|---|---|---|---|---|---|---|"]
    for o in rows:
        ranks = ", ".join(f"{k}={v}" for k, v in o["ranks"].items())
        # the pattern is a code span: its | does not split the cell (Python-Markdown, GFM)
        lines.append(f"| {o['reading']} | {o['arch']} `{o['pattern']}` | {ranks} | {o['method']} | {_extras(o)} | "
                     f"{'yes' if proved(o) else 'no'} | {o['proved_by']} |")
    return lines


def _architecture_table(per_arch: dict, readings: list[str]) -> list[str]:
    lines = ["| architecture | " + " | ".join(readings) + " |", "|---|" + "---|" * len(readings)]
    lines += [f"| {arch} | " + " | ".join(_cell(per.get(r, {})) for r in readings) + " |"
              for arch, per in per_arch.items()]
    return lines


def results_markdown(results: dict, title: str, preamble: str = "") -> str:
    """A Markdown page: summary per reading, outcomes per architecture, failures, errors; for a
    containment claim also whether C generates J^A, and where it does not."""
    readings = sorted(results["totals"])
    containment = results["claim"] == "containment"
    lines = [f"# {title}", ""]
    if preamble:
        lines += [preamble.strip(), ""]
    lines += [f"Sweep `{results['sweep']}`, statement `{results['statement']}`, claim `{results['claim']}`: "
              f"{results['orbit_count']} orbits of cases"
              + (f", {results['pending_count']} more without a verdict yet (listed at the end)"
                 if results.get("pending_count") else "") + f". Written {results['written']}.", "",
              "How J^A was known: " + _cell(results["ideals"]) + ".", "", "## Outcomes per reading", ""]
    header = "| reading | outcomes | proved by |" + (" C generates J^A? |" if containment else "")
    lines += [header, "|---|---|---|" + ("---|" if containment else "")]
    for r in readings:
        extra = f" {_cell(results['generation'].get(r, {}))} |" if containment else ""
        lines.append(f"| {r} | {_cell(results['totals'][r])} | {_cell(results['proofs'].get(r, {}))} |{extra}")
    lines += ["", "## Outcomes per architecture", ""] + _architecture_table(results["by_architecture"], readings)
    if containment:
        lines += ["", "## Does C generate J^A? Per architecture", ""]
        lines += _architecture_table(results["generation_by_architecture"], readings)
        missing = [o for o in results["verdicts"] if o["generation"] == "does not generate"]
        lines += ["", f"## Where C does not generate J^A ({len(missing)})", ""]
        lines += (_case_table(sorted(missing, key=lambda o: o["reading"]), _certified, "extras certified over QQ")
                  if missing else ["Nowhere."])
    failed = _failures(results)
    heading = "Failures" if results["published"] else "Where the mined families miss generators of J^A"
    lines += ["", f"## {heading} ({len(failed)})", ""]
    lines += _case_table(sorted(failed, key=lambda o: o["reading"])) if failed else ["None."]
    bounded = [o for o in results["verdicts"] if not o["complete"]]
    if bounded:
        lines += ["", f"## Not proved ({len(bounded)}): what was tried", ""]
        lines += [f"- {o['reading']}, {o['arch']} `{o['pattern']}`: {o['outcome']} ({o['proved_by']}). "
                  + " ".join(n.rstrip(".") + "." for n in o.get("notes", [])) for o in bounded]
    if results["errors"]:
        lines += ["", f"## Cases without a verdict ({len(results['errors'])})", ""]
        lines += [f"- {e['arch']} `{e['pattern']}`: {e['status']}: {e['error']}" for e in results["errors"]]
    lines += ["", "Architectures are those of the canonical cases: a network and its transpose share a row."]
    seconds = results["compute_seconds"]
    lines += ["", "Compute time summed over tasks: " + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(seconds.items()))
              + "."]
    return "\n".join(lines) + "\n"


def write_results(store: CaseStore, sweep: str, stem, title: str, preamble: str = "", *,
                  statement: str | None = None, claim: str | None = None) -> dict:
    """Write `stem`.json and `stem`.md (e.g. docs/results/conjecture-6.1) and return the results."""
    import json
    from pathlib import Path

    results = conjecture_results(store, sweep, statement, claim)
    stem = Path(stem)
    # one verdict per line: a rerun's changes show as changed lines
    head = json.dumps(dict(results, verdicts=None), indent=1, ensure_ascii=False)
    rows = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in results["verdicts"])
    text = head.replace('"verdicts": null', '"verdicts": [\n' + rows + "\n ]", 1)
    pages = {stem.parent / f"{stem.name}.json": text + "\n",
             stem.parent / f"{stem.name}.md": results_markdown(results, title, preamble)}
    for page in pages:  # refused before either page is written
        if page.is_dir():
            raise InputError(f"results {str(stem)!r}: {str(page)!r} is a directory", "results")
    for page, page_text in pages.items():
        write_output(page, page_text, "results")
    return results
