"""Step 2 of the pipeline: Macaulay2 programs from the Jinja2 templates in `templates/`.

Python hands templates validated data only. The `m2` filter renders integers, booleans, exact
rationals and nested lists of them as Macaulay2 literals and refuses everything else, strings
included, so no user text can reach a script.

>>> from fractions import Fraction
>>> to_m2_literal([[1, 0], [Fraction(-1, 3), True]])
'{{1, 0}, {(-1/3), true}}'
>>> to_m2_literal("x; run rm")
Traceback (most recent call last):
...
TypeError: refusing to render 'x; run rm' (str) into a Macaulay2 script
"""

from __future__ import annotations

import hashlib
import os
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import jinja2

from ..errors import M2BridgeError

# Templates live in the repository's templates/ (the package is installed editable);
# M2BRIDGE_TEMPLATES points elsewhere for a relocated copy.
TEMPLATE_DIR = Path(os.environ.get("M2BRIDGE_TEMPLATES", Path(__file__).resolve().parent / "templates"))


def to_m2_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"({value.numerator}/{value.denominator})"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(to_m2_literal(v) for v in value) + "}"
    raise TypeError(f"refusing to render {value!r} ({type(value).__name__}) into a Macaulay2 script")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    if not TEMPLATE_DIR.is_dir():
        raise M2BridgeError(f"template directory {TEMPLATE_DIR} not found (set M2BRIDGE_TEMPLATES)")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["m2"] = to_m2_literal
    return env


def render_script(template: str, **data) -> str:
    """The Macaulay2 program of `templates/<template>` for these data."""
    try:
        return _environment().get_template(template).render(**data)
    except jinja2.TemplateNotFound as exc:
        raise M2BridgeError(f"template {exc.name!r} not found in {TEMPLATE_DIR}") from None


def template_hash(template: str) -> str:
    """SHA-256 over the template and the shared library it includes: a changed script is a new key."""
    digest = hashlib.sha256()
    for path in [TEMPLATE_DIR / template, *sorted((TEMPLATE_DIR / "lib").glob("*.m2.j2"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
