"""Async clients for Freshdesk v2 and Upsales v2."""

from ._http import HttpSettings
from .errors import (
    AuthenticationError,
    ConnectionFailedError,
    FieldError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UpstreamError,
    UpstreamTimeoutError,
    ValidationError,
)
from .freshdesk.client import FreshdeskClient
from .policy import Deadline, RetryBudget, RetryPolicy, Throttle, ThrottleRegistry
from .upsales.client import UpsalesClient
from .upsales.filters import Filters

__all__ = [
    "AuthenticationError",
    "ConnectionFailedError",
    "Deadline",
    "FieldError",
    "Filters",
    "FreshdeskClient",
    "HttpSettings",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RetryBudget",
    "RetryPolicy",
    "ServerError",
    "Throttle",
    "ThrottleRegistry",
    "UpsalesClient",
    "UpstreamError",
    "UpstreamTimeoutError",
    "ValidationError",
]
