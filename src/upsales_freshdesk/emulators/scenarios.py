"""The fixed parts of the emulators' book: word pools, stages, and the named scenarios.

The named cases in :data:`SCENARIOS` do not depend on the seed, so tests and the demo
can rely on them. Everything is invented: people, companies and ``.example`` domains.

Each customer's records are in one language, as the people who typed them wrote them:
Swedish for a Swedish company (an ``AB``), English for the others (:data:`WORDS`). The
account sells in both, so what is its own (activity types, stages, products, meeting
types) comes in a Swedish and an English set, and each customer's records use its own.
A Freshdesk ticket is in the language of its subject (:data:`TICKET_SUBJECTS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

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
Language = Literal["sv", "en"]
#: A company's legal form says where it is from, and so the language of its records.
FORM_LANGUAGE: dict[str, Language] = {"AB": "sv", "AS": "en", "ApS": "en", "Oy": "en"}
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
#: Streets of each country's cities (as many in each, so a draw picks the same place).
STREETS = {
    "SE": ("Storgatan", "Kungsgatan", "Drottninggatan", "Hamngatan", "Sveavägen", "Vasagatan"),
    "NO": (
        "Karl Johans gate",
        "Storgata",
        "Kongens gate",
        "Dronningens gate",
        "Strandgata",
        "Torggata",
    ),
    "DK": ("Vesterbrogade", "Nørregade", "Østergade", "Bredgade", "Amagertorv", "Nygade"),
    "FI": (
        "Mannerheimintie",
        "Aleksanterinkatu",
        "Bulevardi",
        "Hämeentie",
        "Kaivokatu",
        "Fredrikinkatu",
    ),
}
#: Upsales' own task types (Postman "Activity types > Get activity types", ``/todoTypes``).
TODO_TYPES = {"TODO": (10, "Todo", 1), "PHONE_CALL": (11, "Phone call", 2)}
#: The account's activity types (``/activitytypes/activity``): (id, name, hasOutcome).
#: Upsales' two and their Swedish names as its own, and one for support cases, whose name
#: is the same word in both languages. The live list has Todo (hasOutcome 0) and
#: Phonecall (1): ``tests/fixtures/upsales/activitytypes_activity_live.json``.
ACTIVITY_TYPES = (
    (10, "Todo", 0),
    (11, "Phone call", 1),
    (12, "Att göra", 0),
    (13, "Telefonsamtal", 1),
    (14, "Support", 0),
)


@dataclass(frozen=True, slots=True)
class Words:
    """One language's words for the made-up records. Each pool is as long in every
    language, so a draw from the book's stream picks the same place in either: the
    language changes the words, never the other seeded values."""

    titles: tuple[str, ...]
    deals: tuple[str, ...]
    activities: tuple[str, ...]
    meetings: tuple[str, ...]
    #: (id, name, probability): the account's stages for these customers.
    stages: tuple[tuple[int, str, int], ...]
    #: The activity types of ``TODO`` and ``PHONE_CALL`` tasks.
    tasks: dict[str, int]
    #: (id, name, first): the appointment types.
    meeting_types: tuple[tuple[int, str, int], ...]
    #: (id, name, listPrice, purchaseCost share, (category id, category)).
    products: tuple[tuple[int, str, int, float, tuple[int, str]], ...]
    #: Cities of :data:`CITIES` that the language names otherwise.
    cities: dict[str, str] = field(default_factory=dict)


WORDS: dict[Language, Words] = {
    "sv": Words(
        titles=(
            "VD",
            "CFO",
            "IT-chef",
            "Inköpschef",
            "Supportansvarig",
            "Driftstekniker",
            "Driftschef",
            "Kundansvarig",
            "Ekonomiassistent",
            "CTO",
            "Projektledare",
        ),
        deals=("Licenser", "Support", "Onboarding", "Hårdvara"),
        activities=("Uppföljning", "Demo", "Avstämning", "Kontraktsförnyelse"),
        meetings=("Möte", "Demo på plats", "Avtalsgenomgång"),
        stages=((1, "Prospekt", 25), (2, "Offert", 50), (3, "Förhandling", 75), (4, "Order", 100)),
        tasks={"TODO": 12, "PHONE_CALL": 13},
        meeting_types=((20, "Möte", 0), (21, "Första möte", 1)),
        products=(
            (1, "Licenser", 1000, 0.2, (1, "Programvara")),
            (2, "Support", 500, 0.3, (2, "Tjänster")),
            (3, "Onboarding", 1000, 0.4, (2, "Tjänster")),
            (4, "Hårdvara", 5000, 0.7, (3, "Hårdvara")),
        ),
    ),
    "en": Words(
        titles=(
            "CEO",
            "CFO",
            "IT Manager",
            "Head of Purchasing",
            "Support Manager",
            "Operations Technician",
            "Head of Operations",
            "Account Manager",
            "Accounting Assistant",
            "CTO",
            "Project Manager",
        ),
        deals=("Licences", "Support", "Onboarding", "Hardware"),
        activities=("Follow-up", "Demo", "Check-in", "Contract renewal"),
        meetings=("Meeting", "On-site demo", "Contract review"),
        # Named as in Upsales' own example (Postman "Get stage list": "Prospect 1",
        # "Won - Order").
        stages=(
            (5, "Prospect", 25),
            (6, "Quote", 50),
            (7, "Negotiation", 75),
            (8, "Won - Order", 100),
        ),
        tasks={"TODO": 10, "PHONE_CALL": 11},
        # Upsales' own example (Postman "Get appointment types"): Meeting, First meeting.
        meeting_types=((22, "Meeting", 0), (23, "First meeting", 1)),
        products=(
            (5, "Licences", 1000, 0.2, (4, "Software")),
            (6, "Support", 500, 0.3, (5, "Services")),
            (7, "Onboarding", 1000, 0.4, (5, "Services")),
            (8, "Hardware", 5000, 0.7, (6, "Hardware")),
        ),
        cities={"Göteborg": "Gothenburg", "Köpenhamn": "Copenhagen", "Helsingfors": "Helsinki"},
    ),
}
STAGES = WORDS["sv"].stages + WORDS["en"].stages
#: The products behind order rows, both sets. Made up; the product shape is Upsales'
#: (Postman "Products > Get product list").
PRODUCT_CATALOGUE = WORDS["sv"].products + WORDS["en"].products
#: Appointment types are the account's own (Postman "Appointment types"): (id, name, first).
APPOINTMENT_TYPES = WORDS["sv"].meeting_types + WORDS["en"].meeting_types
#: What requesters write to the helpdesk, each in its own language: a ticket is in the
#: language its requester chose, which may not be the company's.
TICKET_SUBJECTS: tuple[tuple[str, Language], ...] = (
    ("Kan inte logga in", "sv"),
    ("Fakturan stämmer inte", "sv"),
    ("Leveransen är försenad", "sv"),
    ("Integration failing since update", "en"),
    ("Fråga om licenser", "sv"),
    ("Exportera rapport", "sv"),
    ("Password reset link expired", "en"),
    ("Byte av kontaktperson", "sv"),
    ("API returns 500", "en"),
)
#: A ticket's text, in its subject's language: ``{subject}`` and ``{name}`` filled in.
TICKET_TEXT: dict[Language, str] = {
    "sv": "Hej! {subject}. Vänliga hälsningar, {name}",
    "en": "Hi! {subject}. Kind regards, {name}",
}
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
        Scenario(
            "phone_match",
            8,
            "astrid.lindqvist@freshmail.example",
            "A free-mail address; the mobile is Astrid's Upsales phone, typed the Swedish way",
        ),
        Scenario(
            "name_at_domain",
            9,
            "s.odegard@havbris.example",
            "A new address at Havbris; Søren Ødegård is the only one of that name there",
        ),
        Scenario(
            "linked",
            10,
            "karin@skargard-konsult.example",
            "Linked to Karin Holm in Upsales, whose email is another",
        ),
    )
}
#: The scenarios whose requesters and tickets are written over seeded ones (the last
#: Freshdesk-only people, tickets 8 to 10), so that the rest of the book stays as it was.
LATE_SCENARIOS = ("phone_match", "name_at_domain", "linked")
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
