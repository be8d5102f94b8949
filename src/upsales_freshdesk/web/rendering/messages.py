"""The agent-facing text of every issue code, at most 100 characters in each language."""

from __future__ import annotations

from ...rules.codes import Issue
from .i18n import N_, N_plural, translations

#: The platform's notification shows at most this many characters.
MAX_MESSAGE = 100


def fit(text: str) -> str:
    """``text`` within the platform's limit: whole, else cut after its last sentence or
    clause that fits (a clause's ";" becomes "."), else after its last whole word with
    "…"; never within a word. Danish, Finnish and Norwegian words run longer than
    English ones, so an action's opening and its reason may not both fit."""
    if len(text) <= MAX_MESSAGE:
        return text
    ends = [
        i
        for i in range(MAX_MESSAGE)
        if text[i] in ".;" and (i + 1 == len(text) or text[i + 1] == " ")
    ]
    if ends and ends[-1] >= MAX_MESSAGE // 3:
        return text[: ends[-1]] + "."
    return text[: MAX_MESSAGE - 1].rsplit(" ", 1)[0].rstrip(" ,:;") + "…"


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
    ("service", "upstreams_down"): N_(
        "Neither Freshdesk nor Upsales is answering. Try again in a minute."
    ),
    ("service", "writes_paused"): N_(
        "Not saved: changes are paused for a moment. It is safe to try again."
    ),
    ("freshdesk", "rate_limited"): N_("Freshdesk's rate limit is reached. Try again in a minute."),
    ("upsales", "rate_limited"): N_("Upsales' rate limit is reached. Try again in a few seconds."),
    ("freshdesk", "not_found"): N_("The requester's Freshdesk contact no longer exists."),
    ("upsales", "not_found"): N_("No Upsales contact has this email address."),
    ("upsales", "ambiguous"): N_("Several Upsales contacts have this email address. Pick one."),
    ("upsales", "suggested"): N_("No exact match in Upsales. Link a suggestion, or search."),
    ("upsales", "link_gone"): N_("The linked Upsales contact no longer exists. Link another one."),
    ("freshdesk", "link_taken"): N_(
        "The contact's link field holds another system's id. It was left as it is."
    ),
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
    ("freshdesk", "mismatch"): N_(
        "These Freshdesk and Upsales contacts do not share an email. Sync again."
    ),
    ("upsales", "mismatch"): N_("This Upsales contact is not the requester's. Sync again."),
    ("freshdesk", "undo_changed"): N_(
        "The Freshdesk contact changed after the update, so it was not undone."
    ),
}
DONE: dict[str, str] = {
    "updated": N_("The Freshdesk contact is updated."),
    "undone": N_("The update is undone."),
    "unchanged": N_("Freshdesk already has these values."),
    "created": N_("The contact is created in Upsales."),
    "logged": N_("The ticket is logged to Upsales."),
    "already_logged": N_("This ticket was already logged to Upsales."),
    "linked": N_("The contacts are linked."),
    "already_linked": N_("The contacts were already linked."),
    "unlinked": N_("The link is removed."),
    "already_unlinked": N_("There was no link to remove."),
    "followed_up": N_("The follow-up is created in Upsales."),
}
#: A plural: "1 second", "30 seconds", in each language's forms.
RETRY_IN: dict[str, tuple[str, str]] = {
    "freshdesk": N_plural(
        "Freshdesk's rate limit is reached. Try again in %(seconds)d second.",
        "Freshdesk's rate limit is reached. Try again in %(seconds)d seconds.",
    ),
    "upsales": N_plural(
        "Upsales' rate limit is reached. Try again in %(seconds)d second.",
        "Upsales' rate limit is reached. Try again in %(seconds)d seconds.",
    ),
}
FALLBACK = N_("Something went wrong. Try again.")


def issue_message(issue: Issue, locale: str) -> str:
    """The localised message of ``issue``, cut to the platform's limit."""
    t = translations(locale)
    if issue.code == "rate_limited" and issue.retry_after and issue.source in RETRY_IN:
        seconds = max(1, round(issue.retry_after))
        text = t.ngettext(*RETRY_IN[issue.source], seconds) % {"seconds": seconds}
    else:
        text = t.gettext(ISSUES.get((issue.source, issue.code), FALLBACK))
    return fit(text)


FIELDS_DONE: dict[str, str] = {
    "updated": N_("Updated in Freshdesk: %(fields)s."),
    "undone": N_("Put back in Freshdesk: %(fields)s."),
}
FIELD_NAMES: dict[str, str] = {
    "name": N_("Name"),
    "phone": N_("Phone"),
    "mobile": N_("Mobile"),
    "title": N_("Title"),
    "company": N_("Company"),
}


def done_message(kind: str, locale: str, fields: tuple[str, ...] = ()) -> str:
    """The success text; with ``fields``, it names them ("Updated in Freshdesk: Title.")."""
    t = translations(locale)
    if fields and kind in FIELDS_DONE:
        names = ", ".join(t.gettext(FIELD_NAMES[f]) for f in fields)
        return fit(t.gettext(FIELDS_DONE[kind]) % {"fields": names})
    return fit(t.gettext(DONE[kind]))


def localise(issues: list[Issue], locale: str) -> list[Issue]:
    return [i.model_copy(update={"message": issue_message(i, locale)}) for i in issues]


