"""Upsales' fixed lists: products, order stages, activity types, account custom fields;
typed custom values."""

from __future__ import annotations

from typing import Any

from ..scenarios import (
    ACCOUNT_CUSTOM_FIELDS,
    ACTIVITY_TYPES,
    PRODUCT_CATALOGUE,
    RATINGS,
    STAGES,
)
from .templates import template

FIELD_TYPES = {field_id: datatype for field_id, _, datatype, _ in ACCOUNT_CUSTOM_FIELDS}
NUMERIC = frozenset({"Currency", "Integer", "Percent", "Discount"})


def product(product_id: int) -> dict[str, Any] | None:
    """Postman "Products > Get product list" item, filled from the book's catalogue."""
    for pid, name, list_price, cost_share, (category_id, category) in PRODUCT_CATALOGUE:
        if pid == product_id:
            out = template("product")
            out.update(
                id=pid,
                name=name,
                listPrice=list_price,
                purchaseCost=round(list_price * cost_share),
                active=1,  # 0/1, as in the example (which shows an inactive product)
                category={"name": category, "id": category_id},
                sortId=pid,
                userRemovable=True,
                userEditable=True,
            )
            return out
    return None


def products() -> list[dict[str, Any]]:
    return [p for p in (product(pid) for pid, *_ in PRODUCT_CATALOGUE) if p is not None]


def order_stages() -> list[dict[str, Any]]:
    """``{id, name, probability, exclude, roles}``: the live list of 3 Nov 2025 (SDK
    cassette test_list_order_stages_real_response, ``orderstages_live.json``) adds
    ``exclude`` (0 or 1) to Postman's "Get stage list" example. Its meaning is not
    documented; none of the book's stages has it set."""
    return [
        {"id": sid, "name": name, "probability": probability, "exclude": 0, "roles": []}
        for sid, name, probability in STAGES
    ]


def activity_types() -> list[dict[str, Any]]:
    """The account's activity types: ``{id, name, roles, hasOutcome}``, hasOutcome 0/1
    (live ``GET /activitytypes/activity``, SDK cassette Dec 2025:
    ``tests/fixtures/upsales/activitytypes_activity_live.json``)."""
    return [
        {"id": tid, "name": name, "roles": [], "hasOutcome": outcome}
        for tid, name, outcome in ACTIVITY_TYPES
    ]


def account_custom_fields() -> list[dict[str, Any]]:
    """Postman "Custom fields > Company > Get company custom fields" items."""
    out = []
    for sort_id, (field_id, name, datatype, alias) in enumerate(ACCOUNT_CUSTOM_FIELDS):
        field = template("customField")
        field.update(
            id=field_id,
            name=name,
            datatype=datatype,
            alias=alias,
            # A Select field's default is its option list; other fields have "".
            default=list(RATINGS) if datatype == "Select" else "",
            visible=1,
            editable=1,
            sortId=sort_id,
        )
        out.append(field)
    return out


def custom_value(item: dict[str, Any]) -> dict[str, Any]:
    """A stored ``{fieldId, value}`` as Upsales reads it back, with typed copies.

    Sources: live order custom ``{"value": "237", "valueInteger": 237, "valueDouble": 237,
    "valueArray": ["237"], "fieldId": 2}`` (SDK cassette test_get_order_real_response);
    Postman "Custom fields > Create company with custom field" (value, valueInteger,
    valueDouble for a Currency field); Postman order examples (``valueDate`` for a date,
    ``valueArray`` for a string). A write sends only ``{fieldId, value}``.
    """
    field_id, value = item.get("fieldId"), item.get("value")
    text = "" if value is None else str(value)
    out: dict[str, Any] = {"value": text}
    datatype = FIELD_TYPES.get(field_id) if isinstance(field_id, int) else None
    if datatype in NUMERIC:
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None:
            out.update(
                valueInteger=int(number),
                valueDouble=int(number) if number.is_integer() else number,
            )
    if datatype == "Date":
        out["valueDate"] = text
    else:
        out["valueArray"] = [text]
    out["fieldId"] = field_id
    return out


def custom_values(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [custom_value(i) for i in items if isinstance(i, dict) and "fieldId" in i]
