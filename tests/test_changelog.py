"""The release notes in every language the product speaks: CHANGELOG.md in English, and
CHANGELOG.sv.md, .nb.md, .da.md and .fi.md beside it, kept in step. Each translation has
the same versions, the same sections in each (by their translated names), the same number
of entries in each section, and each entry the same code spans and link targets as the
English one in its place, so an entry added, dropped or moved in one is caught."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from upsales_freshdesk.rules.language import SUPPORTED

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ROOT / "CHANGELOG.md"
#: Keep a Changelog's section names, and the unreleased version's, in each language.
SECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
NAMES: dict[str, dict[str, str]] = {
    "sv": dict(
        zip(
            (*SECTIONS, "Unreleased"),
            ("Tillagt", "Ändrat", "Föråldrat", "Borttaget", "Rättat", "Säkerhet", "Ej släppt"),
            strict=True,
        )
    ),
    "nb": dict(
        zip(
            (*SECTIONS, "Unreleased"),
            ("Lagt til", "Endret", "Foreldet", "Fjernet", "Rettet", "Sikkerhet", "Ikke utgitt"),
            strict=True,
        )
    ),
    "da": dict(
        zip(
            (*SECTIONS, "Unreleased"),
            ("Tilføjet", "Ændret", "Forældet", "Fjernet", "Rettet", "Sikkerhed", "Ikke udgivet"),
            strict=True,
        )
    ),
    "fi": dict(
        zip(
            (*SECTIONS, "Unreleased"),
            (
                "Lisätty",
                "Muutettu",
                "Vanhentunut",
                "Poistettu",
                "Korjattu",
                "Tietoturva",
                "Julkaisematon",
            ),
            strict=True,
        )
    ),
}
CODE_SPAN = re.compile(r"`[^`\n]+`")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")


@dataclass
class Notes:
    """A changelog: its versions, each a list of (section, entries)."""

    versions: list[tuple[str, list[tuple[str, list[str]]]]] = field(default_factory=list)


def parse(text: str) -> Notes:
    notes = Notes()
    for line in text.splitlines():
        if line.startswith("## "):
            notes.versions.append((line[3:].strip(), []))
        elif line.startswith("### "):
            notes.versions[-1][1].append((line[4:].strip(), []))
        elif line.startswith("- "):
            notes.versions[-1][1][-1][1].append(line[2:])
    return notes


def marks(entry: str) -> tuple[Counter[str], Counter[str]]:
    """What a translation keeps as the English entry has it: code spans and link targets."""
    return Counter(CODE_SPAN.findall(entry)), Counter(LINK_TARGET.findall(entry))


def version_name(english: str, names: dict[str, str]) -> str:
    """``[Unreleased]`` in the language; a released version (``[0.1.0] - 2026-11-26``) as is."""
    return english.replace("[Unreleased]", f"[{names['Unreleased']}]")


def out_of_step(english: Notes, translated: Notes, names: dict[str, str]) -> list[str]:
    """Where ``translated`` differs from ``english`` in versions, sections, entries, or an
    entry's code spans and links."""
    problems: list[str] = []
    want = [version_name(v, names) for v, _ in english.versions]
    have = [v for v, _ in translated.versions]
    if want != have:
        return [f"versions {have}, not {want}"]
    for (version, sections), (_, their) in zip(english.versions, translated.versions, strict=True):
        want_sections = [names[s] for s, _ in sections]
        if want_sections != [s for s, _ in their]:
            problems.append(f"{version}: sections {[s for s, _ in their]}, not {want_sections}")
            continue
        for (section, entries), (_, theirs) in zip(sections, their, strict=True):
            where = f"{version} {section}"
            if len(entries) != len(theirs):
                problems.append(f"{where}: {len(theirs)} entries, not {len(entries)}")
                continue
            for i, (entry, translation) in enumerate(zip(entries, theirs, strict=True)):
                if marks(entry) != marks(translation):
                    problems.append(f"{where} #{i + 1}: not the English entry's code or links")
    return problems


def translation(language: str) -> Path:
    return ROOT / f"CHANGELOG.{language}.md"


def test_there_are_release_notes_in_every_language_the_product_speaks() -> None:
    assert set(NAMES) == set(SUPPORTED) - {"en"}
    for language in NAMES:
        assert translation(language).is_file(), translation(language).name


@pytest.mark.parametrize("language", sorted(NAMES))
def test_each_translation_is_in_step_with_the_english(language: str) -> None:
    english = parse(ENGLISH.read_text("utf-8"))
    text = translation(language).read_text("utf-8")
    assert "(CHANGELOG.md)" in text  # says where the English, the reference, is
    assert out_of_step(english, parse(text), NAMES[language]) == []


ENGLISH_SAMPLE = """# Changelog

## [Unreleased]

### Added
- `serve --x` does a thing ([docs](docs/x.md)).
- Another thing.

### Fixed
- A fix.

## [0.1.0] - 2026-11-26

### Added
- The first `thing`.
"""
SWEDISH_SAMPLE = """# Ändringslogg

## [Ej släppt]

### Tillagt
- `serve --x` gör en sak ([dokumentation](docs/x.md)).
- En annan sak.

### Rättat
- En rättelse.

## [0.1.0] - 2026-11-26

### Tillagt
- Den första `thing`.
"""


def test_the_check_passes_notes_in_step() -> None:
    english, swedish = parse(ENGLISH_SAMPLE), parse(SWEDISH_SAMPLE)
    assert out_of_step(english, swedish, NAMES["sv"]) == []


def test_an_entry_the_english_gains_and_a_translation_lacks_is_caught() -> None:
    gained = ENGLISH_SAMPLE.replace("- A fix.\n", "- A fix.\n- `sync --y` is new.\n")
    assert out_of_step(parse(gained), parse(SWEDISH_SAMPLE), NAMES["sv"]) == [
        "[Unreleased] Fixed: 1 entries, not 2"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("- En annan sak.\n", ""), "[Unreleased] Added: 1 entries, not 2"),
        (("`serve --x` gör", "`serve` gör"), "[Unreleased] Added #1: not the English entry's"),
        (("(docs/x.md)", "(docs/y.md)"), "[Unreleased] Added #1: not the English entry's"),
        (("### Rättat", "### Fixed"), "[Unreleased]: sections ['Tillagt', 'Fixed']"),
        (("## [0.1.0] - 2026-11-26", "## [0.1.1] - 2026-11-26"), "versions ["),
        (("[Ej släppt]", "[Unreleased]"), "versions ["),
    ],
)
def test_a_translation_out_of_step_is_caught(change: tuple[str, str], problem: str) -> None:
    broken = SWEDISH_SAMPLE.replace(*change)
    problems = out_of_step(parse(ENGLISH_SAMPLE), parse(broken), NAMES["sv"])
    assert len(problems) == 1
    assert problems[0].startswith(problem), problems
