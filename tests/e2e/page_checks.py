"""Checks every accessibility test makes of each page state it visits, beyond axe-core: the Nu HTML
Checker (the W3C's validator, npm `vnu-jar`, run on Java) finds no error, and the page reflows at 320 CSS
pixels wide, with and without WCAG's text spacing, without scrolling sideways (a table may scroll in its
own region; the page may not)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import Page

from tests import harness

VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
NARROWEST = 320
# WCAG 2.2 success criterion 1.4.12, as the Understanding document's bookmarklet sets it.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
    " p { margin-bottom: 2em !important; }"
)
SPACE_TEXT = """(css) => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
  document.adoptedStyleSheets = [sheet]; }"""
# What sticks out past the right edge, to say where the page is too wide (not inside a scrolling region).
WIDER_THAN_PAGE = """(width) => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
  .filter((el) => !el.closest(".app-scroll-region"))
  .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1))
  .slice(0, 3)
  .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}: `
    + `"${el.textContent.trim().slice(0, 40)}"`)"""


def reflow_problems(page: Page) -> list[str]:
    """Where the page is wider than 320 px, plainly and with text spacing; none when it reflows."""
    problems = []
    size = page.viewport_size
    page.set_viewport_size({"width": NARROWEST, "height": 640})
    try:
        for spaced in (False, True):
            if spaced:  # a constructed style sheet, as a user's extension adds it (the page's CSP allows it)
                page.evaluate(SPACE_TEXT, TEXT_SPACING)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > NARROWEST:
                where = page.evaluate(WIDER_THAN_PAGE, NARROWEST)
                problems.append(f"{width} px wide{' with text spacing' if spaced else ''}: {where}")
        page.evaluate("document.adoptedStyleSheets = []")
    finally:
        if size:
            page.set_viewport_size(size)
    return problems


def nu_checker_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """The Nu HTML Checker's errors for each page's HTML (label -> messages), in one run of the checker."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        harness.unavailable("the Nu HTML Checker (Java and npm's vnu-jar: make test installs it)")
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for n, (label, html) in enumerate(pages.items()):
            path = Path(folder) / f"page{n}.html"
            path.write_text(html)
            files[path.name] = label
        run = subprocess.run(
            [
                str(java),
                "-jar",
                str(VNU),
                "--format",
                "json",
                "--errors-only",
                *sorted(Path(folder).iterdir()),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    found: dict[str, list[str]] = {}
    for message in json.loads(run.stderr or '{"messages": []}')["messages"]:
        url = message.get("url", "?")
        label = files.get(url.rsplit("/", 1)[-1], url)
        found.setdefault(label, []).append(f"{message['message']} (line {message.get('lastLine')})")
    return found
