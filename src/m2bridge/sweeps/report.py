"""Reading the case database: a table of a sweep's cases and a table of its verdicts.

>>> rows = [ReportRow("2,2,2", "10|11", False, 1, 6, 6, 4, [2, 2], "ok", 0.4)]
>>> print(format_rows(rows, "md").splitlines()[2])
| 2,2,2 | 10\\|11 | 1 | 6 | 4 | 2, 2 | ok | 0.40 |
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass

from ..conjectures.verdict import FAILED
from ..errors import InputError
from ..varieties.symmetry import Case, canonical_form
from .store import CaseRecord, CaseStore
from .sweep import rename_polynomials
from .tasks import CONJECTURE_PREFIX



@dataclass
class ReportRow:
    arch: str
    pattern: str
    bias: bool
    requested: int  # requested cases that share this computation
    dim: int | None
    jacobian_dim: int | None
    degree: int | None
    mingens_degrees: list[int] | None
    status: str
    seconds: float


def report_rows(store: CaseStore, sweep: str | None = None) -> list[ReportRow]:
    """One row per canonical case: the `ideal` result where there is one, else the `dim` result."""
    if sweep is not None:
        members = store.sweep_members(sweep)
        if not members:
            known = ", ".join(store.sweeps()) or "none"
            raise InputError(f"no sweep named {sweep!r} in the case database (known: {known})")
        equivalent: dict[str, set] = {}
        for case, key in members:
            equivalent.setdefault(key, set()).add(case)
        records = store.fetch_many(equivalent)
        keys = list(equivalent)
    else:
        records = {r.key: r for r in store.records()}
        equivalent, keys = {}, list(records)
    by_case: dict[Case, dict[str, CaseRecord | None]] = {}
    counts: dict[Case, int] = {}
    shown: dict[Case, Case] = {}
    for key in keys:
        record = records.get(key)
        if record is None:
            continue  # planned by a sweep, not computed yet: counted as pending below
        by_case.setdefault(record.case, {})[record.computation] = record
        counts[record.case] = max(counts.get(record.case, 0), len(equivalent.get(key, ())) or 1)
        # Shown as the researcher wrote it: the first requested case of the orbit.
        shown.setdefault(record.case, min(equivalent.get(key, {record.case})))
    rows = []
    for case in sorted(by_case, key=lambda c: shown[c]):
        recs = by_case[case]
        ideal, dim = recs.get("ideal"), recs.get("dim")
        main = ideal or dim
        result = ideal.result if ideal is not None and ideal.status == "ok" else {}
        dim_value = result.get("dim", dim.result.get("dim") if dim is not None and dim.status == "ok" else None)
        rows.append(ReportRow(
            shown[case].arch, shown[case].pattern, case.bias, counts[case], dim_value,
            dim.result.get("dim") if dim is not None and dim.status == "ok" else result.get("jacobian_dim"),
            result.get("degree"), result.get("mingens_degrees"), main.status,
            sum(r.seconds for r in recs.values() if r is not None),
        ))
    return rows


def pending_tasks(store: CaseStore, sweep: str) -> int:
    """Tasks a sweep planned that the database does not hold yet."""
    keys = {k for _, k in store.sweep_members(sweep)}
    return len(keys - set(store.fetch_many(keys)))


_HEADER = ["architecture", "pattern", "requested", "dim", "degree", "generator degrees", "status", "seconds"]


def _degrees_text(degrees: list[int] | None) -> str:
    """`2, 2, 3`, or `2×18, 3×2` (degree × count) when the list is long."""
    if degrees is None:
        return ""
    if len(degrees) <= 6:
        return ", ".join(map(str, degrees))
    return ", ".join(f"{d}×{degrees.count(d)}" for d in sorted(set(degrees)))


def _cells(row: ReportRow) -> list[str]:
    degrees = _degrees_text(row.mingens_degrees)
    pattern = row.pattern + (" (bias)" if row.bias else "")
    dim = "" if row.dim is None else str(row.dim)
    return [row.arch, pattern, str(row.requested), dim, "" if row.degree is None else str(row.degree),
            degrees, row.status, f"{row.seconds:.2f}"]


def _tex_escape(text: str) -> str:
    return re.sub(r"([|_&%#$])", lambda m: {"|": r"\textbar{}", "_": r"\_"}.get(m.group(1), "\\" + m.group(1)), text)


def format_rows(rows: list[ReportRow], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_HEADER)
        writer.writerows(_cells(r) for r in rows)
        return out.getvalue().rstrip("\n")
    if fmt == "tex":
        # Plain tabular (no packages needed); patterns in \texttt with | spelled \textbar{}.
        lines = [r"\begin{tabular}{llrrrlrr}", r"\hline", " & ".join(_HEADER) + r" \\", r"\hline"]
        for r in rows:
            cells = _cells(r)
            cells[1] = r"\texttt{" + _tex_escape(cells[1]) + "}"
            lines.append(" & ".join(cells) + r" \\")
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)
    # Markdown: | inside a cell is escaped.
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |")
    return "\n".join(lines)


# --- conjecture verdicts -------------------------------------------------------------------------

def conjecture_report(store: CaseStore, sweep: str) -> dict:
    """Per architecture and statement (with its reading and claim): how many cases each outcome has;
    and every counterexample — a failed claim of a published statement — with its polynomials renamed
    to the coordinates of the case the sweep asked for."""
    members = store.sweep_members(sweep)
    if not members:
        known = ", ".join(store.sweeps()) or "none"
        raise InputError(f"no sweep named {sweep!r} in the case database (known: {known})", "sweep")
    records = store.fetch_many({k for _, k in members})
    counts: dict[str, dict[str, dict[str, int]]] = {}
    counterexamples = []
    for requested, key in sorted(members):
        record = records.get(key)
        if record is None or not record.computation.startswith(CONJECTURE_PREFIX) or record.status != "ok":
            continue
        form = canonical_form(requested.arch, requested.pattern, requested.bias)
        for verdict in record.result["verdicts"]:
            label = f"{verdict['label']} [{verdict['claim']}]"
            per_arch = counts.setdefault(requested.arch, {}).setdefault(label, {})
            per_arch[verdict["outcome"]] = per_arch.get(verdict["outcome"], 0) + 1
            if verdict["outcome"] in FAILED and verdict["published"]:
                extras = [dict(e, polynomials=rename_polynomials(e["polynomials"], form))
                          for e in verdict["extra_generators"]]
                counterexamples.append({
                    "arch": requested.arch, "pattern": requested.pattern, "bias": requested.bias,
                    "canonical": form.case.label,  # ranks refer to its blocks and layers
                    "statement": verdict["label"], "claim": verdict["claim"], "outcome": verdict["outcome"],
                    "ranks": verdict["ranks"], "missing": extras,
                    "not_contained": rename_polynomials(verdict["not_contained"], form),
                    "expected_dim": verdict["expected_dim"], "dim": verdict["dim"],
                })
    return {"sweep": sweep, "counts": counts, "counterexamples": counterexamples}


def format_conjecture_report(report: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=1)
    outcomes = sorted({o for per in report["counts"].values() for c in per.values() for o in c})
    lines = [f"## Conjectures in sweep {report['sweep']}", "",
             "| architecture | statement | " + " | ".join(outcomes) + " |", "|---|---|" + "---|" * len(outcomes)]
    for arch in sorted(report["counts"]):
        for label, c in sorted(report["counts"][arch].items()):
            if set(c) == {"n/a"}:
                continue  # the statement does not apply to any case of this architecture
            lines.append(f"| {arch} | {label} | " + " | ".join(str(c.get(o, 0)) for o in outcomes) + " |")
    lines += ["", f"### Counterexamples ({len(report['counterexamples'])})", ""]
    for ce in report["counterexamples"]:
        bias = " (bias)" if ce["bias"] else ""
        lines.append(f"- **{ce['arch']} `{ce['pattern']}`{bias}**, {ce['statement']} [{ce['claim']}]: {ce['outcome']}"
                     f" (ranks {ce['ranks']} of the canonical form {ce['canonical']})")
        if ce["expected_dim"] is not None and ce["outcome"] == "violated":
            lines.append(f"  - expected dim {ce['expected_dim']}, dim {ce['dim']}")
        for extra in ce["missing"]:
            lines.append(f"  - missing {extra['count']} generator(s) of degree {extra['degree']}: "
                         + "; ".join(f"`{p}`" for p in extra["polynomials"]))
        if ce["not_contained"]:
            lines.append("  - not in J^A: " + "; ".join(f"`{p}`" for p in ce["not_contained"]))
    return "\n".join(lines)
