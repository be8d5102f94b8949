"""Upsales response shaping: store records -> the recorded payload shapes.

Each record starts from a template with the recorded record's exact keys (see
``scripts/make_shapes.py``) and is filled from the store, with embedded objects
(``client``, ``users``, ``regBy``...) built from the current records they point to.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from ..seed import STAGES, TODO_TYPES
from .store import Record, UpsalesStore

STAGE_NAMES = {sid: name for sid, name, _ in STAGES}
TODO_NAMES = {tid: name for tid, name, _ in TODO_TYPES.values()}


@cache
def _templates() -> dict[str, dict[str, Any]]:
    text = resources.files(__package__).joinpath("shapes.json").read_text("utf-8")
    data: dict[str, dict[str, Any]] = json.loads(text)
    return data


def _template(kind: str) -> dict[str, Any]:
    return copy.deepcopy(_templates()[kind])


def user_ref(store: UpsalesStore, user_id: int | None) -> dict[str, Any] | None:
    user = store.get("users", user_id) if user_id is not None else None
    if user is None:
        return None
    return {"name": user["name"], "id": user["id"], "role": user["role"], "email": user["email"]}


def _users(store: UpsalesStore, ids: list[int]) -> list[dict[str, Any]]:
    return [u for u in (user_ref(store, i) for i in ids) if u is not None]


def address(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "zipcode": None,
        "country": None,
        "address": None,
        "city": None,
        "latitude": None,
        "municipality": None,
        "state": None,
        "type": "Other",
        "longitude": None,
        **raw,
    }


def client_embed(store: UpsalesStore, account_id: int | None) -> dict[str, Any] | None:
    """The account as a contact embeds it: id, name, account managers, addresses."""
    account = store.get("accounts", account_id) if account_id is not None else None
    if account is None:
        return None
    return {
        "operationalAccount": None,
        "addresses": [address(a) for a in account["addresses"]],
        "name": account["name"],
        "id": account["id"],
        "users": _users(store, account["users"]),
    }


def contact(store: UpsalesStore, c: Record) -> dict[str, Any]:
    out = _template("contact")
    out.update(
        {
            k: c.get(k)
            for k in (
                "id",
                "name",
                "firstName",
                "lastName",
                "phone",
                "cellPhone",
                "title",
                "notes",
                "regDate",
                "modDate",
                "journeyStep",
            )
        }
    )
    out.update(
        email=c.get("email") or "",
        client=client_embed(store, c.get("client")),
        regBy=user_ref(store, c.get("regBy")),
        active=int(bool(c.get("active", 1))),
        phoneCountryCode=None,
        cellPhoneCountryCode=None,
        linkedin=c.get("linkedin"),
        salutation=None,
        titleCategory=None,
        unsubscribed=None,
        scoreUpdateDate=None,
        firstTouch=None,
        importId=None,
        unsubscribedMailCampaign=None,
        custom=c.get("custom", []),
        userRemovable=True,
        userEditable=True,
        supportTickets={"hasOpen": False, "hasClosed": False},
    )
    for flag in (
        "hasOrder",
        "hadOrder",
        "hasOpportunity",
        "hadOpportunity",
        "hasActivity",
        "hadActivity",
        "hasAppointment",
        "hadAppointment",
    ):
        out[flag] = None
    return out


def account(store: UpsalesStore, a: Record) -> dict[str, Any]:
    out = _template("account")
    for key, value in list(out.items()):
        # Keys the book does not model: nested blocks stay neutral, scalars become null.
        if not isinstance(value, dict | list):
            out[key] = None
    out.update(
        {
            k: a.get(k)
            for k in (
                "id",
                "name",
                "phone",
                "webpage",
                "orgNo",
                "journeyStep",
                "regDate",
                "modDate",
            )
        }
    )
    addresses = [address(x) for x in a["addresses"]]
    mail = next((x for x in addresses if x["type"] == "Mail"), None)
    out.update(
        active=int(bool(a.get("active", 1))),
        users=_users(store, a["users"]),
        regBy=user_ref(store, a.get("regBy")),
        addresses=addresses,
        mailAddress=mail,
        currency="SEK",
        isExternal=0,
        headquarters=1,
        score=0,
        fax="",
        notes=None,
        userRemovable=True,
        userEditable=True,
        hasMail=False,
        hasForm=False,
        hasVisit=False,
        assigned=[]
        if not a.get("assigned")
        else {"regDate": a["modDate"], "user": user_ref(store, a["assigned"])},
        numberOfContacts=store.contacts_per_account().get(a["id"], 0),
    )
    return out


def user(u: Record) -> dict[str, Any]:
    out = _template("user")
    out.update(
        {
            k: u.get(k)
            for k in (
                "id",
                "name",
                "email",
                "administrator",
                "role",
                "active",
                "ghost",
                "userTitle",
                "userPhone",
                "regDate",
            )
        }
    )
    ghost = bool(u.get("ghost"))
    for key in ("userAddress", "userZipCode", "userState", "userCellPhone"):
        out[key] = None if ghost else ""
    out.update(
        teamLeader=0,
        free=0,
        export=int(bool(u.get("administrator"))),
        custom=[],
        billingAdmin=0,
        crm=1,
        support=0,
        service=0,
        supportAdmin=0,
        projectAdmin=0,
    )
    return out


def _client_short(store: UpsalesStore, account_id: int | None) -> dict[str, Any] | None:
    a = store.get("accounts", account_id) if account_id is not None else None
    if a is None:
        return None
    return {"name": a["name"], "id": a["id"], "users": _users(store, a["users"])}


def _contact_short(store: UpsalesStore, contact_id: int | None) -> dict[str, Any] | None:
    c = store.get("contacts", contact_id) if contact_id is not None else None
    return None if c is None else {"id": c["id"], "name": c["name"], "email": c.get("email") or ""}


def order(store: UpsalesStore, o: Record) -> dict[str, Any]:
    out = _template("order")
    value = float(o["value"])
    out.update(
        id=o["id"],
        description=o["description"],
        date=o["date"],
        notes="",
        closeDate=o["date"] if o["probability"] == 100 else None,
        user=user_ref(store, o.get("user")),
        client=_client_short(store, o.get("client")),
        contact=_contact_short(store, o.get("contact")),
        project=None,
        regDate=o["regDate"],
        modDate=o["modDate"],
        probability=o["probability"],
        stage={"name": STAGE_NAMES.get(o["stage"]), "id": o["stage"]},
        currency=o.get("currency", "SEK"),
        currencyRate=1,
        locked=0,
        custom=[],
        orderRow=[],
        value=value,
        weightedValue=value * o["probability"] / 100,
        valueInMasterCurrency=value,
        weightedValueInMasterCurrency=value * o["probability"] / 100,
        clientConnection=None,
        agreement=None,
        userRemovable=True,
        userEditable=True,
    )
    return out


def activity(store: UpsalesStore, a: Record) -> dict[str, Any]:
    out = _template("activity")
    client = _client_short(store, a.get("client"))
    if client is not None:
        account_rec = store.get("accounts", client["id"]) or {}
        client = {
            "journeyStep": account_rec.get("journeyStep"),
            "phone": account_rec.get("phone"),
            **client,
        }
    type_id = a.get("activityType")
    contacts = [x for x in (_contact_short(store, i) for i in a.get("contacts", [])) if x]
    reg_by = user_ref(store, a.get("regBy", 12))
    out.update(
        id=a["id"],
        description=a.get("description"),
        notes=a.get("notes"),
        date=a.get("date"),
        closeDate=a.get("closeDate"),
        time=None,
        client=client,
        contacts=contacts,
        users=_users(store, a.get("users", [])),
        project=None,
        parentActivityId=None,
        parentAppointmentId=None,
        activityType=None if type_id is None else {"name": TODO_NAMES.get(type_id), "id": type_id},
        regDate=a.get("regDate"),
        isAppointment=0,
        regBy=reg_by,
        modDate=a.get("modDate"),
        closeTime=None,
        opportunity=None,
        custom=[],
        userRemovable=True,
        userEditable=True,
        priority=a.get("priority", 0),
        outcomes=[],
        lastOutcome=None,
    )
    return out


def self_info(store: UpsalesStore, user_id: int) -> dict[str, Any]:
    out = _template("self")
    u = store.get("users", user_id) or {}
    out.update(
        id=user_id,
        name=u.get("name"),
        email=u.get("email"),
        language="sv-SE",
        client={**out.get("client", {}), "id": 9580, "name": "Demo Book AB"},
        clients=[{"name": "Demo Book AB", "clientId": 9580, "userId": user_id}],
        version="Plus",
        whitelabel=False,
        lastOnline=None,
        lastOnlinePower=None,
    )
    return out


def todo_types() -> dict[str, Any]:
    return {
        key: {
            "id": tid,
            "name": name,
            "roles": [],
            "todoType": kind,
            "hasOutcome": kind == 2,
            "userRemovable": True,
            "userEditable": True,
        }
        for key, (tid, name, kind) in TODO_TYPES.items()
    }
