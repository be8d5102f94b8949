"""Extract, update and compile the message catalogs (run from the repository root).

    .venv/bin/python scripts/i18n.py            # extract + update + compile
    .venv/bin/python scripts/i18n.py --check    # fail if a catalog is stale or incomplete

English is the source language: its catalog maps every message to itself. The
compiled ``.mo`` files ship inside the package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "src/upsales_freshdesk/web/rendering/locales"
POT = LOCALES / "messages.pot"
LANGUAGES = ("en", "sv")


def pybabel(*args: str) -> None:
    cmd = [str(Path(sys.executable).parent / "pybabel"), "-q", *args]
    subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603 - fixed arguments


def extract() -> None:
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "N_",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(POT),
        "src",
    )


def update(language: str) -> None:
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        pybabel("init", "-i", str(POT), "-d", str(LOCALES), "-l", language)
    pybabel(
        "update",
        "-i",
        str(POT),
        "-d",
        str(LOCALES),
        "-l",
        language,
        "--no-fuzzy-matching",
        "--omit-header",
        "--ignore-obsolete",
    )
    if language == "en":
        with po.open("rb") as f:
            catalog = read_po(f, locale="en")
        for message in catalog:
            if message.id and not message.string:
                message.string = message.id
            elif isinstance(message.id, tuple) and not all(message.string):
                # A plural (ngettext): English's forms are the singular and the plural ids.
                message.string = message.id
        with po.open("wb") as f:
            write_po(f, catalog, omit_header=True, no_location=True, sort_output=True)


def compile_all() -> None:
    for language in LANGUAGES:
        folder = LOCALES / language / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=language)
        with (folder / "messages.mo").open("wb") as f:
            write_mo(f, catalog)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def problems() -> list[str]:
    """Messages missing from a catalog, untranslated, fuzzy, or a stale .mo."""
    with POT.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    found: list[str] = []
    for language in LANGUAGES:
        folder = LOCALES / language / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=language)
        have = {m.id: m for m in catalog if m.id}
        found += [f"{language}: missing {i!r}" for i in sorted(wanted - set(have))]
        found += [
            f"{language}: untranslated {i!r}"
            for i, m in have.items()
            # A plural's string is a tuple of forms: each one must be there.
            if not (all(m.string) if isinstance(m.string, tuple) else m.string)
        ]
        found += [f"{language}: fuzzy {i!r}" for i, m in have.items() if m.fuzzy]
        mo = folder / "messages.mo"
        shipped: dict[object, object] = {}
        if mo.exists():
            with mo.open("rb") as f:
                # read_mo gives a plural's ids and forms as lists, read_po as tuples.
                shipped = {_hashable(m.id): _hashable(m.string) for m in read_mo(f) if m.id}
        if shipped != {i: _hashable(m.string) for i, m in have.items()}:
            found.append(f"{language}: messages.mo is not compiled from messages.po")
    return found


def main() -> int:
    if "--check" in sys.argv:
        issues = problems()
        print("\n".join(issues) or "catalogs complete")
        return 1 if issues else 0
    extract()
    for language in LANGUAGES:
        update(language)
    compile_all()
    issues = problems()
    print("\n".join(issues) or "catalogs complete and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
