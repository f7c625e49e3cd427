"""A request: what is computed for a case (`ideal`, `dim` or `conjectures:NAME`) and how, with every
method policy applied once, here.

The policies: a conjecture check with a degree bound races `ker` against interpolation (ker with a
degree bound becomes auto: a check must not wait for ever on ker when the pieces through the bound
decide it); `auto` without a degree bound is `ker`; J^A that is stored is exact, so interpolated
generators over QQ are lifted. The request also writes how the method enters a store key
(`ker`, `interpolate<=D`, `auto<=D`, `jacobian`, `check/...`), the structured options a record keeps,
reads both back (refusing a method that is not one), and says which computation reproduces a stored
result (`reproducing`: under auto, whichever method answered, since the race depends on timing).

>>> r = Request.of("conjectures:dimension", IdealOptions(method="ker", max_degree=3))
>>> r.options.method, r.key_method
('auto', 'check/auto<=3')
>>> Request.of("ideal", IdealOptions()).options.method
'ker'
>>> Request.from_key_method("ideal", "auto<=4", field="QQ", seed=0).options.max_degree
4
>>> Request.from_key_method("ideal", "magic", field="QQ", seed=0)
Traceback (most recent call last):
...
m2bridge.errors.InputError: method 'magic': not a method of a stored record (ker, interpolate<=D, auto<=D, jacobian)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import InputError
from .option_table import METHODS
from .options import IdealOptions

CONJECTURE_PREFIX = "conjectures:"
CHECK_PREFIX = "check/"


@dataclass(frozen=True)
class Request:
    """A computation and its fully resolved options (make it with `Request.of`)."""

    computation: str
    options: IdealOptions

    @classmethod
    def of(cls, computation: str, options: IdealOptions) -> "Request":
        """The request with the method policies applied (the one place they are written)."""
        if computation.startswith(CONJECTURE_PREFIX):
            options = checking(options)
        changes: dict = {}
        if options.method == "auto" and options.max_degree is None:
            changes["method"] = "ker"
        if computation == "ideal" and options.uses_interpolation and not options.field.prime:
            changes["lift"] = True
        return cls(computation, dataclasses.replace(options, **changes) if changes else options)

    @property
    def is_check(self) -> bool:
        return self.computation.startswith(CONJECTURE_PREFIX)

    @property
    def key_method(self) -> str:
        """How the method enters the store key."""
        if self.computation == "dim":
            return "jacobian"
        method = self.options.key_method
        return CHECK_PREFIX + method if self.is_check else method

    def stored_options(self) -> dict:
        """The options a record keeps, as structured JSON (what `from_stored` reads back)."""
        o = self.options
        if self.computation == "dim":  # the Jacobian rank: only the seed of its random points matters
            return {"method": "jacobian", "field": o.field.text, "seed": o.seed}
        return {"method": o.method, "max_degree": o.max_degree, "field": o.field.text, "seed": o.seed,
                "lift": o.lift, "certify": o.certify}

    @classmethod
    def from_key_method(cls, computation: str, method: str, *, field: str, seed: int,
                        timeout: float | None = None) -> "Request":
        """The request a record's key method (`ker`, `interpolate<=D`, `check/auto<=D`, `jacobian`)
        describes; InputError for text that is not one."""
        name, max_degree = parse_key_method(computation, method)
        settings: dict = {"field": field, "seed": seed}
        if timeout is not None:
            settings["timeout"] = timeout
        if name == "jacobian":
            return cls.of(computation, IdealOptions(**settings))
        return cls.of(computation, IdealOptions(method=name, max_degree=max_degree, **settings))

    def reproducing(self, result: dict) -> "Request":
        """The request that reproduces a stored `ideal` result: the engine that answered, and under
        auto the method that answered (ker, or interpolation with the same prime and seed, certified
        when the record was)."""
        o = self.options
        if self.computation != "ideal":
            return self
        # The engine that answered answers again (before Singular joined, every kernel was Macaulay2's).
        engine = result.get("engine", "macaulay2" if result.get("method_used", "ker") == "ker" else None)
        if engine in ("macaulay2", "singular"):
            o = dataclasses.replace(o, engine=engine)
        if o.method != "auto":
            return Request(self.computation, o)
        if result.get("method_used") == "ker":
            return Request(self.computation, dataclasses.replace(o, method="ker"))
        certified = bool(result.get("complete")) and not o.field.prime
        return Request(self.computation, dataclasses.replace(o, method="interpolate", certify=certified,
                                                             lift=not o.field.prime))


def parse_key_method(computation: str, method: str) -> tuple[str, int | None]:
    """(method name, degree bound) of a record's key method; InputError for text that is not one."""
    text = method.removeprefix(CHECK_PREFIX) if computation.startswith(CONJECTURE_PREFIX) else method
    if computation == "dim" and text == "jacobian":
        return "jacobian", None
    name, _, degree = text.partition("<=")
    known = name in METHODS and computation != "dim" and (
        (name == "ker" and not degree) or (name != "ker" and degree.isdigit() and degree == str(int(degree))))
    if not known:
        raise InputError(f"method {method!r}: not a method of a stored record (ker, interpolate<=D, auto<=D, "
                         "jacobian)", "method")
    return name, int(degree) if degree else None


def checking(options: IdealOptions) -> IdealOptions:
    """The options a conjecture check runs with: a degree bound asks for the race (ker within its
    budget, interpolation through the bound), also when ker was named."""
    if options.method == "ker" and options.max_degree is not None:
        return dataclasses.replace(options, method="auto")
    return options
