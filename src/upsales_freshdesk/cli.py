"""The ``upsales-freshdesk`` command line.

``serve`` and ``sync`` load only the runtime (settings, clients, the rules, the card, the
actions, the sync, the web app): the emulators, the demo and the app validator are
imported inside their own commands, so a cron-run sync does not load them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from .settings import Settings, invalid_setting
from .sync.triggers_cli import app as triggers_commands

if TYPE_CHECKING:
    from .emulators.server import EmulatorConfig

app = typer.Typer(
    help="Upsales CRM data in the Freshdesk ticket sidebar, and contact sync.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


@app.callback()
def _root() -> None:
    """Upsales CRM data in the Freshdesk ticket sidebar, and contact sync."""


def _refuse(reason: str) -> NoReturn:
    """Stop ``serve`` before it starts: one line that names the setting, exit status 2."""
    console.print(f"[red]Refusing to start:[/red] {reason}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _check_start(settings: Settings, host: str, workers: int) -> None:
    """Refuse what must not run (secure by default, on any host: see
    ``web.app.check_start``), then warn about the risks the operator chose."""
    from .clients.hostnames import is_loopback
    from .settings import StartupError, operator_warnings
    from .web.app import check_start

    try:
        check_start(settings)
    except StartupError as exc:
        _refuse(str(exc))
    if workers > 1 and settings.redis_url is None:
        _refuse(
            f"--workers {workers} without UFD_REDIS_URL: each worker process would keep its "
            "own idempotency keys and rate budgets, so one click could write twice and the "
            "workers together could spend more than the Freshdesk plan allows. Set "
            "UFD_REDIS_URL to a Redis they share, or run one worker."
        )
    for warning in operator_warnings(settings, public=not is_loopback(host)):
        console.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False, soft_wrap=True)


def _print_emulators(config: EmulatorConfig) -> None:
    lines = (
        "[bold]Emulators[/bold] (made-up data; demo keys only)",
        f"  Freshdesk  {config.freshdesk_url}  API key: {config.freshdesk_key}"
        f"  (domain {config.freshdesk_domain})",
        f"  Upsales    {config.upsales_url}  token: {config.upsales_token}",
        f"  Controls   http://{config.host}:{{port}}/_emulator/stats | reset | faults",
        f"Freshdesk plan: {config.plan}; latency {config.latency_ms:g} ms; seed {config.seed}."
        " Ctrl+C stops.",
    )
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)


@app.command()
def emulate(
    host: Annotated[str, typer.Option(help="Loopback address to serve on.")] = "127.0.0.1",
    freshdesk_port: Annotated[int, typer.Option(help="Port of the Freshdesk emulator.")] = 9001,
    upsales_port: Annotated[int, typer.Option(help="Port of the Upsales emulator.")] = 9002,
    latency_ms: Annotated[float, typer.Option(min=0, help="Added latency per call.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the made-up book.")] = 1,
    plan: Annotated[
        str, typer.Option(help="Freshdesk plan (trial, growth, pro, enterprise) or calls/min.")
    ] = "pro",
    freshdesk_key: Annotated[
        str | None,
        typer.Option(help="API key the Freshdesk emulator accepts (default: its demo key)."),
    ] = None,
    upsales_token: Annotated[
        str | None,
        typer.Option(help="Token the Upsales emulator accepts (default: its demo token)."),
    ] = None,
    extra_upsales_tokens: Annotated[
        int, typer.Option(min=0, max=1000, help="Also accept N more tokens, <token>-1..N.")
    ] = 0,
) -> None:
    """Serve the Freshdesk and Upsales emulators on loopback."""
    from .emulators.freshdesk.app import DEFAULT_KEY
    from .emulators.freshdesk.limits import parse_plan as emulated_plan
    from .emulators.server import EmulatorConfig
    from .emulators.server import run as run_emulators
    from .emulators.upsales.app import DEFAULT_TOKEN

    freshdesk_key = freshdesk_key or DEFAULT_KEY
    upsales_token = upsales_token or DEFAULT_TOKEN
    try:
        emulated_plan(plan)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--plan") from None
    try:
        config = EmulatorConfig(
            host=host,
            freshdesk_port=freshdesk_port,
            upsales_port=upsales_port,
            seed=seed,
            plan=plan,
            latency_ms=latency_ms,
            freshdesk_key=freshdesk_key,
            upsales_token=upsales_token,
            extra_upsales_tokens=tuple(
                f"{upsales_token}-{i}" for i in range(1, extra_upsales_tokens + 1)
            ),
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--host") from None
    _print_emulators(config)
    try:
        run_emulators(config)
    except KeyboardInterrupt:
        console.print("stopped")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    freshdesk_base_url: Annotated[
        str | None, typer.Option(help="Freshdesk API base URL override (emulators).")
    ] = None,
    upsales_base_url: Annotated[
        str | None, typer.Option(help="Upsales API base URL override (emulators).")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (one per core scales best).")
    ] = 1,
    allow_no_secret: Annotated[
        bool,
        typer.Option(
            "--allow-no-secret",
            help="Serve without UFD_SERVICE_SECRET (an open relay: not advised).",
        ),
    ] = False,
) -> None:
    """Serve the backend (card and validation API) that the Freshworks app calls.

    Every other setting comes from the environment (UFD_*) or a .env file. The service
    refuses to start without UFD_SERVICE_SECRET (32+ characters) unless --allow-no-secret
    (or UFD_ALLOW_NO_SECRET=true), and with --workers above 1 without UFD_REDIS_URL.
    """
    import os

    import uvicorn

    from .web.server import uvicorn_options

    for name, value in (
        ("UFD_FRESHDESK_BASE_URL", freshdesk_base_url),
        ("UFD_UPSALES_BASE_URL", upsales_base_url),
        ("UFD_ALLOW_NO_SECRET", "true" if allow_no_secret else None),
    ):
        if value:
            os.environ[name] = value  # workers read their settings from the environment
    try:
        settings = Settings()  # fail here, once, on a bad setting
    except ValueError as exc:
        _refuse(invalid_setting(exc))
    _check_start(settings, host, workers)
    console.print(
        f"Serving on http://{host}:{port}/ (POST /v1/card, /v1/validate) with {workers} worker(s)",
        highlight=False,
        soft_wrap=True,
    )
    # /metrics of all workers: prometheus_client's multiprocess folder, set up before the
    # workers start (web/metrics.py prepare_workers).
    from .web.metrics import prepare_workers

    prepare_workers(workers)
    uvicorn.run(
        "upsales_freshdesk.web.app:build",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        proxy_headers=False,  # the app trusts X-Forwarded-* only from UFD_TRUSTED_PROXIES
        server_header=False,
        log_config=None,  # the app logs JSON through its redacting processors
        **uvicorn_options(settings),
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Loopback address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the demo.")] = 8080,
    latency_ms: Annotated[float, typer.Option(min=0, help="Latency per upstream call.")] = 40,
    seed: Annotated[int, typer.Option(help="Seed of the made-up book.")] = 1,
    app_dir: Annotated[Path | None, typer.Option(help="The Freshworks app folder.")] = None,
) -> None:
    """Serve the whole product on one URL: a Freshdesk-like page running the real app."""
    import logging

    from .clients.hostnames import is_loopback
    from .demo.run import PortTaken, bind_demo, find_app_dir, serve_demo
    from .web.logs import configure_logging

    if not is_loopback(host):
        raise typer.BadParameter("the demo serves on loopback only", param_hint="--host")
    folder = find_app_dir(app_dir)
    configure_logging(logging.WARNING)  # a quiet console for people trying the demo
    try:
        sock = bind_demo(host, port)
    except PortTaken as taken:
        console.print(f"[red]Cannot start the demo:[/red] {taken}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(
        f"Demo: http://{host}:{port}/  (made-up data, no accounts needed; Ctrl+C stops)",
        highlight=False,
    )
    serve_demo(sock, app_dir=folder, seed=seed, latency_ms=latency_ms)


@app.command()
def sync(
    config: Annotated[
        Path | None, typer.Option(help="A .env-style file with the UFD_SYNC_* settings.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; write nothing.")
    ] = False,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Write a machine-readable report here (on every exit code)."),
    ] = None,
    create_missing: Annotated[
        bool | None, typer.Option(help="Create Freshdesk contacts missing for Upsales ones.")
    ] = None,
) -> None:
    """Sync changed Upsales contacts onto Freshdesk contacts (credentials from the environment).

    Exit codes: 0 done; 2 done, some records failed; 3 settings missing or invalid, or a
    key or token refused; 4 stopped by an upstream error (nothing written if before the
    run; otherwise the next run resumes from the checkpoint); 5 another run holds the
    lock on the state file; 6 the Upsales key made its day's calls (UFD_UPSALES_DAILY_CAP).
    """
    from .sync.cli import main as run_sync

    raise typer.Exit(
        run_sync(
            config,
            dry_run=dry_run,
            json_out=json_out,
            create_missing=create_missing,
            console=console,
        )
    )


app_commands = typer.Typer(help="Validate and pack the Freshworks app.", no_args_is_help=True)
app.add_typer(app_commands, name="app")
APP_DIR = Path("freshworks-app")


@app_commands.command("validate")
def app_validate(
    path: Annotated[Path, typer.Argument(help="The app folder.")] = APP_DIR,
    strict: Annotated[
        bool, typer.Option("--strict", help="Also enforce this project's preferences.")
    ] = False,
) -> None:
    """Check the app the way the platform would; --strict adds the project's preferences."""
    from .appkit.validate import validate_app

    report = validate_app(path, strict=strict)
    for warning in report.warnings:
        console.print(f"[yellow]![/yellow] {warning}", highlight=False)
    for error in report.errors:
        console.print(f"[red]✗[/red] {error}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)
    console.print(f"[green]✓[/green] {path} is valid", highlight=False)


@app_commands.command("pack")
def app_pack(
    path: Annotated[Path, typer.Argument(help="The app folder.")] = APP_DIR,
    out: Annotated[Path, typer.Option(help="Where to write the zip.")] = Path("dist"),
) -> None:
    """Validate, then build the zip to upload as a custom app."""
    from .appkit.pack import InvalidAppError, pack_app

    try:
        target = pack_app(path, out)
    except InvalidAppError as exc:
        for error in exc.errors:
            console.print(f"[red]✗[/red] {error}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"[green]✓[/green] wrote {target}", highlight=False)


timeline_commands = typer.Typer(
    help="The Freshdesk automation rules that put tickets on the Upsales timeline.",
    no_args_is_help=True,
)
app.add_typer(timeline_commands, name="timeline")
ServiceUrl = Annotated[
    str, typer.Option("--url", help="The service's public URL, e.g. https://ufd.example.com.")
]
TicketUrl = Annotated[
    bool,
    typer.Option(
        "--ticket-url/--no-ticket-url",
        help="Send {{ticket.url}}, whose host the service checks is its account.",
    ),
]


def _say(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def _webhook_url(url: str) -> str:
    from .timeline.automation import webhook_url

    try:
        return webhook_url(url)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--url") from None


@timeline_commands.command("rules")
def timeline_rules(
    url: ServiceUrl,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the Automations API calls instead.")
    ] = False,
    ticket_url: TicketUrl = True,
) -> None:
    """Print the two rules to make in Freshdesk (no secret: a placeholder stands for it)."""
    from .timeline.commands import print_rules

    raise typer.Exit(
        print_rules(_webhook_url(url), as_json=as_json, ticket_url=ticket_url, out=_say)
    )


@timeline_commands.command("install")
def timeline_install(url: ServiceUrl, ticket_url: TicketUrl = True) -> None:
    """Create or update the two rules through Freshdesk's API (the UFD_SYNC_* key).

    Running it again changes nothing. Exit codes: 0 done; 3 a setting missing or
    invalid, or the key refused; 4 Freshdesk failed or refused a rule.
    """
    from .timeline.commands import run_install

    raise typer.Exit(run_install(_webhook_url(url), ticket_url=ticket_url, out=_say))


@timeline_commands.command("status")
def timeline_status() -> None:
    """Whether both rules exist, are on and send UFD_WEBHOOK_SECRET (their ids).

    Exit codes: 0 ready; 1 a rule missing, off or sending another secret; 3 a setting
    missing or invalid, or the key refused; 4 Freshdesk failed.
    """
    from .timeline.commands import run_status

    raise typer.Exit(run_status(out=_say))


app.add_typer(triggers_commands, name="triggers")


def main() -> None:
    app()
