"""The seeded book's orders and activities, their order rows, and the appointments.

Orders and activities draw from the book's own stream, after its accounts and people.
Order rows and appointments each draw from a stream of their own (seeded from the book's
seed and the record), so adding them left every other seeded value as it was. Every
record is in its account's language (:data:`.scenarios.WORDS`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from .book import Book, iso, words_of
from .scenarios import EPOCH, Words

#: Quantities tried, largest first, to split a row's amount into price x quantity.
QUANTITIES = (10, 5, 4, 2, 1)
#: A moment between ``lo`` and ``hi`` days before the book's epoch.
When = Callable[[int, int], datetime]


def deals_and_activities(rng: random.Random, seed: int, book: Book, when: When) -> None:
    """Each account's orders and opportunities, then its people's activities."""
    by_account: dict[int, list[int]] = {}
    for c in book.contacts:
        by_account.setdefault(c["client"], []).append(c["id"])
    for account in book.accounts:
        words = words_of(book, account["id"])
        people = by_account.get(account["id"], [])
        for _ in range(rng.randint(0, 5)):
            stage_id, _, probability = rng.choice(words.stages)
            day = when(1, 700)
            order: dict[str, Any] = {
                "id": len(book.orders) + 1,
                "description": f"{rng.choice(words.deals)} {day.year}",
                "date": day.strftime("%Y-%m-%d"),
                "value": rng.randint(5, 500) * 1000,
                "currency": "SEK",
                "probability": probability,
                "stage": stage_id,
                "user": rng.choice(account["users"]),
                "client": account["id"],
                "contact": rng.choice(people) if people else None,
                "regDate": iso(day),
                "modDate": iso(day),
            }
            order["rows"] = order_rows(seed, order["id"], order["value"], words)
            book.orders.append(order)
        for contact_id in people:
            for _ in range(rng.randint(0, 3)):
                day = when(1, 400)
                closed = rng.random() < 0.6
                kind = rng.choice(("TODO", "PHONE_CALL"))
                book.activities.append(
                    {
                        "id": len(book.activities) + 1,
                        "description": rng.choice(words.activities),
                        "notes": "",
                        "date": day.strftime("%Y-%m-%d"),
                        # Live closeDate: "2025-11-14T13:48:39Z", no milliseconds
                        # (SDK cassette test_get_activity_real_response).
                        "closeDate": iso(day, millis=False) if closed else None,
                        "client": account["id"],
                        "contacts": [contact_id],
                        "users": [rng.choice(account["users"])],
                        "activityType": words.tasks[kind],
                        "regDate": iso(day),
                        "modDate": iso(day),
                    }
                )


def order_rows(seed: int, order_id: int, value: int, words: Words) -> list[dict[str, Any]]:
    """Rows whose price x quantity add up to ``value`` (a multiple of 1000), of the
    products in the order's language.

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
        product_id, _, _, cost_share, _ = rng.choice(words.products)
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
        words = words_of(book, account["id"])
        people = by_account.get(account["id"], [])
        for _ in range(rng.randint(0, 2) if people else 0):
            start = EPOCH - timedelta(days=rng.randint(-30, 400), hours=rng.randint(-1, 5))
            type_id = rng.choice(words.meeting_types)[0]
            out.append(
                {
                    "id": len(out) + 1,
                    "description": rng.choice(words.meetings),
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
