"""Thin Freshdesk v2 resource modules on the private HTTP core."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from ..core import HttpCore
from ..policy import Deadline
from ..transport import Params
from .models import Agent, Company, Contact, Conversation, SearchPage, Ticket

MAX_PER_PAGE = 100
#: Freshdesk list endpoints refuse pages beyond this one.
MAX_PAGE = 300
SEARCH_MAX_PAGE = 10
TICKET_INCLUDES = frozenset({"requester", "company", "stats", "conversations", "description"})


class _Resource:
    def __init__(self, core: HttpCore) -> None:
        self._core = core


class Tickets(_Resource):
    async def get(
        self, ticket_id: int, *, include: Iterable[str] = (), deadline: Deadline | None = None
    ) -> Ticket:
        """One ticket. Each ``include`` costs one more API credit."""
        includes = sorted(set(include))
        if unknown := set(includes) - TICKET_INCLUDES:
            raise ValueError(f"unknown include: {', '.join(sorted(unknown))}")
        params = {"include": ",".join(includes)} if includes else None
        path = f"tickets/{int(ticket_id)}"
        return await self._core.fetch(Ticket, "GET", path, params=params, deadline=deadline)

    async def create_note(
        self,
        ticket_id: int,
        body_html: str,
        *,
        private: bool = True,
        deadline: Deadline | None = None,
    ) -> Conversation:
        """A (by default private) note on a ticket. Not retried: it is not idempotent."""
        path = f"tickets/{int(ticket_id)}/notes"
        body = {"body": body_html, "private": private}
        return await self._core.fetch(Conversation, "POST", path, json_body=body, deadline=deadline)

    async def for_company(
        self,
        company_id: int,
        *,
        since: datetime,
        per_page: int = 5,
        deadline: Deadline | None = None,
    ) -> builtins.list[Ticket]:
        """A company's newest tickets, one page (``GET /tickets?company_id=``, newest
        created first). ``since`` is ``updated_since``: without it Freshdesk lists only
        tickets created in the last 30 days."""
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1..{MAX_PER_PAGE}")
        params: Params = {
            "company_id": int(company_id),
            "updated_since": _iso(since),
            "order_by": "created_at",
            "order_type": "desc",
            "per_page": per_page,
        }
        resp = await self._core.request("GET", "tickets", params=params, deadline=deadline)
        if not isinstance(resp.data, list):
            raise self._core.malformed("tickets", "GET")
        return [self._core.parse(Ticket, raw, "tickets") for raw in resp.data]


class Contacts(_Resource):
    async def get(self, contact_id: int, *, deadline: Deadline | None = None) -> Contact:
        path = f"contacts/{int(contact_id)}"
        return await self._core.fetch(Contact, "GET", path, deadline=deadline)

    def list(
        self,
        *,
        email: str | None = None,
        company_id: int | None = None,
        updated_since: datetime | None = None,
        state: str | None = None,
        per_page: int = MAX_PER_PAGE,
        pace: Callable[[], Awaitable[object]] | None = None,
    ) -> AsyncIterator[Contact]:
        """Every contact matching the filters, page by page.

        Pages follow the ``Link`` header. Past page 300, which Freshdesk refuses, the
        listing goes on with ``_updated_since`` set to the newest ``updated_at`` seen
        (Freshdesk lists contacts oldest-updated first), skipping ids already given.
        """
        filters: dict[str, str | int] = {}
        if email is not None:
            filters["email"] = email
        if company_id is not None:
            filters["company_id"] = int(company_id)
        if state is not None:
            filters["state"] = state
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1..{MAX_PER_PAGE}")
        return self._paginate(filters, updated_since, per_page, pace)

    async def _paginate(
        self,
        filters: Mapping[str, str | int],
        since: datetime | None,
        per_page: int,
        pace: Callable[[], Awaitable[object]] | None,
    ) -> AsyncIterator[Contact]:
        page = 1
        window_start = since  # the _updated_since of the current run of pages
        newest: datetime | None = since
        seen_at_newest: set[int] = set()
        while True:
            params: dict[str, str | int] = {**filters, "page": page, "per_page": per_page}
            if window_start is not None:
                params["_updated_since"] = _iso(window_start)
            if pace is not None:
                await pace()  # e.g. the plan's list sub-limit
            resp = await self._core.request("GET", "contacts", params=params)
            if not isinstance(resp.data, list):
                raise self._core.malformed("contacts", "GET")
            for raw in resp.data:
                contact = self._core.parse(Contact, raw, "contacts")
                if contact.id in seen_at_newest:
                    continue
                if contact.updated_at is not None and (
                    newest is None or contact.updated_at > newest
                ):
                    newest, seen_at_newest = contact.updated_at, set()
                if contact.updated_at == newest:
                    seen_at_newest.add(contact.id)
                yield contact
            full_last_page = page == MAX_PAGE and len(resp.data) == per_page
            if "next" not in resp.links and not full_last_page:
                return
            page += 1
            if page > MAX_PAGE:
                # Freshdesk refuses page 301: start again from the newest change seen.
                page, window_start = 1, newest

    async def with_external_id(
        self, value: str, *, deadline: Deadline | None = None
    ) -> builtins.list[Contact]:
        """``GET /contacts?unique_external_id=``, one of List All Contacts' documented
        filters. Freshdesk keeps the field unique: one contact at most, in a list."""
        params: Params = {"unique_external_id": value}
        resp = await self._core.request("GET", "contacts", params=params, deadline=deadline)
        if not isinstance(resp.data, list):
            raise self._core.malformed("contacts", "GET")
        return [self._core.parse(Contact, raw, "contacts") for raw in resp.data]

    async def search(
        self, query: str, *, deadline: Deadline | None = None
    ) -> builtins.list[Contact]:
        """``GET /search/contacts``; ``query`` is Freshdesk's query language, unquoted.

        Reads up to 10 pages of 30 results, the most Freshdesk serves.
        """
        results: builtins.list[Contact] = []
        for page in range(1, SEARCH_MAX_PAGE + 1):
            params: Params = {"query": f'"{query}"', "page": page}
            found = await self._core.fetch(
                SearchPage, "GET", "search/contacts", params=params, deadline=deadline
            )
            results.extend(found.results)
            if len(results) >= found.total or not found.results:
                break
        return results

    async def search_by_email(
        self, email: str, *, deadline: Deadline | None = None
    ) -> builtins.list[Contact]:
        if "'" in email or '"' in email or "\\" in email:
            raise ValueError("an email address may not contain quotes")
        return await self.search(f"email:'{email}'", deadline=deadline)

    async def create(
        self, fields: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> Contact:
        """Create a contact. Not retried: a retry could create it twice."""
        return await self._core.fetch(
            Contact, "POST", "contacts", json_body=dict(fields), deadline=deadline
        )

    async def update(
        self, contact_id: int, fields: Mapping[str, Any], *, deadline: Deadline | None = None
    ) -> Contact:
        """PUT only the given fields."""
        path = f"contacts/{int(contact_id)}"
        return await self._core.fetch(
            Contact, "PUT", path, json_body=dict(fields), deadline=deadline
        )


class Companies(_Resource):
    async def get(self, company_id: int, *, deadline: Deadline | None = None) -> Company:
        path = f"companies/{int(company_id)}"
        return await self._core.fetch(Company, "GET", path, deadline=deadline)


class Agents(_Resource):
    async def me(self, *, deadline: Deadline | None = None) -> Agent:
        """The agent that owns the key; a 401 here means the key is wrong."""
        return await self._core.fetch(Agent, "GET", "agents/me", deadline=deadline)

    async def get(self, agent_id: int, *, deadline: Deadline | None = None) -> Agent:
        """One agent ("View an Agent", ``GET /api/v2/agents/[id]``)."""
        path = f"agents/{int(agent_id)}"
        return await self._core.fetch(Agent, "GET", path, deadline=deadline)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
