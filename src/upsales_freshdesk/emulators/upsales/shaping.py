"""Upsales response shaping: store records -> the recorded payload shapes.

Each record starts from a template with the recorded record's exact keys (see
``scripts/make_shapes.py``) and is filled from the store, with embedded objects
(``client``, ``users``, ``regBy``...) built from the current records they point to.
"""

from __future__ import annotations

from typing import Any

from ..seed import TODO_TYPES
from .catalogue import custom_values
from .store import Record, UpsalesStore
from .templates import template as _template


def user_ref(store: UpsalesStore, user_id: int | None) -> dict[str, Any] | None:
    user = store.get("users", user_id) if user_id is not None else None
    if user is None:
        return None
    return {"name": user["name"], "id": user["id"], "role": user["role"], "email": user["email"]}


def users_ref(store: UpsalesStore, ids: list[int]) -> list[dict[str, Any]]:
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
        "users": users_ref(store, account["users"]),
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
    contacts = store.contacts_per_account().get(a["id"], 0)
    out.update(
        active=int(bool(a.get("active", 1))),
        users=users_ref(store, a["users"]),
        regBy=user_ref(store, a.get("regBy")),
        addresses=addresses,
        mailAddress=mail or a.get("mailAddress"),
        currency="SEK",
        isExternal=0,
        # Seeded accounts carry the live values (headquarters 1, fax "" or a number:
        # REF upsales/accounts_list.json); created ones the create defaults (see writes).
        headquarters=a.get("headquarters", 1),
        score=0,
        fax=a.get("fax", ""),
        notes=None,
        custom=custom_values(a.get("custom", [])),
        userRemovable=True,
        userEditable=True,
        hasMail=False,
        hasForm=False,
        hasVisit=False,
        assigned=[]
        if not a.get("assigned")
        else {"regDate": a["modDate"], "user": user_ref(store, a["assigned"])},
        numberOfContacts=contacts,
        # Top-level ints on every live account, e.g. id 91: 11/11/0 (REF
        # upsales/accounts_list.json). The book has no subaccounts, so the total
        # (own plus subaccounts' contacts) is the account's own count.
        numberOfContactsTotal=contacts,
        numberOfSubaccounts=0,
    )
    for key in ("soliditet", "externalClientData"):
        if key in a:  # a created account: {} (Postman "Company > Create company")
            out[key] = a[key]
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
