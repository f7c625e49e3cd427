"""The one place a computation gets its Macaulay2: the caller's (`m2=`, any `macaulay2.runner.Runner`:
a `Macaulay2`, an `M2Session` or the workbench's `Session`) when given, else one made from the options (timeout, memory cap, `verbose`).

A step with a shorter budget of its own (ker under auto, a certificate in what is left of it) gets a
one-shot Macaulay2 with that budget but the caller's executable, verbosity and script folder, so
that `m2=`, `verbose` and `M2BRIDGE_M2` hold for every process a computation starts.
"""

from __future__ import annotations

from ..macaulay2.process import M2Session, Macaulay2
from ..macaulay2.singular import Singular
from .options import IdealOptions


def make_runner(options: IdealOptions, m2=None, timeout: float | None = None):
    """The Macaulay2 to run on: `m2` itself unless a `timeout` of its own is asked for."""
    if m2 is not None and timeout is None:
        return m2
    base = None if m2 is None else m2.one_shot
    seconds = options.timeout if timeout is None else timeout
    if base is None:
        return Macaulay2(timeout=seconds, memory_limit=options.memory_limit, verbose=options.verbose)
    return Macaulay2(executable=base.executable, timeout=seconds, memory_limit=options.memory_limit,
                     verbose=base.verbose or options.verbose, script_dir=base.script_dir)


def make_singular(options: IdealOptions, m2=None) -> Singular:
    """A Singular with the limits `make_runner` would give Macaulay2 (timeout, memory cap, verbosity,
    script folder)."""
    runner = make_runner(options, m2)
    return Singular.like(runner.one_shot)


def make_session(options: IdealOptions, m2=None, timeout: float | None = None) -> M2Session:
    """A Macaulay2 session started like `make_runner`'s one-shot runs."""
    return M2Session(make_runner(options, m2, options.timeout if timeout is None else timeout))
