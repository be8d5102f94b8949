"""What escaped output means for the card's HTML: the probes, and the elements and
attributes a browser may build from the fragment (ours only, never CRM text's)."""

from __future__ import annotations

from html.parser import HTMLParser

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
    "'-alert(1)-'",
    "<iframe src=//evil.example>",
    "</dd></dl><script>x</script>",
    "<a href=javascript:alert(1)>x</a>",
    "{{7*7}}",
    "{% raw %}",
    "<<script>alert(1);//<</script>",
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "&lt;script&gt;",
    "\u003cscript\u003e",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=//evil.example>",
]


ALLOWED_TAGS = {
    "section",
    "p",
    "h2",
    "h3",
    "header",
    "dl",
    "dt",
    "dd",
    "ul",
    "li",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "button",
    "label",
    "input",
    "details",  # the folded sections of the card (our markup, never CRM text)
    "summary",
    "br",
    # the search box, the follow-up form and the parts filled on demand (our markup)
    "form",
    "select",
    "option",
    "textarea",
    "div",
}
ALLOWED_ATTRS = {
    "class",
    "lang",
    "aria-label",
    "role",
    "href",
    "target",
    "rel",
    "scope",
    "type",
    "data-field",
    "data-upsales-contact-id",
    "data-action",
    "name",
    "value",
    "data-freshdesk-contact-id",
    "data-freshdesk-updated-at",
    "data-clears",
    "data-lazy",
    "data-linked-id",
    "data-upsales-account-id",
    "data-freshdesk-company-id",
    "data-ufd-slot",
    "data-form",
    "open",
    "maxlength",
    "placeholder",
    "rows",
    "required",
}


class Elements(HTMLParser):
    """The real elements and attributes a browser would build from the fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


def assert_only_safe_html(html: str) -> None:
    """Every element and attribute is one of ours, and every link is http(s)."""
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert name in ALLOWED_ATTRS
            if name == "href":
                assert value is not None
                assert value.startswith(("https://", "http://"))
