"""Where the emulators answer when they run in-process (behind ``httpx.ASGITransport``)."""

from __future__ import annotations

#: The API base of either emulator in-process; the transport, not the host, picks which.
EMULATED = "http://testserver/api/v2/"
FD_BASE = EMULATED
US_BASE = EMULATED
