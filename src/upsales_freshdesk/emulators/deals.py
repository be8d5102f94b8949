"""The seeded book's order rows and appointments.

Each draws from its own random stream (seeded from the book's seed and the record),
so adding them leaves every other seeded value as it was.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from .book import Book, iso
from .scenarios import APPOINTMENT_TYPES, EPOCH, PRODUCT_CATALOGUE

#: Quantities tried, largest first, to split a row's amount into price x quantity.
QUANTITIES = (10, 5, 4, 2, 1)


def order_rows(seed: int, order_id: int, value: int) -> list[dict[str, Any]]:
    """Rows whose price x quantity add up to ``value`` (a multiple of 1000).

    Real orders carry one or more rows (product, quantity, price, listPrice,
    purchaseCost) and ``value`` is their sum of price x quantity: the live order 789
    has one row, 25 x 833 = 20825 = value (SDK cassette test_get_order_real_response).
    """
    rng = random.Random(f"{seed}:order:{order_id}")
    thousands = value // 1000
    n = rng.randint(1, min(3, thousands))
    cuts = sorted(rng.sample(range(1, thousands), n - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, thousands], strict=True)]
    rows = []
    for i, part in enumerate(parts):
        product_id, _, _, cost_share, _ = rng.choice(PRODUCT_CATALOGUE)
        quantity = next(q for q in QUANTITIES if part % q == 0)
        price = part * 1000 // quantity
        # Postman "Use cases > Orders > Create an order": "listPrice - price" is the discount.
        discounted = rng.random() < 0.3
        rows.append(
            {
                "id": order_id * 10 + i,
                "product": product_id,
                "quantity": quantity,
                "price": price,
                "listPrice": round(price / 0.9) if discounted else price,
                "purchaseCost": round(price * cost_share),
                "sortId": i,
            }
        )
    return rows


def appointments(seed: int, book: Book) -> list[dict[str, Any]]:
    """A few meetings per account, with its contacts and account managers."""
    rng = random.Random(f"{seed}:appointments")
    by_account: dict[int, list[int]] = {}
    for c in book.contacts:
        by_account.setdefault(c["client"], []).append(c["id"])
    out: list[dict[str, Any]] = []
    for account in book.accounts:
        people = by_account.get(account["id"], [])
        for _ in range(rng.randint(0, 2) if people else 0):
            start = EPOCH - timedelta(days=rng.randint(-30, 400), hours=rng.randint(-1, 5))
            type_id = rng.choice(APPOINTMENT_TYPES)[0]
            out.append(
                {
                    "id": len(out) + 1,
                    "description": rng.choice(("Möte", "Demo på plats", "Avtalsgenomgång")),
                    # Postman "Appointment > Get appointment list": date and endDate are
                    # timestamps with milliseconds, unlike an activity's date.
                    "date": iso(start),
                    "endDate": iso(start + timedelta(hours=1)),
                    "client": account["id"],
                    "contacts": rng.sample(people, k=min(len(people), rng.randint(1, 2))),
                    "users": [rng.choice(account["users"])],
                    "activityType": type_id,
                    "regBy": account["users"][0],
                    "regDate": iso(start - timedelta(days=7)),
                    "modDate": iso(start - timedelta(days=7)),
                }
            )
    return out
