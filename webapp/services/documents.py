"""Each group's Terms of Reference and confidentiality agreement, versioned. A version is never edited:
publishing makes a new one, so a signature can always name the exact text that was shown.

A group starts with the service's standard texts (templates/documents/) as version 1. Bodies are HTML,
cleaned with nh3; {name} and {group} are filled in (HTML-escaped) when a document is shown to someone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape

import nh3
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, period_in_words
from webapp.config import PROJECT_ROOT
from webapp.models import DocumentKind, Group, GroupDocument, StaffUser
from webapp.services import InputError, events
from webapp.services.actors import staff

TITLES = {
    DocumentKind.TERMS_OF_REFERENCE: "Terms of Reference",
    DocumentKind.CONFIDENTIALITY_AGREEMENT: "Confidentiality agreement",
}
TAGS = {"h2", "h3", "p", "ul", "ol", "li", "strong", "em", "br", "a", "blockquote"}
MAX_BODY = 100_000


def clean(body: str) -> str:
    return nh3.clean(body, tags=TAGS, attributes={"a": {"href"}}, url_schemes={"https", "mailto"})


def _standard(kind: DocumentKind) -> str:
    name = kind.replace(" ", "_")
    return (PROJECT_ROOT / "templates" / "documents" / f"{name}.html").read_text()


def current(session: Session, group: Group, kind: DocumentKind) -> GroupDocument:
    """The latest version, making version 1 from the standard text the first time it is needed."""
    latest = session.scalar(
        select(GroupDocument)
        .where(GroupDocument.group_id == group.id, GroupDocument.kind == kind)
        .order_by(GroupDocument.version.desc())
        .limit(1)
    )
    if latest is None:
        latest = GroupDocument(
            group_id=group.id,
            kind=kind,
            version=1,
            title=TITLES[kind],
            body=clean(_standard(kind)),
            published_at=now(),
        )
        session.add(latest)
        session.flush()
    return latest


def history(session: Session, group: Group, kind: DocumentKind) -> list[GroupDocument]:
    current(session, group, kind)
    return list(
        session.scalars(
            select(GroupDocument)
            .where(GroupDocument.group_id == group.id, GroupDocument.kind == kind)
            .order_by(GroupDocument.version.desc())
        )
    )


def publish(session: Session, group: Group, kind: DocumentKind, body: str, user: StaffUser) -> GroupDocument:
    body = clean(body or "").strip()
    if not body:
        raise InputError("Enter the text of the document", "body")
    if len(body) > MAX_BODY:
        raise InputError(f"The text must be {MAX_BODY:,} characters or fewer", "body")
    latest = current(session, group, kind)
    document = GroupDocument(
        group_id=group.id,
        kind=kind,
        version=latest.version + 1,
        title=TITLES[kind],
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
        detail={"kind": str(kind), "version": document.version, "sha256": sha256(document.body)},
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
    def versions(self) -> str:
        return (
            f"terms of reference v{self.terms.version}; confidentiality agreement v{self.agreement.version}"
        )

    @property
    def sha256(self) -> str:
        return sha256(self.terms_html + "\n" + self.agreement_html)


def personalise(document: GroupDocument, name: str, group: Group) -> str:
    """The document for one person: {name}, {group} and {kept_after_leaving} (how long a former member's
    records are kept, from the retention settings, as the privacy notice says it) filled in."""
    kept = period_in_words(current_app.config["RETENTION_MEMBER_DAYS"])
    return (
        document.body.replace("{name}", escape(name))
        .replace("{group}", escape(group.name))
        .replace("{kept_after_leaving}", kept)
    )


def shown_to(session: Session, group: Group, name: str) -> Shown:
    terms = current(session, group, DocumentKind.TERMS_OF_REFERENCE)
    agreement = current(session, group, DocumentKind.CONFIDENTIALITY_AGREEMENT)
    return Shown(terms, agreement, personalise(terms, name, group), personalise(agreement, name, group))
