"""Each group's Terms of Reference and confidentiality agreement, versioned, in each language the service
offers. A version is never edited: publishing makes a new one, so a signature can always name the exact
text that was shown. Each language is numbered on its own (the Welsh text is published by the force like
the English, not made from it).

A group starts with the service's standard texts (templates/documents/, Welsh in templates/documents/cy/)
as version 1. Bodies are HTML, cleaned with nh3; {name}, {group} and {kept_after_leaving} are filled in
(HTML-escaped) when a document is shown to someone, in the document's language.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape

import nh3
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, period_in_words
from webapp.config import PROJECT_ROOT
from webapp.languages import group_text
from webapp.models import DocumentKind, Group, GroupDocument, StaffUser
from webapp.services import InputError, events
from webapp.services.actors import staff

TITLES = {
    "en": {
        DocumentKind.TERMS_OF_REFERENCE: "Terms of Reference",
        DocumentKind.CONFIDENTIALITY_AGREEMENT: "Confidentiality agreement",
    },
    "cy": {
        DocumentKind.TERMS_OF_REFERENCE: "Cylch Gorchwyl",
        DocumentKind.CONFIDENTIALITY_AGREEMENT: "Cytundeb cyfrinachedd",
    },
}
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh"}  # as the evidence and staff pages name them
TAGS = {"h2", "h3", "p", "ul", "ol", "li", "strong", "em", "br", "a", "blockquote"}
MAX_BODY = 100_000


def clean(body: str) -> str:
    return nh3.clean(body, tags=TAGS, attributes={"a": {"href"}}, url_schemes={"https", "mailto"})


def _standard(kind: DocumentKind, language: str) -> str:
    name = kind.replace(" ", "_")
    folder = PROJECT_ROOT / "templates" / "documents"
    return ((folder / language) if language != "en" else folder).joinpath(f"{name}.html").read_text()


def _versions(group: Group, kind: DocumentKind, language: str):
    return (
        select(GroupDocument)
        .where(
            GroupDocument.group_id == group.id,
            GroupDocument.kind == kind,
            GroupDocument.language == language,
        )
        .order_by(GroupDocument.version.desc())
    )


def current(session: Session, group: Group, kind: DocumentKind, language: str = "en") -> GroupDocument:
    """The latest version in `language`, making version 1 from the standard text the first time it is
    needed."""
    latest = session.scalar(_versions(group, kind, language).limit(1))
    if latest is None:
        latest = GroupDocument(
            group_id=group.id,
            kind=kind,
            language=language,
            version=1,
            title=TITLES[language][kind],
            body=clean(_standard(kind, language)),
            published_at=now(),
        )
        session.add(latest)
        session.flush()
    return latest


def history(session: Session, group: Group, kind: DocumentKind, language: str = "en") -> list[GroupDocument]:
    current(session, group, kind, language)
    return list(session.scalars(_versions(group, kind, language)))


def behind(session: Session, group: Group, kind: DocumentKind, language: str) -> GroupDocument | None:
    """The newest English version when `language`'s text is older than it (published before it, or still
    the standard text while the English was edited): a Welsh reader would sign a different text from an
    English one. Said on the staff page, so the force can catch up."""
    if language == "en":
        return None
    english, other = current(session, group, kind), current(session, group, kind, language)
    if english.published_by_id is None:  # still the standard text, which exists in every language
        return None
    return english if other.published_by_id is None or other.published_at < english.published_at else None


def publish(
    session: Session, group: Group, kind: DocumentKind, body: str, user: StaffUser, language: str = "en"
) -> GroupDocument:
    body = clean(body or "").strip()
    if not body:
        raise InputError("Enter the text of the document", "body")
    if len(body) > MAX_BODY:
        raise InputError(f"The text must be {MAX_BODY:,} characters or fewer", "body")
    latest = current(session, group, kind, language)
    document = GroupDocument(
        group_id=group.id,
        kind=kind,
        language=language,
        version=latest.version + 1,
        title=TITLES[language][kind],
        body=body,
        published_at=now(),
        published_by_id=user.id,
    )
    session.add(document)
    session.flush()
    events.record(
        session,
        staff(user),
        "document published",
        events.Subject("group", group.id),
        detail={
            "kind": str(kind),
            "language": language,
            "version": document.version,
            "sha256": sha256(document.body),
        },
    )
    return document


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Shown:
    """The documents as one person sees them: the HTML, its fingerprint, and the versions."""

    terms: GroupDocument
    agreement: GroupDocument
    terms_html: str
    agreement_html: str

    @property
    def language(self) -> str:
        return self.agreement.language

    @property
    def versions(self) -> str:
        """As the evidence records them: "terms of reference v2; confidentiality agreement v1", with the
        language named when it is not English ("... (Welsh)")."""
        named = f" ({LANGUAGE_NAMES[self.language]})" if self.language != "en" else ""
        return (
            f"terms of reference v{self.terms.version}{named}; "
            f"confidentiality agreement v{self.agreement.version}{named}"
        )

    @property
    def sha256(self) -> str:
        return sha256(self.terms_html + "\n" + self.agreement_html)


def personalise(document: GroupDocument, name: str, group: Group) -> str:
    """The document for one person: {name}, {group} (its name in the document's language) and
    {kept_after_leaving} (how long a former member's records are kept, from the retention settings, as
    the privacy notice says it) filled in."""
    kept = period_in_words(current_app.config["RETENTION_MEMBER_DAYS"], document.language)
    with force_locale(document.language):
        group_name = group_text(group, "name")
    return (
        document.body.replace("{name}", escape(name))
        .replace("{group}", escape(group_name))
        .replace("{kept_after_leaving}", kept)
    )


def shown_to(session: Session, group: Group, name: str, language: str = "en") -> Shown:
    """Both documents as `name` reads them in `language` (English where the service has no Welsh)."""
    if language not in current_app.extensions["deployment"].languages:
        language = "en"
    terms = current(session, group, DocumentKind.TERMS_OF_REFERENCE, language)
    agreement = current(session, group, DocumentKind.CONFIDENTIALITY_AGREEMENT, language)
    return Shown(terms, agreement, personalise(terms, name, group), personalise(agreement, name, group))
