"""Upsales v2 resources and envelopes: the fields this product uses."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import Field

from .._coerce import EmptyAsNone, Flag, Model, OptDateTime, OptStr

T = TypeVar("T")


class Role(Model):
    id: int
    name: OptStr = None


class UserRef(Model):
    """A user as embedded in other records (account managers, ``regBy``...)."""

    id: int
    name: OptStr = None
    email: OptStr = None
    role: Role | None = None


class Address(Model):
    type: OptStr = None
    address: OptStr = None
    zipcode: OptStr = None
    city: OptStr = None
    state: OptStr = None
    country: OptStr = None


class ClientRef(Model):
    """The account as embedded in a contact, order or activity."""

    id: int
    name: OptStr = None
    phone: OptStr = None
    users: list[UserRef] = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list)


#: Contact fields the product can copy to Freshdesk.
ContactField = Literal["name", "phone", "cellPhone", "title"]


class Contact(Model):
    id: int
    name: OptStr = None
    firstName: OptStr = None
    lastName: OptStr = None
    email: OptStr = None
    phone: OptStr = None
    cellPhone: OptStr = None
    title: OptStr = None
    notes: OptStr = None
    linkedin: OptStr = None
    active: Flag = True
    client: ClientRef | None = None
    regBy: UserRef | None = None
    regDate: OptDateTime = None
    modDate: OptDateTime = None
    journeyStep: OptStr = None
    custom: list[dict[str, Any]] = Field(default_factory=list)


class Assigned(Model):
    regDate: OptDateTime = None
    user: UserRef | None = None


class Account(Model):
    id: int
    name: OptStr = None
    phone: OptStr = None
    webpage: OptStr = None
    active: Flag = True
    users: list[UserRef] = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list)
    orgNo: OptStr = None
    journeyStep: OptStr = None
    isExternal: Flag = False
    assigned: Annotated[Assigned | None, EmptyAsNone] = None
    modDate: OptDateTime = None


class User(Model):
    id: int
    name: OptStr = None
    email: OptStr = None
    administrator: Flag = False
    active: Flag = True
    role: Role | None = None
    userTitle: OptStr = None
    userPhone: OptStr = None


class Stage(Model):
    id: int
    name: OptStr = None


class Order(Model):
    """An order (probability 100) or an opportunity (1-99)."""

    id: int
    description: OptStr = None
    date: OptDateTime = None
    closeDate: OptDateTime = None
    value: float | None = None
    currency: OptStr = None
    probability: int = 0
    stage: Stage | None = None
    # Its user, client and contact are not read: the card asks for the contact's own deals.

    @property
    def is_order(self) -> bool:
        return self.probability == 100

    @property
    def is_open_opportunity(self) -> bool:
        return 1 <= self.probability <= 99


class IdRef(Model):
    id: int
    name: OptStr = None


class Activity(Model):
    id: int
    description: OptStr = None
    notes: OptStr = None
    date: OptDateTime = None
    closeDate: OptDateTime = None
    users: list[UserRef] = Field(default_factory=list)
    activityType: IdRef | None = None
    regDate: OptDateTime = None
    # Its client and contacts are not read: the card asks for the contact's own activities.

    @property
    def is_closed(self) -> bool:
        return self.closeDate is not None


class TodoType(Model):
    """Upsales' own task types (``GET /todoTypes``): a to-do and a phone call."""

    id: int
    name: OptStr = None
    todoType: int | None = None


class ActivityType(Model):
    """One of the account's activity types (``GET /activitytypes/activity``), custom ones
    included; an activity's ``activityType.id`` is one of these ids (live recording,
    ``tests/fixtures/upsales/activitytypes_activity_live.json``)."""

    id: int
    name: OptStr = None
    hasOutcome: Flag = False


class SelfClient(Model):
    id: int
    name: OptStr = None


class SelfInfo(Model):
    """``GET /self``: the user that owns the key."""

    id: int
    name: OptStr = None
    email: OptStr = None
    language: OptStr = None
    client: SelfClient | None = None


class Metadata(Model):
    total: int
    limit: int | None = None
    offset: int | None = None


class ListEnvelope(Model, Generic[T]):
    """``{"error": null, "metadata": {"total": ...}, "data": [...]}``: one page."""

    metadata: Metadata
    data: list[T]


class ObjectEnvelope(Model, Generic[T]):
    """``{"error": null, "data": {...}}``: one record; any other ``error`` is malformed."""

    error: None = None
    data: T
