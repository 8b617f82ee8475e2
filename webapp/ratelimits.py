"""Rate limits on the steps worth abusing: staff sign-in (guessing; the force account's return too),
starting and submitting applications (filling the queue), and the steps that email a link (mail bombing
someone). Counted per client address over a moving window, with the `limits` library: in Redis when
IAG_REDIS_URL is set, so that every web instance shares one count, and in the process's memory otherwise
(one instance: the embedded default).

Behind a reverse proxy, IAG_TRUSTED_PROXIES says how many set X-Forwarded-For, so that the address counted
is the client's and not the proxy's. If Redis cannot be reached, requests are let through and the failure
logged: a broken counter must not lock the public out of applying.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, render_template, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("iag.ratelimit")

# Endpoint -> the setting that limits it. Endpoints under one setting share one count.
LIMITED = {
    "staff.sign_in": "RATE_LIMIT_SIGN_IN",
    "staff.sign_in_code": "RATE_LIMIT_SIGN_IN",
    "public.start": "RATE_LIMIT_APPLY",
    "public.submit": "RATE_LIMIT_APPLY",
    "public.save_for_later": "RATE_LIMIT_EMAIL",
    "public.find_application": "RATE_LIMIT_EMAIL",
    "members.sign_in_page": "RATE_LIMIT_EMAIL",
    "staff.force_sign_in_done": "RATE_LIMIT_SIGN_IN",
}
# Counted for form posts, and for these GETs that do the work of a sign-in: the return from the force
# account's provider asks the provider for a token and records a refusal. (Going there is not counted,
# so that one sign-in counts once.)
COUNTED_GETS = {"staff.force_sign_in_done"}


def init_app(app: Flask) -> None:
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    storage = storage_from_string(app.config["REDIS_URL"] or "memory://")
    limiter = MovingWindowRateLimiter(storage)
    items = {setting: parse(app.config[setting]) for setting in set(LIMITED.values())}
    app.extensions["iag_rate_limits"] = limiter

    @app.before_request
    def _rate_limit():
        setting = LIMITED.get(request.endpoint or "")
        if setting is None or (request.method != "POST" and request.endpoint not in COUNTED_GETS):
            return None
        item, who = items[setting], request.remote_addr or "unknown"
        try:
            if limiter.hit(item, setting, who):
                return None
            reset = limiter.get_window_stats(item, setting, who).reset_time
        except Exception:  # Redis down or unreachable: let the request through, say so in the log
            log.exception("rate limit not checked: the counter store is unavailable")
            return None
        wait = max(1, math.ceil((reset - time.time()) / 60))
        log.warning("rate limited: %s from %s", setting, who)
        page = render_template("errors/too_many.html", minutes=wait, sign_in=setting == "RATE_LIMIT_SIGN_IN")
        return page, 429, {"Retry-After": str(wait * 60)}
