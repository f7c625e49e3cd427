"""Reading the case database: a table of a sweep's cases and a table of its verdicts, as Markdown,
CSV, LaTeX (booktabs, ASCII only) or JSON.

One row per requested case of an explicit pattern list, one per orbit of an enumerated family
(`blocks = k`: its first pattern and the orbit's size), and one per field and method of J^A. The
status is `ok`, `partial` (J^A known through a degree only: interpolation without a certificate),
`timeout`, `error` or `pending`.

>>> rows = [ReportRow("2,2,2", "10|11", False, "orbit", 4, "2,2,2:01|11", "QQ", "ker", "ker", 6, 6, 4, [2, 2],
...                   True, None, "ok", 0.4)]
>>> print(format_rows(rows, "md").splitlines()[2])
| 2,2,2 | 10\\|11 | orbit of 4; computed as 01\\|11 | QQ | ker | 6 | 4 | 2×2 | yes | ok | 0.40 |
>>> print(format_rows(rows, "csv").splitlines()[1])
"2,2,2",10|11,false,orbit,4,"2,2,2:01|11",QQ,ker,ker,6,6,4,"[2, 2]",true,,ok,0.4
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields

from .results import rows as result_rows
from .results import verdict_rows
from ..ideals.result import degree_counts
from ..sweeps.store import CaseStore

FORMATS = ("md", "csv", "tex", "json")


@dataclass
class ReportRow:
    arch: str
    pattern: str
    bias: bool
    kind: str  # "case": one requested case; "orbit": every requested pattern of an orbit
    cases: int  # requested cases the row stands for (the orbit's size)
    canonical: str  # the case that was computed (results are renamed from it)
    field: str | None
    method: str | None  # ker, interpolate<=D, auto<=D (jacobian for a dimension alone)
    method_used: str | None  # what answered: ker or interpolate (under auto, either)
    dim: int | None
    jacobian_dim: int | None
    degree: int | None
    mingens_degrees: list[int] | None
    complete: bool | None
    checked_through_degree: int | None
    status: str
    seconds: float


def report_rows(store: CaseStore, sweep: str | None = None) -> list[ReportRow]:
    """The rows of a sweep (or of every case in the database)."""
    names = [f.name for f in fields(ReportRow)]
    return [ReportRow(**{n: row[n] for n in names}) for row in result_rows(store, sweep)]


def pending_tasks(store: CaseStore, sweep: str) -> int:
    """Tasks a sweep planned that the database does not hold yet."""
    keys = {k for _, k in store.sweep_members(sweep)}
    return len(keys - set(store.fetch_many(keys)))


_HEADER = ["architecture", "pattern", "requested", "field", "method", "dim", "degree", "generator degrees",
           "complete", "status", "seconds"]
_CSV_COLUMNS = [f.name for f in fields(ReportRow)]


def _cells(row: ReportRow, times: str = "×") -> list[str]:
    pattern = row.pattern + (" (bias)" if row.bias else "")
    requested = f"orbit of {row.cases}" if row.kind == "orbit" else "as asked"
    arch, _, rest = row.canonical.partition(":")
    computed = rest.split(":")[0] if arch == row.arch else f"{arch} {rest.split(':')[0]}"
    if computed != row.pattern:  # the symmetric case that was computed, its results renamed to this one
        requested += f"; computed as {computed}"
    if row.complete is None:
        complete = ""
    else:
        complete = "yes" if row.complete else f"through degree {row.checked_through_degree}"
    number = lambda x: "" if x is None else str(x)  # noqa: E731
    method = row.method or ""
    if row.method_used and not method.startswith(row.method_used) and row.method_used != "jacobian":
        method += f" ({row.method_used})"
    return [row.arch, pattern, requested, row.field or "", method, number(row.dim), number(row.degree),
            degree_counts(row.mingens_degrees, times), complete, row.status, f"{row.seconds:.2f}"]


def _csv_value(value):
    """CSV cells that pandas and spreadsheets read as numbers, booleans and lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def csv_text(header: list[str], records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_csv_value(r.get(h)) for h in header] for r in records)
    return out.getvalue().rstrip("\n")


_TEX_SPECIAL = {"|": r"\textbar{}", "_": r"\_", "&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
                "×": r"$\times$", "≤": r"$\le$", "Δ": r"$\Delta$", "∪": r"$\cup$", "−": "-", "–": "--", "—": "---"}


