"""The catalogs' check (``scripts/i18n.py --check``): on small catalogs made here, it
fails on each kind of problem in any language, and passes a complete one."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "i18n.py"
#: The template: a plain text, one with a placeholder, and a plural.
IDS: list[object] = ["Cancel", "Not logged: %(reason)s", ("%(num)d deal", "%(num)d deals")]
#: A complete Danish catalog of IDS.
DANISH: dict[object, object] = {
    "Cancel": "Annuller",
    "Not logged: %(reason)s": "Ikke logget: %(reason)s",
    ("%(num)d deal", "%(num)d deals"): ("%(num)d salg", "%(num)d salg"),
}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = load_script()


def flags(message_id: object) -> list[str]:
    text = message_id[0] if isinstance(message_id, tuple) else message_id
    return ["python-format"] if "%(" in str(text) else []


def write_catalogs(
    root: Path,
    language: str,
    strings: dict[object, object],
    *,
    fuzzy: object = None,
    compile_from: dict[object, object] | None = None,
) -> Path:
    """``messages.pot`` of IDS, and ``language``'s ``.po`` of ``strings`` and its ``.mo``
    (of ``compile_from`` when given: a stale one)."""
    pot = Catalog()
    for message_id in IDS:
        pot.add(message_id, flags=flags(message_id))
    with (root / "messages.pot").open("wb") as f:
        write_po(f, pot, omit_header=True)
    for name, table in (("messages.po", strings), ("messages.mo", compile_from or strings)):
        catalog = Catalog(locale=language)
        for message_id, string in table.items():
            more = ["fuzzy"] if message_id == fuzzy else []
            catalog.add(message_id, string, flags=flags(message_id) + more)  # type: ignore[arg-type]
        folder = root / language / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / name).open("wb") as f:
            (write_mo if name.endswith(".mo") else write_po)(f, catalog)
    return root


def check(root: Path, language: str = "da") -> list[str]:
    result: list[str] = script.problems(root, (language,))
    return result


def test_a_complete_catalog_passes(tmp_path: Path) -> None:
    assert check(write_catalogs(tmp_path, "da", DANISH)) == []


def test_a_missing_message_fails(tmp_path: Path) -> None:
    strings = {k: v for k, v in DANISH.items() if k != "Cancel"}
    assert check(write_catalogs(tmp_path, "da", strings)) == ["da: missing 'Cancel'"]


def test_an_unused_message_fails(tmp_path: Path) -> None:
    strings = {**DANISH, "Gone": "Væk"}
    assert check(write_catalogs(tmp_path, "da", strings)) == ["da: unused 'Gone'"]


def test_an_untranslated_message_and_plural_form_fail(tmp_path: Path) -> None:
    plural = ("%(num)d deal", "%(num)d deals")
    strings = {**DANISH, "Cancel": "", plural: ("%(num)d salg", "")}
    assert check(write_catalogs(tmp_path, "da", strings)) == [
        "da: untranslated 'Cancel'",
        f"da: untranslated {plural!r}",
    ]


def test_a_fuzzy_message_fails(tmp_path: Path) -> None:
    root = write_catalogs(tmp_path, "da", DANISH, fuzzy="Cancel")
    assert check(root) == ["da: fuzzy 'Cancel'"]


@pytest.mark.parametrize(
    ("message_id", "translation"),
    [
        ("Not logged: %(reason)s", "Ikke logget: %(grund)s"),  # renamed
        ("Not logged: %(reason)s", "Ikke logget."),  # dropped (Babel's own check allows it)
        ("Not logged: %(reason)s", "Ikke logget: %(reason)d"),  # another conversion
        ("Not logged: %(reason)s", "%(reason)s: %(reason)s"),  # twice
        ("Cancel", "Annuller %(what)s"),  # one the English text does not have
        (("%(num)d deal", "%(num)d deals"), ("et salg", "%(num)d salg")),  # a plural's form
    ],
)
def test_a_placeholder_that_differs_from_the_english_one_fails(
    tmp_path: Path, message_id: object, translation: object
) -> None:
    problems = check(write_catalogs(tmp_path, "da", {**DANISH, message_id: translation}))
    assert len(problems) == 1
    assert problems[0].startswith("da: placeholders differ from English in ")


def test_a_stale_compiled_catalog_fails(tmp_path: Path) -> None:
    stale = {**DANISH, "Cancel": "Fortryd"}
    root = write_catalogs(tmp_path, "da", DANISH, compile_from=stale)
    assert check(root) == ["da: messages.mo is not compiled from messages.po"]


def test_a_compiled_plural_rule_that_is_not_the_languages_fails(tmp_path: Path) -> None:
    """The .mo must carry Babel's rule for its language: Danish's is (n != 1)."""
    root = write_catalogs(tmp_path, "da", DANISH)
    catalog = Catalog(locale="ja")  # Japanese has one form: nplurals=1
    for message_id, string in DANISH.items():
        catalog.add(message_id, string, flags=flags(message_id))  # type: ignore[arg-type]
    with (root / "da" / "LC_MESSAGES" / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    assert "da: messages.mo has 'nplurals=1; plural=0;', not " in "\n".join(check(root))


def test_a_language_without_a_catalog_fails(tmp_path: Path) -> None:
    root = write_catalogs(tmp_path, "da", DANISH)
    assert check(root, "fi") == ["fi: messages.po is missing"]


def test_the_check_covers_every_language_the_service_speaks() -> None:
    assert script.LANGUAGES == ("en", "sv", "nb", "da", "fi")


def test_a_message_the_code_marks_and_the_template_lacks_fails(tmp_path: Path) -> None:
    """A new ``N_()`` (or ``_()`` in a template) without ``make i18n`` is caught, and so is
    a template message the code no longer has."""
    package = tmp_path / "src" / "upsales_freshdesk"
    package.mkdir(parents=True)
    (package / "texts.py").write_text(
        'HELLO = N_("Hello")\nWAIT = N_plural("%(n)d second", "%(n)d seconds")\n', "utf-8"
    )
    pot = Catalog()
    pot.add("Hello")
    pot.add("Gone")
    with (tmp_path / "messages.pot").open("wb") as f:
        write_po(f, pot, omit_header=True)
    assert script.template_problems(tmp_path / "messages.pot", tmp_path / "src") == [
        "messages.pot: missing ('%(n)d second', '%(n)d seconds') (run make i18n)",
        "messages.pot: unused 'Gone' (run make i18n)",
    ]


def test_the_shipped_template_holds_what_the_code_marks() -> None:
    assert script.template_problems() == []
