"""The fault setups the tests share, each named for what the caller meets.

Each returns a :class:`Faults` for ``emulator.faults.set(...)``. ``match`` narrows a
fault to the API paths matching a regular expression, ``method`` to one HTTP method.
"""

from __future__ import annotations

from upsales_freshdesk.emulators.faults import Faults, Storm


def _methods(method: str | None) -> list[str] | None:
    return None if method is None else [method]


def outage(status: int = 503, *, match: str | None = None) -> Faults:
    """The upstream is down: every call (to ``match``) is answered ``status``, none is
    carried out."""
    return refusing(status, match=match)


def refusing(status: int, *, match: str | None = None, times: int | None = None) -> Faults:
    """Every call to ``match`` (the next ``times`` of them) is answered ``status`` and
    not carried out: a 400 that rejects it, a 429 without ``Retry-After``..."""
    return Faults(error_rates={status: 1.0}, match=match, times=times)


def lost_answer(method: str, *, match: str | None = None, times: int | None = None) -> Faults:
    """The write arrives and is carried out, but its answer is lost on the way back: the
    caller sees a gateway's 502 for a write that happened."""
    return Faults(
        error_rates={502: 1.0},
        errors_after_processing=True,
        methods=[method],
        match=match,
        times=times,
    )


def not_arrived(method: str, *, match: str | None = None) -> Faults:
    """The write never reaches the upstream: a gateway's 502, and nothing was done."""
    return Faults(error_rates={502: 1.0}, methods=[method], match=match)


def rate_limited(
    retry_after: float | None = 30, *, count: int = 1, method: str | None = None
) -> Faults:
    """The next ``count`` calls (with ``method``) are answered 429 with ``Retry-After``
    (none when ``retry_after`` is None), and not carried out."""
    return Faults(storm=Storm(count=count, retry_after=retry_after), methods=_methods(method))


def hanging(seconds: float) -> Faults:
    """Every call is held without an answer for ``seconds`` (or until the faults change)."""
    return Faults(hang=True, hang_seconds=seconds)


def garbled(*, match: str | None = None) -> Faults:
    """Every call (to ``match``) is carried out, but its answer's body is broken JSON."""
    return Faults(malformed=True, match=match)


def connection_reset() -> Faults:
    """Every call's connection is dropped with no answer; the call is not carried out."""
    return Faults(reset=True)
