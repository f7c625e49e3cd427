"""A sweep's results as rows, in the coordinates of the cases that were asked for.

Reports, DataFrames and exports read the case database through this module. A sweep registers every
requested case (for an enumerated family `blocks = k`, every ordered pattern) with the keys of its
tasks; `entries` groups them back: one entry per requested case, or one per orbit when the sweep
asked for every pattern of the orbit in one architecture (as `blocks = k` does). Each entry gives
one row per field, seed and method of J^A it was computed with, so that a case computed over QQ
and over ZZ/p is two rows, never one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..conjectures.verdict import FAILED
from ..errors import InputError
from ..varieties.symmetry import Case
from ..sweeps.renaming import form_of, orbit_in_arch, rename_result, rename_verdict
from ..sweeps.store import CaseRecord, CaseStore
from ..sweeps.tasks import CONJECTURE_PREFIX


@dataclass
class Entry:
    """What one report row stands for: a requested case, or an orbit of requested cases of one
    architecture (`case` is then its first member, as the researcher would write it)."""

    case: Case
    members: list[Case]
    orbit: bool
    keys: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return "orbit" if self.orbit else "case"


def sweep_members(store: CaseStore, sweep: str) -> list[tuple[Case, str]]:
    members = store.sweep_members(sweep)
    if not members:
        known = ", ".join(store.sweeps()) or "none"
        raise InputError(f"no sweep named {sweep!r} in the case database (known: {known})", "sweep")
    return members


def entries(store: CaseStore, sweep: str | None = None, group_orbits: bool = True) -> tuple[list[Entry], dict]:
    """(entries in order, records by key). Without a sweep: every stored record's case, once."""
    if sweep is None:
        records = {r.key: r for r in store.records()}
        by_case: dict[Case, Entry] = {}
        for key, record in records.items():
            by_case.setdefault(record.case, Entry(record.case, [record.case], False)).keys.add(key)
        return sorted(by_case.values(), key=lambda e: e.case), records
    keys_of: dict[Case, set[str]] = {}
    for case, key in sweep_members(store, sweep):
        keys_of.setdefault(case, set()).add(key)
    records = store.fetch_many({k for keys in keys_of.values() for k in keys})
    groups: dict[tuple, list[Case]] = {}
    for case in keys_of:
        groups.setdefault((case.arch, case.bias, form_of(case).case), []).append(case)
    out = []
    for members in groups.values():
        members.sort()
        if group_orbits and len(members) > 1 and orbit_in_arch(members[0]) == {c.pattern for c in members}:
            out.append(Entry(members[0], members, True, set().union(*(keys_of[c] for c in members))))
        else:
            out.extend(Entry(c, [c], False, keys_of[c]) for c in members)
    return sorted(out, key=lambda e: e.case), records


def _groups(entry: Entry, records: dict) -> dict[tuple, list[CaseRecord]]:
    """The entry's records by (field, seed)."""
    groups: dict[tuple, list[CaseRecord]] = {}
    for key in sorted(entry.keys):
        record = records.get(key)
        if record is not None:
            groups.setdefault((record.field, record.seed), []).append(record)
    return groups


def status_of(record: CaseRecord) -> str:
    """`ok`, or `partial` for J^A known through a degree only (never a plain ok with no generators)."""
    if record.status == "ok" and record.computation == "ideal" and not record.result.get("complete", True):
        return "partial"
    return record.status


def case_rows(entry: Entry, records: dict, generators: bool = False) -> list[dict]:
    """One row per (field, seed, method of J^A) of an entry; a `pending` row when nothing is stored."""
    base = {"arch": entry.case.arch, "pattern": entry.case.pattern, "bias": entry.case.bias, "kind": entry.kind,
            "cases": len(entry.members), "canonical": form_of(entry.case).case.label}
    rows = []
    for (field_, seed), group in sorted(_groups(entry, records).items()):
        ideals = sorted((r for r in group if r.computation == "ideal"), key=lambda r: r.method)
        dim = next((r for r in group if r.computation == "dim"), None)
        for main in ideals or ([dim] if dim is not None else []):
            rows.append(dict(base, field=field_, seed=seed, **_row_values(entry, main, dim, generators)))
    if not rows:
        rows.append(dict(base, field=None, seed=None, method=None, method_used=None, dim=None, jacobian_dim=None,
                         degree=None, mingens_degrees=None, complete=None, checked_through_degree=None,
                         status="pending", seconds=0.0, error=None, **({"generators": None} if generators else {})))
    return rows


def _row_values(entry: Entry, main: CaseRecord, dim: CaseRecord | None, generators: bool) -> dict:
    ideal = main if main.computation == "ideal" else None
    result = ideal.result if ideal is not None and ideal.status == "ok" else {}
    jac = dim.result.get("dim") if dim is not None and dim.status == "ok" else result.get("jacobian_dim")
    values = {
        "method": main.method, "method_used": result.get("method_used") if ideal is not None else "jacobian",
        "dim": result.get("dim", jac), "jacobian_dim": jac, "degree": result.get("degree"),
        "mingens_degrees": result.get("mingens_degrees"),
        "complete": result.get("complete", True) if result else None,
        "checked_through_degree": result.get("checked_through_degree"),
        "status": status_of(main), "seconds": sum(r.seconds for r in (ideal, dim) if r is not None),
        "error": main.error,
    }
    if generators:
        values["generators"] = rename_result(result, form_of(entry.case))["generators"] if result else None
    return values


def rows(store: CaseStore, sweep: str | None = None, group_orbits: bool = True, generators: bool = False) -> list[dict]:
    """Every row of a sweep (or of the whole database), in order."""
    found, records = entries(store, sweep, group_orbits)
    return [row for entry in found for row in case_rows(entry, records, generators)]


def verdict_rows(store: CaseStore, sweep: str, group_orbits: bool = False, polynomials: bool = True) -> list[dict]:
    """One row per verdict of every requested case (or orbit), renamed to that case's blocks;
    without `polynomials`, extra generators and polynomials outside J^A as counts only (fast)."""
    found, records = entries(store, sweep, group_orbits)
    out = []
    for entry in found:
        form = form_of(entry.case)
        for key in sorted(entry.keys):
            record = records.get(key)
            if record is None or not record.computation.startswith(CONJECTURE_PREFIX) or record.status != "ok":
                continue
            for verdict in record.result.get("verdicts", []):
                v = rename_verdict(verdict, form, polynomials)
                out.append({
                    "arch": entry.case.arch, "pattern": entry.case.pattern, "bias": entry.case.bias,
                    "kind": entry.kind, "cases": len(entry.members), "canonical": form.case.label,
                    "field": record.field, "seed": record.seed, "statement": v["statement"], "label": v["label"],
                    "rank_convention": v.get("rank_convention"), "variant": v.get("variant"), "claim": v["claim"],
                    "outcome": v["outcome"], "counterexample": v["outcome"] in FAILED and bool(v.get("published")),
                    "published": v.get("published"), "applies": v.get("applies"), "reason": v.get("reason", ""),
                    "contained": v.get("contained"), "generates": v.get("generates"),
                    "checked_through_degree": v.get("checked_through_degree"), "method": v.get("method"),
                    "ranks": v.get("ranks", {}), "families": v.get("families", []), "dim": v.get("dim"),
                    "expected_dim": v.get("expected_dim"), "extra_generators": v.get("extra_generators", []),
                    "not_contained": v.get("not_contained", []), "seconds": v.get("seconds"),
                    "not_contained_count": v.get("not_contained_count", len(v.get("not_contained") or [])),
                })
    return out

