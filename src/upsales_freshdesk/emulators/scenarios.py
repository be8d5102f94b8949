"""The fixed parts of the emulators' book: word pools, stages, and the named scenarios.

The named cases in :data:`SCENARIOS` do not depend on the seed, so tests and the demo
can rely on them. Everything is invented: people, companies and ``.example`` domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

EPOCH = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
FRESHDESK_CONTACT_BASE = 43_026_449_000  # Freshdesk ids exceed 32 bits
FIRST = (
    "Astrid Björn Karin Lars Ingrid Mårten Åsa Jörgen Søren Päivi Øystein Sigrid Nils Freja "
    "Henrik Linnea Mikael Eeva Gustav Maja Tove Anders Hanna Oskar Elin Jukka Ragnhild Emil "
    "Saga Viktor Ida Petter Kaisa Torbjørn Annika Erik Liv Johan Signe Mattias"
).split()
LAST = (
    "Lindqvist Öberg Nyström Ødegård Sørensen Mäkinen Håkansson Sjöberg Bergström Holm Dahl "
    "Åberg Virtanen Strand Lindahl Ek Fjeld Wikström Jensen Korhonen Löfgren Berg Sandvik "
    "Nordin Hägglund Rasmussen Lund Engström Halvorsen Kjær"
).split()
STEMS = (
    "Nordvind Fjäll Skärgård Kvarnby Havbris Tundra Ljung Granit Polar Vinter Isbrytare "
    "Solvik Björk Ekholm Strömsö Midnatt Norrsken Fyrtorn Vattenfors Sjöstad Älvdal Bergslag "
    "Saltsjö Lövö Frost Kustlinje Dalkulla Trollhav"
).split()
TRADES = (
    ("Logistik AB", "logistics"),
    ("Data AB", "software"),
    ("Energi AB", "energy"),
    ("Maskin AB", "manufacturing"),
    ("Software Oy", "software"),
    ("Bygg AS", "construction"),
    ("Konsult AB", "consulting"),
    ("Medical ApS", "healthcare"),
    ("Livs AB", "food"),
)
TITLES = (
    "VD",
    "CFO",
    "IT-chef",
    "Inköpschef",
    "Supportansvarig",
    "Driftstekniker",
    "Head of Operations",
    "Account Manager",
    "Ekonomiassistent",
    "CTO",
    "Projektledare",
)
CITIES = (
    ("Stockholm", "SE", "111"),
    ("Göteborg", "SE", "411"),
    ("Malmö", "SE", "211"),
    ("Oslo", "NO", "0150"),
    ("Bergen", "NO", "5003"),
    ("Köpenhamn", "DK", "1050"),
    ("Helsingfors", "FI", "00100"),
    ("Umeå", "SE", "903"),
    ("Luleå", "SE", "972"),
)
STREETS = (
    "Storgatan",
    "Kungsgatan",
    "Drottninggatan",
    "Hamngatan",
    "Sveavägen",
    "Karl Johans gate",
)
PRODUCTS = ("Licenser", "Support", "Onboarding", "Hårdvara")
STAGES = ((1, "Prospekt", 25), (2, "Offert", 50), (3, "Förhandling", 75), (4, "Order", 100))
TODO_TYPES = {"TODO": (10, "Todo", 1), "PHONE_CALL": (11, "Phone call", 2)}
#: The products behind order rows: (id, name, listPrice, purchaseCost share, category).
#: Made up; the product shape is Upsales' (Postman "Products > Get product list").
PRODUCT_CATALOGUE = (
    (1, "Licenser", 1000, 0.2, (1, "Programvara")),
    (2, "Support", 500, 0.3, (2, "Tjänster")),
    (3, "Onboarding", 1000, 0.4, (2, "Tjänster")),
    (4, "Hårdvara", 5000, 0.7, (3, "Hårdvara")),
)
#: Appointment types are the account's own (Postman "Appointment types"): (id, name, first).
APPOINTMENT_TYPES = ((20, "Möte", 0), (21, "Första möte", 1))
#: Account custom fields: the ids, names and datatypes of Upsales' own example
#: (Postman "Custom fields > Company > Get company custom fields").
ACCOUNT_CUSTOM_FIELDS = (
    (5, "Turnover", "String", None),
    (1, "Org. no", "String", "ORG_NO"),
    (2, "Turnover", "Currency", "TURNOVER"),
    (3, "Rating", "Select", "RATING"),
    (10, "Birthday", "Date", None),
)
RATINGS = ("AAA - Högsta kreditvärdighet", "AA - God kreditvärdighet", "A - Kreditvärdig", "")
TICKET_SUBJECTS = (
    "Kan inte logga in",
    "Fakturan stämmer inte",
    "Leveransen är försenad",
    "Integration failing since update",
    "Fråga om licenser",
    "Exportera rapport",
    "Password reset link expired",
    "Byte av kontaktperson",
    "API returns 500",
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named case every later feature needs, with a ticket whose requester shows it."""

    key: str
    ticket_id: int
    email: str
    description: str


SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in (
        Scenario("found", 1, "astrid.lindqvist@nordvind.example", "In both, same data"),
        Scenario(
            "different", 2, "marten.sjoberg@fjallgruppen.example", "In both; phone and title differ"
        ),
        Scenario("not_found", 3, "nils.ek@kustlinje.example", "Only in Freshdesk"),
        Scenario(
            "other_email",
            4,
            "karin.holm.privat@mail.example",
            "Found in Upsales only through an other_email",
        ),
        Scenario("ambiguous", 5, "inkop@kvarnby.example", "Two Upsales contacts share the email"),
        Scenario("non_ascii", 6, "soren.odegard@havbris.example", "Non-ASCII name: Søren Ødegård"),
        Scenario(
            "hostile", 7, "hostile@tundra.example", "Name and title hold an HTML/script payload"
        ),
    )
}
HOSTILE_NAME = '<img src=x onerror="alert(1)">Eve <script>alert(2)</script>'
HOSTILE_TITLE = "</td><script>document.title='pwned'</script>"

#: The agent the demo API key belongs to (``GET /agents/me``).
FRESHDESK_AGENT: dict[str, Any] = {
    "id": 77_000_000_001,
    "created_at": "2024-02-01T08:00:00Z",
    "updated_at": "2025-11-20T08:00:00Z",
    "available_since": None,
    "contact": {
        "name": "Demo Agent",
        "email": "agent@support-demo.example",
        "language": "en",
        "time_zone": "Stockholm",
        "active": True,
        "job_title": "Support",
        "created_at": "2024-02-01T08:00:00Z",
        "updated_at": "2025-11-20T08:00:00Z",
        "mobile": None,
        "phone": None,
    },
}
