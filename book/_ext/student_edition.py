"""Sphinx extension: the student edition leaves every solution out of the site.

sphinx-exercise's ``hide_solutions`` drops a ``{solution}`` directive, but for the gated form
(``{solution-start}`` ... code cells ... ``{solution-end}``) it drops only the opening directive:
the solution's code cells stay on the page, and the closing marker is left with nothing to render.
Here the opening directive leaves a marker instead, and everything from the marker to the closing
``{solution-end}`` is cut from the page.
"""

from __future__ import annotations

from docutils import nodes
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node


class solution_cut(nodes.Element):
    """Where a hidden solution begins; removed, with what follows it, once the page is read."""


class StudentSolutionStart(SolutionStartDirective):
    def run(self):
        shown = super().run()  # keeps sphinx-exercise's own bookkeeping of gated directives
        return [solution_cut()] if self.config.hide_solutions else shown


def _cut_solutions(app, doctree):
    if not app.config.hide_solutions:
        return
    for start in list(doctree.findall(solution_cut)):
        parent, inside = start.parent, False
        for node in list(parent.children):
            if node is start:
                inside = True
            if inside:
                parent.remove(node)
                if isinstance(node, solution_end_node):
                    break
    for stray in list(doctree.findall(solution_end_node)):  # a closing marker at another depth
        stray.parent.remove(stray)


def setup(app):
    app.setup_extension("sphinx_exercise")  # load it first, so that this directive replaces its own
    app.add_directive("solution-start", StudentSolutionStart, override=True)
    app.add_node(solution_cut)
    app.connect("doctree-read", _cut_solutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
