"""Every place a screen draws text passes user text through ``core.text``: a scan of pages/ and ui/.

Blocks shown as typed (st.text, st.code) go through ``plain_block``: no Markdown there, but a bidi
control would still reorder the text. A call that renders Markdown (st.markdown, st.caption, st.error…, headings, metric labels, widget
labels and help, radio and pill options) may get a literal, or an expression built only of literals,
numbers, code constants and ``escape_markdown(...)``. Select boxes and multiselects show their
options as typed: their ``format_func`` goes through ``plain_text`` (or ``escape_markdown``'s
twin for those widgets). Anything else fails the test, naming file, line and expression, unless it
is in the small allow-list below with the reason it is not user text.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"])

# Calls whose first argument (and ``help``) is drawn as Markdown.
MARKDOWN_FIRST = {
    "markdown",
    "write",
    "caption",
    "info",
    "success",
    "warning",
    "error",
    "subheader",
    "header",
    "title",
    "toast",
    "metric",
    "expander",
    "popover",
    "button",
    "download_button",
    "link_button",
    "form_submit_button",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "time_input",
    "slider",
    "select_slider",
    "file_uploader",
    "pills",
    "segmented_control",
    "color_picker",
    "feedback",
    "page_link",
}
MARKDOWN_KEYWORDS = {"help", "label", "caption"}
PLAIN_KEYWORDS = {"placeholder"}  # an input's placeholder is shown as typed
# Widgets whose options are drawn as Markdown / as typed.
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control", "select_slider"}
PLAIN_OPTIONS = {"selectbox", "multiselect"}
ESCAPERS = {"escape_markdown", "esc", "md"}  # the helper and the short names modules import it as
PLAIN = {"plain_text"}
# Calls that show their first argument as typed, with its lines.
BLOCKS = {"text", "code"}
PLAIN_BLOCK = {"plain_block"}

# Values that are never user text, and why. Whole expressions first:
ALLOWED_NAMES = {
    "page.label": "a page's label from ui.frame.PAGES",
    "profile.label": "the profile page's label from ui.frame.PAGES",
    "ctx.timezone.key": "an IANA zone name the core validated",
    "CognitiveLoad": "a code enum (low, high) offered as options",
    "StopWordMode": "a code enum (block, warn) offered as options",
    "loaded[1]": "the version number of the post the editor loaded",
    "value.label": "a KPI's label from core/kpis/definitions.py",
    "value.definition.definition": "a KPI's definition from core/kpis/definitions.py",
    "value.detail": "a KPI's detail line, numbers the core formats",
    "update.markdown": "the monthly update; core.loop.monthly escapes every user text in it (tested there)",
    "grain": "a trend grain, a code enum (day, week, month)",
    "other": "a stop-word mode, a code enum (block, warn)",
    "data.label": "an idea-board column: a status label",
    "kpi.detail": "a KPI's detail line, numbers the core formats",
}
# Names that hold only the app's own words in one file, where the scan cannot follow them.
ALLOWED_IN_FILE = {
    ("app.py", "label"): "the home cards' titles: literals in the cards tuple",
    ("app.py", "note"): "the home cards' notes: literals in the cards tuple",
    ("ui/calendar_editor.py", "label"): "the status buttons: literals and core.content_plan.status.button_label",
    (
        "ui/post_dialog.py",
        "facts",
    ): "the dialog's facts: each user text in them escaped with md, the rest numbers and instants",
    (
        "ui/sla_conversation.py",
        "lines",
    ): "the conversation's links: each title in them escaped with md, the rest numbers",
}
# The last part of an attribute (``idea.status_label``, ``item.id``): numbers, dates, instants and
# the app's own labels for code values.
ALLOWED_ATTRIBUTES = {
    "id": "a number",
    "version": "a number",
    "role": "a Role enum value",
    "status_label": "the app's label for a status",
    "count": "a number",
    "total": "a number",
    "page": "a number",
    "pages": "a number",
    "size": "a number",
    "day": "a day of the month",
    "days": "a number of days",
    "hot_plan_position": "a number",
    "loop_items": "a number (loop items to announce)",
    "ideas_without_loop": "a number (shipped ideas without a loop item)",
    "min_impact": "a score",
    "max_cost": "a score",
    "rhythm_limit": "a number",
    "key": "a code key (a period's, a time zone's)",
    "kind": "a code enum value the core validated (conversation kind, quick-answer kind)",
    "cognitive_load": "a code enum value the core validated (low, high)",
    "demand": "a number",
    "votes": "a number",
    "impact": "a score",
    "cost": "a score",
    "scored": "a number",
    "quick_wins": "a number",
    "top_n": "a number",
    "source_label": "the app's label for an idea source",
    "short": "a KPI's short label from core/kpis/definitions.py",
    "filename": "a file name the core builds from dates (the digest's)",
    "file_name": "a file name the core builds from dates (the monthly update's)",
}
ALLOWED_SUFFIXES = ("_count", "_id", "_on", "_at", "_days", "_minutes")
# Objects all of whose text is the app's own: KPI definitions (core/kpis/definitions.py), period
# labels (core/kpis/periods.py), import field specs (core/sla/import_rows.py).
ALLOWED_OWNERS = {"definition", "periods[key]", "weeks[k]", "spec"}
# Calls whose result is never user text, and why.
ALLOWED_CALLS = {
    "len": "a count",
    "int": "a number",
    "round": "a number",
    "sum": "a number",
    "abs": "a number",
    "format_value": "a KPI figure formatted by the core",
    "format_change": "a KPI change formatted by the core",
    "format_local": "an instant in the workspace zone",
    "local_time": "an instant in the workspace zone",
    "local": "an instant in the workspace zone",
    "strftime": "a date",
    "isoformat": "a date",
    "upper": "on a code constant (file formats)",
    "replace": "on a code value (an announcement status)",
    "of": "a queue count",
    "render_markdown": "the weekly digest; core.kpis.digest escapes every user text in it (tested there)",
    "button_label": "a status button's label from core.content_plan.status",
    "describe_duration": "a duration the core formats from numbers",
    # core.formats: numbers, dates and durations in the reader's language
    "number": "a number (core.formats)",
    "percent": "a share (core.formats)",
    "percentage_points": "a change of a share (core.formats)",
    "date": "a day (core.formats)",
    "short_date": "a day (core.formats)",
    "time": "a time of day (core.formats)",
    "date_time": "an instant (core.formats)",
    "month_year": "a month (core.formats)",
    "weekday_name": "a weekday's name (core.formats)",
    "minutes": "a duration (core.formats)",
    "hours": "a duration (core.formats)",
    "days": "a duration (core.formats)",
    "role_label": "a role's name (core.permissions)",
}
# ``_("…", name=value)`` and ``ngettext("…", "…", n)``: a message of the app, safe when every value
# filled into it is.
TRANSLATORS = {"_", "ngettext"}


def _is_constant_name(name: str) -> bool:
    last = name.split(".")[-1]
    return last.isupper() or (last.startswith("_") and last[1:].isupper())


def _constant_rooted(node: ast.AST) -> bool:
    """``LABELS[key]``, ``templates.TEMPLATES[k].summary``, ``status.STATUS_LABELS.values()``: a
    value reached from a code constant (the app's own words)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        owner = node.value
        if isinstance(owner, (ast.Name, ast.Attribute)) and _is_constant_name(ast.unparse(owner)):
            return True
        node = owner
    return isinstance(node, ast.Name) and _is_constant_name(node.id)


def _literal_position(target: ast.AST, iterable: ast.AST, name: str) -> bool:
    """``for column, fmt, mime in ((left, "csv", "text/csv"), (right, "json", …))``: the name's
    place holds a literal in every row of a literal table."""
    if not (isinstance(target, ast.Tuple) and isinstance(iterable, (ast.Tuple, ast.List))):
        return False
    places = [i for i, e in enumerate(target.elts) if isinstance(e, ast.Name) and e.id == name]
    rows = iterable.elts
    return bool(places) and all(
        isinstance(row, ast.Tuple)
        and len(row.elts) == len(target.elts)
        and isinstance(row.elts[places[0]], ast.Constant)
        for row in rows
    )


def _iterates_constants(iterable: ast.AST) -> bool:
    """``for key, label in SECTIONS`` / ``LABELS.items()`` / ``zip(columns, public_board.SECTIONS)``
    / ``enumerate(("Mon", "Tue"))``: the loop walks over the app's own words."""
    names = [n for n in ast.walk(iterable) if isinstance(n, (ast.Name, ast.Attribute))]
    if any(_is_constant_name(ast.unparse(n)) for n in names):
        return True
    literals = [n for n in ast.walk(iterable) if isinstance(n, (ast.Tuple, ast.List))]
    return any(all(isinstance(e, ast.Constant) for e in lit.elts) for lit in literals)


class Scan:
    """The render calls of a set of files, with just enough data flow to follow a value: the
    assignments of a local name, the returns of a helper function of these files, and the
    arguments its callers pass for a parameter."""

    def __init__(self, paths: list[Path]):
        self.trees = {path: ast.parse(path.read_text()) for path in paths}
        self.parent: dict[ast.AST, ast.AST] = {}
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        self.calls: dict[str, list[ast.Call]] = {}
        for tree in self.trees.values():
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parent[child] = node
                if isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append(node)
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    self.calls.setdefault(name, []).append(node)
        self._busy: set[int] = set()

    def scope(self, node: ast.AST) -> ast.AST:
        """The function (or lambda, or module) ``node`` is in."""
        current = self.parent.get(node)
        while current is not None and not isinstance(current, (ast.FunctionDef, ast.Lambda, ast.Module)):
            current = self.parent.get(current)
        return current if current is not None else node

    def safe(self, node: ast.AST | None, escapers: set[str]) -> bool:
        """Whether ``node`` can only produce text the app wrote, or user text through an escaper."""
        if node is None or id(node) in self._busy:
            return True  # a value that feeds itself adds nothing new
        self._busy.add(id(node))
        try:
            return self._safe(node, escapers)
        finally:
            self._busy.discard(id(node))

    def _safe(self, node: ast.AST, escapers: set[str]) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v, escapers) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            spec = ast.unparse(node.format_spec) if node.format_spec is not None else ""
            # A number or date format: a text value would raise instead of printing.
            if spec and any(mark in spec for mark in (",", "%", ".0", ".1", ".2", "d}", "f}")):
                return True
            return self.safe(node.value, escapers)
        if isinstance(node, ast.BinOp):
            return self.safe(node.left, escapers) and self.safe(node.right, escapers)
        if isinstance(node, (ast.IfExp,)):
            return self.safe(node.body, escapers) and self.safe(node.orelse, escapers)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v, escapers) for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.safe(e, escapers) for e in node.elts)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return self.safe(node.elt, escapers)
        if isinstance(node, ast.DictComp):  # {code: _(LABELS[code]) for code in …}: what is shown is the value
            return self.safe(node.value, escapers)
        if isinstance(node, ast.Dict):
            return all(self.safe(v, escapers) for v in node.values)
        if isinstance(node, ast.Attribute) and node.attr in ("__getitem__", "get"):  # labels.__getitem__
            return self.safe(node.value, escapers)
        if isinstance(node, ast.Lambda):
            return self.safe(node.body, escapers)
        if isinstance(node, ast.Compare):
            return True  # True or False
        if isinstance(node, (ast.Attribute, ast.Subscript)) and _constant_rooted(node):
            return True
        if isinstance(node, ast.Attribute):
            source, owner = ast.unparse(node), ast.unparse(node.value)
            return (
                source in ALLOWED_NAMES
                or _is_constant_name(source)
                or node.attr in ALLOWED_ATTRIBUTES
                or node.attr.endswith(ALLOWED_SUFFIXES)
                or owner.split(".")[0] in ALLOWED_OWNERS
                or _is_constant_name(owner)  # LABELS.get, LABELS.__getitem__
            )
        if isinstance(node, ast.Subscript):  # LABELS[key]: the app's own words for a code value
            return _is_constant_name(ast.unparse(node.value)) or ast.unparse(node) in ALLOWED_NAMES
        if isinstance(node, ast.Name):
            return (
                node.id in ALLOWED_NAMES
                or (self.file_of(node), node.id) in ALLOWED_IN_FILE
                or node.id.endswith(ALLOWED_SUFFIXES)
                or _is_constant_name(node.id)
                or self._name_is_safe(node, escapers)
            )
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in escapers or name in ALLOWED_CALLS or _constant_rooted(func):
                return True
            if name in TRANSLATORS:  # the app's own words in the reader's language, safe values filled in
                texts = node.args[:2] if name == "ngettext" else node.args  # ngettext's third: the count
                return all(self.safe(a, escapers) for a in texts) and all(
                    self.safe(k.value, escapers) for k in node.keywords
                )
            if name in ("list", "tuple", "sorted", "next") and node.args:  # list(CognitiveLoad): the enum's values
                return all(self.safe(a, escapers) for a in node.args)
            if name == "join" and isinstance(func, ast.Attribute):  # ", ".join(parts)
                return self.safe(func.value, escapers) and all(self.safe(a, escapers) for a in node.args)
            helper = isinstance(func, ast.Name) or (
                isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            )
            if helper and name in self.functions:  # a helper of the screens (``view.helper(...)`` too)
                return all(self._returns_are_safe(f, escapers) for f in self.functions[name])
            return False
        return False

    def _returns_are_safe(self, function: ast.FunctionDef, escapers: set[str]) -> bool:
        returns = [n.value for n in ast.walk(function) if isinstance(n, ast.Return) and self.scope(n) is function]
        return bool(returns) and all(self.safe(r, escapers) for r in returns)

    def _name_is_safe(self, name: ast.Name, escapers: set[str]) -> bool:
        """A local name: every value assigned or appended to it is safe; a parameter: every
        caller passes a safe argument (or leaves the safe default)."""
        scope = self.scope(name)
        if isinstance(scope, (ast.FunctionDef, ast.Lambda)) and name.id in _parameters(scope):
            if isinstance(scope, ast.Lambda):
                return False  # an option value or a callback's argument: whatever it holds
            return self._parameter_is_safe(scope, name.id, escapers)
        values = list(self._assigned(scope, name.id))
        if not values and not isinstance(scope, ast.Module):
            values = list(self._assigned(self._module_of(scope), name.id))
        return bool(values) and all(v is not None and self.safe(v, escapers) for v in values)

    def file_of(self, node: ast.AST) -> str:
        module = self._module_of(node)
        path = next(p for p, tree in self.trees.items() if tree is module)
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name

    def _module_of(self, node: ast.AST) -> ast.AST:
        while not isinstance(node, ast.Module):
            node = self.parent[node]
        return node

    def _assigned(self, scope: ast.AST, name: str):
        """The values ``name`` gets in ``scope`` (None for one that cannot be followed)."""
        for node in ast.walk(scope):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        yield node.value
                    elif isinstance(target, ast.Tuple) and any(
                        isinstance(e, ast.Name) and e.id == name for e in target.elts
                    ):
                        yield None
            elif isinstance(node, ast.For) and any(
                isinstance(t, ast.Name) and t.id == name for t in ast.walk(node.target)
            ):
                counts = (
                    isinstance(node.iter, ast.Call)
                    and getattr(node.iter.func, "id", "") == "enumerate"
                    and isinstance(node.target, ast.Tuple)
                    and isinstance(node.target.elts[0], ast.Name)
                    and node.target.elts[0].id == name
                )
                literal = _literal_position(node.target, node.iter, name)
                yield ast.Constant("") if counts or literal or _iterates_constants(node.iter) else None
            elif isinstance(node, ast.comprehension) and any(
                isinstance(t, ast.Name) and t.id == name for t in ast.walk(node.target)
            ):
                yield ast.Constant("") if _iterates_constants(node.iter) else None
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
                and node.func.attr in ("append", "extend", "insert")
            ):
                yield node.args[-1] if node.args else None

    def _parameter_is_safe(self, function: ast.FunctionDef, parameter: str, escapers: set[str]) -> bool:
        arguments = function.args.posonlyargs + function.args.args
        positional = [a.arg for a in arguments]
        defaults = dict(zip(reversed(positional), reversed(function.args.defaults), strict=False))
        defaults |= {a.arg: d for a, d in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)}
        callers = self.calls.get(function.name, [])
        if not callers:
            return False
        for call in callers:
            passed = next((k.value for k in call.keywords if k.arg == parameter), None)
            if passed is None and parameter in positional:
                index = positional.index(parameter) - (1 if positional and positional[0] in ("self", "cls") else 0)
                passed = call.args[index] if index < len(call.args) else None
            if passed is None:
                passed = defaults.get(parameter)
            if passed is not None and not self.safe(passed, escapers):
                return False
        return True


