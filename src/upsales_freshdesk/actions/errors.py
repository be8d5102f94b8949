"""Refusals of an action, raised before anything is written."""

from __future__ import annotations

from typing import Literal

ActionCode = Literal["changed", "invalid_request", "mismatch", "rejected", "link_taken"]


class ActionError(Exception):
    """An action refused before anything was written (``changed``: the data moved since it
    was shown; ``mismatch``: the ids do not belong together; ``invalid_request``;
    ``link_taken``: the link field holds another system's id)."""

    def __init__(self, code: ActionCode) -> None:
        super().__init__(code)
        self.code: ActionCode = code
