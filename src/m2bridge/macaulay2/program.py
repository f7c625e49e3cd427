"""The one way to run a template: render it, run it, check the reply, discard the script.

`run_template` checks what every reply must carry: the `begin` frame names the template and the
protocol version it was rendered for, the `vars` echo lists the ring's variables in the order Python
expects (when the caller says which), and every key the caller needs is present. A script whose
reply passes is deleted; one that fails keeps its file for the researcher (the error names it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..errors import M2OutputError
from .protocol import Reply, read_reply
from .render import PROTOCOL_VERSION, render_script, script_name
from .scripts import kept_only_when_named

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Script:
    """A rendered program and the template it came from."""

    template: str
    text: str


def render(template: str, **data) -> Script:
    return Script(template, render_script(template, **data))


@dataclass
class TemplateRun:
    """A checked reply with what produced it."""

    reply: Reply
    script: str
    seconds: float


def run_template(runner, template: str, *, variables: list[str] | None = None, promises: tuple[str, ...] = (),
                 **data) -> TemplateRun:
    """Render `template` with `data`, run it on `runner` (a `Macaulay2` or an `M2Session`), check it."""
    return run(runner, render(template, **data), variables=variables, promises=promises)


def run(runner, script: Script, *, variables: list[str] | None = None, promises: tuple[str, ...] = ()) -> TemplateRun:
    """Run a rendered script and check its reply (see the module's docstring)."""
    template = script.template
    name = _program(runner)
    logger.info("%s: %s on %s", name, template, _engine(runner))
    output = runner.run_script(script.text)
    logger.debug("%s: %s answered in %.2f s (%d bytes of output)", name, template, output.seconds, len(output.stdout))
    with kept_only_when_named(output.script_path):  # an interrupt here deletes the script
        reply = _checked_reply(output, template, variables, promises)
    runner.discard(output)
    return TemplateRun(reply, script.text, output.seconds)


def _checked_reply(output, template: str, variables: list[str] | None, promises: tuple[str, ...]) -> Reply:
    reply = read_reply(output.stdout, output.script_path)
    expected = f"{script_name(template)} {PROTOCOL_VERSION}"
    if reply.begin != expected:
        raise M2OutputError(f"the reply opens with {reply.begin!r}, expected {expected!r}", None, output.script_path)
    if variables is not None and reply.one("vars") != ",".join(variables):
        raise M2OutputError("the ring's variables are not the expected m_(b,i,j)", reply.one("vars"),
                            output.script_path)
    missing = [key for key in promises if key not in reply.records]
    if missing:
        raise M2OutputError(f"the reply lacks the record(s) {missing}", None, output.script_path)
    return reply


def _program(runner) -> str:
    """Macaulay2, or Singular (macaulay2/singular.py)."""
    return runner.one_shot.name


def _engine(runner) -> str:
    """Which Macaulay2 runs a script: a long-lived session or a process per script, its executable."""
    m2 = runner.one_shot
    name = _program(runner)
    kind = f"a session (one {name} for many scripts)" if m2 is not runner else f"a new {name} process"
    return f"{kind}, {m2.executable}, timeout {runner.timeout:g} s"
