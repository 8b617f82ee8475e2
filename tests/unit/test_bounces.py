"""Delivery reports about the mail we sent, read as a person handling them needs: which of our emails
bounced (by its Message-ID, never the applicant's it answered), whether delivery failed for good or is only
delayed, and what the receiving server said. Pure: the reports are built in tests/unit/bounce_shapes.py."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mail_ingest import bounces
from mail_ingest.bounces import Report, delivery_report
from tests.unit import bounce_shapes as shapes
from tests.unit.bounce_shapes import ACK, APPLICANTS_EMAIL, LETTER

EVERY_REPORT = {
    "postfix": shapes.postfix,
    "postfix delayed": shapes.postfix_delayed,
    "exchange online": shapes.exchange_online,
    "exchange online, text only": lambda: shapes.exchange_online(with_status_parts=False),
    "gmail failure": shapes.gmail_failure,
    "gmail delay": shapes.gmail_delay,
    "sendmail": shapes.sendmail,
    "exim delay": shapes.exim_delay,
    "exim failure": shapes.exim_failure,
    "exim older delay": shapes.exim_old_delay,
    "qmail": shapes.qmail,
    "qmail local": shapes.qmail_local,
    "openwave": shapes.openwave_quoted,
    "rfc 6533 global": shapes.global_report,
    "gmail older text": shapes.gmail_older_text,
    "yahoo": shapes.yahoo,
    "exchange 2003": shapes.exchange_2003,
}


def report_of(raw: bytes) -> Report:
    report = delivery_report(raw)
    assert report is not None, "not recognised as a delivery report"
    return report


def test_postfix_bounce_is_tied_to_our_email_not_the_one_it_answered():
    report = report_of(shapes.postfix())
    assert report.message_ids == (ACK,)  # not the applicant's (In-Reply-To), not the report's own
    assert APPLICANTS_EMAIL not in report.message_ids
    assert report.recipients == ("jo.bloggs@example.com",)
    assert (report.permanent, report.status) == (True, "5.1.1")
    assert report.reason == (
        "550 5.1.1 <jo.bloggs@example.com>: Recipient address rejected: User unknown in virtual mailbox table"
    )


@pytest.mark.parametrize("with_status_parts", [True, False], ids=["whole NDR", "human text only"])
def test_exchange_online_ndr_gives_the_remote_servers_words(with_status_parts):
    report = report_of(shapes.exchange_online(with_status_parts))
    assert report.message_ids == (LETTER,)  # the NDR's own In-Reply-To agrees; its Message-ID is not ours
    assert report.recipients == ("jo.bloggs@example.con",)
    assert (report.permanent, report.status) == (True, "5.1.10")
    assert report.reason == (
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    )


def test_gmails_failure_reads_its_multi_line_reply_as_one_sentence():
    report = report_of(shapes.gmail_failure())
    assert report.message_ids == (ACK,)
    assert report.recipients == ("sam.o.person@gmail.com",)
    assert (report.permanent, report.status) == (True, "5.1.1")
    assert report.reason.startswith(
        "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking "
        "the recipient's email address for typos or unnecessary spaces."
    )
    assert "550-" not in report.reason and "\n" not in report.reason


def test_gmails_delay_is_not_a_failure_yet():
    report = report_of(shapes.gmail_delay())
    assert report.message_ids == (ACK,)
    assert report.recipients == ("chris@example-slow.org.uk",)
    assert (report.permanent, report.status) == (False, "4.4.1")
    assert report.reason.startswith("The recipient server did not accept our requests to connect.")
    assert report.reason.endswith("[mx.example-slow.org.uk. 192.0.2.44: timed out]")


def test_sendmail_report_names_every_recipient_that_failed():
    report = report_of(shapes.sendmail())
    assert report.message_ids == (LETTER,)
    assert report.recipients == ("alex@example.org", "morgan@example.org")
    assert (report.permanent, report.status) == (True, "5.1.1")
    assert report.reason == "550 5.1.1 <alex@example.org>... User unknown"  # without the "SMTP;" type


def test_exims_plain_text_bounce_finds_our_message_id_in_the_copy_below_its_text():
    report = report_of(shapes.exim_failure())
    assert report.message_ids == (ACK,)
    assert report.recipients == ("robin@example.org.uk",)
    assert (report.permanent, report.status) == (True, "5.1.1")
    assert report.reason == (
        "550 5.1.1 <robin@example.org.uk>: Recipient address rejected: User unknown in local recipient table"
    )


@pytest.mark.parametrize("shape", [shapes.exim_delay, shapes.exim_old_delay], ids=["as a DSN", "plain text"])
def test_exims_delay_warning_is_not_permanent(shape):
    report = report_of(shape())
    assert report.message_ids == (ACK,)  # the older one returns nothing: its References name our email
    assert report.recipients == ("sam@example.org.uk",)
    assert report.permanent is False
    assert report.status == "4.2.2"  # the server's own code, not Exim's bare "4.0.0"
    assert report.reason.startswith("452 4.2.2 <sam@example.org.uk>: Mailbox full")


def test_qmail_failure_notice():
    report = report_of(shapes.qmail())
    assert report.message_ids == (LETTER,)
    assert report.recipients == ("sam.jones@example-isp.net",)
    assert (report.permanent, report.status) == (True, "5.1.1")
    assert report.reason == (
        "550 5.1.1 <sam.jones@example-isp.net>: Recipient address rejected: User unknown"
    )


def test_qmails_own_words_give_the_reason_and_the_code_when_no_server_replied():
    report = report_of(shapes.qmail_local())
    assert (report.recipients, report.permanent) == (("kim@example-isp.net",), True)
    assert (report.status, report.reason) == ("5.1.1", "Sorry, no mailbox here by that name. (#5.1.1)")


def test_a_full_mailbox_is_final_when_the_server_gives_up_and_not_while_it_retries():
    final = report_of(shapes.postfix("pat@example.org", "5.2.2", "552 5.2.2 <pat@example.org>: Mailbox full"))
    assert (final.permanent, final.status, final.reason) == (
        True,
        "5.2.2",
        "552 5.2.2 <pat@example.org>: Mailbox full",
    )
    retrying = report_of(shapes.postfix_delayed())
    assert retrying.message_ids == (LETTER,)  # from the returned headers (text/rfc822-headers)
    assert (retrying.permanent, retrying.status) == (False, "4.2.2")
    assert retrying.reason == "452 4.2.2 <pat.full@example.org>: Mailbox full, try again later"


def test_a_message_id_quoted_only_in_the_reports_text_is_found():
    report = report_of(shapes.openwave_quoted())
    assert report.message_ids == (LETTER,)  # the quoted In-Reply-To is the applicant's: left alone
    assert report.recipients == ("chris.p@example-cable.net",)
    assert (report.permanent, report.status) == (True, "5.2.1")
    assert report.reason == "5.2.1 <chris.p@example-cable.net>... Mailbox disabled for this recipient"


def test_an_internationalised_report_rfc_6533():
    report = report_of(shapes.global_report())
    assert report.message_ids == (LETTER,)
    assert report.recipients == ("si\u00e2n@example.cymru",)
    assert (report.permanent, report.status) == (True, "5.1.1")
    assert report.reason == 'unknown user: "si\u00e2n"'  # without the "X-Postfix;" type


def test_gmails_older_text_only_report():
    report = report_of(shapes.gmail_older_text())
    assert (report.message_ids, report.recipients) == ((ACK,), ("jo@example.jp",))
    assert (report.permanent, report.status) == (True, "5.1.1")
    assert report.reason == "550 5.1.1 <jo@example.jp>... User Unknown"


def test_yahoos_reply_without_an_enhanced_code_is_still_the_reason():
    report = report_of(shapes.yahoo())
    assert (report.message_ids, report.recipients) == ((LETTER,), ("jo.gone@yahoo.com",))
    assert (report.permanent, report.status) == (True, "")
    assert report.reason.startswith("554: delivery error: dd This user doesn't have a yahoo.com account")


def test_our_subject_speaking_of_a_delay_does_not_make_a_failure_a_delay():
    report = report_of(shapes.exchange_2003())
    assert report.message_ids == ()  # Exchange 2003 returns neither the message nor its Message-ID
    assert (report.recipients, report.permanent, report.status) == (("jo@example.local",), True, "5.1.1")
    assert report.reason == "550 5.1.1 <jo@example.local>... User unknown"


def test_a_delivery_status_part_sent_in_base64_is_decoded():
    fields = (
        "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; jo@example.org\nAction: failed\nStatus: 5.1.1\n"
    )
    raw = shapes.minimal_dsn(base64.encodebytes(fields.encode()).decode(), per_recipient="").replace(
        b"Content-Type: message/delivery-status\r\n",
        b"Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n",
    )
    report = report_of(raw)
    assert (report.recipients, report.permanent, report.status) == (("jo@example.org",), True, "5.1.1")


@pytest.mark.parametrize(
    "raw",
    [
        shapes.person_writing_undeliverable("Re: the letter you sent"),
        shapes.person_writing_undeliverable("Undeliverable: your letter"),
        shapes.outlook_read_receipt(),
        shapes.out_of_office(),
        shapes.relayed(),
    ],
    ids=["a person", "a person's subject", "read receipt", "out of office", "a report of success"],
)
def test_what_is_not_a_report_of_failed_delivery_is_none(raw):
    assert delivery_report(raw) is None


@pytest.mark.parametrize(
    ("per_message", "headers", "expected"),
    [
        (f"Reporting-MTA: dns; mx.example.net\nX-Original-Message-ID: {ACK}", {}, ACK),
        (
            "Reporting-MTA: dns; mx.example.net\nOriginal-Envelope-Id: " + LETTER[1:-1].replace("@", "+40"),
            {},
            LETTER,
        ),
        ("Reporting-MTA: dns; mx.example.net", {"In_Reply_To": LETTER}, LETTER),
    ],
    ids=["X-Original-Message-ID", "Original-Envelope-Id (xtext)", "the report's In-Reply-To"],
)
def test_without_the_original_returned_the_message_id_comes_from_what_there_is(
    per_message, headers, expected
):
    per_recipient = "Final-Recipient: rfc822; jo@example.org\nAction: failed\nStatus: 5.1.1"
    report = report_of(shapes.minimal_dsn(per_message, per_recipient, **headers))
    assert (report.message_ids, report.recipients, report.status) == (
        (expected,),
        ("jo@example.org",),
        "5.1.1",
    )


def test_the_returned_originals_message_id_wins_over_every_fallback_even_without_brackets():
    returned = "Content-Type: text/rfc822-headers\n\nFrom: x@example.net\nMessage-Id: abc.123@example.net\n"
    per_message = f"Reporting-MTA: dns; mx\nX-Original-Message-ID: {ACK}"
    per_recipient = "Final-Recipient: rfc822; jo@example.org\nAction: failed\nStatus: 5.1.1"
    report = report_of(shapes.minimal_dsn(per_message, per_recipient, returned, In_Reply_To=LETTER))
    assert report.message_ids == ("<abc.123@example.net>",)


def test_a_long_diagnostic_is_one_line_of_at_most_300_characters():
    said = "550 5.7.1 Message rejected\n    because " + "it looked like spam " * 30
    report = report_of(
        shapes.minimal_dsn("Reporting-MTA: dns; mx", f"Action: failed\nDiagnostic-Code: smtp; {said}")
    )
    assert len(report.reason) <= 300 and "\n" not in report.reason
    assert report.reason.startswith("550 5.7.1 Message rejected because it looked like spam")
    assert (report.status, report.permanent) == ("5.7.1", True)


@pytest.mark.parametrize("name", EVERY_REPORT)
def test_line_endings_do_not_change_what_is_read(name):
    raw = EVERY_REPORT[name]()
    assert delivery_report(raw.replace(b"\r\n", b"\n")) == report_of(raw)


def test_a_report_cut_short_still_says_who_failed_and_why():
    raw = shapes.postfix()
    report = report_of(raw[: raw.index(b"Content-Description: Undelivered Message")])
    assert (report.recipients, report.permanent, report.status) == (("jo.bloggs@example.com",), True, "5.1.1")
    assert report.message_ids == ()  # the original was cut off, and the report has no other pointer


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(EVERY_REPORT)), st.integers(0, 10_000), st.binary(max_size=40))
def test_a_damaged_report_is_read_without_an_error_inside_the_boundary(name, cut, noise):
    """The reading itself (inside `delivery_report`'s catch-all, which would hide a bug and lose a real
    bounce) copes with a damaged report."""
    from email import message_from_bytes

    raw = EVERY_REPORT[name]()
    damaged = raw[:cut] + noise + raw[cut + len(noise) :]
    for message in (damaged, noise):
        found = bounces._read(message_from_bytes(message))  # raises on a bug: no catch-all here
        assert found is None or isinstance(found, Report)


def test_ordinary_mail_is_dismissed_from_its_headers_without_being_parsed(monkeypatch):
    parsed = []
    monkeypatch.setattr(bounces, "message_from_bytes", lambda raw: parsed.append(raw))
    ordinary = [
        shapes.person_writing_undeliverable("Re: the letter you sent"),
        shapes.crlf("From: a@example.org\nSubject: Delivery of the forms\n\nundeliverable, user unknown\n"),
        shapes.crlf("From: a@example.org\nContent-Type: multipart/mixed; boundary=x\n\n--x--\n"),
        shapes.outlook_read_receipt(),
    ]
    assert [delivery_report(raw) for raw in ordinary] == [None] * len(ordinary)
    assert parsed == []
