"""Thin Upsales v2 resource modules on the private HTTP core."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from ..core import HttpCore
from ..emails import canonical_email
from ..policy import Deadline
from .filters import Filters
from .models import (
    Account,
    Activity,
    ActivityType,
    Contact,
    ListEnvelope,
    ObjectEnvelope,
    Order,
    TodoType,
    User,
)

T = TypeVar("T", bound=BaseModel)
MAX_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: builtins.list[T]
    total: int
    limit: int | None
    offset: int | None


class _Resource(Generic[T]):
    path: str
    model: type[T]
    #: The envelopes of one record and of a page, made once per resource.
    one: type[ObjectEnvelope[Any]]
    page: type[ListEnvelope[Any]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.one = ObjectEnvelope[cls.model]  # type: ignore[name-defined]
        cls.page = ListEnvelope[cls.model]  # type: ignore[name-defined]

    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def get(self, record_id: int, *, deadline: Deadline | None = None) -> T:
        path = f"{self.path}/{int(record_id)}"
        one = await self._core.fetch(self.one, "GET", path, deadline=deadline)
        return one.data  # type: ignore[no-any-return]

    async def list(
        self,
        filters: Filters | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
        sort: str | None = None,
        fields: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> Page[T]:
        """One page. ``sort`` is a field name, ``-field`` for descending."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIMIT}")
        params: list[tuple[str, str | int]] = [*(filters or Filters()), ("limit", limit)]
        params.append(("offset", max(0, offset)))
        if sort:
            params.append(("sort", sort))
        params.extend(("f[]", f) for f in fields)
        page = await self._core.fetch(
            self.page,
            "GET",
            self.path,
            params=params,
            deadline=deadline,
        )
        meta = page.metadata
        return Page(page.data, meta.total, meta.limit, meta.offset)

    async def iterate(
        self,
        filters: Filters | None = None,
        *,
        page_size: int = MAX_LIMIT,
        fields: Sequence[str] = (),
        after_id: int = 0,
    ) -> AsyncIterator[T]:
        """Every matching record, paged the way Upsales recommends: ``sort=id&id=gt:LAST``.

        ``after_id`` resumes a listing after the last record already handled.
        """
        last = after_id
        while True:
            page = await self.list(
                (filters or Filters()).gt("id", last), limit=page_size, sort="id", fields=fields
            )
            for item in page.items:
                yield item
            if len(page.items) < page_size:
                return
            last = int(getattr(page.items[-1], "id"))  # noqa: B009 - T is any model with an id

    async def _write(
        self,
        method: Literal["POST", "PUT"],
        path: str,
        body: Mapping[str, Any],
        deadline: Deadline | None,
    ) -> T:
        one = await self._core.fetch(
            self.one,
            method,
            path,
            json_body=dict(body),
            deadline=deadline,
        )
        return one.data  # type: ignore[no-any-return]


class Contacts(_Resource[Contact]):
    path = "contacts"
    model = Contact

    async def find_by_email(
        self, email: str, *, deadline: Deadline | None = None
    ) -> builtins.list[Contact]:
        """Contacts whose email is ``email``, in its canonical form (``InvalidEmailError``
        for anything that is not an address by the product's one rule)."""
        page = await self.list(
            Filters().eq("email", canonical_email(email)), limit=10, deadline=deadline
        )
        return page.items

    async def create(self, body: Mapping[str, Any], *, deadline: Deadline | None = None) -> Contact:
        """Create a contact; ``body`` needs ``client: {id}``. Not retried."""
        return await self._write("POST", self.path, body, deadline)

    async def update(
        self, contact_id: int, body: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> Contact:
        return await self._write("PUT", f"{self.path}/{int(contact_id)}", body, deadline)


class Accounts(_Resource[Account]):
    path = "accounts"
    model = Account

    async def search(
        self, name: str, *, limit: int = 20, deadline: Deadline | None = None
    ) -> builtins.list[Account]:
        """Accounts whose name contains ``name``."""
        page = await self.list(Filters().src("name", name), limit=limit, deadline=deadline)
        return page.items

    async def create(self, body: Mapping[str, Any], *, deadline: Deadline | None = None) -> Account:
        return await self._write("POST", self.path, body, deadline)


class Users(_Resource[User]):
    path = "users"
    model = User


class Orders(_Resource[Order]):
    """Orders (probability 100) and opportunities (1-99), both at ``/orders``."""

    path = "orders"
    model = Order

    async def for_contact(
        self,
        contact_id: int,
        *,
        kind: Literal["order", "opportunity"],
        limit: int = 5,
        deadline: Deadline | None = None,
    ) -> builtins.list[Order]:
        return await self._by("contact.id", contact_id, kind, limit, deadline)

    async def for_account(
        self,
        account_id: int,
        *,
        kind: Literal["order", "opportunity"],
        limit: int = 5,
        deadline: Deadline | None = None,
    ) -> builtins.list[Order]:
        return await self._by("client.id", account_id, kind, limit, deadline)

    async def _by(
        self, field: str, record_id: int, kind: str, limit: int, deadline: Deadline | None
    ) -> builtins.list[Order]:
        f = Filters().eq(field, int(record_id))
        f = (
            f.eq("probability", 100)
            if kind == "order"
            else f.gte("probability", 1).lte("probability", 99)
        )
        page = await self.list(f, limit=limit, sort="-date", deadline=deadline)
        return page.items


class Activities(_Resource[Activity]):
    path = "activities"
    model = Activity

    async def create(
        self, body: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> Activity:
        """Create an activity; a ``closeDate`` marks it done. Not retried."""
        return await self._write("POST", self.path, body, deadline)

    async def update(
        self, activity_id: int, body: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> Activity:
        """``PUT /activities/{id}``: change the keys in ``body``; the others stay (Postman
        "Tasks > Mark To-do as done" sends ``closeDate`` alone). Answers the whole activity."""
        return await self._write("PUT", f"{self.path}/{int(activity_id)}", body, deadline)


class ActivityTypes:
    """``GET /activitytypes/activity``: the account's activity types in the list envelope,
    items ``{id, name, roles, hasOutcome}`` (live recording, Dec 2025, from the cassettes
    of the MIT-licensed upsales-python-sdk, whose client reads them from this path).
    An account may not serve it (a 404): callers fall back to :class:`TodoTypes`."""

    path = "activitytypes/activity"

    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def list(
        self, *, limit: int = 1000, deadline: Deadline | None = None
    ) -> builtins.list[ActivityType]:
        """The first ``limit`` types: an account has a handful, never near a page."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIMIT}")
        page = await self._core.fetch(
            ListEnvelope[ActivityType],
            "GET",
            self.path,
            params=[("limit", limit), ("offset", 0)],
            deadline=deadline,
        )
        return page.data


class TodoTypes:
    """``GET /todoTypes``: a bare object keyed by type (``TODO``, ``PHONE_CALL``...)."""

    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def list(self, *, deadline: Deadline | None = None) -> dict[str, TodoType]:
        resp = await self._core.request("GET", "todoTypes", deadline=deadline)
        if not isinstance(resp.data, dict):
            raise self._core.malformed("todoTypes", "GET")
        return {k: self._core.parse(TodoType, v, "todoTypes") for k, v in resp.data.items()}
