"""What each page teaches, read from the block that opens it: the one source of the syllabus.

Every page of the table of contents that a reader runs (``book/NN_slug.md``) opens, right under its
title, with one block of this form::

    :::{admonition} Learning objectives
    :class: objectives

    After this page you will be able to:

    - fit a power law to test losses, and test whether one power law fits at all;
    - explain why ...

    **Builds on:** [What is emergence?](01_emergence.md)

    **Exercises:** Fit a power law; Allocate a budget by both laws
    :::

The objectives each begin with a verb; "Builds on" links the earlier pages a reader should have
read (or says ``none``); "Exercises" names the page's ``{exercise}`` directives in order (or says
``none``). The syllabus page is generated from these blocks, and the tests check them against the
pages: every prerequisite comes earlier in the reading order, and the exercises listed are the
page's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from emergent.core.contents import chapter_files, title_of

BLOCK = re.compile(
    r"^:::\{admonition\} Learning objectives\n(?P<body>.*?)^:::[ \t]*$", re.MULTILINE | re.DOTALL
)
OBJECTIVE = re.compile(r"^- (?P<text>.+?)(?=^- |^\s*$|\Z)", re.MULTILINE | re.DOTALL)
BUILDS_ON = re.compile(r"^\*\*Builds on:\*\* (?P<text>.+)$", re.MULTILINE)
EXERCISES = re.compile(r"^\*\*Exercises:\*\* (?P<text>.+)$", re.MULTILINE)
PAGE_LINK = re.compile(r"\]\((?P<file>\d\d_[a-z0-9_]+)\.md\)")
EXERCISE_DIRECTIVE = re.compile(r"^(?:```+|:::+)\{exercise\}[ \t]*(?P<title>.*)$", re.MULTILINE)
# The verbs an objective may begin with: each names something a reader can be asked to do.
VERBS = {
    "build", "compare", "compute", "decide", "derive", "design", "edit", "estimate", "explain",
    "fit", "judge", "locate", "measure", "predict", "read", "reproduce", "run", "seal", "state",
    "tell", "test", "trace", "train", "use", "write",
}  # fmt: skip


@dataclass(frozen=True)
class Page:
    """One page's block: its file stem, title, objectives, prerequisites and exercises."""

    stem: str
    title: str
    objectives: tuple[str, ...]
    builds_on: tuple[str, ...]  # file stems of earlier pages
    exercises: tuple[str, ...]  # exercise titles, in the page's order


def exercise_titles(path: Path) -> list[str]:
    """The titles of a page's ``{exercise}`` directives, in order."""
    return [m["title"].strip() for m in EXERCISE_DIRECTIVE.finditer(Path(path).read_text())]


def _listed(text: str) -> tuple[str, ...]:
    text = text.strip()
    return () if text == "none" else tuple(part.strip() for part in text.split(";"))


def read_page(path: Path) -> Page:
    """The learning-objectives block of one page; a page without a well-formed block is an error
    that says what the block must hold."""
    path = Path(path)
    block = BLOCK.search(path.read_text())
    if block is None:
        raise ValueError(
            f"{path.name} has no learning-objectives block: open the page, under its title, with "
            "':::{admonition} Learning objectives' (see emergent.core.syllabus for the form)."
        )
    body = block["body"]
    objectives = tuple(" ".join(m["text"].split()).rstrip(";.") for m in OBJECTIVE.finditer(body))
    builds_on, exercises = BUILDS_ON.search(body), EXERCISES.search(body)
    if not objectives or builds_on is None or exercises is None:
        raise ValueError(
            f"{path.name}: the learning-objectives block needs a list of objectives ('- ...'), "
            "a '**Builds on:**' line and an '**Exercises:**' line (write 'none' where empty)."
        )
    for objective in objectives:
        verb = objective.split()[0].strip("*").lower()
        if verb not in VERBS:
            raise ValueError(
                f"{path.name}: the objective {objective!r} should begin with a verb a reader can "
                f"be asked to do ({', '.join(sorted(VERBS))})."
            )
    prerequisites = tuple(m["file"] for m in PAGE_LINK.finditer(builds_on["text"]))
    if not prerequisites and builds_on["text"].strip() != "none":
        raise ValueError(f"{path.name}: 'Builds on' links no page; link them or write 'none'.")
    return Page(path.stem, title_of(path), objectives, prerequisites, _listed(exercises["text"]))


def course(root: Path | None = None) -> list[Page]:
    """Every page of the table of contents that a reader runs, in reading order."""
    return [read_page(path) for path in chapter_files(root)]


def problems(pages: list[Page], root: Path | None = None) -> list[str]:
    """What is wrong with the blocks, one sentence each: a prerequisite that is not an earlier page,
    or exercises that differ from the page's own ``{exercise}`` directives."""
    found, seen = [], set()
    files = {path.stem: path for path in chapter_files(root)}
    for page in pages:
        for needed in page.builds_on:
            if needed not in seen:
                found.append(f"{page.stem} builds on {needed}, which is not an earlier page")
        directives = tuple(exercise_titles(files[page.stem]))
        if page.exercises != directives:
            found.append(
                f"{page.stem} lists exercises {page.exercises}, its directives are {directives}"
            )
        seen.add(page.stem)
    return found


def weekly_plan(pages: list[Page], weeks: int) -> list[list[Page]]:
    """The pages in ``weeks`` consecutive blocks of the reading order, as even as the count allows.

    Every prerequisite lands in the same week or an earlier one, since the reading order puts it
    earlier (:func:`problems` checks that); a plan that would break this is an error.
    """
    if not 1 <= weeks <= len(pages):
        raise ValueError(
            f"weeks must lie between 1 and the number of pages ({len(pages)}), got {weeks}."
        )
    cuts = [round(i * len(pages) / weeks) for i in range(weeks + 1)]
    plan = [pages[a:b] for a, b in zip(cuts, cuts[1:])]
    week_of = {page.stem: w for w, block in enumerate(plan) for page in block}
    for page in pages:
        late = [p for p in page.builds_on if week_of.get(p, weeks) > week_of[page.stem]]
        if late:
            raise ValueError(f"{page.stem} would come before its prerequisites {late}.")
    return plan


def models_from(pages: list[Page], models: dict[str, list[str]]) -> dict[str, list[str]]:
    """For each page, the earlier pages whose models it loads (file stems, in reading order).

    ``models`` maps a page's stem to the cached models it used in this build (its ledger's
    ``models``). A model belongs to the first page in reading order that uses it: that page trains
    it when the book is built in order, and any later page that uses it trains it too when opened
    alone.
    """
    owner: dict[str, str] = {}
    for page in pages:
        for entry in models.get(page.stem, []):
            owner.setdefault(entry, page.stem)
    order = [page.stem for page in pages]
    return {
        page.stem: sorted(
            {owner[e] for e in models.get(page.stem, []) if owner[e] != page.stem}, key=order.index
        )
        for page in pages
    }


def notebook_markdown(text: str) -> str:
    """The page's Markdown with its objectives block as a plain quotation, for a notebook (Colab
    shows no admonitions)."""

    def quoted(match: re.Match) -> str:
        body = re.sub(r"^:class:.*\n", "", match["body"], flags=re.MULTILINE).strip("\n")
        lines = ["**Learning objectives**", "", *body.splitlines()]
        return "\n".join(f"> {line}".rstrip() for line in lines)

    return BLOCK.sub(quoted, text)
