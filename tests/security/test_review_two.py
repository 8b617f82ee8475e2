"""The second outside security review's findings (issue 30), each with a test that failed before its fix.
(The backup and restore findings are in tests/webapp/test_backup.py.)"""

from __future__ import annotations

import io

from tests.given import given_member
from tests.helpers import csrf_token
from tests.webapp.test_members import AMINA, signed_in_member


def _carried(app, client, **environ):
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    thief = app.test_client()
    thief.environ_base.update(environ)
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def _in(client) -> bool:
    response = client.get("/members/")
    return response.status_code == 200


def test_a_members_session_ends_everywhere_when_they_sign_out_a_copied_cookie_too(app):
    given_member(app)
    member = signed_in_member(app, AMINA)
    copy = _carried(app, member)
    assert _in(copy)  # (the same address and browser: a copy is the session itself until it ends)
    token = csrf_token(member.get("/members/details").get_data(as_text=True))
    done = member.post("/members/sign-out", data={"csrf_token": token}, follow_redirects=True)
    assert "You have signed out on every device" in done.get_data(as_text=True)
    assert not _in(copy) and not _in(member)


def test_a_members_session_cookie_does_not_work_from_another_browser_or_address(app):
    given_member(app)
    member = signed_in_member(app, AMINA)
    assert not _in(_carried(app, member, HTTP_USER_AGENT="Mozilla/5.0 (another browser)"))
    assert not _in(_carried(app, member, REMOTE_ADDR="192.0.2.7"))
    assert _in(member)  # the member's own session goes on


def test_nobody_decides_or_pays_their_own_expenses_and_a_chairs_claim_is_for_the_coordinator(app):
    """An elected Chair is both a member (who claims) and the group's staff (who decides): their own £480
    claim is neither approved nor marked paid by them; the Police Coordinator decides it."""
    from sqlalchemy import select

    from tests.helpers import text_of
    from tests.review_journey import act, staff_client
    from tests.webapp.test_expenses import EXPENSES, _claim
    from webapp.db import session_scope
    from webapp.models import ClaimStatus, ExpenseClaim, MemberRole, Membership
    from webapp.workflow import Role

    given_member(app)
    with session_scope(app) as session:
        session.scalars(select(Membership)).one().role = MemberRole.CHAIR
    member = signed_in_member(app, AMINA)
    assert _claim(member, miles="0", parking="480.00").status_code == 302
    with session_scope(app) as session:
        claim_id = session.scalars(select(ExpenseClaim.id)).one()
    url = f"{EXPENSES}/{claim_id}"
    chair = staff_client(app, AMINA, Role.CHAIR, "bristol")
    own = act(chair, url, data={"decision": "approve", "reason": ""})
    assert own.status_code == 422 and "You cannot decide on your own claim" in text_of(own)
    vice = staff_client(app, "vice@force.example", Role.CHAIR, "bristol")  # another Chair-role holder
    refused = act(vice, url, data={"decision": "approve", "reason": ""})
    assert "Only the Police Coordinator may decide on a claim by the group's Chair" in text_of(refused)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    act(coordinator, url, data={"decision": "approve", "reason": ""})
    act(chair, EXPENSES, f"{EXPENSES}/paid", {"claim": [str(claim_id)]})
    assert "You cannot mark your own claim as paid" in text_of(chair.get(EXPENSES))
    with session_scope(app) as session:
        assert session.get(ExpenseClaim, claim_id).status == ClaimStatus.APPROVED  # not paid by its claimant


def test_a_subject_access_export_holds_no_live_member_sign_in_link(app):
    import io
    import zipfile

    from tests.review_journey import act, staff_client
    from tests.webapp.test_members import ask_for_link, sign_in_link
    from webapp.workflow import Role

    given_member(app)
    ask_for_link(app.test_client(), AMINA)
    link = sign_in_link(app, AMINA)
    admin = staff_client(app, "root@force.example", Role.SYSTEM_ADMIN, None)
    export = act(admin, f"/staff/admin/people?q={AMINA}", "/staff/admin/people/export", {"q": AMINA})
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert link.rsplit("/", 1)[1].encode() not in everything
    assert b"(link removed from this copy)" in everything


def test_every_link_that_signs_someone_in_is_removed_from_a_subject_access_export(app):
    """Each route that takes a <token> is one the export strips: a new one cannot be forgotten."""
    from webapp.services.subject_access import LIVE_LINK

    for rule in app.url_map.iter_rules():
        if "<token>" in rule.rule:
            path = rule.rule.split("<token>")[0] + "A" * 43
            assert LIVE_LINK.search(path), rule.rule


