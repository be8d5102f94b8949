"""Every demo scenario in each of the five languages, at the sidebar's real size (the
demo's 340 px column, 520 px tall): nothing wider than the sidebar, no button whose text
is cut off, and the card, the app's own words and the settings page in the agent's
language. Screenshots go to test-artifacts/languages/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.demo import Demo, sync
from upsales_freshdesk.emulators.scenarios import SCENARIOS

#: The agent's language as Freshdesk gives it (nb-NO for Norwegian), the card's language,
#: and the sidebar button's text in it.
LANGUAGES = {
    "en": ("en", "Sync contact from Upsales"),
    "sv": ("sv", "Synka kontakt från Upsales"),
    "nb-NO": ("nb", "Synkroniser kontakt fra Upsales"),
    "da": ("da", "Synkroniser kontakt fra Upsales"),
    "fi": ("fi", "Synkronoi yhteyshenkilö Upsalesista"),
}

#: What does not fit, in the frame's document: the document scrolling sideways, a visible
#: element reaching past either edge (also one whose overflow a parent hides), and a
#: button, summary or select whose text is wider than its box (scrollWidth > clientWidth:
#: cut off or ellipsed), Crayons' buttons measured inside their shadow root.
MEASURE_JS = """() => {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const name = (el) => {
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    const tag = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    const kind = classes ? tag + '.' + classes.split(/\\s+/).join('.') : tag;
    return kind + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  };
  const wide = [];
  if (doc.scrollWidth > width) wide.push(`the document: ${doc.scrollWidth} > ${width}`);
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || box.left < -0.5)) {
      wide.push(`${name(el)}: ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
    }
  }
  const cut = [];
  const kinds = 'button, [role=button], summary, select, fw-button';
  const controls = [...document.querySelectorAll(kinds)];
  for (const el of controls) {
    const inner = el.shadowRoot ? el.shadowRoot.querySelector('button') : el;
    if (!inner || !el.checkVisibility()) continue;
    if (inner.scrollWidth > inner.clientWidth) {
      cut.push(`${name(el)}: ${inner.scrollWidth} > ${inner.clientWidth}`);
    }
  }
  return { wide, cut };
}"""


def fits(frame: Any) -> dict[str, list[str]]:
    measured: dict[str, list[str]] = frame.locator("html").evaluate(MEASURE_JS)
    return measured


def unfold(frame: Any) -> None:
    """Every folded part open (not the one that loads on opening), so all text is
    measured."""
    frame.locator("#ufd-result details:not([data-lazy])").evaluate_all(
        "parts => parts.forEach(p => { p.open = true; })"
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_scenario_fits_the_sidebar_in_each_language(
    page: Any, demo: Demo, artifacts: Path, scenario: str, language: str
) -> None:
    locale, button = LANGUAGES[language]
    demo.state(language=language)
    frame = sync(page, demo, scenario)
    assert frame.locator("#ufd-result .ufd-card").first.get_attribute("lang") == locale
    assert frame.locator("#ufd-sync").inner_text().strip() == button
    unfold(frame)
    folder = artifacts / "languages"
    folder.mkdir(exist_ok=True)
    page.locator("[data-testid=app-frame]").screenshot(
        path=str(folder / f"{scenario}-{locale}.png")
    )
    measured = fits(frame)
    assert measured["wide"] == [], f"wider than the sidebar: {measured['wide']}"
    assert measured["cut"] == [], f"cut off inside a control: {measured['cut']}"
    assert page.errors == []


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_create_form_fits_in_each_language(
    page: Any, demo: Demo, artifacts: Path, language: str
) -> None:
    locale, _ = LANGUAGES[language]
    demo.state(language=language)
    frame = sync(page, demo, "not_found")
    frame.locator("#ufd-result [data-action=contact-form]").click()
    frame.locator("form.ufd-create").wait_for(timeout=10_000)
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    folder = artifacts / "languages"
    folder.mkdir(exist_ok=True)
    page.locator("[data-testid=app-frame]").screenshot(
        path=str(folder / f"create-form-{locale}.png")
    )
    measured = fits(frame)
    assert measured["wide"] == [], f"wider than the sidebar: {measured['wide']}"
    assert measured["cut"] == [], f"cut off inside a control: {measured['cut']}"


#: The settings page's first field, as each language labels it.
DOMAIN_FIELD = {
    "en": "Freshdesk domain",
    "sv": "Freshdesk-domän",
    "nb": "Freshdesk-domene",
    "da": "Freshdesk-domæne",
    "fi": "Freshdesk-verkkotunnus",
}


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_settings_page_fits_in_each_language(
    page: Any, demo: Demo, artifacts: Path, language: str
) -> None:
    """The installation page, in the admin's language, checked (every setting's message
    shown) and measured like the sidebar."""
    locale, _ = LANGUAGES[language]
    page.set_viewport_size({"width": 1024, "height": 768})
    demo.state(language=language)
    page.goto(f"{demo.url}/install")
    settings = page.frame_locator("[data-testid=settings-frame]")
    settings.locator(f"html[lang={locale}]").wait_for(timeout=10_000)
    settings.locator("fw-input#freshdesk_domain").wait_for(timeout=10_000)  # Crayons is up
    assert (
        settings.locator("fw-input#freshdesk_domain").get_attribute("label")
        == (DOMAIN_FIELD[locale])
    )
    frame = page.frame(url=lambda u: "/config/iparams.html" in u)
    frame.evaluate("() => validate()")
    settings.locator("#ufd-summary:not(:empty)").wait_for(timeout=10_000)
    folder = artifacts / "languages"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"settings-{locale}.png"), full_page=True)
    measured = fits(settings)
    assert measured["wide"] == [], f"wider than the page: {measured['wide']}"
    assert measured["cut"] == [], f"cut off inside a control: {measured['cut']}"
