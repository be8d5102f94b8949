"""The card at the sidebar's real size (a 520 px frame), in English and Swedish: the
differences table keeps phone numbers whole."""

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
