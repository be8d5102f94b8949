"""The agent-facing text of every issue code, at most 100 characters in each language."""

from __future__ import annotations

from ..lookup.issues import Issue
from .i18n import N_, translations

#: The platform's notification shows at most this many characters.
MAX_MESSAGE = 100

ISSUES: dict[tuple[str, str], str] = {
    ("freshdesk", "auth_failed"): N_("The Freshdesk API key was refused. Check the app settings."),
    ("upsales", "auth_failed"): N_("The Upsales API key was refused. Check the app settings."),
    ("service", "auth_failed"): N_(
        "The service secret is missing or wrong. Check the app settings."
    ),
    ("freshdesk", "forbidden"): N_("The Freshdesk API key may not read this contact."),
    ("upsales", "forbidden"): N_("The Upsales API key may not read this contact."),
    ("freshdesk", "unavailable"): N_("Freshdesk is not answering. Showing what Upsales has."),
    ("upsales", "unavailable"): N_("Upsales is not answering. Showing what Freshdesk has."),
    ("freshdesk", "timeout"): N_("Freshdesk took too long to answer. Try again."),
    ("upsales", "timeout"): N_("Upsales took too long to answer. Try again."),
    ("service", "timeout"): N_("The lookup took too long. Try again."),
    ("service", "unavailable"): N_("The service failed. Try again."),
    ("freshdesk", "rate_limited"): N_("Freshdesk's rate limit is reached. Try again in a minute."),
    ("upsales", "rate_limited"): N_("Upsales' rate limit is reached. Try again in a few seconds."),
    ("freshdesk", "not_found"): N_("The requester's Freshdesk contact no longer exists."),
    ("upsales", "not_found"): N_("No Upsales contact has this email address."),
    ("upsales", "ambiguous"): N_("Several Upsales contacts have this email address. Pick one."),
    ("service", "invalid_domain"): N_(
        "The Freshdesk domain must look like yourcompany.freshdesk.com."
    ),
    ("service", "invalid_request"): N_("The app sent a request the service could not read."),
    ("service", "account_not_allowed"): N_("This Freshdesk account may not use this service."),
    ("freshdesk", "changed"): N_(
        "The Freshdesk contact changed since the card was shown. Sync again first."
    ),
    ("upsales", "changed"): N_("The contact is already in Upsales now. Sync again to see it."),
    ("freshdesk", "rejected"): N_("Freshdesk refused the change. Check the values."),
    ("upsales", "rejected"): N_("Upsales refused the change. Check the values."),
    ("upsales", "invalid_request"): N_("Choose an account, or name a new one."),
}
DONE: dict[str, str] = {
    "updated": N_("The Freshdesk contact is updated."),
    "unchanged": N_("Freshdesk already has these values."),
    "created": N_("The contact is created in Upsales."),
    "logged": N_("The ticket is logged to Upsales."),
    "already_logged": N_("This ticket was already logged to Upsales."),
}
RETRY_IN: dict[str, str] = {
    "freshdesk": N_("Freshdesk's rate limit is reached. Try again in %(seconds)d seconds."),
    "upsales": N_("Upsales' rate limit is reached. Try again in %(seconds)d seconds."),
}
FALLBACK = N_("Something went wrong. Try again.")


def issue_message(issue: Issue, locale: str) -> str:
    """The localised message of ``issue``, cut to the platform's limit."""
    t = translations(locale)
    if issue.code == "rate_limited" and issue.retry_after and issue.source in RETRY_IN:
        text = t.gettext(RETRY_IN[issue.source]) % {"seconds": max(1, round(issue.retry_after))}
    else:
        text = t.gettext(ISSUES.get((issue.source, issue.code), FALLBACK))
    return text[:MAX_MESSAGE]


def done_message(kind: str, locale: str) -> str:
    return translations(locale).gettext(DONE[kind])[:MAX_MESSAGE]


def localise(issues: list[Issue], locale: str) -> list[Issue]:
    return [i.model_copy(update={"message": issue_message(i, locale)}) for i in issues]
