"""Full-text search over applicants' names, references, and the subjects and bodies of their emails.

PostgreSQL uses generated tsvector columns with GIN indexes (migrations 0004 and 0005); SQLite uses FTS5
tables kept in step by triggers (0004). Either way the answer is a clause or a capped list of ids that
callers combine with their own filters, and always with the access rule, so search never widens what a
person may see.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    TextClause,
    any_,
    bindparam,
    column,
    select,
    table,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from webapp.models import Applicant, Application, InboundEmail

# On PostgreSQL, generated tsvector columns with GIN indexes (migration 0005).
EMAIL_DOCUMENT = "inbound_emails.search_vector"
NAME_DOCUMENT = "applicants.search_vector"
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


def _fts5_query(terms: list[str], prefix: bool = True) -> str:
    """Each word as a quoted (prefix) term: no FTS5 syntax from the user ever reaches the engine."""
    return " ".join(f'"{term}"' + ("*" if prefix else "") for term in terms)


def _planned(parameter):
    """Search terms rendered into the statement (quoted by SQLAlchemy) rather than sent as a parameter: a
    prepared statement's generic plan cannot tell a rare word from a common one, and picks badly for one."""
    parameter.literal_execute = True
    return parameter


def _pg_query(terms: list[str], prefix: bool = True) -> str:
    return " & ".join(term + (":*" if prefix else "") for term in terms)


def email_match(session: Session, text_: str, prefix: bool = True) -> ColumnElement[bool] | TextClause:
    """A WHERE clause over InboundEmail: subject or body match every word (as a prefix, unless not)."""
    terms = words(text_)
    if session.get_bind().dialect.name == "postgresql":
        return text(f"{EMAIL_DOCUMENT} @@ to_tsquery('english', :email_terms)").bindparams(
            _planned(bindparam("email_terms", _pg_query(terms, prefix)))
        )
    match = text("search_emails MATCH :email_terms").bindparams(email_terms=_fts5_query(terms, prefix))
    return InboundEmail.id.in_(select(column("rowid")).select_from(table("search_emails")).where(match))


def applicant_match(session: Session, text_: str, prefix: bool = True) -> ColumnElement[bool] | TextClause:
    """A WHERE clause over Applicant: the name matches every word (as a prefix, unless not)."""
    terms = words(text_)
    if session.get_bind().dialect.name == "postgresql":
        return text(f"{NAME_DOCUMENT} @@ to_tsquery('simple', :name_terms)").bindparams(
            _planned(bindparam("name_terms", _pg_query(terms, prefix)))
        )
    match = text("search_applicants MATCH :name_terms").bindparams(name_terms=_fts5_query(terms, prefix))
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
    by_email = _capped(
        session,
        lambda prefix: select(InboundEmail.application_id).where(
            email_match(session, text_, prefix), InboundEmail.application_id.is_not(None)
        ),
    )
    by_name = _capped(
        session,
        lambda prefix: (
            select(Application.id)
            .join(Applicant, Application.applicant_id == Applicant.id)
            .where(applicant_match(session, text_, prefix))
        ),
    )
    return Found(sorted(set(by_email) | set(by_name)), len(by_email) > CAP or len(by_name) > CAP)


def _capped(session: Session, query: Callable[[bool], Select]) -> list[int]:
    """Up to CAP + 1 matches. Whole words first: for a common word that fills the cap at once, where
    PostgreSQL's estimate for a prefix search would lead it to read every match. Only when whole words
    match fewer than the cap is the (wider) prefix search run."""
    whole = session.scalars(query(False).limit(CAP + 1)).all()
    if len(whole) > CAP:
        return list(whole)
    return list(session.scalars(query(True).limit(CAP + 1)).all())


def among(
    session: Session, column: ColumnElement[int] | InstrumentedAttribute[int], ids: list[int]
) -> ColumnElement[bool]:
    """`column` is one of `ids`: on PostgreSQL one array parameter (= ANY), not thousands of IN parameters."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("among_ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def matching_emails(session: Session, text_: str) -> ColumnElement[bool] | TextClause | None:
    """A WHERE clause over InboundEmail (for the triage list), or None when there is nothing to search for."""
    if not words(text_):
        return None
    return email_match(session, text_)
