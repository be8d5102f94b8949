"""The Freshworks platform's part of the demo: what the FDK gives the running app, as
Freshworks documents it.

The demo host (``host.py``) serves the page; what the app gets from the platform is here,
so that each of the platform's rules sits with its source:

- the installation: the saved settings, secure ones kept by the platform and masked on
  the settings page (:class:`Installation`);
- the data API: the ticket and the agent as ``client.data.get`` gives them
  (:func:`everywhere`, :func:`ticket_data`);
- the request proxy: a filled ``invokeTemplate`` request sent on, to the backend only,
  within the platform's per-minute limit and timeout (:class:`RequestProxy`).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..emulators.freshdesk.app import DEFAULT_KEY
from ..emulators.freshdesk.store import FreshdeskStore
from ..emulators.upsales.app import DEFAULT_TOKEN

#: The host name the installed app uses for the backend; the relay resolves it locally.
SERVICE_HOST = "upsales-freshdesk.demo.example"
#: The demo backend's service secret, pre-filled in the installation: the app's settings
#: page requires one, as ``serve`` does. Drawn anew by each demo process, so no value in
#: the repository ever opens a service.
DEMO_SECRET = secrets.token_urlsafe(32)
SECURE = ("freshdesk_api_key", "upsales_api_key", "service_secret")
#: What "Edit settings" hands getConfigs() for a stored secure value: "Secure iparams are
#: masked from the view of all app users once the values are saved, ... when editing their
#: values after installation" (https://developers.freshworks.com/docs/app-sdk/v3.0/contact/
#: app-settings/app-installation-page/installation-page). The mask itself is not documented;
#: a 2026 third-party app treats it as asterisks. Saved back unchanged, it keeps the value.
MASK = "********"
RELAY_HEADERS = ("content-type", "x-ratelimit-remaining")
#: invokeTemplate's limits, per app and per account: 50 requests a minute, 15 s each
#: (https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/advanced-interfaces/request-method/,
#: "Request method" > limits; the same in Freshworks' marketplace repo,
#: skills/app-dev/references/api/request-method-docs.md).
REQUESTS_PER_MINUTE = 50
REQUEST_TIMEOUT_S = 15.0
#: The platform's own answers when it does not send a request (its error objects:
#: freshworks-developers/marketplace references/common/fdk-docs/request-method-errors.md).
TOO_MANY = {
    "status": 429,
    "message": "You have exceeded the limit of 50 requests per minute",
    "errorSource": "PLATFORM",
}
TIMED_OUT = {
    "status": 504,
    "message": "Timeout error while processing the request",
    "errorSource": "PLATFORM",
}
TICKET_DATA_FIELDS = (
    "id",
    "subject",
    "description_text",
    "status",
    "priority",
    "requester_id",
    "created_at",
)


def default_iparams() -> dict[str, str]:
    return {
        "freshdesk_domain": "demo.freshdesk.com",
        "freshdesk_api_key": DEFAULT_KEY,
        "upsales_api_key": DEFAULT_TOKEN,
        "service_host": SERVICE_HOST,
        "service_secret": DEMO_SECRET,
        "auto_lookup": "",
    }


def _text(value: object) -> str:
    """An installation value as the platform stores it (a checkbox as "true"/"false")."""
    return str(value).lower() if isinstance(value, bool) else str(value)


# -- the installation ------------------------------------------------------------------


class Installation:
    """The app's saved installation values, as the platform keeps them."""

    def __init__(self) -> None:
        self.iparams = default_iparams()

    def reset(self) -> None:
        self.iparams = default_iparams()

    async def get_iparams(self, request: Request) -> Response:
        """The saved installation values, read by the FDK stand-in (the platform keeps
        secure ones server-side; the app's own code never sees them)."""
        return JSONResponse({"iparams": self.iparams, "secure": list(SECURE)})

    async def get_configs(self, request: Request) -> Response:
        """What the platform hands the settings page's getConfigs() on "Edit settings"."""
        return JSONResponse(
            {k: (MASK if k in SECURE and v else v) for k, v in self.iparams.items()}
        )

    async def set_iparams(self, request: Request) -> Response:
        body = await request.json()
        saved = self.iparams
        self.iparams = {
            k: saved.get(k, "") if k in SECURE and body.get(k) == MASK else _text(body.get(k, ""))
            for k in default_iparams()
        }
        return JSONResponse({"ok": True})


