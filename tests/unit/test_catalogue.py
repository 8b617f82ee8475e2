"""The Welsh catalogue is complete: every string an applicant or the public reads (marked in the code, and
the question texts) has its Welsh, with the same placeholders and the same markup, so no later feature can
ship a page that is English on a Welsh service. Run `make translations` after changing a text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webapp" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?[a-z]+")


def _catalogue():
    with CATALOGUE.open(encoding="utf-8") as po:
        return read_po(po, locale="cy")


def test_every_message_has_its_welsh_with_the_same_placeholders_and_markup():
    problems = []
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            problems.append(f"no Welsh for {ids[0]!r}")
            continue
        for text in (*strings, *ids):
            if "%" in re.sub(r"%\(\w+\)[sd]|%%", "", text):  # a lone % breaks the page: write %%
                problems.append(f"a lone % in {text!r}")
        for text in strings:
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(ids[0])):
                problems.append(f"placeholders differ in {ids[0]!r}")
            if sorted(TAG.findall(text)) != sorted(TAG.findall(ids[0])):
                problems.append(f"markup differs in {ids[0]!r}")
    assert problems == []


def test_welsh_has_its_six_plural_forms():
    assert _catalogue().num_plurals == 6


def test_the_catalogue_holds_every_string_the_code_marks(tmp_path):
    template = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            str(pybabel),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open(encoding="utf-8") as pot:
        marked = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue() if m.id}
    assert sorted(marked - translated) == [], "run `make translations` and translate the new entries"
