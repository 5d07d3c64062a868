"""Checks of the book itself: its table of contents, chapter files and generated notebooks."""

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from notebook_links import (  # noqa: E402
    chapter_notebook,
    colab_link,
    fill_glue,
    glued_values,
    SETUP_SOURCE,
    install_source,
    without_solutions,
)

from emergent.core.contents import chapters  # noqa: E402


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [
        page["file"]
        for part in toc["parts"]
        for c in part["chapters"]
        for page in [c, *c.get("sections", [])]
    ]


def test_every_page_in_the_toc_exists_and_every_chapter_is_listed():
    files = toc_files()
    for name in files:
        assert (ROOT / f"{name}.md").is_file(), f"{name}.md is in _toc.yml but does not exist"
    for chapter in (ROOT / "book").glob("[0-9][0-9]_*.md"):
        assert f"book/{chapter.stem}" in files, f"{chapter.name} is not in _toc.yml"


def test_chapter_files_carry_their_slug_and_set_a_timeout():
    for chapter in (ROOT / "book").glob("[0-9][0-9]_*.md"):
        slug = chapter.stem[3:]
        assert slug in chapters(), f"{chapter.name}: not in the table of contents"
        assert "execution_timeout:" in chapter.read_text(), (
            f"{chapter.name} sets no execution_timeout"
        )


def test_no_notebooks_or_outputs_are_committed_next_to_chapters():
    assert not list((ROOT / "book").glob("*.ipynb"))


def test_colab_notebook_installs_the_library_first():
    notebook = chapter_notebook(ROOT / "book" / "00_model_zoo.md", {})
    first = notebook.cells[0]
    assert (
        first.cell_type == "code"
        and "google.colab" in first.source
        and "%pip install" in first.source
    )
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_colab_link_appears_only_with_a_github_repository():
    assert colab_link({"url": ""}, "01_x.ipynb") is None
    link = colab_link({"url": "https://github.com/someone/book"}, "01_x.ipynb")
    assert (
        link
        == "https://colab.research.google.com/github/someone/book/blob/gh-pages/_notebooks/01_x.ipynb"
    )
    assert (
        install_source({"url": "https://github.com/someone/book"})
        == "emergent-book @ git+https://github.com/someone/book@main"
    )


def test_without_a_repository_the_colab_cell_says_what_to_set():
    assert install_source({"url": ""}) == ""  # no made-up package name to install from
    assert 'raise RuntimeError("This notebook was built without' in SETUP_SOURCE
    assert "repository.url in _config.yml" in SETUP_SOURCE
    assert '%pip install --quiet "{source}"' in SETUP_SOURCE  # quoted: "name @ git+url" is one


def markdown(text):
    return nbformat.v4.new_markdown_cell(text)


def code(text):
    return nbformat.v4.new_code_cell(text)


def test_student_edition_drops_solution_prose_and_code():
    cells = [
        markdown(
            "Intro.\n\n```{exercise} Sum\n:label: ex-sum\nWrite it.\n```\n\n```{solution-start} ex-sum\n"
            ":class: dropdown\n```\nThe answer uses a loop."
        ),
        code("reference_solution()"),
        markdown("```{solution-end}\n```\n\nNext section."),
        markdown("```{solution} ex-other\nSay 42.\n```\nAfter."),
        code("keep_me()"),
    ]
    kept = without_solutions(cells)
    text = "\n".join(cell.source for cell in kept)
    assert (
        "Write it." in text and "Next section." in text and "After." in text and "keep_me()" in text
    )
    assert "reference_solution" not in text and "The answer uses" not in text and "42" not in text
    assert "solution" not in text


