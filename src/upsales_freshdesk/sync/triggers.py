"""The Upsales triggers that tell the service, within seconds, that a contact or an
account changed: their bodies as ``/api/v2/triggers`` takes them, and installing them
idempotently (found again by name; a second run changes nothing).

Each trigger runs on one event and makes one ``SendWebRequest``: a POST of
``{"entity": "contact", "id": "{{Contact.Id}}", "event": "after_contact_update"}`` (JSON)
to ``<service>/v1/webhooks/upsales/<UFD_UPSALES_WEBHOOK_SECRET>``. The call is a poke: the
service reads the record from Upsales before it writes anything.

Sources:

- The trigger and its action: a live list of triggers (3 Nov 2025, cassettes of the
  MIT-licensed upsales-python-sdk; ``tests/fixtures/upsales/triggers_list_live.json``).
  A ``SendWebRequest`` has the properties ``URL``, ``Method``, ``ContentType`` and
  ``Body``, and none for headers: Upsales signs nothing and the admin cannot add a
  header, so the secret is the URL's last segment (the service takes it there too).
- The events ``after_contact_insert``, ``after_contact_update`` and
  ``after_client_update`` (an account is a "client"): the same recording.
- Placeholders are ``{{Entity.Field}}`` (recorded: ``{{Client.UserId}}``,
  ``{{General.CurrentUser}}``). ``{{Contact.Id}}`` and ``{{Client.Id}}`` are in no
  recording, and ``GET /api/v2/triggerAttributes`` lists no entity's own id
  (``trigger_attributes_live.json``): unconfirmed. How Upsales writes a value into the
  body is not documented either, so the body quotes its placeholder: it stays valid JSON
  whatever the id renders as, and the service takes the id as a number or a numeric
  string. Check one live delivery after installing.
- Creating and updating: ``POST /triggers`` and ``PUT /triggers/{id}`` (the SDK's
  triggers resource); a trigger is on when ``active`` is 1.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ..clients import Deadline
from ..clients.upsales.triggers import Trigger, Triggers
from ..settings import secret_problem
from . import hooks
from .hooks import Result

PATH = "/v1/webhooks/upsales"
SECRET_VARIABLE = "UFD_UPSALES_WEBHOOK_SECRET"  # noqa: S105 - the variable's name
#: What a secret in a URL's path may hold: RFC 3986's unreserved characters, which no
#: proxy or router rewrites (``secrets.token_urlsafe`` makes such a secret).
URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")
DESCRIPTION = (
    "Tells upsales-freshdesk that this record changed (upsales-freshdesk triggers install)."
)
CONTENT_TYPE = "application/json"

Entity = Literal["contact", "account"]


@dataclass(frozen=True, slots=True)
class Spec:
    """One of our triggers: its event, the record it names, and its name."""

    event: str
    entity: Entity
    name: str

    @property
    def placeholder(self) -> str:
        return "{{Contact.Id}}" if self.entity == "contact" else "{{Client.Id}}"


SPECS: tuple[Spec, ...] = (
    Spec("after_contact_insert", "contact", "upsales-freshdesk: contact created"),
    Spec("after_contact_update", "contact", "upsales-freshdesk: contact updated"),
    Spec("after_client_update", "account", "upsales-freshdesk: account updated"),
)


def check_secret(secret: str) -> str | None:
    """What makes ``secret`` unfit for the receiver's URL, or None."""
    problem = secret_problem(SECRET_VARIABLE, secret)
    if problem is None and not URL_SAFE.fullmatch(secret):
        problem = (
            f"{SECRET_VARIABLE} holds a character that a URL's path would change; use "
            "letters, digits, '-', '_', '.' and '~' only"
        )
    return problem


def receiver_url(base: str, secret: str) -> str:
    """The receiver's URL on the service at ``base`` (``https://ufd.example.com``), the
    secret as its last segment (:func:`.hooks.service_url` says which bases pass).
    ``ValueError`` for a base or a secret that cannot be."""
    url = hooks.service_url(base, PATH)
    problem = check_secret(secret)
    if problem is not None:
        raise ValueError(problem)
    return f"{url}/{secret}"


