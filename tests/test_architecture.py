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


# --- which package may import which ------------------------------------------------------------

# The shared basics of core: every domain may use them; they use no domain.
BASICS = {
    "errors",
    "i18n",
    "formats",
    "permissions",
    "records",
    "audit",
    "changes",
    "events",
    "settings",
    "text",
    "exports",
    "tabular",
    "columns",
    "handles",
    "controls",
    "timestamps",
    "import_batches",
    "local_time",
    "workspace",
    "users",
    "text_templates",
}
# Each domain package and the domains it may import (besides the basics). The loop builds on the
# content plan, the idea board and the SLA monitor; the KPIs read everything; nothing reads back up.
DOMAIN_RULES = {
    "content_plan": set(),
    "ideas": set(),
    "sla": set(),
    "loop": {"content_plan", "ideas", "sla"},
    # Members, moderation, the rota and the rollout read the plan, the ideas, the SLA data and the loop.
    "community": {"content_plan", "ideas", "sla", "loop"},
    "kpis": {"content_plan", "ideas", "sla", "loop", "community"},
}
# Entry points that put everything together.
COMPOSERS = {"attention", "demo", "cli", "live", "__main__", "__init__"}


def _core_imports(path: Path) -> set[str]:
    """The core packages/modules a file imports, at any depth (function-level imports too)."""
    found = set()
    for name in _imports(ast.parse(path.read_text())):
        parts = name.split(".")
        if parts[0] == "core" and len(parts) > 1:
            found.add(parts[1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "core":
            found.update(alias.name for alias in node.names)
    return found


def _owner(path: Path) -> str:
    relative = path.relative_to(ROOT / "core")
    return relative.parts[0].removesuffix(".py")


CORE_FILES = sorted((ROOT / "core").rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_packages_import_only_what_sits_below_them(path):
    owner = _owner(path)
    if owner in COMPOSERS:
        return
    imported = _core_imports(path) - {owner}
    if owner in BASICS:
        allowed = BASICS
    else:
        assert owner in DOMAIN_RULES, f"core/{owner} is neither a basic nor a known domain: add it to the rules"
        allowed = BASICS | DOMAIN_RULES[owner]
    assert imported <= allowed, f"core/{owner} may not import {sorted(imported - allowed)}"


@pytest.mark.parametrize("path", sorted((ROOT / "db").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_db_knows_nothing_of_the_rules_above_it(path):
    imported = _core_imports(path)
    # The migration environment reads the configured database URL, nothing else.
    allowed = {"settings"} if path.name == "env.py" else set()
    assert imported <= allowed


def test_every_core_module_says_what_it_owns_and_stays_readable():
    for path in CORE_FILES:
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no module docstring"
        lines = len(path.read_text().splitlines())
        assert lines <= 520, (
            f"{path.relative_to(ROOT)} has {lines} lines: which room of its package should part of it move to?"
        )


# ``require`` and its companions for one record (a scoped right checked in the domain).
_GUARDS = {"require", "require_on", "authorise"}


def _calls_require(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in _GUARDS
        for node in ast.walk(function)
    )


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_guarded_services_take_the_session_by_keyword_and_typed_inputs(path):
    """Every core function that checks a permission is a service: ``session=`` by keyword, and its
    inputs are typed (no ``**changes`` and no ``Mapping[str, Any]`` field bags)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_") or not _calls_require(node):
            continue
        where = f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        positional = [a.arg for a in node.args.posonlyargs + node.args.args]
        assert "session" not in positional, f"{where} takes the session by position"
        assert node.args.kwarg is None, f"{where} takes **{node.args.kwarg.arg if node.args.kwarg else ''}"
        for argument in node.args.args + node.args.kwonlyargs:
            annotation = ast.unparse(argument.annotation) if argument.annotation is not None else ""
            assert "Mapping[str, Any]" not in annotation, f"{where}: {argument.arg} is a field bag"
