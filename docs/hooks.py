"""MkDocs hook: doctest examples (`>>>` lines at the start of a line, outside fenced code, with
their output up to the next blank line) become `pycon` code blocks, in the pages and in the
docstrings mkdocstrings renders. Without it Markdown reads `>>>` as three nested block quotes."""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.plugins import event_priority

_FENCE = re.compile(r"^\s*(```|~~~)")


class _DoctestBlocks(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fenced = False
        i = 0
        while i < len(lines):
            line = lines[i]
            if _FENCE.match(line):
                fenced = not fenced
            elif not fenced and line.startswith(">>>"):
                block = []
                while i < len(lines) and lines[i].strip():
                    block.append(lines[i])
                    i += 1
                out += ["", "```pycon", *block, "```", ""]
                continue
            out.append(line)
            i += 1
        return out


class DoctestBlocks(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API)
        # Before fenced_code (25), which then turns the fences into code blocks.
        md.preprocessors.register(_DoctestBlocks(md), "m2bridge_doctest_blocks", 30)


@event_priority(100)  # before mkdocstrings reads the Markdown extensions
def on_config(config, **kwargs):
    config.markdown_extensions.append(DoctestBlocks())
    return config
