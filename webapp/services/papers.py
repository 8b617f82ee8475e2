"""A group's papers: for the group, or for one of its meetings; each public or confidential; minutes too
(a confidential version and, where the force wants one, a redacted public one). A confidential paper is
for the group's current members only, must be a PDF, and each copy is stamped on every page with the name
of the person it was issued to and the date. Every download is logged (who, when)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, uk_date
from webapp.files import file_store
from webapp.models import Group, Meeting, Member, Paper, PaperDownload, PaperKind, StaffUser
from webapp.pdf.stamp import NotStampable, is_pdf, stamp
from webapp.services import InputError, events
from webapp.services.actors import Actor, member_actor, staff

MAX_SIZE = 25 * 1024 * 1024
MAX_TITLE = 200
# What a paper may be: PDF, or an office document (a zip) for a public paper.
KINDS_OF_FILE = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
}


def _safe_filename(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1].strip()
    base = re.sub(r"[^\w.\- ]", "_", base)[:120].strip(" .")
    return base or "paper"


@dataclass(frozen=True)
class Upload:
    title: str
    filename: str
    data: bytes
    confidential: bool
    kind: str = PaperKind.PAPER
    meeting_id: int | None = None


def add(session: Session, group: Group, user: StaffUser, upload: Upload) -> Paper:
    title = " ".join((upload.title or "").split())
    if not title:
        raise InputError("Enter the paper's title", "title")
    if len(title) > MAX_TITLE:
        raise InputError(f"The title must be {MAX_TITLE} characters or fewer", "title")
    data = upload.data or b""
    if not data:
        raise InputError("Choose the file of the paper", "file")
    if len(data) > MAX_SIZE:
        raise InputError(f"The file must be smaller than {MAX_SIZE // (1024 * 1024)} MB", "file")
    filename = _safe_filename(upload.filename)
    extension = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if extension not in KINDS_OF_FILE:
        raise InputError("The file must be a PDF, or a Word, Excel, PowerPoint or OpenDocument file", "file")
    if extension == ".pdf" and not is_pdf(data):
        raise InputError(
            "The file is not a PDF that can be read: it may be damaged or have a password", "file"
        )
    if extension != ".pdf" and not data.startswith(b"PK\x03\x04"):
        raise InputError(f"The file is not a {extension[1:].upper()} file that can be read", "file")
    if upload.confidential and extension != ".pdf":
        raise InputError(
            "A confidential paper must be a PDF, so that each copy can be stamped with the name of the "
            "member it is issued to",
            "file",
        )
    try:
        kind = PaperKind(upload.kind)
    except ValueError:
        raise InputError("Choose paper or minutes", "kind") from None
    if upload.meeting_id is not None:
        meeting = session.get(Meeting, upload.meeting_id)
        if meeting is None or meeting.group_id != group.id:
            raise InputError("Choose one of this group's meetings", "meeting_id")
    digest = file_store(current_app).put(data)
    paper = Paper(
        group_id=group.id,
        meeting_id=upload.meeting_id,
        title=title,
        kind=kind,
        confidential=upload.confidential,
        filename=filename,
        content_type=KINDS_OF_FILE[extension],
        storage_name=digest,
        size=len(data),
        sha256=digest,
        uploaded_by_id=user.id,
        uploaded_at=now(),
    )
    session.add(paper)
    session.flush()
    events.record(
        session, staff(user), "paper added", events.Subject("group", group.id), detail=_recorded(paper)
    )
    return paper


def withdraw(session: Session, paper: Paper, user: StaffUser) -> None:
    """No longer shown to members (kept, with its downloads, for the record)."""
    if paper.withdrawn_at is None:
        paper.withdrawn_at = now()
        events.record(
            session,
            staff(user),
            "paper withdrawn",
            events.Subject("group", paper.group_id),
            detail=_recorded(paper),
        )


def _recorded(paper: Paper) -> dict:
    return {
        "paper": paper.id,
        "title": paper.title,
        "confidential": paper.confidential,
        "sha256": paper.sha256,
    }


def of_group(session: Session, group: Group, published_only: bool = True) -> list[Paper]:
    query = (
        select(Paper).where(Paper.group_id == group.id).order_by(Paper.uploaded_at.desc(), Paper.id.desc())
    )
    if published_only:
        query = query.where(Paper.withdrawn_at.is_(None))
    return list(session.scalars(query))


def published(session: Session) -> dict[int, list[Paper]]:
    """The public papers of every group (redacted public minutes, say), by group id, newest first: shown on
    the public groups page for anyone to download."""
    found: dict[int, list[Paper]] = {}
    for paper in session.scalars(
        select(Paper)
        .where(Paper.confidential.is_(False), Paper.withdrawn_at.is_(None))
        .order_by(Paper.uploaded_at.desc(), Paper.id.desc())
    ):
        found.setdefault(paper.group_id, []).append(paper)
    return found


def public_copy(session: Session, paper_id: int) -> Copy | None:
    """A public paper as anyone downloads it (unstamped; not logged: it is public); None for any other."""
    paper = session.get(Paper, paper_id)
    if paper is None or paper.confidential or paper.withdrawn_at is not None:
        return None
    return Copy(paper.filename, paper.content_type, file_store(current_app).read(paper.storage_name))


def of_meeting(session: Session, meeting: Meeting) -> list[Paper]:
    return list(
        session.scalars(
            select(Paper)
            .where(Paper.meeting_id == meeting.id, Paper.withdrawn_at.is_(None))
            .order_by(Paper.uploaded_at, Paper.id)
        )
    )


@dataclass(frozen=True)
class Copy:
    filename: str
    content_type: str
    data: bytes


def issue_to_member(session: Session, paper: Paper, member: Member) -> Copy:
    """The member's copy (confidential: stamped with their name and today's date), its download logged."""
    with force_locale(member.language):
        words = gettext(
            "Confidential — issued to %(name)s on %(date)s",
            name=member.name,
            date=uk_date(now(), member.language),
        )
    download = PaperDownload(paper_id=paper.id, member_id=member.id, at=now())
    return _issue(session, paper, member_actor(member), download, words, member.language)


def issue_to_staff(session: Session, paper: Paper, user: StaffUser) -> Copy:
    """A member of staff's copy: confidential ones stamped with their name too; logged the same way."""
    words = f"Confidential — issued to {user.name} on {uk_date(now())}"
    download = PaperDownload(paper_id=paper.id, staff_user_id=user.id, at=now())
    return _issue(session, paper, staff(user), download, words, "en")


