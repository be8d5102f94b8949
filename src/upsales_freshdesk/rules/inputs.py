"""The building blocks of every request body, the card's and the actions' alike."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from ..clients import EMAIL_PATTERN, canonical_email

#: An email address by the product's one rule (``clients.emails``), in canonical form.
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=EMAIL_PATTERN),
    AfterValidator(canonical_email),
]
#: Free text that goes into an upstream filter value (no commas, no control characters).
FilterText = Annotated[
    str,
    StringConstraints(max_length=200, strip_whitespace=True, pattern=r"^[^,\x00-\x1f\x7f-\x9f]*$"),
]


class StrictIn(BaseModel):
    """The base of every request body: unknown keys are refused, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
