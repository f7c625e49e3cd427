"""MkDocs hooks.

- Doctest examples (`>>>` lines at the start of a line, outside fenced code, with their output up
  to the next blank line) become `pycon` code blocks, in the pages and in the docstrings
  mkdocstrings renders. Without it Markdown reads `>>>` as three nested block quotes.
- The docs write subscripts as `P_(α,β)`, `(J^A)_(α,β)`, `m_(b,i,j)`: an underscore before `(`
  outside code is kept literal, so that two of them on a line never turn the text between them
  italic (Markdown's `_emphasis_`).
- No page may load a script, style sheet or image from another host (the site works offline):
  the build fails naming the page.
- The API page's table of computation keywords (`<!-- keyword table -->` in docs/api.md) is made
  from IdealOptions and the one option table (`m2bridge.ideals.option_table`), so that it lists
  every keyword `pattern_ideal`, `check` and `session` take, with its Python type and default.
- MathJax is served by the site itself: `assets/mathjax/tex-svg-full.js` is copied from the
  MathJax package of the `docs` extra (django-static-mathjax: MathJax 3's files, no dependency),
  so that the rendered maths needs no network (docs/assets/mathjax-config.js configures it).
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.plugins import event_priority

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_SUBSCRIPT = re.compile(r"(?<=[\w)\]])_\(")
MATHJAX = "es5/tex-svg-full.js"
_REMOTE = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']((?:https?:)?//[^\"']+)", re.I)


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


class _LiteralSubscripts(Preprocessor):
    """`X_(` → `X\\_(` outside fenced code, indented code and code spans."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fenced = False
        for line in lines:
            if _FENCE.match(line):
                fenced = not fenced
            if fenced or line.startswith(("    ", "\t")) or "_(" not in line:
                out.append(line)
                continue
            pieces, last = [], 0
            for span in _CODE_SPAN.finditer(line):
                pieces += [_SUBSCRIPT.sub(r"\\_(", line[last:span.start()]), span.group(0)]
                last = span.end()
            out.append("".join(pieces) + _SUBSCRIPT.sub(r"\\_(", line[last:]))
        return out


class DoctestBlocks(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API)
        # Before fenced_code (25), which then turns the fences into code blocks.
        md.preprocessors.register(_DoctestBlocks(md), "m2bridge_doctest_blocks", 30)
        md.preprocessors.register(_LiteralSubscripts(md), "m2bridge_literal_subscripts", 29)


@event_priority(100)  # before mkdocstrings reads the Markdown extensions
def on_config(config, **kwargs):
    config.markdown_extensions.append(DoctestBlocks())
    return config


def on_files(files, config, **kwargs):
    """Add MathJax (from the installed MathJax package) to the site's files."""
    from importlib.util import find_spec
    from pathlib import Path

    from mkdocs.structure.files import File

    spec = find_spec("mathjax")
    source = Path(spec.submodule_search_locations[0]) / "static" / "mathjax" / MATHJAX if spec else None
    if source is None or not source.is_file():
        raise RuntimeError("MathJax not found: install the docs extra (pip install -e '.[docs]')")
    files.append(File.generated(config, "assets/mathjax/tex-svg-full.js", abs_src_path=str(source)))
    licence = source.parents[1] / "LICENSE"
    files.append(File.generated(config, "assets/mathjax/LICENSE.txt", abs_src_path=str(licence)))
    return files


KEYWORD_TABLE = "<!-- keyword table -->"


def keyword_table() -> str:
    """The fields of IdealOptions as keywords: name, Python type, default, meaning (option table)."""
    import dataclasses

    from m2bridge.ideals.option_table import OPTIONS
    from m2bridge.ideals.options import IdealOptions

    defaults = IdealOptions()
    lines = ["| keyword | type | default | meaning |", "|---|---|---|---|"]
    for f in dataclasses.fields(IdealOptions):
        option = OPTIONS[f.name]
        value = getattr(defaults, f.name)
        kind = str(f.type).replace(" | ", " or ")
        if f.name == "field":
            kind, shown = "str or Field", '`"QQ"`'
        else:
            shown = f"`{value!r}`".replace("'", '"')
        meaning = option.help.replace("|", "/")
        if option.scale != 1:  # IdealOptions holds the value in bytes, the command line in GiB
            meaning += f" (in bytes; `{option.flag}` and case files take {option.unit})"
            shown += f" ({value / option.scale:g} {option.unit})"
        lines.append(f"| `{f.name}` | {kind} | {shown} | {meaning} |")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown, page, config, files, **kwargs):
    if KEYWORD_TABLE in markdown:
        markdown = markdown.replace(KEYWORD_TABLE, keyword_table())
    return markdown


def remote_resources(html: str) -> list[str]:
    """The addresses of scripts, style sheets and images that `html` would load from another host."""
    return _REMOTE.findall(html)


def on_post_page(output, page, config, **kwargs):
    found = remote_resources(output)
    if found:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"{page.file.src_uri} loads {found[0]} from another host: the site must work offline")
    return output
