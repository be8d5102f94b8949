"""The HTTP core's pure parts: the error class of a status, and the HTTPS rule."""

from __future__ import annotations

import pytest

from upsales_freshdesk.clients import require_https
from upsales_freshdesk.clients.errors import (
    MalformedResponseError,
    ServerError,
    ValidationError,
    error_class_for_status,
)


def test_status_classes() -> None:
    assert error_class_for_status(409) is ValidationError
    assert error_class_for_status(599) is ServerError
    assert error_class_for_status(418) is ValidationError
    assert error_class_for_status(302) is MalformedResponseError


@pytest.mark.parametrize(
    "url",
    [
        "https://x.freshdesk.com/api/v2/",
        "http://127.0.0.1:9001/api/v2/",
        "http://localhost/api/v2/",
        "http://[::1]:80/",
    ],
)
def test_https_or_loopback_is_allowed(url: str) -> None:
    assert require_https(url) == url


@pytest.mark.parametrize(
    "url",
    ["http://x.freshdesk.com/api/v2/", "ftp://x/", "http://10.0.0.1/", "http://169.254.169.254/"],
)
def test_plain_http_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        require_https(url)
