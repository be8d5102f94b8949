"""Freshdesk's contact search language: ``field:value`` terms with AND, OR and parentheses.

``GET /search/contacts?query="email:'a@b.example' OR phone:'123'"``: the whole
query is wrapped in double quotes, strings in single quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

FIELDS = frozenset(
    {
        "email",
        "phone",
        "mobile",
        "company_id",
        "active",
        "twitter_id",
        "tag",
        "language",
        "time_zone",
        "created_at",
        "updated_at",
    }
)
TOKEN = re.compile(r"\s*(?:(\()|(\))|(AND|OR)\b|([a-z_]+):('(?:[^'\\]|\\.)*'|[^\s()]+))")
Predicate = Callable[[dict[str, Any]], bool]


class SearchError(ValueError):
    pass


def parse(query: str) -> Predicate:
    if len(query) < 2 or not (query.startswith('"') and query.endswith('"')):
        raise SearchError("query must be enclosed in double quotes")
    tokens = _tokens(query[1:-1])
    pred, rest = _or(tokens)
    if rest:
        raise SearchError("unexpected text in query")
    return pred


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SearchError("query could not be parsed")
        lpar, rpar, conj, field, value = m.groups()
        if lpar:
            out.append(("(", None))
        elif rpar:
            out.append((")", None))
        elif conj:
            out.append((conj, None))
        else:
            if field not in FIELDS:
                raise SearchError(f"{field} is not a searchable field")
            out.append(("term", (field, _value(value))))
        pos = m.end()
    return out


def _value(raw: str) -> Any:
    if raw.startswith("'"):
        return raw[1:-1].replace("\\'", "'")
    if raw == "null":
        return None
    if raw in ("true", "false"):
        return raw == "true"
    try:
        return int(raw)
    except ValueError:
        raise SearchError(f"invalid value: {raw[:40]}") from None


def _or(tokens: list[tuple[str, Any]]) -> tuple[Predicate, list[tuple[str, Any]]]:
    left, tokens = _and(tokens)
    while tokens and tokens[0][0] == "OR":
        right, tokens = _and(tokens[1:])
        left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
    return left, tokens


def _and(tokens: list[tuple[str, Any]]) -> tuple[Predicate, list[tuple[str, Any]]]:
    left, tokens = _atom(tokens)
    while tokens and tokens[0][0] == "AND":
        right, tokens = _atom(tokens[1:])
        left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
    return left, tokens


def _atom(tokens: list[tuple[str, Any]]) -> tuple[Predicate, list[tuple[str, Any]]]:
    if not tokens:
        raise SearchError("query ends too soon")
    kind, value = tokens[0]
    if kind == "(":
        pred, rest = _or(tokens[1:])
        if not rest or rest[0][0] != ")":
            raise SearchError("unbalanced parentheses")
        return pred, rest[1:]
    if kind != "term":
        raise SearchError("expected a field:value term")
    field, wanted = value
    return (lambda r: _term(r, field, wanted)), tokens[1:]


def _term(record: dict[str, Any], field: str, wanted: Any) -> bool:
    if field == "email":
        emails = [record.get("email") or "", *record.get("other_emails", [])]
        return isinstance(wanted, str) and wanted.lower() in (e.lower() for e in emails)
    if field == "tag":
        return wanted in record.get("tags", [])
    actual = record.get(field)
    if isinstance(actual, str) and isinstance(wanted, str):
        return actual.lower() == wanted.lower()
    return bool(actual == wanted)