#: The installation page's own texts: shown on the settings page itself, so they name the
#: setting and never send the admin to "the app settings".
VALIDATION: dict[tuple[str, str], str] = {
    ("freshdesk", "auth_failed"): N_("The Freshdesk API key was refused."),
    ("upsales", "auth_failed"): N_("The Upsales API key was refused."),
    ("freshdesk", "forbidden"): N_("The Freshdesk API key lacks the access the app needs."),
    ("upsales", "forbidden"): N_("The Upsales API key lacks the access the app needs."),
    ("freshdesk", "not_found"): N_("No Freshdesk helpdesk answers at this domain."),
    ("freshdesk", "unavailable"): N_("Freshdesk is not answering. Try again."),
    ("upsales", "unavailable"): N_("Upsales is not answering. Try again."),
    ("service", "invalid_request"): N_("This setting could not be checked."),
}
#: Codes whose card text reads as well on the installation page.
VALIDATION_AS_CARD = frozenset({"rate_limited", "timeout", "invalid_domain", "account_not_allowed"})


def validation_message(issue: Issue, locale: str) -> str:
    """The installation page's text of ``issue`` (a setting's live check)."""
    if issue.code in VALIDATION_AS_CARD and (issue.source, issue.code) not in VALIDATION:
        return issue_message(issue, locale)
    text = VALIDATION.get((issue.source, issue.code), VALIDATION[("service", "invalid_request")])
    return fit(translations(locale).gettext(text))


#: What a failed action did not do, by the action's route name: the opening of its text.
ACTIONS: dict[str, str] = {
    "update-freshdesk": N_("Freshdesk was not updated: %(reason)s"),
    "undo-update": N_("Not undone: %(reason)s"),
    "create-upsales": N_("Not created in Upsales: %(reason)s"),
    "log-ticket": N_("Not logged: %(reason)s"),
    "contact-form": N_("The form did not open: %(reason)s"),
    "link-contact": N_("Not linked: %(reason)s"),
    "unlink-contact": N_("Not unlinked: %(reason)s"),
    "follow-up": N_("No follow-up created: %(reason)s"),
    "search-contacts": N_("The search failed: %(reason)s"),
    "company": N_("The company did not load: %(reason)s"),
}
#: A timeout may come after the write arrived: the text then says it may not be done.
#: (Every write checks before it writes, so trying again never does it twice.)
ACTIONS_UNSURE: dict[str, str] = {
    "update-freshdesk": N_("Maybe not updated in Freshdesk: %(reason)s"),
    "undo-update": N_("Maybe not undone: %(reason)s"),
    "create-upsales": N_("Maybe not created in Upsales: %(reason)s"),
    "log-ticket": N_("Maybe not logged: %(reason)s"),
    "link-contact": N_("Maybe not linked: %(reason)s"),
    "unlink-contact": N_("Maybe not unlinked: %(reason)s"),
    "follow-up": N_("Maybe no follow-up created: %(reason)s"),
}
UNSURE_CODES = frozenset({"timeout"})
#: The reasons whose card text speaks of the card ("Showing what Freshdesk has") or
#: leaves open whether trying again is safe; the others read as well after an action.
ACTION_REASONS: dict[tuple[str, str], str] = {
    ("freshdesk", "unavailable"): N_("Freshdesk is not answering. It is safe to try again."),
    ("upsales", "unavailable"): N_("Upsales is not answering. It is safe to try again."),
    ("service", "unavailable"): N_("The service failed. It is safe to try again."),
    ("service", "upstreams_down"): N_(
        "Neither Freshdesk nor Upsales is answering. It is safe to try again."
    ),
    ("freshdesk", "timeout"): N_("Freshdesk took too long. Sync to check; trying again is safe."),
    ("upsales", "timeout"): N_("Upsales took too long. Sync to check; trying again is safe."),
    ("service", "timeout"): N_("It took too long. Sync to check; trying again is safe."),
    ("service", "writes_paused"): N_("Changes are paused for a moment. It is safe to try again."),
    ("upsales", "not_found"): N_("The Upsales contact no longer exists. Sync again."),
    ("freshdesk", "undo_changed"): N_("The Freshdesk contact changed after the update."),
}
ACTION_FALLBACK = N_("Something went wrong. Sync to check before trying again.")


def action_message(action: str, issue: Issue, locale: str) -> str:
    """The text of ``issue`` ending the action ``action`` (a route name): what was not
    done, why, and whether trying again is safe ("Not logged: Upsales is not answering.
    It is safe to try again."), cut to the platform's limit."""
    t = translations(locale)
    if (issue.source, issue.code) in ACTION_REASONS:
        reason = t.gettext(ACTION_REASONS[(issue.source, issue.code)])
    elif (issue.source, issue.code) in ISSUES or issue.code == "rate_limited":
        reason = issue_message(issue, locale)
    else:
        reason = t.gettext(ACTION_FALLBACK)
    unsure = issue.code in UNSURE_CODES and action in ACTIONS_UNSURE
    if issue.code in UNSURE_CODES and not unsure:  # a read (the form): nothing to check
        reason = issue_message(issue, locale)
    opening = (ACTIONS_UNSURE if unsure else ACTIONS)[action]
    return fit(t.gettext(opening) % {"reason": reason})


def localise_action(action: str, issues: list[Issue], locale: str) -> list[Issue]:
    return [i.model_copy(update={"message": action_message(action, i, locale)}) for i in issues]
