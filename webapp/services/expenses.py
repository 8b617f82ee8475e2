"""Expenses, the rules a force checks against its own (README "Running a group"):

- A member claims for a meeting or another activity of one of their current groups: the date, what it
  was for, miles driven (paid at IAG_MILEAGE_PENCE_PER_MILE, the rate fixed on the claim when made),
  public transport, parking and other costs (with what they were), in whole pence; with receipts (a photo,
  JPEG or PNG, or a PDF, each up to 10 MB, at most 5).
- Staff of the group approve it, query it (the member answers and it comes back), or reject it, with a
  reason for a query or a rejection; the member is emailed at each change and sees the state on their page.
- Approved claims are exported for finance as CSV (formula-safe) and then marked paid. Totals per member
  per year (by the date spent) are shown to staff and to the member."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.files import file_store
from webapp.models import (
    ClaimReceipt,
    ClaimStatus,
    ExpenseClaim,
    Group,
    Meeting,
    Member,
    MemberRole,
    Membership,
    StaffUser,
)
from webapp.money import pence, plain, pounds
from webapp.services import InputError, events, notify
from webapp.services.actors import member_actor, staff
from webapp.services.members import safe_cell, spreadsheet_writer
from webapp.workflow import Role

MAX_RECEIPT = 10 * 1024 * 1024
MAX_RECEIPTS = 5
MAX_MILES = 2000
RECEIPT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


@dataclass(frozen=True)
class Receipt:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Claim:
    """What the member typed, as text (read here, with messages in their language)."""

    spent_on: date
    purpose: str
    miles: str = ""
    public_transport: str = ""
    parking: str = ""
    other: str = ""
    other_note: str = ""
    meeting_id: int | None = None
    receipts: list[Receipt] = field(default_factory=list)


def _amount(typed: str, field_name: str) -> int:
    try:
        return pence(typed)
    except ValueError:
        raise InputError(gettext("Enter an amount in pounds and pence, like 12.50"), field_name) from None


def _receipt_type(receipt: Receipt) -> str:
    if not receipt.data:
        raise InputError(gettext("The file %(name)s is empty", name=receipt.filename), "receipts")
    if len(receipt.data) > MAX_RECEIPT:
        raise InputError(
            gettext("The file %(name)s must be smaller than 10 MB", name=receipt.filename), "receipts"
        )
    for magic, content_type in RECEIPT_TYPES.items():
        if receipt.data.startswith(magic):
            return content_type
    raise InputError(
        gettext("The file %(name)s must be a photo (JPG or PNG) or a PDF", name=receipt.filename), "receipts"
    )


def submit(session: Session, membership: Membership, member: Member, claim: Claim) -> ExpenseClaim:
    if membership.left_at is not None:
        raise InputError(gettext("Only current members can claim expenses"), "purpose")
    purpose = (claim.purpose or "").strip()
    if not purpose:
        raise InputError(gettext("Say what the expenses were for"), "purpose")
    if len(purpose) > 1000:
        raise InputError(gettext("What it was for must be 1,000 characters or fewer"), "purpose")
    if claim.spent_on > now().date():
        raise InputError(gettext("The date must be today or in the past"), "spent_on")
    miles_text = (claim.miles or "").strip()
    if miles_text and (not miles_text.isdigit() or int(miles_text) > MAX_MILES):
        raise InputError(
            gettext("Enter the miles as a whole number, up to %(most)s", most=MAX_MILES), "miles"
        )
    miles = int(miles_text or 0)
    rate = current_app.config["MILEAGE_PENCE_PER_MILE"]
    amounts = {
        "public_transport": _amount(claim.public_transport, "public_transport"),
        "parking": _amount(claim.parking, "parking"),
        "other": _amount(claim.other, "other"),
    }
    if amounts["other"] and not (claim.other_note or "").strip():
        raise InputError(gettext("Say what the other costs were"), "other_note")
    total = miles * rate + sum(amounts.values())
    if total <= 0:
        raise InputError(gettext("Enter the miles or at least one amount"), "miles")
    if len(claim.receipts) > MAX_RECEIPTS:
        raise InputError(gettext("Attach at most %(most)s receipts", most=MAX_RECEIPTS), "receipts")
    types = [_receipt_type(receipt) for receipt in claim.receipts]
    if claim.meeting_id is not None:
        meeting = session.get(Meeting, claim.meeting_id)
        if meeting is None or meeting.group_id != membership.group_id:
            raise InputError(gettext("Choose one of your group's meetings"), "meeting_id")
    made = ExpenseClaim(
        membership_id=membership.id,
        group_id=membership.group_id,
        meeting_id=claim.meeting_id,
        spent_on=claim.spent_on,
        purpose=purpose,
        miles=miles,
        pence_per_mile=rate,
        mileage_pence=miles * rate,
        public_transport_pence=amounts["public_transport"],
        parking_pence=amounts["parking"],
        other_pence=amounts["other"],
        other_note=(claim.other_note or "").strip(),
        total_pence=total,
        status=ClaimStatus.SUBMITTED,
        submitted_at=now(),
    )
    session.add(made)
    session.flush()
    _keep_receipts(session, made, claim.receipts, types)
    events.record(
        session, member_actor(member), "expenses claimed", _subject(made), detail={"total_pence": total}
    )
    return made


def _keep_receipts(session: Session, made: ExpenseClaim, receipts: list[Receipt], types: list[str]) -> None:
    store = file_store(current_app)
    for receipt, content_type in zip(receipts, types, strict=True):
        session.add(
            ClaimReceipt(
                claim_id=made.id,
                filename=_safe(receipt.filename),
                content_type=content_type,
                storage_name=store.put(receipt.data),
                size=len(receipt.data),
                uploaded_at=now(),
            )
        )


def _safe(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[^\w.\- ]", "_", base)[:120].strip(" .") or "receipt"


EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def download_name(receipt: ClaimReceipt) -> str:
    """A receipt's name under its detected type ("poly.html" that is a PNG is "poly.png"): what opens it
    is what it is."""
    stem = receipt.filename.rsplit(".", 1)[0] if "." in receipt.filename else receipt.filename
    return f"{stem or 'receipt'}{EXTENSIONS.get(receipt.content_type, '.bin')}"


def _subject(claim: ExpenseClaim) -> events.Subject:
    return events.Subject("expense claim", claim.id)


def answer_query(
    session: Session, claim: ExpenseClaim, member: Member, answer: str, receipts: list[Receipt]
) -> None:
    """The member answers staff's question; the claim goes back to them."""
    if claim.status != ClaimStatus.QUERIED:
        raise InputError(gettext("This claim is not waiting for your answer"), "answer")
    answer = (answer or "").strip()
    if not answer:
        raise InputError(gettext("Answer the question"), "answer")
    existing = session.scalar(
        select(func.count()).select_from(ClaimReceipt).where(ClaimReceipt.claim_id == claim.id)
    )
    if (existing or 0) + len(receipts) > MAX_RECEIPTS:
        raise InputError(gettext("Attach at most %(most)s receipts", most=MAX_RECEIPTS), "receipts")
    types = [_receipt_type(receipt) for receipt in receipts]
    _keep_receipts(session, claim, receipts, types)
    claim.answer, claim.status = answer[:2000], ClaimStatus.SUBMITTED
    events.record(session, member_actor(member), "expenses query answered", _subject(claim))


