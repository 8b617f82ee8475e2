"""What kind an email is, decided by one pure function from what reading it found: no database, no
mailbox. (The poller tests check the same rules end to end on real messages.)"""

from __future__ import annotations

import pytest

from mail_ingest.classify import Bounce, Found, classify
from mail_ingest.intent import APPLY, MENTIONS, QUESTION, intent_of
from webapp.models import EmailKind, Mark


def test_an_unreadable_message_is_quarantined_whatever_else_is_true():
    verdict = classify(Found(failure="too large: 30 MB", copy_of=4, automatic="Auto-Submitted", answers=7))
    assert (verdict.kind, verdict.reason) == (EmailKind.QUARANTINED, "too large: 30 MB")


def test_a_copy_of_an_earlier_email_is_a_duplicate_on_that_emails_application():
    verdict = classify(Found(copy_of=4, copy_application_id=9, automatic="Auto-Submitted", answers=7))
    assert verdict == classify(Found(copy_of=4, copy_application_id=9))
    assert (verdict.kind, verdict.duplicate_of, verdict.application_id) == (EmailKind.DUPLICATE, 4, 9)
    assert verdict.reason == "the same message as email 4"


def test_an_auto_reply_is_automatic_and_still_filed_with_the_application_it_answers():
    verdict = classify(Found(automatic="Auto-Submitted: auto-replied", answers=7, intent=APPLY))
    assert (verdict.kind, verdict.application_id) == (EmailKind.AUTOMATIC, 7)


def test_an_answer_on_a_thread_is_a_reply_unless_it_brings_a_returned_form():
    assert classify(Found(answers=7, intent=APPLY)).kind == EmailKind.REPLY
    with_form = classify(Found(answers=7, has_application_form=True))
    assert (with_form.kind, with_form.application_id) == (EmailKind.NEW_APPLICATION, None)


@pytest.mark.parametrize(
    "found",
    [
        Found(has_application_form=True),
        Found(form_in="a photo (IMG_1.jpg)"),
        Found(form_in="a document (form.docx)", attached="a document"),
        Found(intent=APPLY, evidence="hoffwn ymuno"),
        Found(intent=APPLY, evidence="like to apply", attached="a photo, its text not readable"),
    ],
    ids=["returned form", "the form in a photo", "the form as a document", "the words of applying", "words"],
)
def test_strong_evidence_makes_a_new_application_and_is_answered_as_one(found):
    verdict = classify(found)
    assert (verdict.kind, verdict.answer) == (EmailKind.NEW_APPLICATION, "application")


@pytest.mark.parametrize(
    ("found", "mark"),
    [
        (Found(attached="a document"), Mark.MAY_BE_APPLICATION),
        (Found(attached="a photo, its text not readable"), Mark.MAY_BE_APPLICATION),
        (Found(intent=MENTIONS, evidence="membership"), Mark.MAY_BE_APPLICATION),
        (Found(has_application_form=True, blank_form=True), Mark.BLANK_FORM),
        (Found(other_purpose="subject access request", intent=APPLY), Mark.SUBJECT_ACCESS),
        (Found(other_purpose="job application for the force", intent=APPLY), Mark.JOB_APPLICATION),
        (Found(unopened="encrypted with S/MIME"), Mark.NOT_OPENED),
        (Found(language="Polish", intent=APPLY), Mark.LANGUAGE),
    ],
    ids=["document", "photo", "a mention", "blank form", "SAR", "job", "encrypted", "Polish"],
)
def test_weaker_evidence_or_something_else_goes_to_triage_marked_and_answered_as_an_email(found, mark):
    verdict = classify(found)
    assert (verdict.kind, verdict.mark, verdict.answer) == (EmailKind.NEEDS_TRIAGE, mark, "enquiry")


