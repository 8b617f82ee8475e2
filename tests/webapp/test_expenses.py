"""Expenses, on both databases: a member's claim (mileage at the deployment's rate, parking, a receipt)
from submission through a query and its answer to approved, exported for finance (formula-safe) and paid,
with an email at each change and the year's totals; and the claims refused with a clear message (a receipt
too large or of the wrong kind, an amount that is not money). Money is whole pence throughout."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from tests.given import given_member
from tests.helpers import csrf_token, text_of
from tests.review_journey import act, mails_to, staff_client
from tests.webapp.test_members import AMINA, signed_in_member
from webapp import clock
from webapp.db import session_scope
from webapp.models import ClaimReceipt, ExpenseClaim
from webapp.workflow import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
EXPENSES = "/staff/groups/bristol/expenses"


def _claim(client, **changes):
    page = client.get("/members/expenses/new")
    today = clock.now().astimezone(clock.UK)
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "spent_on": [str(today.day), str(today.month), str(today.year)],
        "purpose": "Travel to the Bristol IAG meeting",
        "miles": "12",
        "parking": "3.50",
        "receipts": [(io.BytesIO(PNG), "parking.png")],
    }
    return client.post("/members/expenses/new", data={**data, **changes}, content_type="multipart/form-data")


def test_a_claim_from_submission_through_a_query_to_paid(app):
    given_member(app)
    member = signed_in_member(app)
    sent = _claim(member, purpose='=HYPERLINK("http://evil.example") travel')
    assert sent.status_code == 302
    page = text_of(member.get(sent.headers["Location"]))
    assert (
        "Your claim of £8.90" in page
        and "12 miles at 45p: £5.40" in page
        and "Waiting for a decision" in page
    )
    with session_scope(app) as session:
        claim = session.scalar(select(ExpenseClaim))
        assert (claim.mileage_pence, claim.parking_pence, claim.total_pence) == (540, 350, 890)
        assert isinstance(claim.total_pence, int)
        assert session.scalar(select(ClaimReceipt.content_type)) == "image/png"
        claim_id = claim.id

    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    assert "£8.90" in text_of(coordinator.get(EXPENSES))
    url = f"{EXPENSES}/{claim_id}"
    receipt = re.search(
        r'href="(/staff/groups/bristol/expenses/\d+/receipts/\d+)"',
        coordinator.get(url).get_data(as_text=True),
    )
    assert coordinator.get(receipt.group(1)).data == PNG
    no_reason = act(coordinator, url, data={"decision": "query", "reason": ""})
    assert no_reason.status_code == 422 and "Say why: the member reads it" in text_of(no_reason)
    act(coordinator, url, data={"decision": "query", "reason": "Was the parking at the station?"})
    queried = mails_to(app, AMINA)[-1]
    assert queried.subject == "Your expenses claim of £8.90: a question for you"
    assert "Was the parking at the station?" in queried.body_text
    answer_page = member.get(f"/members/expenses/{claim_id}")
    assert "Was the parking at the station?" in text_of(answer_page)
    member.post(
        f"/members/expenses/{claim_id}",
        data={"csrf_token": csrf_token(answer_page.get_data(as_text=True)), "answer": "Yes, Temple Meads."},
        content_type="multipart/form-data",
    )
    assert "Yes, Temple Meads." in text_of(coordinator.get(url))
    act(coordinator, url, data={"decision": "approve", "reason": ""})
    assert mails_to(app, AMINA)[-1].subject == "Your expenses claim of £8.90: approved"

    exported = coordinator.get(f"{EXPENSES}.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][-1] == "Total" and rows[1][-1] == "8.90" and rows[1][4].startswith("'=HYPERLINK")
    act(coordinator, EXPENSES, f"{EXPENSES}/paid", {"claim": [str(claim_id)]})
    assert mails_to(app, AMINA)[-1].subject == "Your expenses claim of £8.90: paid"
    assert f"{clock.now().year}, Amina Yusuf: £8.90" in text_of(coordinator.get(EXPENSES))
    assert f"Approved or paid for {clock.now().year}: £8.90" in text_of(member.get("/members/expenses"))
    again = act(coordinator, url, data={"decision": "reject", "reason": "No"})
    assert again.status_code == 422 and "not waiting for a decision" in text_of(again)


def test_a_claim_with_a_bad_receipt_or_amount_is_refused_and_nothing_is_kept(app):
    given_member(app)
    member = signed_in_member(app)
    too_big = _claim(member, receipts=[(io.BytesIO(b"%PDF-" + b"0" * (10 * 1024 * 1024)), "big.pdf")])
    assert too_big.status_code == 422 and "The file big.pdf must be smaller than 10 MB" in text_of(too_big)
    wrong = _claim(member, receipts=[(io.BytesIO(b"GIF89a" + b"0" * 50), "ticket.gif")])
    assert (
        wrong.status_code == 422
        and "The file ticket.gif must be a photo (JPG or PNG) or a PDF" in text_of(wrong)
    )
    typo = _claim(member, parking="three pounds")
    assert typo.status_code == 422 and "Enter an amount in pounds and pence, like 12.50" in text_of(typo)
    nothing = _claim(member, miles="", parking="", receipts=[])
    assert nothing.status_code == 422 and "Enter the miles or at least one amount" in text_of(nothing)
    with session_scope(app) as session:
        assert session.scalar(select(ExpenseClaim)) is None and session.scalar(select(ClaimReceipt)) is None


def test_erasing_a_member_keeps_the_accounts_but_not_whose_or_what_for(app):
    from webapp.services import personal_data
    from webapp.services.actors import SYSTEM

    given_member(app)
    assert _claim(signed_in_member(app), purpose="Taxi home from the hospital").status_code == 302
    with app.app_context(), session_scope(app) as session:
        personal_data.erase(session, personal_data.footprint(session, AMINA), SYSTEM)
    with session_scope(app) as session:
        claim = session.scalar(select(ExpenseClaim))
        assert (claim.total_pence, claim.membership_id, claim.purpose) == (890, None, "")
        assert session.scalar(select(ClaimReceipt)) is None
