"""Sphinx extension: a notebook for every chapter, and links to it on the chapter's page.

For every chapter (``book/NN_slug.md``) the build writes ``_notebooks/NN_slug.ipynb`` into the
site. Its first cell installs the book's library when run in Google Colab (and does nothing
elsewhere), so a reader can run the chapter with no other set-up. Each chapter page gets a line
of links: download the notebook, and - when ``repository.url`` is set in ``_config.yml`` - open it
in Colab from the published site branch.

Numbers that the page's prose takes from the build (MyST-NB's ``{glue:text}`name``` roles) are
written into the notebook's Markdown as the build computed them, since Colab has no MyST to fill
them in; the cell that glues a number still computes it when the reader runs the notebook.

In the student edition (``hide_solutions: true``, see ``make student``) the notebooks leave out
every solution: the cells from a ``{solution-start}`` directive to its ``{solution-end}``, and any
single ``{solution}`` directive.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jupytext
import nbformat
import yaml

from emergent.core.syllabus import notebook_markdown

CHAPTER = re.compile(r"^book/(\d\d)_([a-z_]+)$")
NOTEBOOKS = "_notebooks"

SETUP_SOURCE = """\
# Set-up: in Google Colab this installs the book's library; anywhere else it does nothing.
# (EMERGENT_INSTALL names another source to install from, e.g. a local wheel.)
import os, sys
source = os.environ.get("EMERGENT_INSTALL") or "INSTALL_SOURCE"
if "google.colab" in sys.modules or os.environ.get("EMERGENT_INSTALL"):
    if not source:
        raise RuntimeError("This notebook was built without the book's repository address "
                           "(repository.url in _config.yml), so it cannot install the library. "
                           "Set EMERGENT_INSTALL to a wheel or a git+https:// address of it.")
    %pip install --quiet "{source}\""""


def _repository(srcdir: Path) -> dict:
    config = yaml.safe_load((srcdir / "_config.yml").read_text()) or {}
    return config.get("repository") or {}


def install_source(repository: dict) -> str:
    """What ``pip install`` gets in Colab: the configured repository, or "" when none is set (the
    set-up cell then stops with an error that says what to set)."""
    url = (repository.get("url") or "").rstrip("/")
    if not url:
        return ""
    return f"emergent-book @ git+{url}@{repository.get('branch') or 'main'}"


def colab_link(repository: dict, notebook: str) -> str | None:
    url = (repository.get("url") or "").rstrip("/")
    match = re.match(r"https://github\.com/([^/]+/[^/]+)$", url)
    if not match:
        return None
    branch = repository.get("notebooks_branch") or "gh-pages"
    return f"https://colab.research.google.com/github/{match.group(1)}/blob/{branch}/{NOTEBOOKS}/{notebook}"


SOLUTION_START = re.compile(r"^(```+|:::+)\{solution-start\}", re.MULTILINE)
SOLUTION_END = re.compile(r"^(```+|:::+)\{solution-end\}.*?^\1[ \t]*$\n?", re.MULTILINE | re.DOTALL)
SOLUTION = re.compile(r"^(```+|:::+)\{solution\}.*?^\1[ \t]*$\n?", re.MULTILINE | re.DOTALL)


def without_solutions(cells: list) -> list:
    """The cells a student gets: every solution, its prose and its code, left out."""
    kept, inside = [], False
    for cell in cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept.append(cell)
            continue
        text, visible = cell.source, ""
        while text:  # walk the cell, keeping what lies outside solutions
            if inside:
                end = SOLUTION_END.search(text)
                if not end:
                    break
                text, inside = text[end.end() :], False
            start = SOLUTION_START.search(text)
            if not start:
                visible += text
                break
            visible, text, inside = visible + text[: start.start()], text[start.start() :], True
        visible = SOLUTION.sub("", visible).strip()
        if visible:
            kept.append(nbformat.v4.new_markdown_cell(visible, metadata=cell.metadata))
    return kept


