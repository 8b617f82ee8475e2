"""A complete set of answers, and the steps of the web journey, shared by the application tests."""

from __future__ import annotations

import re

from tests.helpers import csrf_token

ANSWERS: dict[str, dict[str, str]] = {
    "your-details": {
        "full_name": "Amina Yusuf",
        "email": "amina@example.org",
        "phone": "07700 900982",
        "area": "Easton, Bristol",
        "contact_preference": "Email",
    },
    "why-join": {
        "why_join": "I want young people's experience of stop and search to be heard.",
        "interest_in_policing": "I run a youth football club and hear about policing every week.",
    },
    "communities": {
        "communities": "Young people in Easton; the Somali community in Bristol.",
        "representing": "By bringing their questions and reporting back honestly.",
    },
    "engaging": {"engagement": "Through the club's parents' group and the mosque's youth evenings."},
    "time": {"time_commitment": "Yes", "time_details": "Weekday evenings suit me best."},
    "experience": {
        "lived_experience": "My brother was stopped and searched several times.",
        "relevant_experience": "I chair the club committee and balance work with volunteering.",
    },
    "taking-part": {"adjustments": "", "heard_about": "A community group or organisation"},
}


def post_page(client, url: str, data: dict, action: str = "continue"):
    page = client.get(url)
    return client.post(
        url, data={**data, "action": action, "csrf_token": csrf_token(page.get_data(as_text=True))}
    )


def start(client, slug: str = "bristol", **extra):
    page = client.get(f"/apply/{slug}")
    return client.post(
        f"/apply/{slug}", data={**extra, "csrf_token": csrf_token(page.get_data(as_text=True))}
    )


def fill_all(client, answers: dict[str, dict[str, str]] = ANSWERS) -> None:
    for slug, data in answers.items():
        response = post_page(client, f"/apply/page/{slug}", data)
        assert response.status_code == 302, f"{slug}: {response.status_code}"


def submit(client):
    page = client.get("/apply/check-answers")
    return client.post("/apply/submit", data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def apply(client, slug: str = "bristol") -> str:
    """Apply all the way through; returns the reference shown on the confirmation page."""
    start(client, slug)
    fill_all(client)
    submit(client)
    html = client.get("/apply/confirmation").get_data(as_text=True)
    return re.search(r'id="reference">(IAG-[A-Z0-9-]+)<', html).group(1)


def link_in(message, path: str) -> str:
    body = message.get_content() if not message.is_multipart() else message.get_body(("plain",)).get_content()
    return re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]+)", body).group(1)