DECISIONS = {"approve": ClaimStatus.APPROVED, "query": ClaimStatus.QUERIED, "reject": ClaimStatus.REJECTED}


def _claimant(session: Session, claim: ExpenseClaim) -> tuple[Member | None, Membership | None]:
    membership = session.get(Membership, claim.membership_id) if claim.membership_id else None
    member = session.get(Member, membership.member_id) if membership and membership.member_id else None
    return member, membership


def _check_not_own(session: Session, claim: ExpenseClaim, user: StaffUser, paying: bool = False) -> None:
    """Nobody decides or pays their own claim (a member who is also the group's staff, as an elected Chair
    becomes), and a Chair's or Vice Chair's own claim is for the Police Coordinator."""
    member, membership = _claimant(session, claim)
    if member is not None and member.email and member.email.lower() == (user.email or "").lower():
        doing = "mark your own claim as paid" if paying else "decide on your own claim"
        raise InputError(f"You cannot {doing}: another of the group's staff must", "decision")
    chair = membership is not None and membership.role in {MemberRole.CHAIR, MemberRole.VICE_CHAIR}
    if chair and Role.POLICE_COORDINATOR not in staff(user).roles_for(claim.group_id):
        doing = "mark as paid" if paying else "decide on"
        raise InputError(f"Only the Police Coordinator may {doing} a claim by the group's Chair", "decision")


def decide(session: Session, claim: ExpenseClaim, user: StaffUser, decision: str, reason: str) -> None:
    """Approve, query or reject a submitted claim (a query or a rejection says why); the member is emailed."""
    if claim.status != ClaimStatus.SUBMITTED:
        raise InputError("This claim is not waiting for a decision", "decision")
    _check_not_own(session, claim, user)
    if decision not in DECISIONS:
        raise InputError("Choose approve, query or reject", "decision")
    reason = (reason or "").strip()
    if decision != "approve" and not reason:
        raise InputError("Say why: the member reads it", "reason")
    claim.status, claim.reason = DECISIONS[decision], reason[:2000]
    claim.decided_at, claim.decided_by_id = now(), user.id
    events.record(
        session,
        staff(user),
        f"expenses {claim.status}",
        _subject(claim),
        detail={"total_pence": claim.total_pence},
    )
    _tell(session, claim)


