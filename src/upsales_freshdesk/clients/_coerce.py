"""Annotated types for the type variance seen in real payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _empty_list_to_none(value: Any) -> Any:
    return None if value == [] or value == {} else value


#: A string where ``""`` (Upsales' unset ``email``/``name``) means "no value".
OptStr = Annotated[str | None, BeforeValidator(_empty_to_none)]
#: A timestamp, with or without milliseconds, or ``""``/null for none.
OptDateTime = Annotated[datetime | None, BeforeValidator(_empty_to_none)]
#: Upsales' 0/1 flags and real booleans alike.
Flag = Annotated[bool, BeforeValidator(lambda v: bool(v) if isinstance(v, int) else v)]
#: An object that Upsales sends as ``[]`` when unset (account ``assigned``).
EmptyAsNone = BeforeValidator(_empty_list_to_none)


class Model(BaseModel):
    """Base for every upstream model: unknown fields are ignored, numbers coerce to str,
    and a number field refuses NaN and infinity (JSON has neither; a parser that takes
    them must not put ``NaN`` on a card)."""

    model_config = ConfigDict(
        extra="ignore", coerce_numbers_to_str=True, frozen=True, allow_inf_nan=False
    )
