"""Sign-in on screen: the form, the session cookie and signing out. Every line of the app that
touches cookies is here; the rules (credentials, throttle, sessions) are in ``core.users``.

Why streamlit-authenticator is not used: its public API keeps the sign-in in its own JWT cookie
({username, exp_date}) that nothing on the server can revoke, checks passwords itself against a
credentials dict holding every user's hash (a throttle in core would mean replacing a private
method), and sleeps ``login_sleep_time`` on every signed-out run. Nothing of it fits a server-side,
revocable session, so the form is plain Streamlit, the check is ``core.users.sign_in``, the
session is a row of ``user_session`` and the cookie holds only its random id. The cookie is read on
the server from ``st.context.cookies`` and written in the browser with extra-streamlit-components'
CookieManager (public API only). Streamlit gives a script no way to set an HttpOnly cookie, so page
scripts can read the id; it is worthless once the session ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, replace

import extra_streamlit_components as stx
import streamlit as st
from sqlalchemy.engine import Engine

from core.errors import NotFoundError
from core.i18n import N_, _
from core.permissions import Actor, role_label
from core.settings import Settings
from core.users import sessions, sign_in
from core.users.sessions import EndReason
from db.engine import read_session, write_session
from db.types import utcnow

SESSION_TOKEN = "dd_session_token"  # the session id this browser tab is signed in with
SESSION_ID = "dd_session_id"  # its row, to mark "this session" on the profile page
_REFUSED_COOKIE = "dd_refused_cookie"  # a cookie value already refused: not checked again
_NOTE = "dd_sign_in_note"
_COOKIE_JOB = "dd_cookie_job"
_USERNAME = "dd_sign_in_username"
_PASSWORD = "dd_sign_in_password"
_COOKIE_JOB_RUNS = 5  # give up re-sending a cookie change the browser never confirms

_END_NOTES = {
    EndReason.signed_out: N_("You signed out in another window, so you were signed out here too."),
    EndReason.ended: N_("This session was ended from your profile in another window, so you were signed out."),
    EndReason.password: N_("Your password was changed, so you were signed out. Sign in with the new password."),
    EndReason.deactivated: N_("Your account was deactivated, so you were signed out."),
    EndReason.everywhere: N_("An admin signed you out everywhere."),
    EndReason.expired: N_("Your session expired, so you were signed out. Please sign in again."),
}


@dataclass(frozen=True)
class _Note:
    kind: str  # "error", "warning" or "success"
    text: str  # our own words, never user text: a marked message, translated where it is shown


@dataclass(frozen=True)
class _CookieJob:
    """A change to the session cookie, sent to the browser until the component confirms it."""

    number: int
    value: str | None  # None: delete the cookie
    expires_at: dt.datetime | None = None
    runs: int = 0


def signed_in_actor(*, engine: Engine, settings: Settings, key: str, is_demo: bool) -> Actor | None:
    """Who is signed in in this browser, checked against the server on every run (one
    statement); when nobody is, the sign-in form is drawn and None returned."""
    token, from_cookie = _presented_token(settings)
    if token:
        now = utcnow()
        with read_session(engine) as session:
            check = sessions.check_session(session=session, token=token, key=key, now=now, limits=settings.sessions)
        if check.actor is not None and check.session_id is not None:
            st.session_state[SESSION_TOKEN] = token
            st.session_state[SESSION_ID] = check.session_id
            if check.touch_due:
                with write_session(engine) as session:
                    sessions.touch_session(session=session, session_id=check.session_id, now=now)
            return check.actor
        _refuse(token, ended=check.ended, from_cookie=from_cookie)
    _sign_in_form(engine=engine, settings=settings, key=key, is_demo=is_demo)
    sync_cookie(settings)
    return None


def current_session_id() -> int | None:
    return st.session_state.get(SESSION_ID)


def _presented_token(settings: Settings) -> tuple[str | None, bool]:
    """The session id to check, and whether it came from the cookie (rather than this tab's own
    sign-in)."""
    token = st.session_state.get(SESSION_TOKEN)
    if token:
        return token, False
    # The cookie the browser sent when this tab connected (Streamlit reads it once per tab).
    cookie = _text(st.context.cookies.get(settings.cookie_name))
    if cookie and cookie != st.session_state.get(_REFUSED_COOKIE):
        return cookie, True
    return None, False


def _refuse(token: str, *, ended: EndReason | None, from_cookie: bool) -> None:
    st.session_state.pop(SESSION_TOKEN, None)
    st.session_state.pop(SESSION_ID, None)
    # This tab may have connected with this very id: never check it again here.
    st.session_state[_REFUSED_COOKIE] = token
    if from_cookie:
        # Only then is it surely the browser's cookie (another tab may have signed in since).
        _schedule_cookie(value=None)
    if ended is not None:
        st.session_state[_NOTE] = _Note("warning", _END_NOTES[ended])


def _sign_in_form(*, engine: Engine, settings: Settings, key: str, is_demo: bool) -> None:
    st.subheader(_("Sign in to Dialog Desk"))
    # Kept until the next attempt: the cookie component's reruns must not wipe it.
    note = st.session_state.get(_NOTE)
    if note is not None:
        getattr(st, note.kind)(_(note.text))
    with st.form("dd_sign_in"):
        st.text_input(_("Username"), key=_USERNAME, autocomplete="username")
        st.text_input(_("Password"), type="password", key=_PASSWORD, autocomplete="current-password")
        st.form_submit_button(
            _("Sign in"),
            type="primary",
            on_click=_submit,
            kwargs={"engine": engine, "settings": settings, "key": key},
        )
    if is_demo:
        _demo_sign_ins()


def _submit(*, engine: Engine, settings: Settings, key: str) -> None:
    """The form's callback: runs before the script, so a successful sign-in draws the page in the
    same run (no sleep, no second run)."""
    st.session_state.pop(_NOTE, None)
    username = st.session_state.get(_USERNAME, "")
    password = st.session_state.get(_PASSWORD, "")
    st.session_state[_PASSWORD] = ""  # never kept for the next run
    client = _client(settings)
    now = utcnow()
    failure: sign_in.SignInFailed | None = None
    with write_session(engine) as session:
        try:
            actor = sign_in.authenticate(
                session=session, username=username, password=password, client=client, now=now, limits=settings.sign_in
            )
        except sign_in.SignInFailed as error:
            failure = error  # caught inside the transaction: the failure and its audit row are kept
        else:
            assert actor.id is not None
            started = sessions.start_session(
                session=session,
                user_id=actor.id,
                key=key,
                now=now,
                limits=settings.sessions,
                user_agent=client.user_agent,
                client_address=client.address,
            )
    if failure is not None:
        st.session_state[_NOTE] = _Note("error", str(failure))
        return
    st.session_state[SESSION_TOKEN] = started.token
    st.session_state[SESSION_ID] = started.id
    st.session_state[_USERNAME] = ""
    _schedule_cookie(value=started.token, expires_at=started.expires_at)


def _client(settings: Settings) -> sign_in.Client:
    headers = st.context.headers
    header = settings.client_address_header
    forwarded = _text(headers.get(header)) if header else None
    return sign_in.Client(
        address=sign_in.client_address(direct=_text(st.context.ip_address), forwarded=forwarded),
        user_agent=_text(headers.get("User-Agent")),
    )


def _text(value: object) -> str:
    # st.context gives strings in a browser, and stand-ins (or nothing) in AppTest.
    return value if isinstance(value, str) else ""


def sign_out_button(*, engine: Engine, actor: Actor) -> None:
    st.button(_("Sign out"), key="dd_sign_out", on_click=_sign_out, kwargs={"engine": engine, "actor": actor})


def _sign_out(*, engine: Engine, actor: Actor) -> None:
    token, session_id = st.session_state.pop(SESSION_TOKEN, None), st.session_state.pop(SESSION_ID, None)
    if session_id is not None:
        try:
            with write_session(engine) as session:
                sessions.sign_out(session=session, actor=actor, session_id=session_id, now=utcnow())
        except NotFoundError:
            pass  # ended already (elsewhere): signed out all the same
    # This tab keeps sending the cookie it connected with: never take it for a sign-in again.
    st.session_state[_REFUSED_COOKIE] = token
    st.session_state[_NOTE] = _Note("success", N_("You are signed out."))
    _schedule_cookie(value=None)


def _schedule_cookie(*, value: str | None, expires_at: dt.datetime | None = None) -> None:
    previous = st.session_state.get(_COOKIE_JOB)
    number = previous.number + 1 if previous is not None else 1
    st.session_state[_COOKIE_JOB] = _CookieJob(number=number, value=value, expires_at=expires_at)


def sync_cookie(settings: Settings) -> None:
    """Send a pending cookie change to the browser, until the component says it is done.

    The component reruns the script once when it loads and once when it has written the cookie;
    both come after the page is drawn. It is drawn only while a change is pending, so other runs
    have no component and no extra rerun.
    """
    job: _CookieJob | None = st.session_state.get(_COOKIE_JOB)
    if job is None:
        return
    done = f"dd_cookie_done_{job.number}"
    if st.session_state.get(done) or job.runs >= _COOKIE_JOB_RUNS:
        del st.session_state[_COOKIE_JOB]
        return
    manager = stx.CookieManager(key=f"dd_cookies_{job.number}")
    if job.value is None:
        # KeyError: the component's own copy of the cookies has not arrived yet; the delete is sent.
        with contextlib.suppress(KeyError):
            manager.delete(settings.cookie_name, key=done)
    else:
        assert job.expires_at is not None
        manager.set(
            settings.cookie_name,
            job.value,
            key=done,
            expires_at=job.expires_at,
            max_age=max(0.0, (job.expires_at - utcnow()).total_seconds()),
            secure=_text(st.context.url).startswith("https:"),
            same_site="strict",
        )
    st.session_state[_COOKIE_JOB] = replace(job, runs=job.runs + 1)


def _demo_sign_ins() -> None:
    from core import demo  # only the demo workspace shows them

    st.markdown(_("**Demo workspace.** Sign in with one of these (they are also in the README):"))
    st.table(
        {
            _("username"): [username for username, __, ___ in demo.DEMO_SIGN_INS],
            _("password"): [password for __, password, ___ in demo.DEMO_SIGN_INS],
            _("role"): [role_label(role) for __, ___, role in demo.DEMO_SIGN_INS],
        }
    )
