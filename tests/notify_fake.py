"""A stand-in for GOV.UK Notify's HTTP API on loopback (Notify is outside this machine): it checks each
request's JWT as Notify does (issued by the service id, signed with the key's secret, recent) and keeps the
text messages it accepted. Only that endpoint is faked; the service's own client code runs for real."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"iag_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


class FakeNotify:
    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.refused: list[str] = []
        self.fail_next = 0  # answer the next N requests with a 500, as a Notify outage would
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(
                        token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]}
                    )
                    assert claims["iss"] == SERVICE_ID and abs(time.time() - claims["iat"]) < 30
                except Exception as exc:  # Notify answers 403 to a bad token
                    owner.refused.append(str(exc))
                    return self._answer(403, {"errors": [{"error": "AuthError", "message": str(exc)}]})
                if owner.fail_next:
                    owner.fail_next -= 1
                    return self._answer(
                        500, {"errors": [{"error": "Exception", "message": "Internal error"}]}
                    )
                if self.path != "/v2/notifications/sms" or body.get("template_id") != TEMPLATE_ID:
                    return self._answer(
                        400, {"errors": [{"error": "BadRequestError", "message": "bad request"}]}
                    )
                owner.sent.append(body)
                self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

            def _answer(self, status: int, data: dict) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict:
        return {
            "SMS_SENDER": "notify",
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_SMS_TEMPLATE_ID": TEMPLATE_ID,
            "NOTIFY_BASE_URL": self.url,
        }
