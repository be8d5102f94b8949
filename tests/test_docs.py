"""The docs' relative links resolve: each Markdown link to a repository file names a file
that exists inside the repository, and each #anchor names a heading of its target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def prose(text: str) -> str:
    """The text outside code blocks and code spans, where a link is a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text("utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    text = prose(path.read_text("utf-8"))
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def broken(path: Path, root: Path = ROOT) -> list[str]:
    problems: list[str] = []
    for target in links(path):
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(root):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no such heading in {resolved.relative_to(root)}")
    return problems


def test_the_docs_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in DOCS}
    assert {"README.md", "CHANGELOG.md", "docs/deploy.md", "docs/configuration.md"} <= names


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(path: Path) -> None:
    assert broken(path) == []


def test_a_broken_link_is_caught(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Read me\n", "utf-8")
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# A page\n\n[ok](../README.md#read-me) [gone](missing.md)"
        " [anchor](../README.md#no-such-heading) [self](#a-page) [outside](../../x.md)"
        " [web](https://example.com/) `[span](nowhere.md)`\n"
        "```\n[in code](nowhere.md)\n```\n",
        "utf-8",
    )
    assert broken(page, root=tmp_path) == [
        "missing.md: no such file",
        "../README.md#no-such-heading: no such heading in README.md",
        "../../x.md: outside the repository",
    ]


def test_slugs_follow_github() -> None:
    assert slug("The backend's API") == "the-backends-api"
    assert slug("`bench/card.py`: the card") == "benchcardpy-the-card"
    assert slug("More workers or replicas: Redis") == "more-workers-or-replicas-redis"