def test_link_check_finds_missing_pages_and_anchors(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from check_site import broken_internal_links

    (tmp_path / "a.html").write_text(
        '<h1 id="top">A</h1><a href="b.html#here">ok</a><a href="b.html#gone">x</a>'
        '<a href="c.html">y</a><a href="https://example.org/">external</a>'
    )
    (tmp_path / "b.html").write_text('<p id="here">B</p><a href="a.html#top">back</a>')
    broken = broken_internal_links(tmp_path)
    assert broken == ["a.html: b.html#gone (no such anchor)", "a.html: c.html (no such file)"]


def test_colab_notebooks_get_the_glued_numbers_written_into_their_prose(tmp_path):
    executed = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("ch.glue(...)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": "0.123456"},
            metadata={
                "scrapbook": {"name": "x_share", "mime_prefix": "application/papermill.record/"}
            },
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": "'confirmed'"},
            metadata={
                "scrapbook": {"name": "x_verdict", "mime_prefix": "application/papermill.record/"}
            },
        ),
    ]
    executed.cells.append(cell)
    nbformat.write(executed, tmp_path / "run.ipynb")
    values = glued_values(tmp_path / "run.ipynb")
    text = "A share of {glue:text}`x_share:.1%`, {glue:text}`x_verdict`; {glue:text}`unknown:.2f` stays."
    assert fill_glue(text, values) == "A share of 12.3%, confirmed; {glue:text}`unknown:.2f` stays."


def test_the_builds_glue_file_is_read_as_well_as_a_notebook(tmp_path):
    import json

    glue = {
        "x_share": {
            "output_type": "display_data",
            "metadata": {
                "scrapbook": {"name": "x_share", "mime_prefix": "application/papermill.record/"}
            },
            "data": {"text/plain": "0.5"},
        }
    }
    (tmp_path / "01_x.glue.json").write_text(json.dumps(glue))
    values = glued_values(tmp_path / "01_x.glue.json")
    assert fill_glue("{glue:text}`x_share:.0%`", values) == "50%"


def test_every_chapter_opens_with_its_objectives_and_the_syllabus_lists_it():
    from emergent.core import syllabus
    from emergent.core.contents import chapter_files

    pages = syllabus.course()  # raises, saying what to fix, on a page without a proper block
    assert [p.stem for p in pages] == [path.stem for path in chapter_files()]
    for path in chapter_files():
        after_title = path.read_text().split("\n# ", 1)[1].split("\n", 1)[1].lstrip()
        assert after_title.startswith(":::{admonition} Learning objectives"), (
            f"{path.name} should open, under its title, with its learning objectives"
        )
        assert 3 <= len(syllabus.read_page(path).objectives) <= 5, path.name
    assert "book/syllabus" in toc_files()
    assert "```{syllabus}" in (ROOT / "book" / "syllabus.md").read_text()


def test_prerequisites_come_first_and_the_exercises_listed_are_the_pages_own():
    from emergent.core import syllabus

    assert syllabus.problems(syllabus.course()) == []


def test_colab_notebooks_quote_the_objectives():
    notebook = chapter_notebook(ROOT / "book" / "03_scaling.md", {})
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "> **Learning objectives**" in text and "{admonition}" not in text


def test_the_description_above_a_cell_reaches_every_figure_it_draws():
    from docutils import nodes
    from docutils.utils import new_document
    from docutils.frontend import get_default_settings
    from figure_alt import DescribeFigures

    document = new_document("page", get_default_settings())
    alt = "Loss against step. Notice where it falls."
    document += nodes.raw(
        "", "<!-- alt: Loss against step.\nNotice where it falls. -->", format="html"
    )
    cell = nodes.container(nb_element="cell_code")
    cell += nodes.image(uri="a.png")
    cell += nodes.raw(
        "", '<div><img class="frames-image" alt="x" src="data:"></div>', format="html"
    )
    document += cell
    other = nodes.container(nb_element="cell_code")  # no description above it: left alone
    other += nodes.image(uri="b.png")
    document += other
    DescribeFigures(document).apply()
    assert cell.next_node(nodes.image)["alt"] == alt
    assert f'alt="{alt}"' in cell.next_node(nodes.raw).astext()
    assert "alt" not in other.next_node(nodes.image)


def test_every_figure_cell_describes_its_figures():
    import jupytext
    from figure_alt import described

    draws = ("plt.show()", "plt.subplots(", "explore(", "figures.", "forest_plot(")
    for path in sorted((ROOT / "book").glob("*.md")):
        cells = jupytext.read(path).cells
        for above, cell in zip([None, *cells], cells):
            if cell.cell_type == "code" and any(d in cell.source for d in draws):
                comment = above.source[above.source.rfind("<!--") :] if above else ""
                assert len(described(comment).split()) >= 12, (
                    f"{path.name}: a figure cell with no <!-- alt: ... --> above it:\n"
                    f"{cell.source[:200]}"
                )
