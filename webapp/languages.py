"""The languages of the public service: English always, Welsh where the deployment offers it (a force in
Wales, under the Welsh Language Standards). Flask-Babel translates every applicant-, member- and
public-facing string from the catalogue in webapp/translations/; the staff interface stays in English.

Which language a page is in: `?lang=cy` on any page (kept for the visit), else the one chosen earlier in
the visit, else the browser's Accept-Language, else English. With Welsh off, always English."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, request, session
from flask_babel import Babel, LazyString, force_locale, get_locale, gettext

from webapp.clock import uk_date, uk_time

NAMES = {"en": "English", "cy": "Cymraeg"}
# Said to a screen reader user on the link to the other language, in that language.
SWITCH_TO = {"en": "Change the language to English", "cy": "Newid yr iaith i'r Gymraeg"}
STAFF_BLUEPRINTS = frozenset({"staff", "review", "reports", "admin"})


def offered() -> tuple[str, ...]:
    return current_app.extensions["deployment"].languages


def current() -> str:
    """The language of the page or email being made: the page's, or the one an email is being written in
    (`force_locale`); English for commands and the mail poller otherwise."""
    try:
        locale = get_locale()
    except RuntimeError:  # outside a request, with no language forced
        return "en"
    return str(locale) if locale else "en"


def _select() -> str:
    languages = offered()
    if len(languages) == 1 or request.blueprint in STAFF_BLUEPRINTS:
        return "en"
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages, default="en") or "en"


def _remember() -> None:
    asked = request.args.get("lang")
    if asked in offered() and len(offered()) > 1:
        session["lang"] = asked


def switch_links() -> list[dict[str, Any]]:
    """The GOV.UK language switch: this page in each language (none when only English is offered)."""
    languages = offered()
    if len(languages) == 1 or request.blueprint in STAFF_BLUEPRINTS:
        return []
    now = current()
    links = []
    for code in languages:
        query = urlencode({**request.args.to_dict(), "lang": code})
        links.append(
            {
                "code": code,
                "name": NAMES[code],
                "href": f"{request.path}?{query}",
                "current": code == now,
                "hidden": SWITCH_TO[code],
            }
        )
    return links


def question_text(question: Any, part: str) -> str:
    """A question's label, hint, error, short label (`part`) in the page's language: the force's own
    Welsh when it worded the question itself, else the catalogue's."""
    english = getattr(question, part)
    if current() != "cy" or not english:
        return english
    return getattr(question, f"{part}_cy", "") or gettext(english)


def lazy_question_text(question: Any, part: str) -> LazyString:
    """The same, worked out when it is shown (a form's messages are made once, read in many languages)."""
    return LazyString(question_text, question, part)


def translated(text: str) -> str:
    """A standard text kept as data (an option's label), in the page's language."""
    return gettext(text) if text and current() == "cy" else text


def group_text(group: Any, field_name: str) -> str:
    """A group's name, summary, requirements or meeting place in the page's language."""
    english = getattr(group, field_name) or ""
    return current_app.extensions["deployment"].group_text(group.slug, field_name, english)


def in_language(code: str, message: str, **variables: Any) -> str:
    """`message` from the catalogue in the language `code`, whatever the page's (a bilingual page: the
    evidence of signing). In templates, mark the message with N_() so that it is extracted."""
    with force_locale(code):
        return gettext(message, **variables)


def time_in(code: str, moment: datetime, seconds: bool = False) -> str:
    return uk_time(moment, seconds, code)


def lazy_group_text(group: Any, field_name: str) -> LazyString:
    """The same, worked out when it is read: inside a lazy email subject, the group's name comes out in
    the language the subject is read in (the person's), not in the page's that made it."""
    return LazyString(group_text, group, field_name)


def local_time(moment: datetime, seconds: bool = False) -> str:
    """`uk_time` in the language of the page or email being made (the `uk_time` filter)."""
    return uk_time(moment, seconds, current())


def local_date(moment: datetime | date) -> str:
    return uk_date(moment, current())


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_select)
    app.before_request(_remember)
    app.jinja_env.globals.update(
        question_text=question_text,
        translated=translated,
        group_text=group_text,
        in_language=in_language,
        time_in=time_in,
        N_=lambda message: message,  # marks a message for extraction, translated where it is used
    )

    @app.context_processor
    def _language() -> dict:
        return {"html_lang": current(), "language_links": switch_links()}
