"""A subject access request: everything held about one person (their `personal_data.footprint`) in one
ZIP, with no live link in it."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.db import Base
from webapp.models import (
    Attachment,
    CallOutRecipient,
    Candidate,
    Draft,
    EqualityResponse,
    Event,
    ExpenseClaim,
    Interest,
    MeetingResponse,
    Member,
    Membership,
    MemberSignIn,
    PaperDownload,
    Referral,
    Vetting,
)
from webapp.services import events
from webapp.services.actors import Actor
from webapp.services.personal_data import OWNED_BY_APPLICATION, Footprint, Stores


def _row(row: Base) -> dict[str, Any]:
    values = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return values


def _rows(session: Session, model, *where) -> list[dict[str, Any]]:
    return [_row(r) for r in session.scalars(select(model).where(*where).order_by(model.id))]


# The links in emails we sent (the applicant's page, signing, resuming, staff set-up): live keys to an
# account or a case, so an export says a link was there and never what it was.
# Every link that signs someone in or opens their page (each route with a <token>; a test holds the list).
LIVE_LINK = re.compile(
    r"(/(?:my-application|sign|apply/resume|staff/enrol|members/sign-in)/)[A-Za-z0-9_-]{16,}"
)


def _without_links(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"body_text": LIVE_LINK.sub(r"\1(link removed from this copy)", row.get("body_text") or "")}


def export_zip(session: Session, stores: Stores, person: Footprint) -> bytes:
    """A ZIP of everything held: person.json (every record), the raw emails, and every stored file."""
    application_ids = [a.id for a in person.applications]
    email_ids = [e.id for e in person.emails]
    attachments = list(
        session.scalars(
            select(Attachment)
            .where(or_(Attachment.application_id.in_(application_ids), Attachment.email_id.in_(email_ids)))
            .order_by(Attachment.id)
        )
    )
    record: dict[str, Any] = {
        "exported_at": now().isoformat(),
        "email_address": person.email,
        "applicants": [_row(a) for a in person.applicants],
        "applications": [],
        "emails_received": [_row(e) for e in person.emails],
        "emails_sent": [_without_links(_row(m)) for m in person.sent],
        "files": [_row(a) for a in attachments],
        "equality_answers": _rows(
            session, EqualityResponse, EqualityResponse.application_id.in_(application_ids)
        ),
        "drafts": _rows(session, Draft, Draft.application_id.in_(application_ids)),
        "as_a_member": [_member(session, m) for m in person.members],
    }
    for application in person.applications:
        entry = _row(application)
        for model in OWNED_BY_APPLICATION:
            entry[model.__tablename__] = _rows(session, model, model.application_id == application.id)
        entry["referrals"] = _rows(session, Referral, Referral.from_application_id == application.id)
        entry["events"] = _rows(
            session, Event, Event.subject_type == "application", Event.subject_id == application.id
        )
        for row in entry["applicant_links"]:
            row.pop("token_hash", None)
        for row in entry["signing_requests"]:
            row.pop("token_hash", None)
        record["applications"].append(entry)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("person.json", json.dumps(record, indent=2, ensure_ascii=False, default=str))
        for email in person.emails:
            if email.sha256 and stores.raw.exists(email.sha256):
                archive.writestr(f"emails/{email.id}.eml", stores.raw.read(email.sha256))
        for attachment in attachments:
            if stores.files.exists(attachment.storage_name):
                archive.writestr(
                    f"files/{attachment.id}-{_safe_name(attachment.filename)}",
                    stores.files.read(attachment.storage_name),
                )
        for message in person.sent:
            for n, spec in enumerate(message.attachments):
                if stores.files.exists(spec["storage_name"]):
                    name = f"sent/{message.id}-{n}-{_safe_name(spec['filename'])}"
                    archive.writestr(name, stores.files.read(spec["storage_name"]))
    return out.getvalue()


def _member(session: Session, member: Member) -> dict[str, Any]:
    """The person as a member: their own details, answers to invitations and call-outs, attendance, the
    papers they downloaded, their interests, vetting (status and dates), expenses claims, candidacies and
    when they signed in. Never how they voted: nothing records it against them."""
    joined = [m.id for m in session.scalars(select(Membership).where(Membership.member_id == member.id))]
    return {
        **_row(member),
        "meeting_answers_and_attendance": _rows(
            session, MeetingResponse, MeetingResponse.membership_id.in_(joined)
        ),
        "call_out_answers": _rows(session, CallOutRecipient, CallOutRecipient.membership_id.in_(joined)),
        "papers_downloaded": _rows(session, PaperDownload, PaperDownload.member_id == member.id),
        "interests": _rows(session, Interest, Interest.member_id == member.id),
        "vetting": _rows(session, Vetting, Vetting.membership_id.in_(joined)),
        "expenses_claims": _rows(session, ExpenseClaim, ExpenseClaim.membership_id.in_(joined)),
        "election_candidacies": _rows(session, Candidate, Candidate.membership_id.in_(joined)),
        "sign_ins": [
            {k: v for k, v in row.items() if k != "token_hash"}
            for row in _rows(session, MemberSignIn, MemberSignIn.member_id == member.id)
        ],
    }


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(" .")
    return cleaned[:100] or "file"


def exported(session: Session, actor: Actor) -> None:
    events.record(session, actor, "personal data exported", events.Subject("person"), detail={})