def poke_body(spec: Spec) -> str:
    """The request's JSON body, its placeholders quoted (see the module's sources). A
    contact's poke also names its email (``{{Contact.Email}}``, a listed trigger
    attribute): should ``{{Contact.Id}}`` not render, the receiver finds the id by it."""
    body = {"entity": spec.entity, "id": spec.placeholder, "event": spec.event}
    if spec.entity == "contact":
        body["email"] = "{{Contact.Email}}"
    return json.dumps(body)


def properties(spec: Spec, url: str) -> dict[str, str]:
    return {"Body": poke_body(spec), "ContentType": CONTENT_TYPE, "Method": "POST", "URL": url}


def trigger_body(spec: Spec, url: str) -> dict[str, Any]:
    """The whole trigger as ``POST``/``PUT /triggers`` take it: on, one event, no
    criteria, one ``SendWebRequest``."""
    props = properties(spec, url)
    return {
        "name": spec.name,
        "description": DESCRIPTION,
        "active": 1,
        "events": [spec.event],
        "criterias": [],
        "actions": [
            {
                "alias": "SendWebRequest",
                "properties": [{"name": k, "value": props[k]} for k in sorted(props)],
            }
        ],
    }


def up_to_date(found: Trigger, spec: Spec, url: str) -> bool:
    """Whether ``found`` already is what :func:`trigger_body` makes (ids aside)."""
    if not (found.active and found.events == [spec.event] and not found.criterias):
        return False
    if (found.description or "") != DESCRIPTION or len(found.actions) != 1:
        return False
    (action,) = found.actions
    given = {p.name: p.value or "" for p in action.properties}
    return action.alias == "SendWebRequest" and given == properties(spec, url)


def web_request(found: Trigger) -> tuple[str, str] | None:
    """The first ``SendWebRequest``'s URL and body, if the trigger has one."""
    for action in found.actions:
        if action.alias == "SendWebRequest":
            return action.property("URL") or "", action.property("Body") or ""
    return None


def shown_url(url: str) -> str:
    """``url`` to print, its last segment (the secret, in ours) hidden."""
    return hooks.shown_url(url, secret_last=True)


def sends_secret(found: Trigger, secret: str) -> bool:
    """Whether the trigger's call ends in ``secret`` (compared in constant time)."""
    request = web_request(found)
    if request is None:
        return False
    last = urlsplit(request[0]).path.rpartition("/")[2]
    return hmac.compare_digest(last.encode(), secret.encode())


@dataclass(frozen=True, slots=True)
class Installed:
    spec: Spec
    result: Result
    found: Trigger
    #: Other triggers of the same name (left alone; each calls the service again).
    duplicates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Present:
    """What Upsales holds under one of our names, the oldest first."""

    spec: Spec
    found: tuple[Trigger, ...]


def _named(listed: Sequence[Trigger], spec: Spec) -> list[Trigger]:
    return sorted((t for t in listed if (t.name or "").strip() == spec.name), key=lambda t: t.id)


async def present(triggers: Triggers, *, deadline: Deadline) -> list[Present]:
    listed = await triggers.list(deadline=deadline)
    return [Present(spec, tuple(_named(listed, spec))) for spec in SPECS]


async def install(triggers: Triggers, url: str, *, deadline: Deadline) -> list[Installed]:
    """Our three triggers made or brought up to date (:func:`.hooks.place`), the oldest
    of a name counting first."""
    listed = await triggers.list(deadline=deadline)
    return [await _install(triggers, listed, spec, url, deadline) for spec in SPECS]


async def _install(
    triggers: Triggers, listed: Sequence[Trigger], spec: Spec, url: str, deadline: Deadline
) -> Installed:
    body = trigger_body(spec, url)
    placed = await hooks.place(
        _named(listed, spec),
        current=lambda found: up_to_date(found, spec, url),
        create=lambda: triggers.create(body, deadline=deadline),
        update=lambda found: triggers.update(found.id, body, deadline=deadline),
    )
    return Installed(spec, placed.result, placed.found, placed.duplicates)
