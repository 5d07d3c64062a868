"""Sphinx extension: small fixes so that every page loads without a browser console error.

Some extensions loaded by Jupyter Book (sphinx-thebe, sphinx-togglebutton) register their inline
configuration scripts twice, once with filename ``None`` and once with ``""``; a page that declares
the same ``const`` twice stops with a SyntaxError. Each script is kept once.
"""

from __future__ import annotations


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # the same file or inline body counts once (an inline script's filename is None or "")
        key = (
            str(getattr(script, "filename", script) or ""),
            repr(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect(
        "html-page-context", _drop_repeated_scripts, priority=900
    )  # after others add theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
