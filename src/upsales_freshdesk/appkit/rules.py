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
- RMS-OBJ: github freshworks-developers/request-method-samples, app/scripts/request-objects.js
  (Freshworks' 2026 table of template options and substitutions)
- INSTALL-PAGE: https://developers.freshworks.com/docs/app-sdk/v3.0/contact/app-settings/app-installation-page/installation-page
- CUSTOM-PAGE: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/app-settings/custom-app-settings
- MKT-IPERR: github freshworks-developers/marketplace,
  skills/app-dev/references/errors/installation-parameters-errors.md (fdk's error texts)
- MKT-CIPERR: same repo, skills/app-dev/references/errors/custom-iparams-errors.md
- P3-IPERR: github freshworks-developers/freshworks-platform3,
  references/common/fdk-docs/installation-parameters-errors.md (fdk's error texts)
- LINT-DOCS: https://freshworks.dev/docs/guides/submission-guidelines/app-validation and the
  v3.0 lint-validations pages (which lint rules `fdk validate` reports as errors, which as warnings)
- FDK-LINT: the ESLint set-up of an FDK CLI release (its lint validation module, read in a public
  copy): the rules and levels, the files (.js under app/ and server/, not node_modules), that
  minified files skip no-unused-vars and no-empty-function, and that eslint comments in the code
  are honoured (allowInlineConfig)
- SKILL: github freshworks-developers/marketplace, skills/app-dev/SKILL.md (Freshworks' own
  rules for generated apps, quoting fdk's lint messages)
- MKT-AUTOFIX: same repo, skills/app-dev/.cursor/rules/validation-autofix.mdc
- SMI-DOCS: https://developers.freshworks.com/docs/app-sdk/v3.0/support_email/serverless-apps/server-method-invocation/
- MKT-SMI: github freshworks-developers/marketplace,
  skills/app-dev/references/api/server-method-invocation-docs.md
- MKT-MANIFEST: same repo, skills/app-dev/references/architecture/platform3-manifest-structure.md
- MKT-EVENTS: same repo, skills/app-dev/references/architecture/freshdesk_support_*.md and
  freshservice_service_*.md, "what are the serverless events supported by ... module"
- OAUTH-DOCS: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/advanced-interfaces/request-method/oauth/
- MKT-OAUTH: github freshworks-developers/marketplace,
  skills/app-dev/references/architecture/oauth-configuration-latest.md
- OAUTH-SAMPLES: github freshworks-developers/oauth-samples, config/ (platform 3.0) and
  freshdesk/config/ (an older sample)
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
# Known option keys (RMS, MKT-REQ; RMS-OBJ adds `security`, TLS material for the upstream);
# others are warned about (unconfirmed either way).
OPTION_KEYS = ("maxAttempts", "retryDelay", "isOAuth", "oauth", "security")
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
# `options` is mandatory for these types (MKT-IPERR, P3-IPERR: "The mandatory key(s), ...,
# missing"), and refused for every other type (P3-IPERR: "Options must not be specified for
# <type> type").
IPARAM_TYPES_WITH_OPTIONS = ("dropdown", "radio", "multiselect")
# A dropdown names its default_value, and it is one of its options (MKT-IPERR: "specify the
# default value for the dropdown type", "...is not listed in the options"). A radio's or a
# multiselect's default no source describes: one outside the options is only warned about.
IPARAM_DEFAULT_REQUIRED = ("dropdown",)
# A checkbox's default_value, and every `required` and `secure`, is true or false (P3-IPERR:
# "Specify either true or false for the ... key").
IPARAM_BOOLEAN_KEYS = ("required", "secure")
# iparams.json `events` is a list of {"change": "<function in config/assets/iparams.js>"}
# (P3-IPERR: "add the Events as an array", "The <event> event is not supported", "The <callback>
# function does not exist"; the dynamic-iparams tutorial).
IPARAM_EVENTS = ("change",)
IPARAM_CALLBACKS_FILE = "config/assets/iparams.js"

# The custom settings page's global functions. postConfigs() is required by every source
# (MKT-IPARAMS, CUSTOM-PAGE); fdk's error text calls getConfigs and validate mandatory too
# (MKT-CIPERR: "Mandatory method call(s) missing ... getConfigs, postConfigs and validate methods
# are mandatory"), while CUSTOM-PAGE describes them as what Edit Settings and client-side checks
# use: the sources disagree, so a missing one is only warned about.
PAGE_REQUIRED = ("postConfigs",)
PAGE_DISPUTED = ("getConfigs", "validate")

# fdk's lint: rule -> the level `fdk validate` reports it at. Errors by LINT-DOCS and FDK-LINT
# (no-eval, no-alert, no-debugger, no-unreachable, no-empty-function, no-unused-vars with vars
# "local" and args "after-used"), LINT-DOCS alone (no-eq-null, for-direction,
# no-new-native-nonconstructor) and SKILL ("LINT ERROR: Async function has no 'await'
# expression"; unused parameters, `_args` included). Warnings by FDK-LINT (max-nested-callbacks
# 4, handle-callback-err). A 2026 Freshworks sample (request-method-samples app/scripts) still
# writes `!= null`. Whether a lint error blocks an upload the sources disagree (SKILL:
# "CANNOT pass fdk validate"; MKT-AUTOFIX: lint errors are not fatal), so lint errors warn and
# fail only with --strict.
LINT_RULES: dict[str, str] = {
    "no-eval": "error",
    "no-alert": "error",
    "no-debugger": "error",
    "no-unreachable": "error",
    "no-empty-function": "error",
    "no-unused-vars": "error",
    "no-eq-null": "error",
    "for-direction": "error",
    "no-new-native-nonconstructor": "error",
    "require-await": "error",
    "max-nested-callbacks": "warning",
    "handle-callback-err": "warning",
}
MAX_NESTED_CALLBACKS = 4  # FDK-LINT
CALLBACK_ERROR = r"^.*(e|E)rr"  # FDK-LINT handle-callback-err pattern
# FDK-LINT: a file with under 20% of its lines indented is minified (a vendored library).
MINIFIED_INDENT_PERCENT = 20

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
# SMI functions are declared under modules.common.functions only (SMI-DOCS; MKT-MANIFEST: "All
# functions are declared in modules.common.functions"). Names: letters, digits and _, not first a
# digit, 2 to 40 characters (MKT-SMI).
SMI_NAME = r"^[A-Za-z_][A-Za-z0-9_]{1,39}$"
# functions.<name>.timeout, in seconds: MKT-SMI and MKT-MANIFEST list 20, 25 and 30 ("Timeout
# should be one of the allowed values"), while their own examples use 10 and 15; so a whole
# number up to 30 outside the list is only warned about, anything else is refused.
SMI_TIMEOUTS = (20, 25, 30)
SMI_TIMEOUT_MAX = 30

# Events declared under modules.common: app set-up, external and scheduled events (MKT-EVENTS:
# "configure these events at modules.common"; MKT-MANIFEST).
COMMON_EVENTS = (
    "onAppInstall",
    "afterAppUpdate",
    "onAppUninstall",
    "onExternalEvent",
    "onScheduledEvent",
)
# Product events, each under its own module (MKT-EVENTS: "configure these events at
# modules.<module>"). support_email has none. The support_company list is printed garbled
# ("onContaconCompanyCreate", "onCompanyDeletetCreate"); its own example uses onCompanyCreate.
PRODUCT_EVENTS: dict[str, tuple[str, ...]] = {
    "support_ticket": (
        "onTicketCreate",
        "onTicketUpdate",
        "onTicketDelete",
        "onTimeEntryCreate",
        "onTimeEntryUpdate",
        "onTimeEntryDelete",
        "onTicketFieldCreate",
        "onTicketFieldDelete",
        "onConversationCreate",
        "onConversationUpdate",
        "onConversationDelete",
        "onCannedResponseCreate",
        "onCannedResponseUpdate",
        "onCannedResponseDelete",
    ),
    "support_contact": ("onContactCreate", "onContactUpdate", "onContactDelete"),
    "support_company": ("onCompanyCreate", "onCompanyUpdate", "onCompanyDelete"),
    "support_agent": (
        "onAgentCreate",
        "onAgentUpdate",
        "onAgentDelete",
        "onAgentStatusCreate",
        "onAgentStatusDelete",
        "onAgentStatusUpdate",
        "onAgentAvailabilityUpdate",
        "onGroupCreate",
        "onGroupUpdate",
        "onGroupDelete",
    ),
    "support_portal": (
        "onTopicCreate",
        "onTopicUpdate",
        "onTopicDelete",
        "onForumCreate",
        "onForumUpdate",
        "onForumDelete",
        "onForumCategoryCreate",
        "onForumCategoryUpdate",
        "onForumCategoryDelete",
        "onPortalForumCategoryCreate",
        "onPortalForumCategoryDelete",
        "onArticleCreate",
        "onArticleUpdate",
        "onArticleDelete",
        "onPortalSolutionCategoryCreate",
        "onPortalSolutionCategoryDelete",
        "onFolderCreate",
        "onFolderUpdate",
        "onFolderDelete",
        "onSurveyCreate",
        "onSurveyUpdate",
        "onCategoryCreate",
        "onCategoryUpdate",
        "onCategoryDelete",
    ),
    "support_email": (),
    "service_ticket": ("onTicketCreate", "onTicketUpdate", "onConversationCreate"),
    "service_user": ("onUserCreate", "onUserUpdate", "onUserDelete"),
}

# OAuth (platform 3.0): config/oauth_config.json wraps its configurations in `integrations`
# (MKT-OAUTH: "OAuth config must have required property 'integrations'"; OAUTH-SAMPLES), each
# with exactly these keys (MKT-OAUTH: "must NOT have additional properties"), at most three, and
# at most one for agent installation (OAUTH-DOCS). A template that uses `access_token` names its
# configuration in options.oauth (MKT-OAUTH: "OAuth request missing options"; RMS-OBJ: "OAuth
# token in headers when options.oauth is set"); `access_token` goes only in header values (RMS
# substitution table). options.isOAuth is the 2.3 form (RMS), with no name to pick among
# integrations: it is only warned about.
OAUTH_FILE = "config/oauth_config.json"
OAUTH_REQUIRED = (
    "display_name",
    "client_id",
    "client_secret",
    "authorize_url",
    "token_url",
    "token_type",
)
OAUTH_OPTIONAL = ("options", "oauth_iparams")
OAUTH_TOKEN_TYPES = ("account", "agent")
OAUTH_MAX_INTEGRATIONS = 3
OAUTH_MAX_AGENT = 1

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