def _parameters(function: ast.FunctionDef | ast.Lambda) -> set[str]:
    args = function.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _findings(scan: Scan, path: Path) -> list[str]:
    found = []
    for node in ast.walk(scan.trees[path]):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if method not in MARKDOWN_FIRST and method not in BLOCKS:
            continue
        checked: list[tuple[str, ast.AST, set[str]]] = []
        if method in BLOCKS:  # only the block itself is drawn
            checked += [("text", node.args[0], PLAIN_BLOCK)] if node.args else []
            _check(scan, path, method, checked, found)
            continue
        if node.args and method != "page_link":
            checked.append(("text", node.args[0], ESCAPERS))
        for keyword in node.keywords:
            if keyword.arg in MARKDOWN_KEYWORDS:
                checked.append((keyword.arg, keyword.value, ESCAPERS))
            if keyword.arg in PLAIN_KEYWORDS:
                checked.append((keyword.arg, keyword.value, PLAIN))
            if keyword.arg == "format_func":
                escapers = PLAIN if method in PLAIN_OPTIONS else ESCAPERS
                checked.append(("format_func", keyword.value, escapers))
        if method in MARKDOWN_OPTIONS and len(node.args) > 1 and not any(k.arg == "format_func" for k in node.keywords):
            checked.append(("options", node.args[1], ESCAPERS))
        _check(scan, path, method, checked, found)
    return found


