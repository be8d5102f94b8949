"""The card at the sidebar's real size (a 520 px frame), in English and Swedish: the
differences table keeps phone numbers whole, and the create form fits the frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.demo import Demo, sync

FRAME = 520

#: How many lines each text node of an element takes (the tops of its line boxes).
LINES_JS = """el => {
  const tops = new Set();
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
  }
  return tops.size;
}"""


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_differences_table_keeps_phone_numbers_whole(
    page: Any, demo: Demo, artifacts: Path, language: str
) -> None:
    demo.state(language=language)
    frame = sync(page, demo, "different")
    cells = frame.locator(".ufd-differences tr[data-field=phone] td")
    assert cells.count() == 2
    for i in range(2):
        cell = cells.nth(i)
        assert cell.evaluate(LINES_JS) == 1, f"wrapped: {cell.inner_text()!r}"
    # Nothing pushed out sideways: the frame does not scroll horizontally.
    width = frame.locator("html").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert width[0] <= width[1], f"wider than the frame: {width}"
    page.locator("[data-testid=app-frame]").screenshot(
        path=str(artifacts / f"differences-{language}.png")
    )


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_create_form_fits_the_frame_with_its_progress_line(
    page: Any, demo: Demo, artifacts: Path, language: str
) -> None:
    demo.state(language=language)
    frame = sync(page, demo, "not_found")
    frame.locator("#ufd-result [data-action=contact-form]").click()
    frame.locator("form.ufd-create").wait_for(timeout=10_000)
    frame.locator("#ufd-sync:not([disabled])").wait_for(timeout=10_000)
    # The progress line shows while the contact is created: measure with it shown.
    frame.locator("#ufd-progress").evaluate(
        "p => { p.hidden = false; p.textContent = p.textContent || 'Creating the contact…'; }"
    )
    height = frame.locator("html").evaluate("e => e.scrollHeight")
    page.locator("[data-testid=app-frame]").screenshot(
        path=str(artifacts / f"create-form-{language}.png")
    )
    assert height <= FRAME, f"the form is {height} px tall in a {FRAME} px frame"
    top = page.locator("[data-testid=app-frame]").bounding_box()
    for selector in ("#ufd-progress", "[data-action=create-upsales]", "[data-action=cancel-form]"):
        box = frame.locator(selector).bounding_box()
        assert box is not None
        assert box["y"] + box["height"] - top["y"] <= FRAME, selector
