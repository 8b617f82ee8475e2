"""Mail written in Welsh is told from English by a count of common words (a simple detector is enough:
it only chooses the language of our answer, and staff see the email itself)."""

from __future__ import annotations

import pytest

from mail_ingest.intent import intent_of, written_in_welsh

WELSH = [
    "Helo, hoffwn ymuno â’r grŵp. Rwy’n byw yng Nghasnewydd ac mae gennyf ddiddordeb mewn plismona. Diolch",
    "Annwyl Syr neu Fadam, ynglŷn â’r Grŵp Cynghori Annibynnol: sut mae gwneud cais? Cofion, Dafydd",
    "Mae fy nghais wedi ei atodi. Diolch yn fawr iawn am eich amser.",
]
ENGLISH = [
    "Hello, I would like to join the group. I live in Newport. Thank you, Sian",
    "Dear team, please find my application attached. Can you tell me when the meetings are?",
    "Diolch",  # one word of Welsh is not a Welsh message
    "Yn Cymru, I have to say the meetings are a long way away from my house, thanks.",
]


@pytest.mark.parametrize("text", WELSH)
def test_welsh_mail_is_told_as_welsh(text):
    assert written_in_welsh(text)


@pytest.mark.parametrize("text", ENGLISH)
def test_english_mail_is_not(text):
    assert not written_in_welsh(text)


def test_the_intent_carries_it_from_the_subject_and_the_senders_own_words():
    assert intent_of("Cais i ymuno", "Hoffwn ymuno â’r grŵp. Rwy’n byw yn y Fenni. Diolch, Siân").welsh
    quoted = "Thanks, here it is.\n\nOn Mon, 1 Dec 2026, IAG wrote:\n> Diolch am eich e-bost. Mae gennym"
    assert not intent_of("Re: your email", quoted).welsh
