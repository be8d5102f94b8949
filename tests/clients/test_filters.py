"""The Upsales filter builder, and that the emulator reads its output as meant."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upsales_freshdesk.clients import Filters
from upsales_freshdesk.clients.upsales.filters import OPS
from upsales_freshdesk.emulators.upsales.query import parse_condition


def test_builds_the_documented_forms() -> None:
    f = (
        Filters()
        .eq("client.id", 12)
        .gte("probability", 1)
        .lte("probability", 99)
        .eq("id", 1, 2, 3)
        .src("name", "Nord")
        .ne("user.id", 1)
        .eq("active", True)
        .gt("date", date(2016, 1, 1))
        .eq("email", None)
    )
    assert f.params() == [
        ("client.id", "eq:12"),
        ("probability", "gte:1"),
        ("probability", "lte:99"),
        ("id", "eq:1,2,3"),
        ("name", "src:Nord"),
        ("user.id", "ne:1"),
        ("active", "eq:1"),
        ("date", "gt:2016-01-01"),
        ("email", "eq:null"),
    ]


def test_filters_are_immutable() -> None:
    base = Filters().eq("a", 1)
    base.eq("b", 2)
    assert base.params() == [("a", "eq:1")]


@pytest.mark.parametrize(
    "field", ["", "1abc", "a..b", "a.", "token", "limit", "sort", "a b", "a=b"]
)
def test_bad_fields_are_refused(field: str) -> None:
    with pytest.raises(ValueError):
        Filters().eq(field, 1)


@pytest.mark.parametrize("value", ["a,b", "", " padded", "tab\there", "new\nline"])
def test_values_that_change_the_meaning_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        Filters().eq("name", value)


def test_comparisons_other_than_eq_ne_take_one_value() -> None:
    with pytest.raises(ValueError):
        Filters().where("id", "gt", 1, 2)
    with pytest.raises(ValueError):
        Filters().where("id", "eq")
    with pytest.raises(ValueError):
        Filters().where("id", "like", 1)  # type: ignore[arg-type]


FIELD = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,8}(\.[A-Za-z][A-Za-z0-9_]{0,8}){0,2}\Z")
VALUE = st.one_of(
    st.integers(-(10**9), 10**9),
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=","),
        min_size=1,
        max_size=30,
    ).filter(lambda s: s == s.strip() and s != "null"),
)


@given(FIELD, st.sampled_from(OPS), st.lists(VALUE, min_size=1, max_size=4))
def test_the_emulator_parses_what_the_builder_meant(
    field: str, op: str, values: list[object]
) -> None:
    if op not in ("eq", "ne"):
        values = values[:1]
    try:
        f = Filters().where(field, op, *values)  # type: ignore[arg-type]
    except ValueError:
        assert field in {"token", "limit", "offset", "sort", "q"}
        return
    ((key, raw),) = f.params()
    cond = parse_condition(key, raw)
    assert cond.path == tuple(field.split("."))
    assert cond.op == op
    assert cond.values == tuple(str(v) for v in values)
