"""A sweep at a glance: the outcome of one claim on every orbit, as a grid of architectures (rows)
× orbits (columns: the canonical pattern of each orbit), coloured by outcome (matplotlib, the
`plot` extra, imported only when the picture is asked for); and the HTML a notebook shows for a
SweepResult.

>>> rows = [{"arch": "2,2,2", "canonical": "2,2,2:10|11", "statement": "s", "claim": "generation",
...          "rank_convention": None, "variant": None, "outcome": "holds"},
...         {"arch": "3,2,3", "canonical": "3,2,3:10|01", "statement": "s", "claim": "generation",
...          "rank_convention": None, "variant": None, "outcome": "fails"}]
>>> grid = outcome_table(rows)
>>> grid.architectures, grid.orbits, grid.cells[("3,2,3", "10|01")]
(['2,2,2', '3,2,3'], ['10|01', '10|11'], 'fails')
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..extras import require

# outcome (its first words) → colour; an outcome not listed is grey
COLOURS = {"holds through degree": "#a6d96a", "holds": "#1a9641", "expected": "#1a9641", "fails": "#d7191c",
           "violated": "#d7191c", "drop by": "#fdae61", "no drop although": "#abd9e9", "undecided": "#bbbbbb",
           "not applicable": "#f7f7f7"}


@dataclass
class OutcomeTable:
    statement: str
    claim: str
    reading: str
    architectures: list[str]
    orbits: list[str]
    cells: dict[tuple[str, str], str]  # (architecture, canonical pattern) → outcome


def outcome_table(verdicts: list[dict], statement: str | None = None, claim: str | None = None,
                  reading: str | None = None) -> OutcomeTable:
    """The grid of one claim in one reading (defaults: the first of each found in `verdicts`, the
    rows of `SweepResult.verdicts()`); one cell per orbit, whichever of its cases came first."""
    statement = statement or _first(verdicts, lambda v: v["statement"], "statement")
    chosen = [v for v in verdicts if v["statement"] == statement]
    if not chosen:
        _first([], None, "statement")
    claim = claim or _first(chosen, lambda v: v["claim"], "claim")
    chosen = [v for v in chosen if v["claim"] == claim]
    reading = _first(chosen, _reading, "reading") if reading is None else reading
    cells: dict[tuple[str, str], str] = {}
    for v in chosen:
        if _reading(v) == reading:
            cells.setdefault((v["arch"], _orbit(v["canonical"])), v["outcome"])
    return OutcomeTable(statement, claim, reading, sorted({a for a, _ in cells}, key=_widths),
                        sorted({o for _, o in cells}), cells)


def outcome_figure(verdicts: list[dict], statement: str | None = None, claim: str | None = None,
                   reading: str | None = None):
    """A matplotlib Figure of `outcome_table`: a coloured cell per (architecture, orbit), a legend."""
    plt = require("matplotlib.pyplot", "plot")
    patches = require("matplotlib.patches", "plot")
    table = outcome_table(verdicts, statement, claim, reading)
    rows, cols = len(table.architectures), len(table.orbits)
    fig, ax = plt.subplots(figsize=(max(4.0, 0.55 * cols + 2.5), max(2.0, 0.45 * rows + 1.6)), layout="constrained")
    seen: dict[str, str] = {}  # outcome → colour, for the legend
    for i, arch in enumerate(table.architectures):
        for j, orbit in enumerate(table.orbits):
            outcome = table.cells.get((arch, orbit))
            if outcome is None:
                continue
            colour = colour_of(outcome)
            seen.setdefault(outcome if not outcome.startswith("holds through") else "holds through degree D", colour)
            ax.add_patch(patches.Rectangle((j, i), 0.94, 0.9, color=colour))
    ax.set_xlim(-0.1, cols)
    ax.set_ylim(rows, -0.1)
    ax.set_xticks([j + 0.47 for j in range(cols)], table.orbits, rotation=60, ha="right", fontsize=8)
    ax.set_yticks([i + 0.45 for i in range(rows)], table.architectures, fontsize=8)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("orbit (canonical pattern)")
    ax.set_ylabel("architecture")
    title = f"{table.statement} [{table.claim}]" + (f", {table.reading}" if table.reading else "")
    ax.set_title(title, fontsize=10)
    ax.legend(handles=[patches.Patch(color=c, label=o) for o, c in seen.items()], loc="upper left",
              bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return fig


def colour_of(outcome: str) -> str:
    return next((c for prefix, c in COLOURS.items() if outcome.startswith(prefix)), "#bbbbbb")


def summary_html(summary) -> str:
    """A notebook's view of a SweepSummary: the counts `m2bridge sweep` prints, failures in red."""
    bad = summary.failed + summary.timed_out
    facts = [("cases", f"{summary.cases} ({summary.unique_after_symmetry} unique after symmetry)"),
             ("tasks", summary.tasks), ("computed", summary.computed), ("cached", summary.cached),
             ("failed / timed out", f"{summary.failed} / {summary.timed_out}"), ("seconds", f"{summary.seconds:.1f}")]
    body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts)
    notes = "".join(f"<li>{escape(n)}</li>" for n in summary.notes)
    colour = "#b00020" if bad or summary.interrupted else "#1b5e20"
    state = "interrupted" if summary.interrupted else ("with failures" if bad else "done")
    return (f"<div><b>sweep {escape(summary.sweep)}</b>: <span style='color:{colour}'>{state}</span>"
            f"<table>{body}</table>{f'<ul>{notes}</ul>' if notes else ''}</div>")


def sweep_html(name: str, summary, rows: list[dict]) -> str:
    """A notebook's view of a SweepResult: its summary and a count of its cases by status."""
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    facts = [("requested cases", len(rows)), ("status", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))]
    if summary is not None:
        facts += [("tasks", f"{summary.tasks}: {summary.computed} computed, {summary.cached} cached, "
                            f"{summary.failed} failed, {summary.timed_out} timed out"),
                  ("seconds", f"{summary.seconds:.1f}")]
    body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts)
    return f"<div><b>sweep {escape(name)}</b><table>{body}</table></div>"


def _orbit(label: str) -> str:
    """The column of an orbit: its canonical case's pattern (`ARCH:PATTERN[:bias]` → PATTERN)."""
    return label.split(":")[1]


def _reading(v: dict) -> str:
    return ", ".join(p for p in (v.get("rank_convention"), v.get("variant")) if p)


def _first(rows: list[dict], key, what: str):
    for row in rows:
        return key(row)
    from ..errors import InputError

    raise InputError(f"no verdicts to draw: none with this {what} (are its conjectures computed in the sweep?)", what)


def _widths(arch: str) -> tuple:
    widths = tuple(int(w) for w in arch.split(","))
    return (len(widths), widths)
