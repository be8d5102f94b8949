"""The Upsales emulator's refusals and error answers: Upsales' error envelope, and its
answer for an injected fault status."""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from ..responses import JSONResponse

#: 200 calls per 10 s per key (API-FACTS.md: Upsales' changelog of 2023-10-27).
LIMIT, WINDOW = 200, 10.0


class UpsalesError(Exception):
    """Answered as ``{"error": {key, code, errorCode, msg}, "metadata": null}``."""

    def __init__(self, status: int, key: str, error_code: int, msg: str) -> None:
        self.status, self.key, self.error_code, self.msg = status, key, error_code, msg


def invalid(msg: str) -> UpsalesError:
    """Upsales' 400 for a body it refuses (recorded: ``FailedValidation``, errorCode 26)."""
    return UpsalesError(400, "FailedValidation", 26, msg)


def error_body(status: int, key: str, error_code: int, msg: str) -> JSONResponse:
    """The observed envelope: ``{"error": {key, code, errorCode, msg}, "metadata": null}``."""
    content = {
        "error": {"key": key, "code": status, "errorCode": error_code, "msg": msg},
        "metadata": None,
    }
    return JSONResponse(content, status_code=status)


def shaper(status: int, retry_after: float | None) -> Response:
    """Upsales' answer for an injected fault status."""
    if status == 429:
        resp = error_body(429, "ThrottleLimit", 4, "Too many requests")
        resp.headers.update({"X-RateLimit-Limit": str(LIMIT), "X-RateLimit-Remaining": "0"})
        if retry_after is not None:
            resp.headers["X-RateLimit-Reset"] = str(int(retry_after))
        return resp
    if status == 401:
        return PlainTextResponse("Unauthorized", status_code=401)
    if status == 404:
        return error_body(404, "NotFound", 7, "Not found")
    if status >= 500:
        return error_body(status, "ServerError", 3, "Server error")
    return error_body(status, "FailedValidation", 26, "Failed validation")
