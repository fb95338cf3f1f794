"""Every screen in a real browser, at the sizes people use (1400×900 and 1024×768), for the lead
and the viewer: no button, field, tab or metric label and no card title is cut, no word of one
breaks in two, and at 1400 px no table needs scrolling sideways and no chart is cut. At 1400×900 each screen is saved as a screenshot
under ``tests/e2e/artifacts/screenshots/`` (git-ignored), to look at after a run."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import LiveApp, assert_no_exception, new_context, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
WIDE, NARROW = (1400, 900), (1024, 768)
BERLIN = ZoneInfo("Europe/Berlin")

# What would be cut, broken or hidden on the screen now (only what is visible: other tabs are
# in the page but hidden). Each problem: [kind, the text concerned, detail].
PROBLEMS_JS = """
(checkTables) => {
  const problems = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = (el) => el.getClientRects().length > 0 && el.clientWidth > 0;
  const cut = (el) => shown(el) && el.scrollWidth > el.clientWidth + 1;
  const label = (el) => (el.innerText || '').replace(/\\s+/g, ' ').trim().slice(0, 80);
  // A word (no hyphen or dash in it) whose letters sit on two lines was broken in the middle.
  const brokenWords = (el) => {
    const words = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s\\-–—\\/]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) words.push(match[0]);
      }
    }
    return words;
  };
  const buttons = ['stButton', 'stDownloadButton', 'stFormSubmitButton', 'stLinkButton', 'stPageLink', 'stPopover']
    .map(id => `[data-testid="${id}"]`).join(', ');
  for (const box of main.querySelectorAll(buttons)) {
    if (!shown(box)) continue;
    if ([box, ...box.querySelectorAll('*')].some(cut)) problems.push(['button label cut', label(box), '']);
    const broken = brokenWords(box);
    if (broken.length) problems.push(['button label breaks a word', label(box), broken.join(' ')]);
  }
  for (const box of main.querySelectorAll('[data-testid="stMetricLabel"], [data-testid="stMetricValue"]')) {
    if (!shown(box)) continue;
    if ([box, ...box.querySelectorAll('*')].some(cut)) problems.push(['metric label cut', label(box), '']);
    const broken = brokenWords(box);
    if (broken.length) problems.push(['metric breaks a word', label(box), broken.join(' ')]);
  }
  for (const card of main.querySelectorAll('[data-testid="stVerticalBlockBorderWrapper"] [data-testid="stMarkdownContainer"] strong')) {
    if (!shown(card)) continue;
    if (cut(card)) problems.push(['card title cut', label(card), '']);
    const broken = brokenWords(card);
    if (broken.length) problems.push(['card title breaks a word', label(card), broken.join(' ')]);
  }
  for (const box of main.querySelectorAll('[data-testid="stWidgetLabel"]')) {
    if (!shown(box)) continue;
    if ([box, ...box.querySelectorAll('*')].some(cut)) problems.push(['field label cut', label(box), '']);
    const broken = brokenWords(box);
    if (broken.length) problems.push(['field label breaks a word', label(box), broken.join(' ')]);
  }
  for (const tab of main.querySelectorAll('[data-testid="stTab"]')) {
    if ([tab, ...tab.querySelectorAll('*')].some(cut)) problems.push(['tab label cut', label(tab), '']);
  }
  if (checkTables) {
    for (const table of main.querySelectorAll('[data-testid="stDataFrame"]')) {
      const scroller = table.querySelector('.dvn-scroller');
      if (scroller && shown(table) && scroller.scrollWidth > scroller.clientWidth + 2) {
        const header = [...table.querySelectorAll('th, [role="columnheader"]')].map(h => h.innerText).join(', ');
        problems.push(['table scrolls sideways', header.slice(0, 120), `${scroller.scrollWidth} > ${scroller.clientWidth}`]);
      }
    }
    for (const chart of main.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
      const drawn = chart.querySelector('canvas, svg');
      if (drawn && shown(chart) && drawn.getBoundingClientRect().right > chart.getBoundingClientRect().right + 2) {
        problems.push(['chart cut on the right', '', `${drawn.getBoundingClientRect().width} wide`]);
      }
    }
  }
  return problems;
}
"""


# --- getting to each screen ---------------------------------------------------------------------


def _open(page, app: LiveApp, key: str) -> None:
    page.goto(app.page_url(key))
    page.get_by_text("Signed in as").wait_for()
    wait_for_app(page)


def _tab(page, name: str) -> None:
    page.locator('[data-testid="stMain"]').get_by_role("tab", name=name, exact=True).click()
    wait_for_app(page)


def _view(page, name: str) -> None:
    page.locator('[data-testid="stMain"] [data-testid="stRadio"]').get_by_text(name, exact=True).click()
    wait_for_app(page)


def _click(page, name: str | re.Pattern[str]) -> None:
    page.locator('[data-testid="stMain"]').get_by_role("button", name=name).first.click()
    wait_for_app(page)


def _scheduled_post(app: LiveApp) -> tuple[str, dt.datetime]:
    """Title and local time of the demo's next scheduled post (it has "Mark as published")."""
    engine = create_engine(app.database_url)
    try:
        with engine.connect() as connection:
            title, at = connection.execute(
                text(
                    "SELECT title, scheduled_at FROM post WHERE status = 'scheduled' AND blocked_reason = '' "
                    "AND scheduled_at > :now ORDER BY scheduled_at LIMIT 1"
                ),
                {"now": dt.datetime.now(dt.UTC).replace(tzinfo=None)},
            ).one()
    finally:
        engine.dispose()
    return title, dt.datetime.fromisoformat(str(at)).replace(tzinfo=dt.UTC).astimezone(BERLIN)


