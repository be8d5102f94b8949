"""Upsales response shaping for orders and activities (appointments: :mod:`.appointments`).

Orders and activities follow live recordings (SDK cassettes test_get_order_real_response
and test_get_activity_real_response, Dec 2025: ``tests/fixtures/upsales/order_live.json``
and ``activity_live.json``).
"""

from __future__ import annotations

from typing import Any

from ..scenarios import ACTIVITY_TYPES, STAGES
from .catalogue import product
from .shaping import user_ref, users_ref
from .store import Record, UpsalesStore
from .templates import template
from .writes import SELF_USER_ID

STAGE_NAMES = {sid: name for sid, name, _ in STAGES}
TYPE_NAMES = {tid: name for tid, name, _ in ACTIVITY_TYPES}


def client_ref(store: UpsalesStore, account_id: int | None) -> dict[str, Any] | None:
    """Live order ``client``: ``{operationalAccount, journeyStep, name, id, users[]}``."""
    a = store.get("accounts", account_id) if account_id is not None else None
    if a is None:
        return None
    return {
        "operationalAccount": None,
        "journeyStep": a.get("journeyStep"),
        "name": a["name"],
        "id": a["id"],
        "users": users_ref(store, a["users"]),
    }


def contact_ref(store: UpsalesStore, contact_id: int | None) -> dict[str, Any] | None:
    """Live activity ``contacts[]`` item: journeyStep, titleCategory, phone, name, id,
    title, email, cellPhone, regBy (``activity_live.json``)."""
    c = store.get("contacts", contact_id) if contact_id is not None else None
    if c is None:
        return None
    out = template("activityContact")
    out.update(
        journeyStep=c.get("journeyStep"),
        titleCategory=None,
        phone=c.get("phone"),
        name=c["name"],
        id=c["id"],
        title=c.get("title"),
        email=c.get("email") or "",
        cellPhone=c.get("cellPhone"),
        regBy=user_ref(store, c.get("regBy")),
    )
    return out


def order_row(row: Record) -> dict[str, Any]:
    """Live ``orderRow`` item; its contributionMargin is (price - purchaseCost) x quantity
    (live: purchaseCost null, 25 x 833 = 20825; Postman: "orderRow.purchaseCost ... used
    to calculate contribution margin")."""
    out = template("orderRow")
    full = product(row["product"]) or {}
    margin = (row["price"] - (row.get("purchaseCost") or 0)) * row["quantity"]
    out.update(
        id=row["id"],
        quantity=row["quantity"],
        price=row["price"],
        discount=0,  # recorded 0 even where listPrice > price
        product={
            "purchaseCost": full.get("purchaseCost"),
            "name": full.get("name"),
            "isRecurring": False,
            "id": row["product"],
            "category": full.get("category"),
            "articleNo": None,
            "projectPlanTemplate": None,
        },
        productId=row["product"],
        sortId=row.get("sortId", 0),
        listPrice=row.get("listPrice", row["price"]),
        purchaseCost=row.get("purchaseCost"),
        bundleFixedPrice=False,
        contributionMargin=margin,
        contributionMarginLocalCurrency=margin,
    )
    return out


def _money(out: dict[str, Any], value: int, margin: int, probability: int) -> None:
    """The value fields. All products are one-off, so the recurring ones are 0
    (live order 789: oneOffValue = value, annual/monthly 0; weighted = x probability)."""
    weighted = round(value * probability / 100)
    weighted_margin = round(margin * probability / 100)
    out.update(value=value, valueInMasterCurrency=value, oneOffValue=value)
    out.update(oneOffValueInMasterCurrency=value, weightedValue=weighted)
    out.update(weightedValueInMasterCurrency=weighted, weightedOneOffValue=weighted)
    out.update(weightedOneOffValueInMasterCurrency=weighted, contributionMargin=margin)
    out.update(contributionMarginLocalCurrency=margin, weightedContributionMargin=weighted_margin)
    out["weightedContributionMarginLocalCurrency"] = weighted_margin


def order(store: UpsalesStore, o: Record) -> dict[str, Any]:
    out = template("order")
    rows = [order_row(r) for r in o.get("rows", [])]
    value = sum(r["price"] * r["quantity"] for r in rows)  # live: value = sum(price x qty)
    cost = sum((r["purchaseCost"] or 0) * r["quantity"] for r in rows)
    out.update(
        id=o["id"],
        description=o["description"],
        date=o["date"],
        notes=None,  # live: null
        closeDate=o["date"] if o["probability"] == 100 else None,
        user=user_ref(store, o.get("user")),
        client=client_ref(store, o.get("client")),
        # Never non-null in a recording; the closest real shape is an activity's contact.
        contact=contact_ref(store, o.get("contact")),
        regDate=o["regDate"],
        modDate=o["modDate"],
        probability=o["probability"],
        stage={"name": STAGE_NAMES.get(o["stage"]), "id": o["stage"]},
        currency=o.get("currency", "SEK"),
        currencyRate=1,
        custom=[],
        orderRow=rows,
        recurringInterval=12,  # as recorded on the live one-off order
        purchaseCost=cost,
        regBy=None,  # null in all 11 live orders; its shape when set is unconfirmed
        lostReason=None,  # Postman: a Number (fieldTranslations id); live: null
        stakeholders=[],  # [] in all live orders; the item shape is unconfirmed
        userRemovable=True,
        userEditable=True,
        priceListId=1,
    )
    _money(out, value, value - cost, o["probability"])
    return out


def activity(store: UpsalesStore, a: Record) -> dict[str, Any]:
    out = template("activity")
    client = client_ref(store, a.get("client"))
    if client is not None:  # live activity client adds the account's phone
        client = {**client, "phone": (store.get("accounts", client["id"]) or {}).get("phone")}
    type_id = a.get("activityType")
    contacts = [x for x in (contact_ref(store, i) for i in a.get("contacts", [])) if x]
    out.update(
        id=a["id"],
        description=a.get("description"),
        notes=a.get("notes"),
        date=a.get("date"),
        closeDate=a.get("closeDate"),  # "YYYY-MM-DDTHH:MM:SSZ", no milliseconds
        time=a.get("time"),
        client=client,
        contacts=contacts,
        users=users_ref(store, a.get("users", [])),
        activityType=None if type_id is None else {"name": TYPE_NAMES.get(type_id), "id": type_id},
        regDate=a.get("regDate"),
        isAppointment=0,
        regBy=user_ref(store, a.get("regBy", SELF_USER_ID)),
        modDate=a.get("modDate"),
        custom=[],
        userRemovable=True,
        userEditable=True,
        priority=a.get("priority", 0),
    )
    return out
