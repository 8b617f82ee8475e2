"""A Welsh application form, filled with pypdf and emailed in to the Gwent example's mailbox (a real
Dovecot), becomes an application with exactly the answers the English form gives; the person who filled in
the Welsh form is answered in Welsh and their language is Welsh."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import GWENT, imap_config
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import poll
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.models import Applicant, Application, OutboxMessage

ANSWERS = {
    "full_name": "Siân Davies",
    "contact_preference": "Email",
    "why_join": "I want to help the police understand young people in Newport.",
    "time_commitment": "Yes",
}


def test_the_welsh_and_english_forms_emailed_in_give_the_same_answers(second_app, imap):
    app = second_app(GWENT, **imap_config(imap))
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
    client = app.test_client()
    sent = []
    for language, address in [("cy", "sian@example.org"), ("en", "sian.davies@example.net")]:
        blank = client.get(f"/forms/application-form.pdf?lang={language}").data
        filled = mailgen.filled_form(
            blank, {**ANSWERS, "email": address, "group": "Gwent Police IAG", "declaration": "/on"}
        )
        sent.append(mailgen.with_attachment("Cais / Application", "cais.pdf", filled, sender=address))
    mailgen.append(imap, sent)
    poll(app)
    with session_scope(app) as session:
        made = {
            applicant.email: application
            for application, applicant in session.execute(select(Application, Applicant).join(Applicant))
        }
        welsh, english = made["sian@example.org"], made["sian.davies@example.net"]
        assert welsh.group.slug == english.group.slug == "gwent"
        assert {k: welsh.answers[k] for k in ANSWERS} == {k: english.answers[k] for k in ANSWERS} == ANSWERS
        assert welsh.applicant.name == english.applicant.name == "Siân Davies"
        assert (welsh.applicant.language, english.applicant.language) == ("cy", "en")
        acknowledged = {m.to_address: m.subject for m in session.scalars(select(OutboxMessage))}
    assert acknowledged["sian@example.org"] == f"Rydym wedi derbyn eich cais: {welsh.reference}"
    assert acknowledged["sian.davies@example.net"].startswith("We have received your application")