def tex_escape(text: str) -> str:
    """Text for LaTeX, in ASCII: specials escaped, the few symbols m2bridge writes as math."""
    out = "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))
    return out.encode("ascii", "replace").decode("ascii")


def tex_table(header: list[str], body: list[list[str]], align: str) -> str:
    """A booktabs tabular (\\usepackage{booktabs}); cells must already be escaped."""
    lines = [rf"\begin{{tabular}}{{{align}}}", r"\toprule", " & ".join(header) + r" \\", r"\midrule"]
    lines += [" & ".join(cells) + r" \\" for cells in body]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def md_table(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |" for cells in body]
    return "\n".join(lines)


def format_rows(rows: list[ReportRow], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], indent=1)
    if fmt == "csv":
        return csv_text(_CSV_COLUMNS, [asdict(r) for r in rows])
    if fmt == "tex":
        body = []
        for r in rows:
            cells = [tex_escape(c) for c in _cells(r, times="×")]
            cells[1] = r"\texttt{" + cells[1] + "}"
            cells[4] = r"\texttt{" + cells[4] + "}" if cells[4] else ""
            body.append(cells)
        return tex_table(_HEADER, body, "lllllrrlllr")
    return md_table(_HEADER, [_cells(r) for r in rows])


# --- conjecture verdicts -------------------------------------------------------------------------

def conjecture_report(store: CaseStore, sweep: str, polynomials: bool = True) -> dict:
    """Per architecture and statement (with its reading and claim): how many rows (requested cases,
    or orbits of an enumerated family) each outcome has; and every counterexample — a failed claim of
    a published statement — with its ranks, blocks and polynomials in the coordinates of the case
    the sweep asked for."""
    verdicts = verdict_rows(store, sweep, group_orbits=True, polynomials=polynomials)
    several_fields = len({v["field"] for v in verdicts}) > 1
    counts: dict[str, dict[str, dict[str, int]]] = {}
    counterexamples = []
    for v in verdicts:
        label = f"{v['label']} [{v['claim']}]" + (f" over {v['field']}" if several_fields else "")
        per = counts.setdefault(v["arch"], {}).setdefault(label, {})
        per[v["outcome"]] = per.get(v["outcome"], 0) + 1
        if v["counterexample"]:
            counterexamples.append({
                "arch": v["arch"], "pattern": v["pattern"], "bias": v["bias"], "kind": v["kind"],
                "cases": v["cases"], "canonical": v["canonical"], "field": v["field"],
                "statement": v["label"], "claim": v["claim"], "outcome": v["outcome"], "ranks": v["ranks"],
                "families": v["families"], "missing": v["extra_generators"], "not_contained": v["not_contained"],
                "not_contained_count": v["not_contained_count"],
                "expected_dim": v["expected_dim"], "dim": v["dim"],
            })
    return {"sweep": sweep, "counts": counts, "counterexamples": counterexamples}


def _count_table(report: dict) -> tuple[list[str], list[list]]:
    outcomes = sorted({o for per in report["counts"].values() for c in per.values() for o in c})
    body = []
    for arch in sorted(report["counts"]):
        for label, c in sorted(report["counts"][arch].items()):
            if set(c) == {"not applicable"}:
                continue  # the statement does not apply to any case of this architecture
            body.append([arch, label] + [c.get(o, 0) for o in outcomes])
    return ["architecture", "statement"] + outcomes, body


def _case_text(ce: dict) -> str:
    bias = " (bias)" if ce["bias"] else ""
    orbit = f", orbit of {ce['cases']}" if ce["kind"] == "orbit" else ""
    return f"{ce['arch']} {ce['pattern']}{bias}{orbit}"