def _issue(
    session: Session, paper: Paper, actor: Actor, download: PaperDownload, words: str, language: str
) -> Copy:
    data = file_store(current_app).read(paper.storage_name)
    if paper.confidential:
        data = _stamped(data, words, language)
    session.add(download)
    events.record(
        session,
        actor,
        "paper downloaded",
        events.Subject("group", paper.group_id),
        detail={"paper": paper.id, "confidential": paper.confidential},
    )
    return Copy(paper.filename, paper.content_type, data)


def _stamped(data: bytes, words: str, language: str) -> bytes:
    try:
        return stamp(data, words, language)
    except NotStampable:  # checked on upload, so only a file damaged since: never hand it out unstamped
        raise InputError(
            "This paper cannot be stamped, so it cannot be issued. Tell the Police Coordinator."
        ) from None


@dataclass(frozen=True)
class Downloaded:
    who: str  # the member's name, or the member of staff's with "(staff)"
    at: datetime


def downloads(session: Session, paper: Paper) -> list[Downloaded]:
    """Who downloaded the paper, newest first."""
    found = session.execute(
        select(PaperDownload, Member.name, StaffUser.name)
        .outerjoin(Member, Member.id == PaperDownload.member_id)
        .outerjoin(StaffUser, StaffUser.id == PaperDownload.staff_user_id)
        .where(PaperDownload.paper_id == paper.id)
        .order_by(PaperDownload.at.desc(), PaperDownload.id.desc())
    )
    return [
        Downloaded(member_name or f"{staff_name} (staff)", download.at)
        for download, member_name, staff_name in found
    ]
