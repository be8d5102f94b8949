"""docs/deploy.md's troubleshooting table names every error code the service can emit,
and nothing else: a code added to the code table without a row here fails this test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from upsales_freshdesk.rules.codes import CODES, Code, Source
from upsales_freshdesk.web.rendering.messages import ISSUES

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
SOURCES = frozenset(get_args(Source))
#: Codes of the installation page's checks (``/v1/validate``) beside the issue codes.
SETTING_CODES = frozenset({"not_checked"})
ALL_CODES = frozenset(get_args(Code)) | SETTING_CODES
KEY_RE = re.compile(r"`((?:\*|[a-z]+):)?([a-z_]+)`")


def table() -> list[tuple[str, str]]:
    """The table's rows as (first cell, second cell), header and rule excluded."""
    text = GUIDE.read_text("utf-8")
    section = text.split("\n## Troubleshooting\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert rows[0].startswith("| the card or the sync says |"), rows[0]
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows[2:]]
    assert all(len(c) == 2 for c in cells), [c for c in cells if len(c) != 2]
    return [(c[0], c[1]) for c in cells]


def keys() -> set[tuple[str, str]]:
    """The codes the table's first column names: (source, code), source ``*`` for any."""
    found: set[tuple[str, str]] = set()
    for first, _ in table():
        for source, code in KEY_RE.findall(first):
            found.add((source.rstrip(":") or "*", code))
    return found


def covered(source: str, code: str, listed: set[tuple[str, str]]) -> bool:
    return (source, code) in listed or ("*", code) in listed


def emitted() -> set[tuple[str, str]]:
    """Every (source, code) the service can answer: each one with an agent-facing message,
    each upstream failure's code from either upstream, and each code at least once."""
    pairs = set(ISSUES)
    pairs |= {(s, c) for s in ("freshdesk", "upsales") for _, c in CODES}
    pairs |= {(s, "unavailable") for s in ("freshdesk", "upsales")}
    # another replica writing the same record (web/redis_once.py busy_answer)
    pairs.add(("service", "rate_limited"))
    return pairs


def test_every_code_the_service_emits_has_a_row() -> None:
    listed = keys()
    missing = sorted(f"{s}:{c}" for s, c in emitted() if not covered(s, c, listed))
    assert missing == [], f"add a row to docs/deploy.md's troubleshooting table for {missing}"
    codes = {c for _, c in listed}
    assert sorted(ALL_CODES - codes) == []


def test_every_row_names_a_real_code() -> None:
    for source, code in keys():
        assert source == "*" or source in SOURCES, f"{source}:{code}"
        assert code in ALL_CODES, f"{source}:{code} is no code of the service's"
        if source != "*":
            assert (source, code) in emitted() or code in SETTING_CODES, f"{source}:{code}"


def test_every_row_says_what_to_check() -> None:
    for first, second in table():
        assert len(second) > 20, f"{first}: {second!r}"


def test_the_rows_name_no_code_twice() -> None:
    seen: list[tuple[str, str]] = []
    for first, _ in table():
        for source, code in KEY_RE.findall(first):
            key = (source.rstrip(":") or "*", code)
            assert key not in seen, f"{key} has two rows"
            seen.append(key)