def _check(scan: Scan, path: Path, method: str, checked: list[tuple[str, ast.AST, set[str]]], found: list[str]) -> None:
    for what, value, escapers in checked:
        if not scan.safe(value, escapers):
            helper = {id(PLAIN): "plain_text", id(PLAIN_BLOCK): "plain_block"}.get(id(escapers), "escape_markdown")
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            found.append(
                f"{where}:{value.lineno} {method}({what}=…{ast.unparse(value)[:90]}) — pass user text through {helper}"
            )


SCAN = Scan(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_text_reaches_the_screen_only_through_the_helpers(path):
    findings = _findings(SCAN, path)
    assert not findings, "\n".join(findings)


def test_the_scan_catches_what_it_is_for(tmp_path):
    """The scan itself: it flags a variable, an f-string with one, and an unescaped format_func,
    and lets the escaped forms, numbers and constants through."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "st.markdown(title)\n"
        "st.caption(f'by {idea.author}')\n"
        "st.selectbox('Idea', ids, format_func=lambda i: titles[i])\n"
        "c1.metric(name, 3)\n"
        "st.radio('Pick', names)\n"
        "st.error(f'{escape_markdown(idea.title)} has {len(rows):,} rows')\n"
        "st.selectbox('Idea', ids, format_func=lambda i: plain_text(titles[i]))\n"
        "st.info(STATUS_LABELS[status], icon=':material/info:')\n"
        "st.selectbox('Idea', ids, format_func=lambda i: escape_markdown(titles[i]))\n"
        "st.text(message.text)\n"
        "st.text(plain_block(message.text))\n"
        "st.code('python -m core users add NAME', language='bash')\n"
    )
    lines = sorted(int(f.split(":")[1].split()[0]) for f in _findings(Scan([sample]), sample))
    assert lines == [1, 2, 3, 4, 5, 9, 10]
