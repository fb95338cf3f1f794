"""Running pages in AppTest as a given user, against the test database."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_page(key: str, *, username: str | None = None, timeout: float = 30) -> AppTest:
    """Run a page as a direct URL would; with ``username``, as that user already signed in (as
    the real sign-in form leaves the session)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if key != "home":
        at.switch_page(f"pages/{key}.py")
    if username is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
    return at.run()


def texts(at: AppTest) -> str:
    """All the text a person would read on the page, for assertions."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "error",
        "warning",
        "info",
        "success",
        "metric",
    ):
        for element in at.get(kind):
            parts.append(str(getattr(element, "value", "") or getattr(element, "label", "") or ""))
            label = getattr(element, "label", None)
            if label:
                parts.append(str(label))
    return "\n".join(parts)
