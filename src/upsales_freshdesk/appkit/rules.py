"""The platform-3.0 rules the validator checks, as plain data the demo can also serve as JSON.

Source shorthands (where each rule's text is published; docs/development.md lists them per rule):
- RMS: github freshworks-developers/request-method-samples, UserGuide.md
- MKT-REQ: github freshworks-developers/marketplace,
  skills/app-dev/references/api/request-method-docs.md (Freshworks' copy of the official text)
- MKT-IPARAMS: same repo, skills/app-dev/references/runtime/custom-iparams-docs.md
- P3-LOC: github freshworks-developers/freshworks-platform3,
  .cursor/rules/platform3-modules-locations.mdc
- PLACEHOLDERS: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/placeholders
  and github freshworks-developers/app-placeholder-samples README.md
"""

from __future__ import annotations

from typing import Any

FIELDS = ("host", "path", "query", "headers", "body")
CALLERS = ("frontend", "install", "server")
KINDS = ("iparam", "secure", "context")

# field -> caller -> the placeholder kinds the platform substitutes there.
PLACEHOLDER_RULES: dict[str, dict[str, list[str]]] = {
    # host: non-secure iparams (RMS "Request schema" substitution table); context only on the
    # installation page and in serverless apps (MKT-REQ "Support of context substitution in
    # request templates": "schema.host: Supported in installation page and Serverless apps").
    "host": {
        "frontend": ["iparam"],
        "install": ["iparam", "context"],
        "server": ["iparam", "context"],
    },
    # path: non-secure iparams and context, every caller (RMS substitution table; MKT-REQ).
    "path": {
        "frontend": ["iparam", "context"],
        "install": ["iparam", "context"],
        "server": ["iparam", "context"],
    },
    # query: as path (RMS substitution table; MKT-REQ).
    "query": {
        "frontend": ["iparam", "context"],
        "install": ["iparam", "context"],
        "server": ["iparam", "context"],
    },
    # headers (values): secure and non-secure iparams everywhere (RMS; MKT-REQ "Invalid iparam
    # substitution": secure iparams only in schema.headers); context only on the installation
    # page and in serverless apps (MKT-REQ: "schema.header: Supported in installation page and
    # Serverless apps").
    "headers": {
        "frontend": ["iparam", "secure"],
        "install": ["iparam", "secure", "context"],
        "server": ["iparam", "secure", "context"],
    },
    # body: never substituted; the body is passed at runtime as a string (RMS: "Request body
    # is passed at runtime and not added to the template").
    "body": {"frontend": [], "install": [], "server": []},
}

# options.maxAttempts: integer 1..5, default 1 (RMS "options" table; MKT-REQ).
MAX_ATTEMPTS = (1, 5)
# options.retryDelay: milliseconds, at most 1500 (RMS: 1..1500, default 1000; MKT-REQ: multiples
# of 100 up to 1500, default 0). The union 0..1500 is accepted; a non-multiple of 100 is a warning.
RETRY_DELAY = (0, 1500)
# Known option keys (RMS, MKT-REQ); others are warned about (unconfirmed either way).
OPTION_KEYS = ("maxAttempts", "retryDelay", "isOAuth", "oauth")
# Content-Type values the request method supports; others get 415 (MKT-REQ "Supported content
# types"; developers.freshteam.com/docs/request-method lists the same).
CONTENT_TYPES = (
    "application/json",
    "application/xml",
    "text/html",
    "text/xml",
    "application/jsonp",
    "text/plain",
    "text/javascript",
    "application/vnd.api+json",
)
# schema.method (RMS "Request schema" table).
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
# Schema keys documented by RMS; `body` is listed so its placeholders can be reported.
SCHEMA_KEYS = ("method", "protocol", "host", "path", "headers", "query", "body")
# At most 100 templates (developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/
# advanced-interfaces/request-method/).
MAX_TEMPLATES = 100