# -- the data API ----------------------------------------------------------------------


def everywhere(store: FreshdeskStore, language: str) -> dict[str, Any]:
    """What ``client.data.get`` gives on every page, the settings page included:
    ``currentHost`` and ``loggedInUser`` ("Data objects accessible from all pages",
    https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/data-method/;
    the custom settings page reads ``currentHost`` itself,
    https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/app-settings/custom-app-settings).
    ``language`` is the agent's, as their Freshdesk profile gives it.
    """
    me = store.current_agent()
    agent = me["contact"]
    return {
        "loggedInUser": {
            "id": me["id"],
            "contact": {
                "name": agent["name"],
                "email": agent["email"],
                "language": language,
                "time_zone": agent["time_zone"],
            },
        },
        "currentHost": {
            "subscribed_modules": ["support_ticket"],
            "endpoint_urls": {"freshdesk": "https://demo.freshdesk.com"},
        },
    }


def ticket_data(store: FreshdeskStore, tid: int, language: str) -> dict[str, Any] | None:
    """Everything ``client.data.get`` gives on a ticket page, as the platform shapes it;
    ``None`` for a ticket that does not exist."""
    t = store.ticket(tid)
    if t is None:
        return None
    c = store.contact(t["requester_id"]) or {}
    company = store.company(c.get("company_id") or 0)
    requester = {k: c.get(k) for k in ("id", "name", "email", "phone", "mobile")}
    return {
        "ticket": {k: t.get(k) for k in TICKET_DATA_FIELDS},
        "requester": requester,
        "contact": requester,
        "company": {"id": company["id"], "name": company["name"]} if company else None,
        **everywhere(store, language),
    }


# -- the request proxy -----------------------------------------------------------------


class RequestProxy:
    """The platform's request proxy for one app on one account: it sends a filled
    request template on, to the backend only, within the minute's limit and the timeout."""

    def __init__(
        self,
        backend: httpx.AsyncBaseTransport,
        *,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        request_timeout_s: float = REQUEST_TIMEOUT_S,
    ) -> None:
        self.backend = backend
        self.requests_per_minute = requests_per_minute
        self.request_timeout_s = request_timeout_s
        #: When each of the last minute's requests went out (one app, one account).
        self.sent: deque[float] = deque()
        #: The requests sent on since the start or the last reset (the demo shows it).
        self.relayed = 0

    def reset(self) -> None:
        self.sent.clear()
        self.relayed = 0

    async def relay(self, request: Request) -> Response:
        """Send a filled request template on, as the platform's proxy does.

        Only https and only the backend's host are served: anything else fails like the
        platform's "Error in establishing connection".
        """
        spec = await request.json()
        if spec.get("protocol") != "https" or spec.get("host") != SERVICE_HOST:
            return JSONResponse(
                {
                    "status": 502,
                    "message": "Error in establishing connection",
                    "errorSource": "PLATFORM",
                },
                status_code=200,
            )
        if not self.take_a_request():
            return JSONResponse(TOO_MANY)
        self.relayed += 1
        async with httpx.AsyncClient(
            transport=self.backend, base_url="https://backend", timeout=self.request_timeout_s
        ) as client:
            try:
                # The whole request within the platform's timeout (an in-process transport
                # honours no httpx timeout).
                resp = await asyncio.wait_for(
                    client.request(
                        spec.get("method", "GET"),
                        spec.get("path", "/"),
                        params=spec.get("query"),
                        headers=spec.get("headers") or {},
                        content=(spec.get("body") or "").encode(),
                    ),
                    timeout=self.request_timeout_s,
                )
            except (httpx.TimeoutException, TimeoutError):
                return JSONResponse(TIMED_OUT)
        headers = {k: v for k, v in resp.headers.items() if k.lower() in RELAY_HEADERS}
        return JSONResponse({"status": resp.status_code, "headers": headers, "response": resp.text})

    def take_a_request(self) -> bool:
        """One of the minute's requests, or False when the app has had its 50: a refused
        one is never sent, and does not count."""
        now = time.monotonic()
        while self.sent and now - self.sent[0] >= 60:
            self.sent.popleft()
        if len(self.sent) >= self.requests_per_minute:
            return False
        self.sent.append(now)
        return True
