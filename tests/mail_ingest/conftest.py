from __future__ import annotations

import pytest

from tests.conftest import IMAP_PASSWORD, IMAP_USER


@pytest.fixture
def mail_app(app, imap):
    """The app pointed at the test Dovecot, with a short lock lease so killed pollers are replaced quickly."""
    app.config.update(
        IMAP_HOST=imap.host,
        IMAP_PORT=imap.port,
        IMAP_USERNAME=IMAP_USER,
        IMAP_PASSWORD=IMAP_PASSWORD,
        IMAP_TLS=False,
        MAIL_LEASE_SECONDS=3,
        MAIL_POLL_SECONDS=5,
    )
    return app