GLUE_ROLE = re.compile(r"\{glue(?::(?P<kind>text|md|any))?\}`(?P<key>[^`:]+)(?::(?P<spec>[^`]*))?`")


def glued_values(executed: Path) -> dict[str, dict]:
    """Every glued value of an executed chapter, by name: its mime bundle. ``executed`` is the
    ``NN_slug.glue.json`` that MyST-NB writes beside the executed notebook, or the notebook itself."""
    if executed.suffix == ".json":
        outputs = list(json.loads(executed.read_text()).values())
    else:
        cells = nbformat.read(executed, as_version=4).cells
        outputs = [output for cell in cells for output in cell.get("outputs", [])]
    values = {}
    for output in outputs:
        meta = output.get("metadata", {}).get("scrapbook")
        if meta:
            prefix = meta.get("mime_prefix", "")
            data = output.get("data", {})
            values[meta["name"]] = {k.removeprefix(prefix): v for k, v in data.items()}
    return values


def fill_glue(text: str, values: dict[str, dict]) -> str:
    """Markdown with each glue role replaced by the value it names, formatted as the role asks;
    a role whose value is missing is left as it is."""

    def value(match: re.Match) -> str:
        bundle = values.get(match["key"])
        if bundle is None:
            return match[0]
        if match["kind"] == "md" and "text/markdown" in bundle:
            return bundle["text/markdown"]
        plain = bundle.get("text/plain", "")
        try:
            plain = ast.literal_eval(plain)
        except (SyntaxError, ValueError):
            pass
        spec = match["spec"] or ""
        if spec and spec[-1] in "eEfFgGn%":
            plain = float(plain)
        elif spec and spec[-1] in "bcdoxX":
            plain = int(plain)
        return format(plain, spec) if spec else str(plain)

    return GLUE_ROLE.sub(value, text)


def chapter_notebook(
    source: Path, repository: dict, hide_solutions: bool = False, executed: Path | None = None
) -> nbformat.NotebookNode:
    """The chapter as a notebook, with the Colab set-up cell first and no outputs; with
    ``executed`` (the build's executed notebook), its glued numbers are written into the prose."""
    notebook = jupytext.read(source)
    values = glued_values(executed) if executed is not None and executed.is_file() else {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = fill_glue(notebook_markdown(cell.source), values)
    if hide_solutions:
        notebook.cells = without_solutions(notebook.cells)
    setup = nbformat.v4.new_code_cell(
        SETUP_SOURCE.replace("INSTALL_SOURCE", install_source(repository))
    )
    setup.metadata["tags"] = ["colab-setup"]
    notebook.cells.insert(0, setup)
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["colab"] = {"provenance": []}
    return notebook


def _add_links(app, pagename, templatename, context, doctree):
    match = CHAPTER.match(pagename)
    if not match or "body" not in context:
        return
    notebook = f"{match.group(1)}_{match.group(2)}.ipynb"
    depth = pagename.count("/")
    href = "../" * depth + f"{NOTEBOOKS}/{notebook}"
    links = [
        f'<a class="reference external" href="{href}" download>Download this chapter as a notebook</a>'
    ]
    colab = colab_link(_repository(Path(app.srcdir)), notebook)
    if colab:
        links.append(f'<a class="reference external" href="{colab}">Open in Colab</a>')
    banner = '<p class="chapter-notebook-links">' + " · ".join(links) + "</p>\n"
    context["body"] = banner + context["body"]


def _write_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    srcdir = Path(app.srcdir)
    repository = _repository(srcdir)
    target = Path(app.outdir) / NOTEBOOKS
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted((srcdir / "book").glob("[0-9][0-9]_*.md")):
        executed = Path(app.outdir).parent / "jupyter_execute" / "book" / f"{source.stem}.glue.json"
        notebook = chapter_notebook(
            source, repository, hide_solutions=app.config.hide_solutions, executed=executed
        )
        nbformat.write(notebook, target / f"{source.stem}.ipynb")


def setup(app):
    app.connect("html-page-context", _add_links)
    app.connect("build-finished", _write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
