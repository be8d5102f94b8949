"""Derive the Upsales emulator's record templates from the recorded payloads.

Each template has exactly the recorded record's keys, with neutral values of the
same JSON type (strings empty, numbers zero, lists empty, nested objects kept
neutral, nulls null). The emulator fills them from its store, so its answers carry
the recorded field set. Run from the repository root:

    .venv/bin/python scripts/make_shapes.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIX = Path("tests/fixtures/upsales")
OUT = Path("src/upsales_freshdesk/emulators/upsales/shapes.json")


def neutral(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: neutral(v) for k, v in value.items()}
    if isinstance(value, list):
        return []
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0
    if isinstance(value, float):
        return 0.0
    if isinstance(value, str):
        return ""
    return None


def first_record(name: str) -> Any:
    return json.loads((FIX / name).read_text())["response"]["body"]["data"][0]


def one_record(name: str) -> Any:
    return json.loads((FIX / name).read_text())["response"]["body"]["data"]


def main() -> None:
    postman = json.loads((FIX / "postman_examples.json").read_text())
    routes = json.loads((FIX / "postman_routes.json").read_text())

    def listed(example: str) -> Any:
        return routes[example]["response"]["body"]["data"][0]

    order, activity = one_record("order_live.json"), one_record("activity_live.json")
    shapes = {
        "contact": neutral(first_record("contacts_list_limit1.json")),
        "account": neutral(first_record("accounts_list_limit1.json")),
        "user": neutral(first_record("users_list_limit10.json")),
        # Live recordings (SDK cassettes, Dec 2025): the current, fuller key sets.
        "activity": neutral(activity),
        "activityContact": neutral(activity["contacts"][0]),
        "order": neutral(order),
        "orderRow": neutral(order["orderRow"][0]),
        # Postman examples for the routes with no live recording.
        "appointment": neutral(listed("Appointment: Get appointment list")),
        "product": neutral(listed("Products: Get product list")),
        "orderStage": neutral(listed("Opportunity & Order stages: Get stage list")),
        "customField": neutral(listed("Custom fields: Get company custom fields")),
        "self": neutral(postman["Users: Self"]["response"]["body"]["data"]),
    }
    OUT.write_text(json.dumps(shapes, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}: " + ", ".join(f"{k} ({len(v)} keys)" for k, v in shapes.items()))


if __name__ == "__main__":
    main()
