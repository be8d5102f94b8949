"""Async clients for Freshdesk v2 and Upsales v2, and the rules they own."""

from .core import HttpSettings, new_http_client, require_https
from .emails import EMAIL_PATTERN, InvalidEmailError, canonical_email, email_domain, is_email
from .errors import (
    AuthenticationError,
    ConnectionFailedError,
    DailyCapReachedError,
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
from .plans import Plan, list_limit, parse_plan, plan_limit
from .policy import Deadline, RetryBudget, RetryPolicy
from .registry import ThrottleRegistry
from .throttle import Throttle
from .transport import Wire
from .upsales.client import UpsalesClient
from .upsales.filters import Filters

__all__ = [
    "EMAIL_PATTERN",
    "AuthenticationError",
    "ConnectionFailedError",
    "DailyCapReachedError",
    "Deadline",
    "FieldError",
    "Filters",
    "FreshdeskClient",
    "HttpSettings",
    "InvalidEmailError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "Plan",
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
    "Wire",
    "canonical_email",
    "email_domain",
    "is_email",
    "list_limit",
    "new_http_client",
    "parse_plan",
    "plan_limit",
    "require_https",
]