def mark_paid(session: Session, claims: list[ExpenseClaim], user: StaffUser) -> int:
    """Mark approved claims paid; none of them may be the person's own (nothing is marked if one is)."""
    for claim in claims:
        _check_not_own(session, claim, user, paying=True)
    paid = 0
    for claim in claims:
        if claim.status == ClaimStatus.APPROVED:
            claim.status, claim.paid_at = ClaimStatus.PAID, now()
            events.record(
                session,
                staff(user),
                "expenses paid",
                _subject(claim),
                detail={"total_pence": claim.total_pence},
            )
            _tell(session, claim)
            paid += 1
    return paid


def _tell(session: Session, claim: ExpenseClaim) -> None:
    membership = session.get(Membership, claim.membership_id) if claim.membership_id else None
    member = session.get(Member, membership.member_id) if membership and membership.member_id else None
    if member is None or not member.email:
        return
    group = session.get_one(Group, claim.group_id)
    with force_locale(member.language):
        subject = gettext(
            "Your expenses claim of %(total)s: %(status)s",
            total=pounds(claim.total_pence),
            status=status_words(claim.status),
        )
    notify.email(
        session,
        "expenses_changed",
        to=member.email,
        subject=subject,
        language=member.language,
        purpose="expenses",
        member=member,
        group=group,
        claim=claim,
        total=pounds(claim.total_pence),
        status=status_words(claim.status, member.language),
    )


STATUS_WORDS = {
    ClaimStatus.SUBMITTED: _l("waiting for a decision"),
    ClaimStatus.QUERIED: _l("a question for you"),
    ClaimStatus.APPROVED: _l("approved"),
    ClaimStatus.REJECTED: _l("not approved"),
    ClaimStatus.PAID: _l("paid"),
}


def status_words(status: ClaimStatus, language: str | None = None) -> str:
    """The state of a claim as the member reads it (in `language`, or the page's)."""
    if language is None:
        return str(STATUS_WORDS[status])
    with force_locale(language):
        return str(STATUS_WORDS[status])


def of_member(session: Session, member: Member) -> list[ExpenseClaim]:
    return list(
        session.scalars(
            select(ExpenseClaim)
            .join(Membership, Membership.id == ExpenseClaim.membership_id)
            .where(Membership.member_id == member.id)
            .order_by(ExpenseClaim.submitted_at.desc())
        )
    )


def of_group(
    session: Session, group: Group, status: ClaimStatus | None = None
) -> list[tuple[ExpenseClaim, str]]:
    query = (
        select(ExpenseClaim, Member.name)
        .join(Membership, Membership.id == ExpenseClaim.membership_id)
        .join(Member, Member.id == Membership.member_id)
        .where(ExpenseClaim.group_id == group.id)
        .order_by(ExpenseClaim.submitted_at.desc())
    )
    if status is not None:
        query = query.where(ExpenseClaim.status == status)
    return [(claim, name) for claim, name in session.execute(query)]


def receipts(session: Session, claim: ExpenseClaim) -> list[ClaimReceipt]:
    return list(
        session.scalars(
            select(ClaimReceipt).where(ClaimReceipt.claim_id == claim.id).order_by(ClaimReceipt.id)
        )
    )


def totals(session: Session, group: Group) -> dict[tuple[str, int], int]:
    """Approved or paid pence per (member's name, year spent)."""
    year = extract("year", ExpenseClaim.spent_on)
    found = session.execute(
        select(Member.name, year, func.sum(ExpenseClaim.total_pence))
        .join(Membership, Membership.id == ExpenseClaim.membership_id)
        .join(Member, Member.id == Membership.member_id)
        .where(
            ExpenseClaim.group_id == group.id,
            ExpenseClaim.status.in_([ClaimStatus.APPROVED, ClaimStatus.PAID]),
        )
        .group_by(Member.name, year)
        .order_by(year.desc(), Member.name)
    )
    return {(name, int(when)): int(total) for name, when, total in found}


def member_year_total(claims: list[ExpenseClaim], year: int) -> int:
    """Approved or paid pence of these claims spent in `year`."""
    return sum(
        c.total_pence
        for c in claims
        if c.spent_on.year == year and c.status in {ClaimStatus.APPROVED, ClaimStatus.PAID}
    )


def finance_csv(rows: list[tuple[ExpenseClaim, str]], group: Group) -> str:
    """The approved claims for finance: one line each, every cell safe from spreadsheet formulas."""
    out = io.StringIO()
    writer = spreadsheet_writer(out)
    writer.writerow(
        [
            "Claim",
            "Member",
            "Group",
            "Date spent",
            "For",
            "Miles",
            "Mileage",
            "Public transport",
            "Parking",
            "Other",
            "Other was",
            "Total",
        ]
    )
    for claim, name in rows:
        cells = [
            str(claim.id),
            name,
            group.name,
            claim.spent_on.isoformat(),
            claim.purpose,
            str(claim.miles),
            plain(claim.mileage_pence),
            plain(claim.public_transport_pence),
            plain(claim.parking_pence),
            plain(claim.other_pence),
            claim.other_note,
            plain(claim.total_pence),
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()
