"""Locust users for bench.web. `PublicPages` reads the public pages; `Applicant` goes through a whole web
application and submits it (each request named by its step, so the submit step is reported on its own).
`Hello` asks the bare Flask app for "/"."""

from __future__ import annotations

import re

from locust import HttpUser, constant, task

from tests.apply_journey import ANSWERS

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(html: str) -> str:
    return TOKEN.search(html).group(1)


class PublicPages(HttpUser):
    wait_time = constant(0)

    @task
    def pages(self) -> None:
        self.client.get("/", name="home")
        self.client.get("/groups", name="groups")
        self.client.get("/apply/bristol", name="group start page")


class Applicant(HttpUser):
    wait_time = constant(0)

    @task
    def apply(self) -> None:
        self.client.cookies.clear()
        page = self.client.get("/apply/bristol", name="group start page").text
        self.client.post("/apply/bristol", {"csrf_token": _token(page)}, name="start", allow_redirects=False)
        for slug, data in ANSWERS.items():
            page = self.client.get(f"/apply/page/{slug}", name="question page").text
            form = {**data, "action": "continue", "csrf_token": _token(page)}
            self.client.post(f"/apply/page/{slug}", form, name="answer", allow_redirects=False)
        page = self.client.get("/apply/check-answers", name="check answers").text
        with self.client.post(
            "/apply/submit",
            {"csrf_token": _token(page)},
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/apply/confirmation" not in response.headers.get(
                "Location", ""
            ):
                response.failure(f"not submitted: {response.status_code}")


class Hello(HttpUser):
    wait_time = constant(0)

    @task
    def hello(self) -> None:
        self.client.get("/", name="hello")