def test_nothing_a_machine_sent_or_the_gateway_marked_as_spam_or_a_forged_sender_is_answered():
    assert classify(Found(spam="marked as spam by the mail gateway (SCL 9)", intent=APPLY)).answer == ""
    assert classify(Found(spam="marked as spam by the mail gateway (SCL 9)")).kind == EmailKind.AUTOMATIC
    forged = classify(Found(dmarc_failed=True, has_application_form=True))
    assert (forged.kind, forged.answer) == (EmailKind.NEW_APPLICATION, "")
    assert classify(Found(invitation=True, intent=APPLY)).answer == ""


def test_a_report_of_our_own_email_is_a_bounce_on_its_case_and_a_delay_is_not():
    failed = classify(Found(bounce=Bounce(3, 7, True, "550 5.1.1 user unknown"), automatic="report"))
    assert (failed.kind, failed.application_id, failed.answer) == (EmailKind.BOUNCE, 7, "")
    assert failed.reason == "our email could not be delivered: 550 5.1.1 user unknown"
    delayed = classify(Found(bounce=Bounce(3, 7, False, "4.4.7 retrying"), automatic="report"))
    assert (delayed.kind, delayed.application_id) == (EmailKind.AUTOMATIC, 7)


def test_the_reason_says_what_made_it_an_application():
    assert classify(Found(has_application_form=True)).reason == "a returned application form"
    assert classify(Found(attached="a document")).reason == "may be an application: a document"
    assert (
        classify(Found(intent=APPLY, evidence="Hoffwn ymuno")).reason
        == "asks to apply (\u201cHoffwn ymuno\u201d)"
    )


def test_a_question_is_an_enquiry_for_triage_and_is_answered():
    verdict = classify(Found(intent=QUESTION, evidence="could someone"))
    assert (verdict.kind, verdict.answer) == (EmailKind.NEEDS_TRIAGE, "enquiry")
    assert verdict.reason == "an enquiry (\u201ccould someone\u201d)"


def test_mail_in_another_language_waits_in_triage_marked_with_its_language():
    verdict = classify(Found(language="Spanish", intent=APPLY))
    assert (verdict.kind, verdict.reason) == (
        EmailKind.NEEDS_TRIAGE,
        "written in Spanish: someone needs to read it",
    )
    # ... unless it brings our form, which needs no reading.
    assert classify(Found(language="Spanish", has_application_form=True)).kind == EmailKind.NEW_APPLICATION


def test_a_dangerous_attachment_quarantines_the_email():
    verdict = classify(
        Found(dangerous="cv.docx: it is compressed suspiciously well (a zip bomb?)", intent=APPLY)
    )
    assert verdict.kind == EmailKind.QUARANTINED and "zip bomb" in verdict.reason and verdict.answer == ""


def test_a_calendar_answer_on_a_thread_is_a_reply_saying_so():
    verdict = classify(Found(answers=7, calendar_reply="accepted"))
    assert (verdict.kind, verdict.reason, verdict.answer) == (EmailKind.REPLY, "calendar reply: accepted", "")


@pytest.mark.parametrize(
    ("subject", "body", "kind"),
    [
        ("IAG", "Hi, I'd like to apply to be on the group. My form is below.\nName: Jo Bloggs", APPLY),
        ("Cais", "Hoffwn ymuno \u00e2'r IAG. Rwy'n byw yng Nghaerdydd.", APPLY),
        ("Ymuno", "Rwy'n awyddus i ymuno \u00e2'r grŵp.", APPLY),
        ("Membership application", "", APPLY),
        ("Question about joining", "What does membership involve? How many meetings are there?", QUESTION),
        ("Hello", "Could someone ring me please? 07700 900123", QUESTION),
        ("Ymholiad", "Helo, a oes modd i rywun fy ffonio i drafod y grŵp?", QUESTION),
        ("Meeting next week", "Thanks for the notes, see you Tuesday.", ""),
        (
            "Re: thing",
            "Thanks\n\nOn Mon, 1 Dec 2026 at 10:00, Bob <b@x.org> wrote:\n> Do you want to apply?",
            "",
        ),
    ],
)
def test_intent_is_read_from_the_subject_and_the_senders_own_words(subject, body, kind):
    assert intent_of(subject, body).kind == kind


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Hola, me gustaría unirme al grupo asesor. Adjunto mi formulario rellenado. Gracias.", "Spanish"),
        ("我想加入独立咨询小组。我住在布里斯托尔，希望为社区服务。", "Chinese"),
        ("Dzień dobry, chciałbym dołączyć do grupy doradczej. Mieszkam w Bristolu.", "Polish"),
        ("Hoffwn ymuno â'r IAG. Rwy'n byw yng Nghaerdydd ac rwyf eisiau helpu.", ""),
        ("Hello, I hope you are well. I would like to join the group.", ""),
        ("Thanks", ""),
    ],
)
def test_a_language_other_than_english_or_welsh_is_named(body, language):
    assert intent_of("Hello", body).language == language


