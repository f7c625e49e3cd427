"""The docs: every top-level name is listed in docs/api.md, subscripts like (J^A)_(α,β) never turn
a passage italic, and the build refuses a page that loads anything from another host."""

import os
import sys
from pathlib import Path

import pytest

import m2bridge
from conftest import ROOT


def test_api_page_lists_every_top_level_name():
    page = (ROOT / "docs" / "api.md").read_text()
    missing = [name for name in m2bridge.__all__ if f"`{name}`" not in page]
    assert not missing, f"docs/api.md does not list {missing}"


def test_subscripts_stay_literal_outside_code():
    markdown = pytest.importorskip("markdown")
    hooks = _hooks()
    md = markdown.Markdown(extensions=[hooks.DoctestBlocks()])
    html = md.convert("(J^A)_(α,β). For a prime p, *the piece* P_(α,β) and `m_(b,i,j)` and m_(1,2,3).")
    assert html.count("<em>") == 1 and "<em>the piece</em>" in html  # only the intended emphasis
    assert "(J^A)_(α,β)" in html and "<code>m_(b,i,j)</code>" in html
    fenced = md.convert("```\nP_(a) x_(b)\n```")
    assert "\\_" not in fenced


def test_the_build_refuses_a_page_that_loads_from_another_host():
    hooks = _hooks()
    assert hooks.remote_resources('<script src="https://cdn.example/mathjax.js"></script>') == \
        ["https://cdn.example/mathjax.js"]
    assert hooks.remote_resources("<link rel='stylesheet' href='//fonts.example/css'>") == ["//fonts.example/css"]
    local = '<script src="../assets/mathjax/tex-svg-full.js"></script><a href="https://www.mkdocs.org/">MkDocs</a>'
    assert hooks.remote_resources(local) == []  # a link to follow is not a resource to load


def _hooks():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import hooks
    finally:
        sys.path.remove(str(ROOT / "docs"))
    return hooks


def test_the_docs_check_fails_on_a_warning(tmp_path):
    """scripts/build-docs.sh (what `make docs` runs) fails, showing the warning, on a page missing
    from the nav: `mkdocs --strict --quiet` passed such a build, since --quiet drops warnings before
    --strict counts them."""
    import subprocess

    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.exists():
        pytest.skip("mkdocs is not installed (extra docs)")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n")
    (docs / "orphan.md").write_text("# Not in the nav\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\ndocs_dir: docs\nvalidation:\n  omitted_files: warn\nnav:\n  - index.md\n")
    env = dict(os.environ, MKDOCS=str(mkdocs))
    script = str(ROOT / "scripts" / "build-docs.sh")
    failed = subprocess.run([script, str(config), str(tmp_path / "site")], capture_output=True, text=True, env=env)
    assert failed.returncode != 0 and "orphan.md" in failed.stderr
    config.write_text("site_name: t\ndocs_dir: docs\nnav:\n  - index.md\n  - orphan.md\n")
    built = subprocess.run([script, str(config), str(tmp_path / "site")], capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
