"""Colab runs Python 3.13, which this project's machines cannot install: the code must at least use
nothing that Python 3.12 and 3.13 removed from the standard library (PEP 594, PEP 632)."""

import ast
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
REMOVED = {  # 3.12: distutils, imp, asynchat, asyncore, smtpd; 3.13: the "dead batteries"
    "distutils", "imp", "asynchat", "asyncore", "smtpd", "aifc", "audioop", "cgi", "cgitb",
    "chunk", "crypt", "imghdr", "lib2to3", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev",
    "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
}  # fmt: skip


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def chapter_code(path: Path) -> str:
    cells = jupytext.read(path).cells
    return "\n".join(
        "\n".join(
            line for line in c.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for c in cells
        if c.cell_type == "code"
    )


def test_the_finder_sees_plain_and_dotted_imports():
    assert imported_modules("import imp, os.path\nfrom distutils.util import x") == {
        "imp", "os", "distutils",
    }  # fmt: skip


def test_nothing_imports_a_module_that_python_3_13_removed():
    sources = {
        p: p.read_text()
        for folder in ("lib", "scripts", "tests")
        for p in (ROOT / folder).rglob("*.py")
    }
    sources |= {p: chapter_code(p) for p in (ROOT / "book").glob("[0-9][0-9]_*.md")}
    used = {str(p.relative_to(ROOT)): imported_modules(s) & REMOVED for p, s in sources.items()}
    assert not {p: m for p, m in used.items() if m}
