"""Sphinx extension: a chapter that fails to execute is marked on its page and named at the end.

With ``nb_execution_raise_on_error: false`` (see ``_config.yml``) a chapter whose cell raises or
runs out of time no longer stops the build: the other chapters execute and render, and the failed
chapter's page shows its outputs up to the failing cell. This extension puts a warning banner at
the top of that page, with the error and where the full traceback is, and when the build ends it
names every failed chapter in one warning. Under ``--warningiserror`` (the Makefile's setting)
that warning, like MyST-NB's own, makes ``make book`` exit non-zero: CI still fails, and the reader
still gets the rest of the book.
"""

from __future__ import annotations

import html

from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.util import logging

logger = logging.getLogger(__name__)


def failed_execution(env, docname: str) -> dict | None:
    """MyST-NB's record of a page's execution when it failed, else None."""
    data = NbMetadataCollector.get_exec_data(env, docname)
    return data if data and not data.get("succeeded", True) else None


def _banner(app, pagename, templatename, context, doctree):
    failure = failed_execution(app.env, pagename)
    if not failure or "body" not in context:
        return
    report = "../" * pagename.count("/") + f"reports/{pagename}.err.log"
    context["body"] = (
        '<div class="admonition error chapter-failed"><p class="admonition-title">This chapter did not finish '
        "executing in this build</p><p>"
        f"It stopped with <code>{html.escape(str(failure.get('error')))}</code>; the outputs below end at the failing "
        f'cell. The full traceback is in <a href="{report}">{html.escape(report)}</a>.</p></div>\n'
        + context["body"]
    )


def _name_failures(app, exception):
    if exception is not None:
        return
    failed = sorted(name for name in app.env.found_docs if failed_execution(app.env, name))
    if failed:
        logger.warning(
            "chapters that failed to execute (every other page was built): " + ", ".join(failed)
        )


def setup(app):
    app.connect("html-page-context", _banner)
    app.connect("build-finished", _name_failures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
