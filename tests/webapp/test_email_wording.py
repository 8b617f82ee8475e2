"""Every email, in its standard words, reads as sentences: rendered with made-up details (with and without
a known group), no sentence runs into the next ("...Bristol IAG.We will be in touch")."""

from __future__ import annotations

import re

import pytest

from webapp.db import session_scope
from webapp.services import wording, wording_sample

RUN_TOGETHER = re.compile(r"[a-z)][.!?][A-Z]")  # "IAG.We" (an address or a link has no capital after a dot)


@pytest.mark.parametrize("email", wording.CATALOGUE, ids=lambda e: e.name)
def test_every_email_keeps_its_sentences_apart(app, email):
    with app.app_context(), wording.rendering(), session_scope(app) as session:
        sample = wording_sample.sample(session)
        for group in (sample["group"], None):
            sample["application"].group = group
            body = wording.render(session, email.name, **{**sample, "group": group})
            assert not RUN_TOGETHER.search(body), f"{email.name}: {RUN_TOGETHER.search(body).group(0)!r}"