def test_anything_else_waits_for_a_person_in_triage():
    verdict = classify(Found())
    assert (verdict.kind, verdict.reason, verdict.answer) == (
        EmailKind.NEEDS_TRIAGE,
        "not recognised as an application or a reply",
        "enquiry",  # a person wrote it: they are told we have it
    )


def test_mail_from_our_own_mailbox_is_automatic_never_an_application():
    verdict = classify(Found(from_ourselves=True, intent=APPLY, has_application_form=True))
    assert (verdict.kind, verdict.reason) == (EmailKind.AUTOMATIC, "sent from our own mailbox")


def test_a_reference_no_application_has_goes_to_triage_not_to_a_second_application():
    verdict = classify(Found(unknown_references=("IAG-AAAA-BBBB",), intent=APPLY))
    assert verdict.kind == EmailKind.NEEDS_TRIAGE
    assert verdict.reason == "quotes a reference no application has: IAG-AAAA-BBBB"
    # A known one wins: the email is filed with that application.
    assert classify(Found(unknown_references=("IAG-AAAA-BBBB",), answers=7)).kind == EmailKind.REPLY


def test_a_form_filled_in_is_an_application_whatever_else_its_email_mentions():
    """A retired constable applying, a form a member passes on for a friend: the form wins over a job or a
    complaint mentioned, and over the sender being a member."""
    for found in (
        Found(has_application_form=True, other_purpose="job application for the force"),
        Found(has_application_form=True, other_purpose="complaint about the police"),
        Found(has_application_form=True, from_member=True),
        Found(form_in="a photo (IMG_1.jpg)", other_purpose="complaint about the police"),
    ):
        assert classify(found).kind == EmailKind.NEW_APPLICATION, found


def test_a_members_own_email_is_for_their_staff_and_not_answered_automatically():
    verdict = classify(Found(from_member=True, intent=APPLY, evidence="like to join"))
    assert (verdict.kind, verdict.mark, verdict.answer) == (EmailKind.NEEDS_TRIAGE, Mark.MEMBER, "")


def test_words_of_applying_in_an_attached_letter_count_but_not_a_heading_or_a_job():
    from mail_ingest.intent import applying_in_letter, other_purpose

    assert applying_in_letter("Dear Sir or Madam,\nI would like to join the Bristol IAG.") == "like to join"
    assert applying_in_letter("Application\nName: Jo Bloggs\nMembership numbers for 2025") == ""
    letter = "I am applying for the position of Call Handler. My CV follows."
    assert other_purpose("", letter)[0] == "job application for the force"


@pytest.mark.parametrize(
    "subject",
    ["Application for shotgun certificate", "Application - DBS check", "Application status", "Cais"],
)
def test_a_bare_subject_of_application_only_mentions_applying(subject):
    assert intent_of(subject, "").kind in {MENTIONS, ""}


@pytest.mark.parametrize(
    "subject", ["IAG application", "Application to join the Bristol IAG", "Membership application"]
)
def test_a_subject_that_names_the_iag_application_is_the_words_of_applying(subject):
    assert intent_of(subject, "").kind == APPLY
