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

`proof` names the argument behind a verdict, from the fixed vocabulary PROOFS (docs/certificates.md);
reports read it, never the `certificate` prose. Records written before the field existed lack it:
`proof_of` derives it from their other fields.

>>> proof_of({"claim": "generation", "complete": False, "checked_through_degree": 5})
'rank-through-degree'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from dataclasses import field as dataclass_field
from html import escape

CLAIMS = ("containment", "generation", "dimension")
OUTCOMES = ("holds", "holds through degree D", "fails", "undecided", "not applicable",
            "expected", "drop by d", "no drop although the conditions fail", "violated")
FAILED = ("fails", "violated")

# The arguments a verdict can rest on (docs/certificates.md, "The proof field"): name → what it proves.
PROOFS = {
    "ker": "J^A computed completely (Macaulay2 ker), compared with ideal(C) exactly",
    "ambient": "the Jacobian rank is the number of coordinates, so J^A = 0",
    "classical": "ideal(C) is a sum of known primes in disjoint variables, of the Jacobian dimension",
    "prime": "ideal(C) prime (Macaulay2 isPrime) of the Jacobian dimension",
    "serre": "R/ideal(C) Cohen–Macaulay and regular in codimension 1, of the Jacobian dimension",
    "inheritance": "generation on the network narrowed to |R1 ∪ R2| rows and columns, inherited (GL-stability)",
    "degree": "K points of a linear slice of V_A over GF(p) meet the GF(p) length N of R/(C + linear forms)",
    "rank-through-degree": "ideal(C) = J^A in every degree <= D only (exact rank argument)",
    "certified-counterexample": "a generator of J^A outside ideal(C), certified exactly",
    "composition": "exact composition with the parametrization (containment, or C not inside J^A)",
    "jacobian-rank": "dim V_A as the Jacobian rank at random points (a dimension claim: evidence)",
    "none": "nothing proved",
}
# The kinds that make a generation verdict `holds`, complete.
GENERATION_PROOFS = ("ker", "ambient", "classical", "inheritance", "prime", "serre", "degree")


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
    proof: str = "none"  # the kind of that argument, a key of PROOFS
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

    def __post_init__(self):
        if self.proof not in PROOFS:
            raise ValueError(f"proof {self.proof!r}: not one of {', '.join(PROOFS)}")

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
                ("method", self.method), ("proof", self.proof), ("certificate", self.certificate or ""),
                ("reason", self.reason)]
        body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                       for k, v in rows if v not in ("", None))
        return (f"<div><b>{escape(self.label)}</b> [{escape(self.claim)}]: "
                f"<span style='color:{colour}'><b>{escape(self.outcome)}</b></span>"
                f"<table>{body}</table></div>")

def proof_of(verdict: dict) -> str:
    """The `proof` of a stored verdict; for a record written before the field existed, derived from
    its other fields (then a complete `holds` without ker could only come from isPrime: `prime`)."""
    if verdict.get("proof") in PROOFS:
        return verdict["proof"]
    if not verdict.get("applies", True):
        return "none"
    if verdict.get("claim") == "dimension":
        return "jacobian-rank" if verdict.get("dimension_outcome") else "none"
    if verdict.get("contained") is False or (verdict.get("claim") == "containment" and verdict.get("contained")):
        return "composition"
    if not verdict.get("complete"):
        return "rank-through-degree" if verdict.get("checked_through_degree") is not None else "none"
    if verdict.get("generates") is False:
        return "certified-counterexample"
    if verdict.get("generates"):
        # `method` is "ker" when J^A was complete, "interpolate<=D" (or "auto<=D") when it was not
        return "prime" if "<=" in (verdict.get("method") or "") else "ker"
    return "none"
