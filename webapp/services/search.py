"""Full-text search over applicants' names, references, and the subjects and bodies of their emails.

PostgreSQL uses expression GIN indexes over to_tsvector (migration 0004); SQLite uses FTS5 tables kept in
step by triggers. Either way the answer is a subquery of ids that callers combine with their own filters
(and always with the access rule), so search never widens what a person may see.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, column, select, table, text, union
from sqlalchemy.orm import Session

from webapp.models import Applicant, Application, InboundEmail

# Must match the indexed expressions in migration 0004 exactly, or PostgreSQL will not use the index.
EMAIL_DOCUMENT = "to_tsvector('english', coalesce(subject, '') || ' ' || coalesce(text_body, ''))"
NAME_DOCUMENT = "to_tsvector('simple', coalesce(name, ''))"
REFERENCE = re.compile(r"^IAG-?[0-9A-Z]{4}-?[0-9A-Z]{4}$")
MAX_TERMS = 12


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


def email_ids(session: Session, text_: str) -> Select:
    """Ids of emails whose subject or body match every word (as a prefix)."""
    terms = words(text_)
    if session.get_bind().dialect.name == "postgresql":
        match = text(f"{EMAIL_DOCUMENT} @@ to_tsquery('english', :email_terms)")
        return select(InboundEmail.id).where(match.bindparams(email_terms=_pg_query(terms)))
    match = text("search_emails MATCH :email_terms").bindparams(email_terms=_fts5_query(terms))
    return select(column("rowid")).select_from(table("search_emails")).where(match)


def applicant_ids(session: Session, text_: str) -> Select:
    terms = words(text_)
    if session.get_bind().dialect.name == "postgresql":
        match = text(f"{NAME_DOCUMENT} @@ to_tsquery('simple', :name_terms)")
        return select(Applicant.id).where(match.bindparams(name_terms=_pg_query(terms)))
    match = text("search_applicants MATCH :name_terms").bindparams(name_terms=_fts5_query(terms))
    return select(column("rowid")).select_from(table("search_applicants")).where(match)


def application_ids(session: Session, text_: str) -> Select | None:
    """Applications matching `text`: by reference, applicant's name, or any of their emails. None when the
    text holds nothing to search for."""
    reference = normal_reference(text_)
    if reference:
        return select(Application.id).where(Application.reference == reference)
    if not words(text_):
        return None
    by_email = select(InboundEmail.application_id).where(
        InboundEmail.id.in_(email_ids(session, text_)), InboundEmail.application_id.is_not(None)
    )
    by_name = select(Application.id).where(Application.applicant_id.in_(applicant_ids(session, text_)))
    return select(union(by_email, by_name).subquery().c[0])


def matching_emails(session: Session, text_: str) -> ColumnElement[bool] | None:
    """A WHERE clause over InboundEmail (for the triage list), or None when there is nothing to search for."""
    if not words(text_):
        return None
    return InboundEmail.id.in_(email_ids(session, text_))
