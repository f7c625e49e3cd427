"""Macaulay2 as a subprocess: render a Jinja2 template, run `M2 --script`, read the framed reply."""
