"""Public pages, security headers and friendly errors."""

from __future__ import annotations

from tests.helpers import text_of


def test_home_page_explains_iags_from_the_deployment_file(client):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Avon and Somerset Police" in page
    assert "critical friends" in page
    assert "at least four meetings a year" in page


def test_groups_page_shows_open_closed_requirements_and_screening(client):
    page = text_of(client.get("/groups"))
    assert "Avon and Somerset Police has 8 Independent Advisory Groups." in page
    strategic = page[page.rindex("Strategic IAG") :]  # not taking applications: listed last
    assert "Not taking applications" in strategic
    assert "Open to applications" not in strategic
    lgbt = page[page.index("LGBT+ IAG") : page.index("Counter Terrorism IAG")]
    assert "Who can join" in lgbt and "LGBT+ communities" in lgbt
    counter_terrorism = page[page.index("Counter Terrorism IAG") : page.rindex("Strategic IAG")]
    assert "limited security screening" in counter_terrorism


def test_every_response_carries_the_security_headers(client):
    for url in ["/", "/groups", "/staff/sign-in", "/no-such-page"]:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "script-src 'self' 'nonce-" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_the_only_inline_script_carries_the_nonce(client):
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    inline = [chunk for chunk in html.split("<script")[1:] if "src=" not in chunk.split(">")[0]]
    assert inline and all(f'nonce="{nonce}"' in chunk.split(">")[0] for chunk in inline)


def test_no_crown_and_no_gds_transport(client):
    html = client.get("/").get_data(as_text=True)
    assert "govuk-crest" not in html and "govuk-logo" not in html and "GOV.UK" not in html
    css = client.get("/static/app.css").get_data(as_text=True)
    assert "GDS Transport" not in css


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/groups/nothing-here")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_server_error_shows_a_friendly_page_without_a_stack_trace(second_app):
    app = second_app(PROPAGATE_EXCEPTIONS=False)  # an app of its own: the shared one has served requests

    @app.route("/test-broken")
    def broken():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/test-broken")
    assert response.status_code == 500
    page = text_of(response)
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_a_form_posted_without_a_csrf_token_is_refused_kindly(client):
    response = client.post("/staff/sign-in", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 400
    assert "Your form could not be sent" in text_of(response)
