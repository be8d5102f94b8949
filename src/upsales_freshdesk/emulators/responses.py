"""The emulators' JSON answers: Starlette's ``JSONResponse``, rendered by orjson.

The same compact UTF-8 JSON as Starlette's, for a fraction of the CPU: the benchmarks run
the emulators on the machine that runs the backend they measure.
"""

from __future__ import annotations

from typing import Any

import orjson
import pydantic
from starlette import responses


class JSONResponse(responses.JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def invalid(exc: pydantic.ValidationError) -> JSONResponse:
    """The controls' 422 for a body they refuse: each field with what is wrong with it.

    The controls are the emulators' own (``/_emulator/...``), not a vendor's API, so
    both emulators answer in this one shape.
    """
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    return JSONResponse({"errors": errors}, status_code=422)
