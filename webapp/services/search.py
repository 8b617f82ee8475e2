"""Full-text search over applicants' names, references, and the subjects and bodies of their emails.

PostgreSQL uses expression GIN indexes over to_tsvector (migration 0004); SQLite uses FTS5 tables kept in
step by triggers. Either way the answer is a subquery of ids that callers combine with their own filters
(and always with the access rule), so search never widens what a person may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, column, select, table, text
from sqlalchemy.orm import Session

from webapp.models import Applicant, Application, InboundEmail

# Must match the indexed expressions in migration 0004 exactly, or PostgreSQL will not use the index.
EMAIL_DOCUMENT = "to_tsvector('english', coalesce(subject, '') || ' ' || coalesce(text_body, ''))"
NAME_DOCUMENT = "to_tsvector('simple', coalesce(name, ''))"
REFERENCE = re.compile(r"^IAG-?[0-9A-Z]{4}-?[0-9A-Z]{4}$")
MAX_TERMS = 12
CAP = 2000  # matches taken per kind (emails, names) before asking for more words


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())[:MAX_TERMS]


def normal_reference(text: str) -> str | None:
    compact = text.strip().upper().replace(" ", "")
    if not REFERENCE.match(compact):
        return None
    chars = compact.replace("IAG", "", 1).replace("-", "")
    return f"IAG-{chars[:4]}-{chars[4:]}"


def _fts5_query(terms: list[str]) -> str:
    """Each word as a quoted prefix term: no FTS5 syntax from the user ever reaches the engine."""
    return " ".join(f'"{term}"*' for term in terms)


def _pg_query(terms: list[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def email_match(session: Session, text_: str) -> ColumnElement[bool]:
    """A WHERE clause over InboundEmail: subject or body match every word (as a prefix)."""
    terms = words(text_)
    if session.get_bind().dialect.name == "postgresql":
        return text(f"{EMAIL_DOCUMENT} @@ to_tsquery('english', :email_terms)").bindparams(
            email_terms=_pg_query(terms)
        )
    match = text("search_emails MATCH :email_terms").bindparams(email_terms=_fts5_query(terms))
    return InboundEmail.id.in_(select(column("rowid")).select_from(table("search_emails")).where(match))


def applicant_match(session: Session, text_: str) -> ColumnElement[bool]:
    """A WHERE clause over Applicant: the name matches every word (as a prefix)."""
    terms = words(text_)
    if session.get_bind().dialect.name == "postgresql":
        return text(f"{NAME_DOCUMENT} @@ to_tsquery('simple', :name_terms)").bindparams(
            name_terms=_pg_query(terms)
        )
    match = text("search_applicants MATCH :name_terms").bindparams(name_terms=_fts5_query(terms))
    return Applicant.id.in_(select(column("rowid")).select_from(table("search_applicants")).where(match))


@dataclass(frozen=True)
class Found:
    application_ids: list[int]
    truncated: bool  # more matched than CAP: the person should add words


def application_ids(session: Session, text_: str) -> Found | None:
    """Applications matching `text`: by reference, the applicant's name, or words in any of their emails.
    At most CAP matches of each kind are taken, so a search for a common word stays fast. None when the text
    holds nothing to search for."""
    reference = normal_reference(text_)
    if reference:
        found = session.scalars(select(Application.id).where(Application.reference == reference)).all()
        return Found(list(found), False)
    if not words(text_):
        return None
    by_email = session.scalars(
        select(InboundEmail.application_id)
        .where(email_match(session, text_), InboundEmail.application_id.is_not(None))
        .limit(CAP + 1)
    ).all()
    by_name = session.scalars(
        select(Application.id)
        .join(Applicant, Application.applicant_id == Applicant.id)
        .where(applicant_match(session, text_))
        .limit(CAP + 1)
    ).all()
    return Found(sorted(set(by_email) | set(by_name)), len(by_email) > CAP or len(by_name) > CAP)


def matching_emails(session: Session, text_: str) -> ColumnElement[bool] | None:
    """A WHERE clause over InboundEmail (for the triage list), or None when there is nothing to search for."""
    if not words(text_):
        return None
    return email_match(session, text_)
