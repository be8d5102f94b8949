"""A small typed builder for Upsales' query-string filters.

``Filters().eq("client.id", 12).gte("probability", 1).lte("probability", 99)``
gives ``client.id=eq:12&probability=gte:1&probability=lte:99``. Values that would
change the meaning of the filter (a comma splits values) are refused, not escaped,
because Upsales documents no escaping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "src"]
Value = str | int | float | bool | date | datetime | None
OPS: tuple[Op, ...] = ("eq", "ne", "gt", "gte", "lt", "lte", "src")
SINGLE_VALUE_OPS = frozenset({"gt", "gte", "lt", "lte", "src"})
FIELD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
#: Query keys with a meaning of their own, which a filter must not take over.
RESERVED = frozenset({"token", "limit", "offset", "sort", "f[]", "q", "usingFirstnameLastname"})
CONTROL_RE = re.compile(r"[\x00-\x1f]")


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: Op
    values: tuple[str, ...]

    def param(self) -> tuple[str, str]:
        return self.field, f"{self.op}:{','.join(self.values)}"


def format_value(value: Value) -> str:
    """The text of one filter value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if "," in text:
        raise ValueError("a filter value may not contain a comma")
    if not text or text != text.strip():
        raise ValueError("a filter value may not be empty or padded with spaces")
    if CONTROL_RE.search(text):
        raise ValueError("a filter value may not contain control characters")
    return text


@dataclass(frozen=True, slots=True)
class Filters:
    """An immutable set of conditions; each method returns a new ``Filters``."""

    conditions: tuple[Condition, ...] = ()
    #: JSON queries (``q=``), each ANDed with the conditions: see :meth:`any_of`.
    queries: tuple[str, ...] = ()

    def where(self, field: str, op: Op, *values: Value) -> Filters:
        if not FIELD_RE.fullmatch(field) or field in RESERVED:
            raise ValueError(f"not a filterable field: {field!r}")
        if op not in OPS:
            raise ValueError(f"unknown comparison: {op!r}")
        if not values:
            raise ValueError("a condition needs at least one value")
        if op in SINGLE_VALUE_OPS and len(values) != 1:
            raise ValueError(f"{op} takes exactly one value")
        texts = tuple(format_value(v) for v in values)
        return Filters((*self.conditions, Condition(field, op, texts)), self.queries)

    def any_of(self, *alternatives: tuple[str, Op, Sequence[Value]]) -> Filters:
        """Records matching any one of ``(field, op, values)``: Upsales' JSON query
        ``q={"or":{"q":[[{"a":field,"c":op,"v":[...]}], ...]}}``, as its Postman collection
        documents it ("Get all active subscriptions for a client"). Values follow the same
        rules as the plain filters'."""
        groups = []
        for field, op, values in alternatives:
            checked = self.where(field, op, *values).conditions[-1]  # the same checks
            groups.append([{"a": checked.field, "c": checked.op, "v": list(checked.values)}])
        if not groups:
            raise ValueError("any_of needs at least one alternative")
        text = json.dumps({"or": {"q": groups}}, ensure_ascii=False, separators=(",", ":"))
        return Filters(self.conditions, (*self.queries, text))

    def eq(self, field: str, *values: Value) -> Filters:
        return self.where(field, "eq", *values)

    def ne(self, field: str, *values: Value) -> Filters:
        return self.where(field, "ne", *values)

    def gt(self, field: str, value: Value) -> Filters:
        return self.where(field, "gt", value)

    def gte(self, field: str, value: Value) -> Filters:
        return self.where(field, "gte", value)

    def lt(self, field: str, value: Value) -> Filters:
        return self.where(field, "lt", value)

    def lte(self, field: str, value: Value) -> Filters:
        return self.where(field, "lte", value)

    def src(self, field: str, value: Value) -> Filters:
        """Substring match (seen live; not in the official docs)."""
        return self.where(field, "src", value)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        yield from (c.param() for c in self.conditions)
        yield from (("q", q) for q in self.queries)

    def params(self) -> list[tuple[str, str]]:
        return list(self)
