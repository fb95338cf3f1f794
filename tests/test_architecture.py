"""The shape of the project, checked: core never imports Streamlit, every page guards itself
before anything else, pages run no queries, and the README documents every command."""

import ast
import re
from pathlib import Path

import pytest

from core.cli import build_parser
from ui.frame import PAGES

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))
LAYER_FILES = sorted([*(ROOT / "core").rglob("*.py"), *(ROOT / "db").rglob("*.py")])


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", LAYER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_and_db_never_import_streamlit(path):
    imported = _imports(ast.parse(path.read_text()))
    assert not {name for name in imported if name.split(".")[0] in ("streamlit", "streamlit_authenticator", "ui")}


def test_every_page_file_is_a_known_page():
    assert {p.stem for p in PAGE_FILES} == {k for k in PAGES if k != "home"}


@pytest.mark.parametrize("path", [ROOT / "app.py", *PAGE_FILES], ids=lambda p: p.name)
def test_every_page_calls_the_frame_before_anything_else(path):
    tree = ast.parse(path.read_text())
    statements = [
        node
        for node in tree.body
        if not isinstance(node, (ast.Import, ast.ImportFrom))
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    first = statements[0]
    key = "home" if path.name == "app.py" else path.stem
    assert isinstance(first, ast.Assign) and isinstance(first.value, ast.Call), (
        f"{path.name} must start with page_frame"
    )
    call = first.value
    assert getattr(call.func, "id", None) == "page_frame"
    assert [a.value for a in call.args] == [key]


@pytest.mark.parametrize(
    "path", [ROOT / "app.py", *PAGE_FILES, *sorted((ROOT / "ui").glob("*.py"))], ids=lambda p: p.name
)
def test_pages_run_no_queries_and_render_no_raw_html(path):
    source = path.read_text()
    assert not re.search(r"\bselect\(", source), f"{path.name} builds a query"
    for forbidden in ("session.exec", ".execute(", "unsafe_allow_html=True", "st.html("):
        assert forbidden not in source, f"{path.name} contains {forbidden}"


def _commands(parser, prefix=()):
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            if sub._subparsers:
                yield from _commands(sub, (*prefix, name))
            else:
                yield " ".join((*prefix, name))


def test_the_readme_documents_every_command_and_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [c for c in _commands(build_parser()) if f"python -m core {c}" not in readme]
    assert not missing, f"README does not show: {missing}"
    for setting in ("DATABASE_URL", "DIALOGDESK_COOKIE_KEY", "make run", "make test"):
        assert setting in readme


def test_every_event_subscriber_exists_and_takes_keywords():
    import inspect

    from core import events

    for name, targets in events.SUBSCRIBERS.items():
        assert hasattr(events, name), f"no announcing function for {name}"
        for target in targets:
            function = events.subscriber(target)
            assert "session" in inspect.signature(function).parameters, target
