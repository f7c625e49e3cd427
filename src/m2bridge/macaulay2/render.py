"""Macaulay2 programs from the Jinja2 templates of the top-level `m2scripts/` folder (installed as
the package `m2bridge.m2scripts`).

Python hands templates validated data only. The `m2` filter renders integers, booleans, exact
rationals and nested lists of them as Macaulay2 literals and refuses everything else, strings
included, so no user text can reach a script. Negative numbers are parenthesised, so that
`setRandomSeed (-1)` is not read as a subtraction.

>>> from fractions import Fraction
>>> to_m2_literal([[1, 0], [Fraction(-1, 3), True, -2]])
'{{1, 0}, {(-1/3), true, (-2)}}'
>>> to_m2_literal("x; run rm")
Traceback (most recent call last):
...
TypeError: refusing to render 'x; run rm' (str) into a Macaulay2 script
"""

from __future__ import annotations

import hashlib
import os
import re
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import M2BridgeError

PROTOCOL_VERSION = 2
"""Version of the framed protocol and of the template header; the `begin` frame carries it."""


def template_dir() -> Path:
    """The templates shipped in the package (`m2scripts/`), or the directory named by M2BRIDGE_TEMPLATES."""
    override = os.environ.get("M2BRIDGE_TEMPLATES")
    return Path(override) if override else Path(str(resources.files("m2bridge.m2scripts")))


def to_m2_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value >= 0 else f"({value})"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return to_m2_literal(value.numerator)
        return f"({value.numerator}/{value.denominator})"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(to_m2_literal(v) for v in value) + "}"
    raise TypeError(f"refusing to render {value!r} ({type(value).__name__}) into a Macaulay2 script")


def to_singular_literal(value) -> str:
    """An integer or exact rational as a Singular number (the Singular templates take no lists).

    >>> to_singular_literal(Fraction(-1, 3)), to_singular_literal(7)
    ('(-1/3)', '7')
    """
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return to_m2_literal(value)
    raise TypeError(f"refusing to render {value!r} ({type(value).__name__}) into a Singular script")


@lru_cache(maxsize=4)
def _environment(directory: Path):
    import jinja2  # here: computing a template's hash (a store key) needs no Jinja2

    if not directory.is_dir():
        raise M2BridgeError(f"template directory {directory} not found (check M2BRIDGE_TEMPLATES)")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["m2"] = to_m2_literal
    env.filters["sing"] = to_singular_literal
    return env


def script_name(template: str) -> str:
    """`pattern_ideal.m2.j2` (or Singular's `pattern_ideal.sing.j2`) → `pattern_ideal`, the name
    the `begin` frame carries."""
    name = template.removesuffix(".m2.j2").removesuffix(".sing.j2")
    if not re.fullmatch(r"[a-z_]+", name):
        raise M2BridgeError(f"template name {template!r}: expected lower-case letters and '_'")
    return name


def render_script(template: str, **data) -> str:
    """The Macaulay2 program of `m2scripts/<template>` for these data."""
    import jinja2

    directory = template_dir()
    try:
        return _environment(directory).get_template(template).render(
            script_name=script_name(template), protocol=PROTOCOL_VERSION, **data)
    except jinja2.TemplateNotFound as exc:
        raise M2BridgeError(f"template {exc.name!r} not found in {directory}") from None


def template_hash(template: str) -> str:
    """SHA-256 over the template and the shared library it includes: a changed script is a new key."""
    directory = template_dir()
    digest = hashlib.sha256()
    for path in [directory / template, *sorted((directory / "lib").glob("*.m2.j2"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