def test_a_cell_with_a_list_separator_cannot_become_a_formula_in_the_finance_csv(app):
    """Where ";" separates a spreadsheet's cells, an unquoted `x;=1+1` is split into a formula: every cell
    is quoted (informational finding)."""
    from sqlalchemy import select

    from tests.review_journey import act, staff_client
    from tests.webapp.test_expenses import EXPENSES, _claim
    from webapp.db import session_scope
    from webapp.models import ExpenseClaim
    from webapp.workflow import Role

    given_member(app)
    member = signed_in_member(app, AMINA)
    assert _claim(member, purpose="x;=1+1").status_code == 302
    with session_scope(app) as session:
        claim_id = session.scalars(select(ExpenseClaim.id)).one()
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    act(coordinator, f"{EXPENSES}/{claim_id}", data={"decision": "approve", "reason": ""})
    exported = coordinator.get(f"{EXPENSES}.csv").get_data(as_text=True)
    assert '"x;=1+1"' in exported
    assert all(line.startswith('"') and line.endswith('"') for line in exported.strip().splitlines())


def test_a_receipt_is_downloaded_sandboxed_under_its_detected_types_name(app):
    """A receipt named poly.html that is a PNG comes as poly.png, with the sandbox policy every other
    attachment has (informational finding)."""
    import re

    from tests.review_journey import staff_client
    from tests.webapp.test_expenses import EXPENSES, PNG, _claim
    from webapp.workflow import Role

    given_member(app)
    member = signed_in_member(app, AMINA)
    sent = _claim(member, receipts=[(io.BytesIO(PNG), "poly.html")])
    assert sent.status_code == 302
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    listing = coordinator.get(EXPENSES).get_data(as_text=True)
    claim = re.search(r"/staff/groups/bristol/expenses/(\d+)", listing).group(0)
    link = re.search(
        r'href="(/staff/groups/bristol/expenses/\d+/receipts/\d+)"',
        coordinator.get(claim).get_data(as_text=True),
    )
    receipt = coordinator.get(link.group(1))
    assert receipt.data == PNG
    assert "filename=poly.png" in receipt.headers["Content-Disposition"]
    assert "sandbox" in receipt.headers["Content-Security-Policy"]


def test_a_strangers_large_upload_to_a_members_page_is_refused_before_it_is_read(app, client):
    """The members' upload pages take 30 MB, but only once someone is signed in: a stranger's body is
    refused at the ordinary form limit, before sign-in or CSRF would read it (informational finding)."""
    big = {"receipts": (io.BytesIO(b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)), "r.pdf")}
    refused = client.post("/members/expenses/new", data=big, content_type="multipart/form-data")
    assert refused.status_code == 413
    given_member(app)
    member = signed_in_member(app, AMINA)
    from tests.webapp.test_expenses import _claim

    taken = _claim(member, receipts=[(io.BytesIO(b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)), "r.pdf")])
    assert taken.status_code != 413  # a member's receipt of 2 MB is read


def test_a_paper_whose_page_box_does_not_start_at_the_corner_shows_its_stamp_where_it_is_seen(tmp_path):
    """Low 3: the stamp is drawn in the visible box; looked at as a person would (the page rendered)."""
    import subprocess

    from PIL import Image
    from pypdf import PdfWriter
    from pypdf.generic import RectangleObject

    from webapp.pdf.stamp import stamp

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    page.mediabox = RectangleObject([200, 300, 795, 1142])  # the box moved away from (0, 0)
    plain = io.BytesIO()
    writer.write(plain)
    stamped = stamp(plain.getvalue(), "Confidential — issued to Amina Yusuf")
    (tmp_path / "paper.pdf").write_bytes(stamped)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", str(tmp_path / "paper.pdf"), str(tmp_path / "p")], check=True
    )
    seen = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    band = seen.height // 10

    def red(top: int) -> int:
        strip = seen.crop((0, top, seen.width, top + band))
        return sum(1 for r, g, b in strip.getdata() if r > 120 and g < 80 and b < 80)

    # The stamp's red words at the head and at the foot of the page a reader sees.
    assert red(0) > 30 and red(seen.height - band) > 30


def test_a_groups_annual_report_shows_no_diversity_figures_for_a_year_still_going(app):
    """Medium 4: two downloads either side of one person joining showed that person's answers by
    subtraction. Group staff see the figures once the year has ended; the equality reporter sees them now."""
    from tests.helpers import text_of
    from tests.review_journey import staff_client
    from webapp import clock
    from webapp.workflow import Role

    given_member(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    year = clock.now().astimezone(clock.UK).year
    now_page = text_of(coordinator.get(f"/staff/groups/bristol/annual-report?year={year}"))
    assert "shown here once the year has ended" in now_page and "All who joined" not in now_page
    last_year = text_of(coordinator.get(f"/staff/groups/bristol/annual-report?year={year - 1}"))
    assert "All who joined" in last_year  # a closed year's figures, with their small-number protection
