"""What kind an email is, decided by one pure function from what reading it found: no database, no
mailbox. (The poller tests check the same rules end to end on real messages.)"""

from __future__ import annotations

import pytest

from mail_ingest.classify import Found, classify
from webapp.models import EmailKind


def test_an_unreadable_message_is_quarantined_whatever_else_is_true():
    verdict = classify(Found(failure="too large: 30 MB", copy_of=4, automatic="Auto-Submitted", answers=7))
    assert (verdict.kind, verdict.reason) == (EmailKind.QUARANTINED, "too large: 30 MB")


def test_a_copy_of_an_earlier_email_is_a_duplicate_on_that_emails_application():
    verdict = classify(Found(copy_of=4, copy_application_id=9, automatic="Auto-Submitted", answers=7))
    assert verdict == classify(Found(copy_of=4, copy_application_id=9))
    assert (verdict.kind, verdict.duplicate_of, verdict.application_id) == (EmailKind.DUPLICATE, 4, 9)
    assert verdict.reason == "the same message as email 4"


def test_an_auto_reply_is_automatic_and_still_filed_with_the_application_it_answers():
    verdict = classify(Found(automatic="Auto-Submitted: auto-replied", answers=7, mentions_applying=True))
    assert (verdict.kind, verdict.application_id) == (EmailKind.AUTOMATIC, 7)


def test_an_answer_on_a_thread_is_a_reply_unless_it_brings_a_returned_form():
    assert classify(Found(answers=7, mentions_applying=True)).kind == EmailKind.REPLY
    with_form = classify(Found(answers=7, has_application_form=True))
    assert (with_form.kind, with_form.application_id) == (EmailKind.NEW_APPLICATION, None)


@pytest.mark.parametrize(
    "found",
    [Found(has_application_form=True), Found(has_document_text=True), Found(mentions_applying=True)],
    ids=["returned form", "document", "the words of applying"],
)
def test_a_form_a_document_or_asking_to_apply_makes_a_new_application(found):
    assert classify(found).kind == EmailKind.NEW_APPLICATION


def test_anything_else_waits_for_a_person_in_triage():
    verdict = classify(Found())
    assert (verdict.kind, verdict.reason) == (
        EmailKind.NEEDS_TRIAGE,
        "not recognised as an application or a reply",
    )


def test_mail_from_our_own_mailbox_is_automatic_never_an_application():
    verdict = classify(Found(from_ourselves=True, mentions_applying=True, has_application_form=True))
    assert (verdict.kind, verdict.reason) == (EmailKind.AUTOMATIC, "sent from our own mailbox")


def test_a_reference_no_application_has_goes_to_triage_not_to_a_second_application():
    verdict = classify(Found(unknown_references=("IAG-AAAA-BBBB",), mentions_applying=True))
    assert verdict.kind == EmailKind.NEEDS_TRIAGE
    assert verdict.reason == "quotes a reference no application has: IAG-AAAA-BBBB"
    # A known one wins: the email is filed with that application.
    assert classify(Found(unknown_references=("IAG-AAAA-BBBB",), answers=7)).kind == EmailKind.REPLY
