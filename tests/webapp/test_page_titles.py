"""A page with an error says so once at the start of its title ("Error: ..."), never twice: the prefix is
added in one place (templates/base.html)."""

from __future__ import annotations

import re

from tests.helpers import csrf_token
from tests.review_journey import act, reviewed, staff_client
from webapp.workflow import Role


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1).strip()


def test_pages_with_errors_say_error_once_in_their_title(app, client):
    _reference, url, coordinator, _chair = reviewed(app, client)
    admin = staff_client(app, "root@force.example", Role.SYSTEM_ADMIN, None)
    page = client.get("/verify")
    answers = [
        client.post("/verify", data={"csrf_token": csrf_token(page.get_data(as_text=True))}),
        act(coordinator, f"{url}/invite", data={}),
        act(coordinator, f"{url}/decide", data={}),
        act(coordinator, f"{url}/withdraw", data={}),
        act(coordinator, url, f"{url}/notes", {"body": ""}),
        act(admin, "/staff/admin/staff/invite", data={}),
        act(admin, "/staff/admin/groups/bristol", data={"name": ""}),
    ]
    for answer in answers:
        title = title_of(answer)
        assert answer.status_code == 422, title
        assert title.startswith("Error: ") and title.count("Error:") == 1, title
    assert not title_of(coordinator.get(url)).startswith("Error")


def test_every_staff_page_has_a_title_of_its_own(app, client):
    import re

    from tests.helpers import make_staff, sign_in
    from webapp.workflow import Role

    sign_in(client, make_staff(app, "alex@force.example", Role.SYSTEM_ADMIN))
    urls = ["/staff/", "/staff/waiting", "/staff/triage", "/staff/groups", "/staff/dashboard"]
    urls += ["/staff/notifications", "/staff/applications/new", "/staff/admin/", "/staff/admin/staff"]
    urls += ["/staff/admin/groups", "/staff/admin/wording", "/staff/admin/people"]
    titles = [
        re.search(r"<title>(.*?)</title>", client.get(url).get_data(as_text=True), re.S).group(1).strip()
        for url in urls
    ]
    assert len(set(titles)) == len(titles), titles
    assert all(t.endswith("– IAG Membership for staff – Avon and Somerset Police") for t in titles)