# iparams.json types on platform 3.0 (freshworks.dev/docs/app-sdk/v3.0/support_company/
# app-settings/app-installation-page/installation-page).
IPARAM_TYPES = (
    "text",
    "paragraph",
    "dropdown",
    "email",
    "number",
    "phone_number",
    "date",
    "url",
    "radio",
    "checkbox",
    "multiselect",
)
IPARAM_TYPES_WITH_OPTIONS = ("dropdown", "radio", "multiselect")

# Placeholders under modules.common.location (PLACEHOLDERS; P3-LOC for the CRM ones).
COMMON_LOCATIONS = ("full_page_app", "cti_global_sidebar", "left_nav_cti", "left_nav_chat")
# Placeholders per product module (PLACEHOLDERS for Freshdesk and Freshservice; P3-LOC adds the
# Freshservice extras and the CRM modules; MKT freshdesk_support_ticket.md the new_ticket_* ones).
MODULE_LOCATIONS: dict[str, tuple[str, ...]] = {
    "support_ticket": (
        "ticket_sidebar",
        "ticket_requester_info",
        "ticket_top_navigation",
        "ticket_background",
        "time_entry_background",
        "ticket_attachment",
        "ticket_conversation_editor",
        "new_ticket_requester_info",
        "new_ticket_background",
    ),
    "support_email": ("new_email_requester_info", "new_email_background"),
    "support_contact": ("contact_sidebar", "contact_background", "contact_list_background"),
    "support_company": ("company_background", "company_list_background"),
    "service_ticket": (
        "ticket_sidebar",
        "ticket_requester_info",
        "ticket_top_navigation",
        "ticket_background",
        "new_ticket_sidebar",
        "new_ticket_background",
        "ticket_conversation_editor",
        "new_ticket_description_editor",
    ),
    "service_asset": ("asset_sidebar", "asset_top_navigation", "asset_background"),
    "service_change": (
        "change_sidebar",
        "change_background",
        "new_change_sidebar",
        "new_change_background",
    ),
    "service_user": ("contact_sidebar",),
    "deal": ("deal_entity_menu", "deal_overview"),
    "contact": ("contact_entity_menu", "contact_overview"),
    "account": ("account_entity_menu", "account_overview"),
}
# Modules that exist but whose placeholders we could not list (P3-LOC; MKT freshdesk_modules.md).
# A location there is only warned about.
OTHER_MODULES = (
    "support_agent",
    "support_portal",
    "service_problem",
    "service_release",
    "lead",
    "appointment",
    "sales_activity",
)
# Icon files: an image is required (P3-LOC / MKT SKILL "Gate 2"); only SVG is confirmed
# (developer.freshdesk.com/v2/docs/app-locations/), so other images are warned about.
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif")

# Crayons, the only CDN script `--strict` allows (github freshworks-developers/
# configuration-page-samples iparams-html/config/iparams.html).
CRAYONS_PREFIX = "https://cdn.jsdelivr.net/npm/@freshworks/crayons@"
# The engines our own app pins (`--strict`; FDK-3.0 reference §0, marketplace engine-matrix.md).
PINNED_NODE = "24.11.0"
PINNED_FDK_MAJOR = "10."


def check_placeholder(field: str, caller: str, kind: str) -> bool:
    """Whether the platform substitutes a placeholder of ``kind`` in ``field`` for ``caller``."""
    return kind in PLACEHOLDER_RULES.get(field, {}).get(caller, [])


def rules_json() -> dict[str, Any]:
    """The placeholder rule and the option limits, for the browser stand-in."""
    return {
        "placeholders": {
            f: {c: list(k) for c, k in cs.items()} for f, cs in PLACEHOLDER_RULES.items()
        },
        "maxAttempts": {"min": MAX_ATTEMPTS[0], "max": MAX_ATTEMPTS[1]},
        "retryDelay": {"min": RETRY_DELAY[0], "max": RETRY_DELAY[1]},
        "contentTypes": list(CONTENT_TYPES),
        "methods": list(METHODS),
    }
