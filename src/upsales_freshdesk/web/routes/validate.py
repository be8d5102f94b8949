"""POST /v1/validate: the installation page's live check of each setting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from ...clients import Deadline, UpstreamError
from ...rules.codes import Issue, issue_for
from ...settings import Settings
from ..deps import (
    CallerDep,
    Credentials,
    ServiceError,
    SettingsDep,
    Upstreams,
    UpstreamsDep,
    allowed_host,
    make_clients,
)
from ..errors import ErrorResponse
from ..rendering.i18n import N_, negotiate, translations
from ..rendering.messages import validation_message

NOT_CHECKED = N_("Not checked: fix the Freshdesk domain first.")
OK_TEXT = {
    "freshdesk_domain": N_("The Freshdesk domain looks right."),
    "freshdesk_api_key": N_("The Freshdesk API key works."),
    "upsales_api_key": N_("The Upsales API key works."),
}
SETTINGS = tuple(OK_TEXT)


class SettingCheck(BaseModel):
    ok: bool
    code: str | None = None
    message: str


class SecretCheck(BaseModel):
    """Whether this service requires a secret (``UFD_SERVICE_SECRET``), whether the page
    sent one, and whether that fits: a wrong one never gets here (401)."""

    required: bool
    given: bool
    ok: bool


class ValidateResponse(BaseModel):
    ok: bool
    results: dict[str, SettingCheck]
    secret: SecretCheck


class Checker:
    def __init__(self, settings: Settings, upstreams: Upstreams, locale: str) -> None:
        self.settings, self.upstreams, self.locale = settings, upstreams, locale

    def passed(self, name: str) -> SettingCheck:
        return SettingCheck(ok=True, message=translations(self.locale).gettext(OK_TEXT[name]))

    def failed(self, issue: Issue) -> SettingCheck:
        message = validation_message(issue, self.locale)
        return SettingCheck(ok=False, code=issue.code, message=message)

    def secret(self, authorization: str | None) -> SecretCheck:
        """A secret the service does not use is not ok either: the page says to leave it
        empty. A missing or wrong one where it is required never gets here: the route's
        ``check_caller`` answers 401 first."""
        scheme, _, token = (authorization or "").partition(" ")
        given = scheme.lower() == "bearer" and bool(token.strip())
        required = self.settings.service_secret is not None
        return SecretCheck(required=required, given=given, ok=required or not given)

    async def live(
        self, source: Literal["freshdesk", "upsales"], name: str, call: Awaitable[Any]
    ) -> SettingCheck:
        try:
            await call
        except UpstreamError as error:
            return self.failed(issue_for(source, error))
        return self.passed(name)

    async def run(
        self,
        domain: str | None,
        freshdesk_key: str | None,
        upsales_token: str | None,
        authorization: str | None = None,
    ) -> ValidateResponse:
        """Each setting's live check, and the secret's (``authorization`` as the request's)."""
        secret = self.secret(authorization)
        results: dict[str, SettingCheck] = {}
        host: str | None = None
        try:
            host = allowed_host(self.settings, domain or "")
            results["freshdesk_domain"] = self.passed("freshdesk_domain")
        except ServiceError as e:
            # A refused domain makes no upstream call at all, not even to Upsales.
            results["freshdesk_domain"] = self.failed(Issue(source="service", code=e.code))
            return self.finish(results, self.not_checked(), secret)
        creds = Credentials(
            host or "unchecked.freshdesk.com", freshdesk_key or "-", upsales_token or "-"
        )
        try:
            clients = make_clients(self.settings, self.upstreams, creds)
        except ServiceError:
            results["upsales_api_key"] = self.failed(Issue(source="upsales", code="auth_failed"))
            clients = None
        deadline = Deadline.after(self.settings.card_deadline_seconds)
        pending: dict[str, Awaitable[SettingCheck]] = {}
        if clients is not None and "upsales_api_key" not in results:
            pending["upsales_api_key"] = self.live(
                "upsales", "upsales_api_key", clients.upsales.self_info(deadline=deadline)
            )
        if clients is not None and host is not None:
            pending["freshdesk_api_key"] = self.live(
                "freshdesk", "freshdesk_api_key", clients.freshdesk.agents.me(deadline=deadline)
            )
        for name, check in zip(pending, await asyncio.gather(*pending.values()), strict=True):
            results[name] = check
        missing = self.failed(Issue(source="service", code="invalid_request"))
        return self.finish(results, missing, secret)

    def not_checked(self) -> SettingCheck:
        text = translations(self.locale).gettext(NOT_CHECKED)
        return SettingCheck(ok=False, code="not_checked", message=text)

    def finish(
        self, results: dict[str, SettingCheck], missing: SettingCheck, secret: SecretCheck
    ) -> ValidateResponse:
        ordered = {name: results.get(name, missing) for name in SETTINGS}
        ok = all(r.ok for r in ordered.values()) and secret.ok
        return ValidateResponse(ok=ok, results=ordered, secret=secret)


router = APIRouter()


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: str = Field(default="en", max_length=35)


@router.post(
    "/v1/validate", response_model=ValidateResponse, responses={401: {"model": ErrorResponse}}
)
async def validate(
    body: ValidateRequest,
    settings: SettingsDep,
    upstreams: UpstreamsDep,
    _: CallerDep,
    x_freshdesk_domain: Annotated[str | None, Header()] = None,
    x_freshdesk_api_key: Annotated[str | None, Header()] = None,
    x_upsales_token: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> ValidateResponse:
    """Checks each installation setting live, with a localised message per setting."""
    checker = Checker(settings, upstreams, negotiate(body.locale))
    return await checker.run(
        x_freshdesk_domain, x_freshdesk_api_key, x_upsales_token, authorization
    )
