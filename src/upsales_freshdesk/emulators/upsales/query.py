"""Upsales' list-query semantics: filters, ``q`` JSON queries, sort, paging, ``f[]``.

``q`` (repeatable, ANDed) is Upsales' documented JSON query (Postman collection, "Get all
active subscriptions for a client": ``{"or":{"q":[[cond], [cond]]}}`` and single
conditions ``{"a","c","v"}``); ``q[]`` is the same as Upsales' web app sends it (the
upsales-python-sdk's research notes, ``docs/research/advanced-query-syntax.md``).

``attr=op:v1,v2`` with ``eq ne gt gte lt lte src`` (no op means ``eq``), nested
paths (``client.id``) that match any element of a list on the way, repeated keys
combined with AND, ``custom=op:fieldId:value``, ``sort=field`` / ``sort=-field``,
``limit`` (default 1000, at most 2000) and ``offset``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "src")
RESERVED = frozenset(
    {"token", "limit", "offset", "sort", "f[]", "q", "q[]", "usingFirstnameLastname"}
)
DEFAULT_LIMIT = 1000
MAX_LIMIT = 2000


class QueryError(ValueError):
    """A query Upsales would refuse (``FailedValidation``)."""


@dataclass(frozen=True, slots=True)
class Cond:
    path: tuple[str, ...]
    op: str
    values: tuple[str, ...]


def parse_condition(key: str, raw: str) -> Cond:
    op, sep, rest = raw.partition(":")
    if not sep or op not in OPS:
        op, rest = "eq", raw
    if key == "custom":
        field_id, _, value = rest.partition(":")
        return Cond(("custom", field_id), op, (value,))
    return Cond(tuple(key.split(".")), op, tuple(rest.split(",")))


def resolve(record: Any, path: Sequence[str]) -> list[Any]:
    """Every value at ``path``; a list on the way fans out."""
    if isinstance(record, list):
        return [v for item in record for v in resolve(item, path)]
    if not path:
        return [record]
    if not isinstance(record, dict):
        return []
    head, rest = path[0], path[1:]
    if head == "custom" and rest:  # custom=op:fieldId:value
        return [
            c.get("value") for c in record.get("custom", []) if str(c.get("fieldId")) == rest[0]
        ]
    if head not in record:
        raise KeyError(head)
    return resolve(record[head], rest)


def _coerce(actual: Any, wanted: str) -> tuple[Any, Any]:
    if wanted == "null":
        return actual, None
    if isinstance(actual, bool):
        return int(actual), _num(wanted)
    if isinstance(actual, int | float):
        return actual, _num(wanted)
    if isinstance(actual, str):
        return actual.lower(), wanted.lower()
    return actual, wanted


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(actual: Any, op: str, wanted: str) -> bool:
    a, w = _coerce(actual, wanted)
    if op == "src":
        return isinstance(a, str) and isinstance(w, str) and w in a
    if op in ("eq", "ne"):
        return bool(a == w)
    if (
        a is None
        or w is None
        or (
            type(a) is not type(w)
            and not (isinstance(a, int | float) and isinstance(w, int | float))
        )
    ):
        return False
    return bool({"gt": a > w, "gte": a >= w, "lt": a < w, "lte": a <= w}[op])


def matches(record: Any, cond: Cond) -> bool:
    try:
        values = resolve(record, cond.path)
    except KeyError:
        raise QueryError(f"No such attribute: {'.'.join(cond.path)}") from None
    if cond.op == "ne":
        return not any(_compare(v, "eq", w) for v in values for w in cond.values)
    if cond.op == "eq":
        return any(_compare(v, "eq", w) for v in values for w in cond.values)
    return any(_compare(v, cond.op, cond.values[0]) for v in values)


def _condition(cond: Cond) -> Callable[[Any], bool]:
    def predicate(record: Any) -> bool:
        return matches(record, cond)

    return predicate


def parse_q(raw: str) -> Callable[[Any], bool]:
    """``q={"a": field, "c": op, "v": value}`` or ``{"or": {"q": [[...], [...]]}}``."""
    try:
        node = json.loads(raw)
    except ValueError:
        raise QueryError("q is not valid JSON") from None
    return _q_node(node)


def _q_node(node: Any) -> Callable[[Any], bool]:
    if isinstance(node, list):
        parts = [_q_node(n) for n in node]
        return lambda r: all(p(r) for p in parts)
    if isinstance(node, dict) and "or" in node:
        groups = [_q_node(g) for g in (node["or"] or {}).get("q", [])]
        return lambda r: any(g(r) for g in groups)
    if isinstance(node, dict) and {"a", "c"} <= node.keys():
        if node["c"] not in OPS:
            raise QueryError(f"Unknown comparison: {node['c']}")
        values = node.get("v")
        texts = tuple(
            "null" if v is None else str(v)
            for v in (values if isinstance(values, list) else [values])
        )
        return _condition(Cond(tuple(str(node["a"]).split(".")), str(node["c"]), texts))
    raise QueryError("q must be a condition, a list of conditions or an or-group")


@dataclass(frozen=True, slots=True)
class ListQuery:
    predicates: tuple[Callable[[Any], bool], ...]
    #: The plain ``attr=op:values`` conditions (a subset of what ``predicates`` test).
    conditions: tuple[Cond, ...]
    sort: str | None
    limit: int
    offset: int
    fields: tuple[str, ...]


def parse_list_query(
    params: Iterable[tuple[str, str]], aliases: dict[str, str] | None = None
) -> ListQuery:
    preds: list[Callable[[Any], bool]] = []
    conds: list[Cond] = []
    sort, limit, offset, fields = None, DEFAULT_LIMIT, 0, []
    for key, raw in params:
        if key == "limit":
            limit = min(MAX_LIMIT, max(0, _int(raw, "limit")))
        elif key == "offset":
            offset = max(0, _int(raw, "offset"))
        elif key == "sort":
            sort = raw
        elif key == "f[]":
            fields.append(raw)
        elif key in ("q", "q[]"):  # q: Postman's use cases; q[]: Upsales' own web app
            preds.append(parse_q(raw))
        elif key not in RESERVED:
            head, dot, tail = key.partition(".")
            key = (aliases or {}).get(head, head) + dot + tail
            conds.append(parse_condition(key, raw))
            preds.append(_condition(conds[-1]))
    return ListQuery(tuple(preds), tuple(conds), sort, limit, offset, tuple(fields))


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a number") from None


def _sort_key(value: Any) -> tuple[bool, Any]:
    """Nulls last; never compares a null with a value. Strings sort ignoring case, as
    Upsales does ("Sorting by name is case-sensitive. Upsales sorts case-insensitively":
    the emulator issue, from payloads others recorded; no vendor text found)."""
    if isinstance(value, str):
        return (False, (value.casefold(), value))
    return (value is None, 0 if value is None else value)


def _index_key(value: Any) -> Any:
    if value is None:
        return "\0null"
    if isinstance(value, bool | int | float):
        return float(value)
    return value.lower() if isinstance(value, str) else None


class Index:
    """Per-path lookup tables over one version of a table's records, built on demand.

    It narrows ``eq`` queries to candidates; the full predicates still decide, so an
    index can only make a query faster, never change its answer.
    """

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self._maps: dict[tuple[str, ...], dict[Any, list[int]]] = {}

    def _map(self, path: tuple[str, ...]) -> dict[Any, list[int]]:
        if path not in self._maps:
            table: dict[Any, list[int]] = {}
            for position, record in enumerate(self.records):
                try:
                    values = resolve(record, path)
                except KeyError:
                    raise QueryError(f"No such attribute: {'.'.join(path)}") from None
                for value in values:
                    table.setdefault(_index_key(value), []).append(position)
            self._maps[path] = table
        return self._maps[path]

    def candidates(self, cond: Cond) -> list[dict[str, Any]]:
        table = self._map(cond.path)
        positions: set[int] = set()
        for wanted in cond.values:
            keys = ["\0null"] if wanted == "null" else [wanted.lower(), _num(wanted)]
            for key in keys:
                positions.update(table.get(key, ()))
        return [self.records[i] for i in sorted(positions)]


def run(
    records: list[dict[str, Any]], q: ListQuery, index: Index | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """Total matching, and the requested page (sorted, then sliced)."""
    eq = next((c for c in q.conditions if c.op == "eq" and c.path[0] != "custom"), None)
    if index is not None and eq is not None:
        records = index.candidates(eq)
    hits = [r for r in records if all(p(r) for p in q.predicates)]
    if q.sort:
        desc = q.sort.startswith("-")
        key = q.sort.lstrip("-")
        if hits and key not in hits[0]:
            raise QueryError(f"No such attribute: {key}")
        hits.sort(key=lambda r: _sort_key(r.get(key)), reverse=desc)
    page = hits[q.offset : q.offset + q.limit]
    if q.fields:
        keep = {"id", *q.fields}
        page = [{k: v for k, v in r.items() if k in keep} for r in page]
    return len(hits), page