def _open_scheduled_post(page, app: LiveApp) -> None:
    """Week view, forward to the week of the next scheduled post, and open it."""
    title, at = _scheduled_post(app)
    _open(page, app, "calendar")
    page.locator('[data-testid="stMain"]').get_by_text("Week", exact=True).click()
    wait_for_app(page)
    today = dt.datetime.now(BERLIN).date()
    for _ in range((at.date() - (today - dt.timedelta(days=today.weekday()))).days // 7):
        _click(page, "Later")
    _click(page, re.compile(re.escape(f"{at:%H:%M}") + r"\s+" + re.escape(title[:20])))
    page.get_by_text("Pre-publication checklist").wait_for()


def _open_published_post(page, app: LiveApp) -> None:
    _open(page, app, "calendar")
    _tab(page, "Insights")
    page.locator('[data-testid="stMain"] [data-testid="stButton"]').filter(has_text=re.compile(r"^#\d+ ")).first.click()
    wait_for_app(page)
    page.get_by_text("Metrics after publishing").wait_for()


def _steps(*steps: Callable) -> Callable:
    def run(page, app: LiveApp) -> None:
        for step in steps:
            step(page, app)

    return run


Screen = tuple[str, Callable]


def _screens(role: str) -> list[Screen]:
    lead = role == "lead"

    def open_(key):
        return lambda page, app: _open(page, app, key)

    def tab(name):
        return lambda page, app: _tab(page, name)

    def view(name):
        return lambda page, app: _view(page, name)

    screens: list[Screen] = [
        ("home", open_("home")),
        ("calendar-month", open_("calendar")),
        ("calendar-week", _steps(open_("calendar"), lambda page, app: _click(page, "Today"), view_week)),
        ("calendar-post-editor", _steps(open_("calendar"), tab("Post editor"))),
        ("calendar-scheduled-post", _open_scheduled_post),
        ("calendar-published-post", _open_published_post),
        ("calendar-insights", _steps(open_("calendar"), tab("Insights"))),
        ("calendar-import-export", _steps(open_("calendar"), tab("Import & export"))),
    ]
    if lead:
        screens.append(("calendar-rules", _steps(open_("calendar"), tab("Rules"))))
    screens += [
        ("ideas-board", open_("ideas")),
        ("ideas-detail", _steps(open_("ideas"), lambda page, app: _click(page, re.compile(r"^Open$")))),
        ("ideas-table", _steps(open_("ideas"), view("Table"))),
        ("ideas-matrix", _steps(open_("ideas"), view("Impact/Cost matrix"))),
        ("ideas-hot-plan", _steps(open_("ideas"), view("Hot plan"))),
    ]
    if lead:
        screens.append(("ideas-import-export", _steps(open_("ideas"), view("Import & export"))))
    screens += [("sla-queue", open_("sla"))]
    screens += [
        (f"sla-{slug}", _steps(open_("sla"), tab(name)))
        for slug, name in (
            ("kpis", "KPIs"),
            ("quick-answers", "Quick answers"),
            ("escalation-teams", "Escalation teams"),
            ("policies", "Policies"),
        )
    ]
    screens += [("loop-open", open_("loop"))]
    screens += [
        (f"loop-{slug}", _steps(open_("loop"), tab(name)))
        for slug, name in (
            ("closed", "Closed loops"),
            ("monthly", "Monthly update"),
            ("impact", "Impact"),
            ("public-board", "Public board"),
        )
    ]
    screens += [("kpis", open_("kpis"))]
    screens += [("community-members", open_("community"))]
    screens += [
        (f"community-{slug}", _steps(open_("community"), tab(name)))
        for slug, name in (
            ("member", "Member page"),
            ("roles", "Roles"),
            ("rituals", "Rituals"),
            ("showcase", "Showcase"),
            ("rollout", "60-day rollout"),
        )
    ]
    screens += [("moderation-flags", open_("moderation"))]
    screens += [
        (f"moderation-{slug}", _steps(open_("moderation"), tab(name)))
        for slug, name in (
            ("suggested", "Suggested by the word lists"),
            ("actions", "Actions"),
            ("rules", "Community rules"),
            ("word-lists", "Word lists"),
            ("rota", "On-call rota"),
            ("kpis", "KPIs"),
            ("help-paths", "Help paths"),
        )
    ]
    if lead:
        screens += [("admin-channels", open_("admin"))]
        screens += [
            (f"admin-{slug}", _steps(open_("admin"), tab(name)))
            for slug, name in (("workspace", "Workspace"), ("audit-log", "Audit log"))
        ]
    screens.append(("profile", open_("profile")))
    return screens


def view_week(page, app: LiveApp) -> None:
    page.locator('[data-testid="stMain"]').get_by_text("Week", exact=True).click()
    wait_for_app(page)


# --- screenshots ----------------------------------------------------------------------------------


def save_screenshot(page, path: Path, size: tuple[int, int]) -> None:
    """The whole screen at this width: the window grows to the page's length for the picture
    (the app scrolls inside its main area, which a plain full-page screenshot does not see)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    length = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size[0], "height": max(size[1], int(length))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(300)


# --- the test --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_no_label_is_cut_on_any_screen(playwright_browser, live_app, role, size):
    context = new_context(playwright_browser, width=size[0], height=size[1])
    page = context.new_page()
    found: list[str] = []
    try:
        sign_in(page, live_app, role)
        for number, (name, go) in enumerate(_screens(role), start=1):
            go(page, live_app)
            assert_no_exception(page)
            page.wait_for_timeout(400)  # charts and tables draw after the run
            for kind, label, detail in page.evaluate(PROBLEMS_JS, size == WIDE):
                found.append(f"{name}: {kind}: {label!r} {detail}".rstrip())
            if size == WIDE:
                save_screenshot(page, SCREENSHOTS / f"{size[0]}x{size[1]}" / role / f"{number:02d}-{name}.png", size)
    finally:
        context.close()
    assert not found, f"{role} at {size[0]}×{size[1]}:\n" + "\n".join(found)
