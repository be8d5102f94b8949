"""Extract, update and compile the message catalogs (run from the repository root).

    .venv/bin/python scripts/i18n.py            # extract + update + compile
    .venv/bin/python scripts/i18n.py --check    # fail if a catalog is stale or incomplete

English is the source language: its catalog maps every message to itself. The
compiled ``.mo`` files ship inside the package. The languages are the service's own
(``SUPPORTED`` in ``web/rendering/i18n.py``).

The check fails on a message the code marks that the template lacks (or the reverse),
and, in any language, on a message that is missing, untranslated, fuzzy or unused (in
the catalog but no longer in the code), on a translation whose placeholders
(``%(name)s``) are not exactly the English text's, and on a ``.mo`` that is not compiled
from its ``.po`` or whose plural rule is not Babel's (CLDR's) for the language. The
``.po`` files carry no header: reading one, Babel gives a plural as many forms as the
language's rule has (a missing form is untranslated), and compiling writes that rule
into the ``.mo``, where the check reads it back.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT, Message
from babel.messages.mofile import read_mo, write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from upsales_freshdesk.rules.language import SUPPORTED

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "src/upsales_freshdesk/web/rendering/locales"
POT = LOCALES / "messages.pot"
LANGUAGES = SUPPORTED


def pybabel(*args: str) -> None:
    cmd = [str(Path(sys.executable).parent / "pybabel"), "-q", *args]
    subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603 - fixed arguments


def extract(out: Path = POT, source: Path = ROOT / "src") -> None:
    """The template of every message the code marks, from ``source`` into ``out``."""
    pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "N_",
        "-k",
        "N_plural:1,2",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(out),
        str(source),
    )


def template_problems(pot: Path = POT, source: Path = ROOT / "src") -> list[str]:
    """The template against the code: a message the code marks that the template (so
    every catalog) lacks, or one the template keeps that the code no longer has."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "messages.pot"
        extract(fresh, source)
        with fresh.open("rb") as f:
            marked = {_hashable(m.id) for m in read_po(f) if m.id}
    with pot.open("rb") as f:
        kept = {_hashable(m.id) for m in read_po(f) if m.id}
    found = [f"messages.pot: missing {i!r} (run make i18n)" for i in sorted(marked - kept, key=str)]
    found += [f"messages.pot: unused {i!r} (run make i18n)" for i in sorted(kept - marked, key=str)]
    return found


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


#: The time a compiled catalog's header names: fixed, so that the same .po always gives
#: the same .mo bytes (a compile that changes no message changes no file).
COMPILED_AT = datetime(1970, 1, 1, tzinfo=UTC)


def compile_all() -> None:
    for language in LANGUAGES:
        folder = LOCALES / language / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=language)
        catalog.creation_date = COMPILED_AT
        with (folder / "messages.mo").open("wb") as f:
            write_mo(f, catalog)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def placeholders(text: str) -> Counter[tuple[str, str]]:
    """The ``%(name)s`` placeholders of ``text`` (name and conversion), with ``%%`` left
    out: what a translation must keep exactly."""
    found: Counter[tuple[str, str]] = Counter()
    for match in PYTHON_FORMAT.finditer(text):
        name, _spec, kind = match.groups()
        if kind != "%":
            found[(name or "", "d" if kind in "iu" else kind)] += 1
    return found


def _forms(value: object) -> tuple[str, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(str(v or "") for v in value)
    return (str(value or ""),)


def placeholder_problems(language: str, message: Message) -> list[str]:
    """Each form whose placeholders differ from the English text's: a plural's first form
    is checked against the singular id, the others against the plural id."""
    ids = _forms(message.id)
    found = []
    for i, form in enumerate(_forms(message.string)):
        if not form:
            continue
        english = ids[0] if i == 0 or len(ids) == 1 else ids[1]
        if placeholders(form) != placeholders(english):
            found.append(f"{language}: placeholders differ from English in {form!r}")
    return found


def _translated(message: Message) -> bool:
    # A plural's string is a tuple of forms: each one must be there.
    return all(_forms(message.string))


def language_problems(folder: Path, language: str, wanted: set[object]) -> list[str]:
    """What is wrong with one language's catalog, given the ids the code uses."""
    with (folder / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    have = {_hashable(m.id): m for m in catalog if m.id}
    found = [f"{language}: missing {i!r}" for i in sorted(wanted - set(have), key=str)]
    found += [f"{language}: unused {i!r}" for i in sorted(set(have) - wanted, key=str)]
    found += [f"{language}: untranslated {i!r}" for i, m in have.items() if not _translated(m)]
    found += [f"{language}: fuzzy {i!r}" for i, m in have.items() if m.fuzzy]
    for m in have.values():
        found += placeholder_problems(language, m)
    sound = {i: m for i, m in have.items() if _translated(m) and not m.fuzzy}
    return found + mo_problems(folder, language, sound, set(have))


def mo_problems(
    folder: Path, language: str, sound: dict[object, Message], ids: set[object]
) -> list[str]:
    """A ``.mo`` must hold the ``.po``'s sound messages as they are, nothing the ``.po``
    lacks, and Babel's plural rule. (A message reported above is not compared: compiling
    leaves out or fills in what is untranslated or fuzzy.)"""
    mo = folder / "messages.mo"
    if not mo.exists():
        return [f"{language}: messages.mo is missing"]
    with mo.open("rb") as f:
        compiled = read_mo(f)
    # read_mo gives a plural's ids and forms as lists, read_po as tuples.
    shipped = {_hashable(m.id): _hashable(m.string) for m in compiled if m.id}
    found = []
    stale = any(shipped.get(i) != _hashable(m.string) for i, m in sound.items())
    if stale or set(shipped) - ids:
        found.append(f"{language}: messages.mo is not compiled from messages.po")
    rule = get_plural(language).plural_forms
    if compiled.plural_forms != rule:
        found.append(f"{language}: messages.mo has {compiled.plural_forms!r}, not {rule!r}")
    return found


def problems(locales: Path = LOCALES, languages: Sequence[str] = LANGUAGES) -> list[str]:
    """Every problem of every language's catalog against the template (``messages.pot``)."""
    with (locales / "messages.pot").open("rb") as f:
        wanted = {_hashable(m.id) for m in read_po(f) if m.id}
    found: list[str] = []
    for language in languages:
        folder = locales / language / "LC_MESSAGES"
        if not (folder / "messages.po").exists():
            found.append(f"{language}: messages.po is missing")
            continue
        found += language_problems(folder, language, wanted)
    return found


def report(issues: Iterable[str], ok: str) -> int:
    lines = list(issues)
    print("\n".join(lines) or ok)
    return 1 if lines else 0


def main() -> int:
    if "--check" in sys.argv:
        return report(template_problems() + problems(), "catalogs complete")
    extract()
    for language in LANGUAGES:
        update(language)
    compile_all()
    report(problems(), "catalogs complete and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