def format_conjecture_report(report: dict, fmt: str, details: bool = False) -> str:
    """The report as text. Markdown is a summary by default — outcomes per reading and claim summed
    over the architectures, and one line per failed claim with the number and degree of the missing
    generators — and with `details` also the counts per architecture and every polynomial."""
    if fmt == "json":
        return json.dumps(report, indent=1)
    header, body = _count_table(report)
    if fmt == "csv":
        return _conjecture_csv(report)
    if fmt == "tex":
        return _conjecture_tex(report, header, body)
    failures = report["counterexamples"]
    by_reading: dict[str, int] = {}
    for ce in failures:
        key = f"{ce['statement']} [{ce['claim']}]"
        by_reading[key] = by_reading.get(key, 0) + 1
    where = "; ".join(f"{k}: {n}" for k, n in sorted(by_reading.items())) or "none"
    lines = [f"## Conjectures in sweep {report['sweep']}", "", md_table(*_summary_table(report)), "",
             f"### Failed claims of published statements ({len(failures)}; {where})", ""]
    for ce in failures:
        lines.append(f"- {_case_text(ce)}, {ce['statement']} [{ce['claim']}]: {ce['outcome']}"
                     + (f" — {_missing_text(ce)}" if _missing_text(ce) else ""))
        if not details:
            continue
        for extra in ce["missing"]:
            lines.append(f"  - missing {extra['count']} generator(s) of degree {extra['degree']}: "
                         + "; ".join(f"`{p}`" for p in extra.get("polynomials", [])))
        if ce["not_contained"]:
            lines.append("  - not in J^A: " + "; ".join(f"`{p}`" for p in ce["not_contained"]))
    if details:
        lines += ["", "### Outcomes per architecture", "", md_table(header, body)]
    else:
        lines += ["", "Outcomes per architecture and the polynomials of each failure: `--details`."]
    return "\n".join(lines)


def _summary_table(report: dict) -> tuple[list[str], list[list]]:
    """Outcomes per statement reading and claim, summed over the architectures."""
    totals: dict[str, dict[str, int]] = {}
    for per in report["counts"].values():
        for label, counts in per.items():
            into = totals.setdefault(label, {})
            for outcome, n in counts.items():
                into[outcome] = into.get(outcome, 0) + n
    totals = {label: c for label, c in totals.items() if set(c) != {"not applicable"}}
    outcomes = sorted({o for c in totals.values() for o in c})
    return (["statement [claim]", "rows"] + outcomes,
            [[label, sum(c.values())] + [c.get(o, 0) for o in outcomes] for label, c in sorted(totals.items())])


def _missing_text(ce: dict) -> str:
    parts = [f"{e['count']} generator(s) of J^A of degree {e['degree']} outside ideal(C)" for e in ce["missing"]]
    if ce.get("not_contained_count"):
        parts.append(f"{ce['not_contained_count']} polynomial(s) of C outside J^A")
    if ce["expected_dim"] is not None and ce["outcome"] == "violated":
        parts.append(f"expected dim {ce['expected_dim']}, dim {ce['dim']}")
    return "; ".join(parts)


def _conjecture_csv(report: dict) -> str:
    """Long format: one line per architecture, statement and outcome, with the number of rows and,
    for failures, the counterexamples' patterns."""
    failing: dict[tuple, list[str]] = {}
    for ce in report["counterexamples"]:
        key = (ce["arch"], f"{ce['statement']} [{ce['claim']}]", ce["outcome"])
        failing.setdefault(key, []).append(ce["pattern"] + (":bias" if ce["bias"] else ""))
    records = []
    for arch in sorted(report["counts"]):
        for label, c in sorted(report["counts"][arch].items()):
            statement, _, claim = label.partition(" [")
            for outcome, count in sorted(c.items()):
                records.append({"architecture": arch, "statement": statement, "claim": claim.split("]")[0],
                                "outcome": outcome, "count": count,
                                "counterexamples": " ".join(failing.get((arch, label, outcome), []))})
    return csv_text(["architecture", "statement", "claim", "outcome", "count", "counterexamples"], records)


def _conjecture_tex(report: dict, header: list[str], body: list[list]) -> str:
    counts = tex_table([tex_escape(h) for h in header], [[tex_escape(c) for c in cells] for cells in body],
                       "ll" + "r" * (len(header) - 2))
    rows = []
    for ce in report["counterexamples"]:
        missing = "; ".join(f"{e['count']} of degree {e['degree']}" for e in ce["missing"])
        outside = f"{len(ce['not_contained'])} not in $J^A$" if ce["not_contained"] else ""
        rows.append([tex_escape(ce["arch"]), r"\texttt{" + tex_escape(ce["pattern"]) + "}",
                     tex_escape(ce["statement"]), tex_escape(ce["claim"]), tex_escape(ce["outcome"]),
                     tex_escape(", ".join(f"{k} = {v}" for k, v in ce["ranks"].items())),
                     tex_escape(missing) + (("; " if missing else "") + outside if outside else "")])
    lines = [f"% Conjectures in sweep {tex_escape(report['sweep'])}", counts, ""]
    if rows:
        lines.append(tex_table(["architecture", "pattern", "statement", "claim", "outcome", "ranks",
                                "missing generators"], rows, "lllllll"))
    else:
        lines.append("% no counterexamples")
    return "\n".join(lines)
