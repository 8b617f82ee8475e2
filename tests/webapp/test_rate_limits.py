"""Rate limits: per client address, refused with a clear page and Retry-After; shared by every instance
through Redis when IAG_REDIS_URL is set, per process otherwise; let through (and logged) if Redis is down."""

from __future__ import annotations

import logging

import pytest

from tests.harness import free_port
from tests.helpers import csrf_token, text_of


def _sign_in_attempts(client, count: int, address: str | None = None) -> list[int]:
    headers = {"X-Forwarded-For": address} if address else {}
    token = csrf_token(client.get("/staff/sign-in").get_data(as_text=True))
    statuses = []
    for _ in range(count):
        response = client.post(
            "/staff/sign-in",
            data={"email": "nobody@force.example", "password": "guess", "csrf_token": token},
            headers=headers,
        )
        statuses.append(response.status_code)
    return statuses


@pytest.fixture
def limited(second_app):
    """Apps with low limits; each made by calling the fixture with its settings."""

    def make(_name: str = "one", **settings):
        return second_app(**settings)

    return make


def test_the_default_sign_in_limit_refuses_the_21st_attempt_in_ten_minutes(limited):
    from webapp.config import load_settings

    defaults = load_settings(environ={})
    app = limited(RATE_LIMIT_SIGN_IN=defaults["RATE_LIMIT_SIGN_IN"])
    client = app.test_client()
    assert _sign_in_attempts(client, 21) == [200] * 20 + [429]


def test_too_many_emailed_links_get_a_clear_page_and_the_rest_of_the_site_works(limited):
    app = limited(RATE_LIMIT_EMAIL="3 per hour")
    client = app.test_client()
    token = csrf_token(client.get("/my-application").get_data(as_text=True))
    data = {"email": "amina@example.org", "csrf_token": token}
    answers = [client.post("/my-application", data=data) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert "Too many attempts" in text_of(refused)
    assert "Wait 60 minutes and try again" in text_of(refused)
    assert refused.headers["Retry-After"] == "3600"
    # Only that step is limited: pages still open, and signing in is counted apart.
    assert client.get("/my-application").status_code == 200
    assert _sign_in_attempts(client, 1) == [200]


def test_behind_a_proxy_each_client_address_is_counted_apart(limited):
    app = limited(RATE_LIMIT_SIGN_IN="2 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    assert _sign_in_attempts(client, 3, "203.0.113.7") == [200, 200, 429]
    assert _sign_in_attempts(client, 2, "198.51.100.9") == [200, 200]


def test_with_redis_two_instances_share_one_count(limited, redis_server):
    first = limited("first", RATE_LIMIT_SIGN_IN="3 per minute", REDIS_URL=redis_server.url)
    second = limited("second", RATE_LIMIT_SIGN_IN="3 per minute", REDIS_URL=redis_server.url)
    first.extensions["iag_rate_limits"].storage.reset()
    assert _sign_in_attempts(first.test_client(), 2) == [200, 200]
    assert _sign_in_attempts(second.test_client(), 2) == [200, 429]
    # Without Redis each instance counts only what it sees: the same traffic is not refused.
    third = limited("third", RATE_LIMIT_SIGN_IN="3 per minute")
    fourth = limited("fourth", RATE_LIMIT_SIGN_IN="3 per minute")
    assert _sign_in_attempts(third.test_client(), 2) == [200, 200]
    assert _sign_in_attempts(fourth.test_client(), 2) == [200, 200]


def test_if_redis_is_down_requests_go_through_and_the_log_says_so(limited, caplog):
    app = limited(RATE_LIMIT_SIGN_IN="1 per minute", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    caplog.set_level(logging.ERROR, logger="iag.ratelimit")
    assert _sign_in_attempts(app.test_client(), 2) == [200, 200]
    assert "rate limit not checked: the counter store is unavailable" in caplog.text


def test_returns_from_the_force_account_count_as_sign_in_attempts(limited, identity_providers):
    """Each return from the provider asks it for a token and records a refusal: forged ones are capped."""
    from tests.webapp.test_force_sign_in import refusals

    app = limited(RATE_LIMIT_SIGN_IN="3 per minute", **identity_providers.good.settings())
    client = app.test_client()
    answers = [client.get("/staff/sign-in/force-account/done?state=forged&code=forged") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "has already been used" in text_of(answers[0]).replace("&#39;", "'")
    assert "Too many attempts" in text_of(answers[-1])
    assert len(refusals(app)) == 3
    # Going to the provider is not counted, so that one sign-in counts once.
    assert client.get("/staff/sign-in/force-account").status_code == 302
