"""Verdicts: what a statement claims about one case, and the outcome of checking that claim.

Claims:
- `containment`: the statement's polynomials lie in J^A (a theorem; a failure is a bug in the
  encoding or a counterexample to a published theorem);
- `generation`: they generate J^A (Conjecture 6.1 of Alexandr–Montúfar for two shallow blocks; a
  failure is evidence against it);
- `dimension`: dim V_A equals the dimension the theorem predicts.

Outcomes (OUTCOMES): `holds`, `holds through degree D` (J^A known through degree D only),
`fails`, `undecided`, `not applicable`; for dimension `expected`, `drop by d`,
`no drop although the conditions fail`, `violated`. `contained` and `generates` stay as facts on
every verdict, whatever its claim: a containment theorem whose families do not generate J^A has
`generates = False` and outcome `holds`.

>>> v = Verdict("deep-two-block", "containment", None, None, applies=True, contained=True, generates=False)
>>> v.outcome, v.failed
('holds', False)
>>> Verdict("shallow-two-block", "generation", "literal", None, applies=True, contained=True,
...         checked_through_degree=4).outcome
'holds through degree 4'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from dataclasses import field as dataclass_field
from html import escape

CLAIMS = ("containment", "generation", "dimension")
OUTCOMES = ("holds", "holds through degree D", "fails", "undecided", "not applicable",
            "expected", "drop by d", "no drop although the conditions fail", "violated")
FAILED = ("fails", "violated")


@dataclass
class Family:
    name: str
    size: int  # minors of this size (0 for generators that are not minors)
    count: int  # nonzero polynomials


@dataclass
class Verdict:
    """One claim of one statement (with one reading: rank convention and variant) on one case."""

    statement: str
    claim: str
    rank_convention: str | None
    variant: str | None
    applies: bool
    reason: str = ""
    contained: bool | None = None
    generates: bool | None = None
    checked_through_degree: int | None = None
    extra_generators: list[dict] = dataclass_field(default_factory=list)  # minimal generators of J^A outside ideal(C)
    not_contained: list[str] = dataclass_field(default_factory=list)  # polynomials of C not in J^A
    families: list[Family] = dataclass_field(default_factory=list)
    ranks: dict = dataclass_field(default_factory=dict)
    dim: int | None = None
    expected_dim: int | None = None  # dimension: dim 𝓜_a + dim 𝓜_b + dim 𝓜_c
    ambient_dim: int | None = None
    dimension_outcome: str | None = None
    method: str = ""  # how J^A and the comparison were obtained, e.g. "ker", "interpolate<=4"
    certificate: str | None = None  # what proved the verdict complete, when something did
    published: bool = True  # a failed claim of a published statement is a counterexample
    field: str = "QQ"
    seeds: dict = dataclass_field(default_factory=dict)
    primes: list[int] = dataclass_field(default_factory=list)
    seconds: float = 0.0

    @property
    def reading(self) -> str:
        """The reading that produced the verdict: rank convention and variant."""
        return ", ".join(p for p in (self.rank_convention, self.variant) if p)

    @property
    def label(self) -> str:
        return ":".join([self.statement] + [p for p in (self.rank_convention, self.variant) if p])

    @property
    def outcome(self) -> str:
        if not self.applies:
            return "not applicable"
        if self.claim == "dimension":
            return self.dimension_outcome or "undecided"
        if self.claim == "containment":
            return {True: "holds", False: "fails", None: "undecided"}[self.contained]
        if self.contained is False or self.generates is False:
            return "fails"
        if self.generates:
            return "holds"
        if self.checked_through_degree is not None:
            return f"holds through degree {self.checked_through_degree}"
        return "undecided"

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED

    @property
    def counterexample(self) -> bool:
        """A failed claim of a published statement."""
        return self.failed and self.published

    def to_json(self) -> dict:
        data = asdict(self)
        data["outcome"] = self.outcome
        data["label"] = self.label
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Verdict":
        """A verdict back from `to_json` (a stored one: outcome and label are recomputed)."""
        known = {f.name for f in fields(cls)}
        verdict = cls(**{k: v for k, v in data.items() if k in known})
        verdict.families = [Family(**f) if isinstance(f, dict) else f for f in verdict.families]
        return verdict

    def _repr_html_(self) -> str:
        """A notebook's view: the claim and its outcome (coloured when it failed), then the facts."""
        colour = "#b00020" if self.failed else ("#1b5e20" if self.outcome == "holds" else "#555")
        rows = [("families", ", ".join(f"{f.name}: {f.count}" for f in self.families)),
                ("ranks", ", ".join(f"{k} = {v}" for k, v in self.ranks.items())),
                ("contained / generates", f"{self.contained} / {self.generates}"),
                ("dim / expected", "" if self.dim is None else f"{self.dim} / {self.expected_dim}"),
                ("method", self.method), ("certificate", self.certificate or ""), ("reason", self.reason)]
        body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                       for k, v in rows if v not in ("", None))
        return (f"<div><b>{escape(self.label)}</b> [{escape(self.claim)}]: "
                f"<span style='color:{colour}'><b>{escape(self.outcome)}</b></span>"
                f"<table>{body}</table></div>")
