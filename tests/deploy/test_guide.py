"""docs/deploy.md, followed word for word, works: its build and install steps run from a
clean clone of the repository.

The commands are read from the guide's ``sh`` blocks ("## Build" and "## The service on
a host (systemd)"), in order, and run with the host's paths moved under a temporary
folder (``/opt/upsales-freshdesk``, ``/etc/upsales-freshdesk``, ``/etc/systemd/system``,
``/var/lib/upsales-freshdesk``). What needs root or a running systemd is read and checked
instead of run: ``useradd`` must create the unit's user with the unit's working
directory as home, and ``systemctl enable --now`` starts the copied unit's ``ExecStart``
as systemd would (its ``EnvironmentFile`` parsed with systemd's rules, its
``WorkingDirectory``, a bare environment; the port moved to a free one). A command the
test does not know fails it, so the guide cannot drift from what is tested.

Two shortcuts, for speed: ``make dist`` runs with this interpreter's venv (``BIN=``, no
``.venv`` set up in the clone), and pip installs the wheel's dependencies through its
cache. The clone is of HEAD: commit a change to the guide, the unit or ``.env.example``
before this test sees it. Without git, make or python3 >= 3.11 it is skipped, unless
``CI`` is set, where it fails.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from upsales_freshdesk.web.launch import free_port

ROOT = Path(__file__).resolve().parents[2]
UNIT = "upsales-freshdesk.service"
#: The host's paths the guide uses, and where the test puts each (under its folder).
HOST_PATHS = {
    "/etc/systemd/system": "systemd",
    "/opt/upsales-freshdesk": "opt",
    "/etc/upsales-freshdesk": "etc",
    "/var/lib/upsales-freshdesk": "var",
}
ENV_LINE = re.compile(r"^[A-Z][A-Z0-9_]*=")


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        reason = f"{tool} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it")
        pytest.skip(reason)
    return found


# ---- reading the guide ----------------------------------------------------------------


def section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def sh_blocks(text: str) -> list[list[str]]:
    """Each ```sh block's lines, dedented, continuation lines joined."""
    blocks = []
    for indent, body in re.findall(r"^( *)```sh\n(.*?)^\1```", text, re.M | re.S):
        lines: list[str] = []
        pending = ""
        for raw in body.splitlines():
            line = raw.removeprefix(indent)
            if line.endswith("\\"):
                pending += line[:-1]
                continue
            lines.append(pending + line)
            pending = ""
        blocks.append([line for line in lines if line.strip()])
    return blocks


def systemd_env_file(path: Path) -> dict[str, str]:
    """``EnvironmentFile=`` as systemd reads it: ``#``/``;`` lines are comments, the value
    is everything after ``=`` (a ``#`` after a value is part of it), trimmed, and
    unquoted when the whole value is quoted."""
    env: dict[str, str] = {}
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[name.strip()] = value
    return env


def unit_file(path: Path) -> dict[str, list[str]]:
    """A unit's ``[Service]`` keys and their values (repeated keys keep every value)."""
    keys: dict[str, list[str]] = {}
    section_name = ""
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section_name = line.strip("[]")
        elif section_name == "Service":
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


# ---- following it ---------------------------------------------------------------------


@dataclass
class Host:
    """The machine the guide installs on, under one temporary folder."""

    root: Path
    here: Path  # the folder with the copies of dist/, deploy/ and .env.example
    env: dict[str, str]
    secret: str = ""
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)
    port: int = 0
    url: str = ""  # where the started unit answers (its port moved)
    unit_url: str = ""  # where the unit says it answers
    log: Path | None = None
    healthz: str = ""

    def path(self, word: str) -> str:
        for host_path, folder in HOST_PATHS.items():
            if word == host_path or word.startswith(host_path + "/"):
                return str(self.root / folder) + word[len(host_path) :]
        return word

    def words(self, words: list[str]) -> list[str]:
        """Host paths moved, and globs expanded as the shell would (each must match)."""
        out: list[str] = []
        for word in map(self.path, words):
            if "*" in word:  # the guide's globs are `*` only (code in quotes has "[")
                matches = sorted(glob.glob(word, root_dir=self.here))
                assert matches, f"{word!r} matches no file in {sorted(os.listdir(self.here))}"
                out += matches
            else:
                out.append(word)
        return out

    def run(self, words: list[str], timeout: float = 120) -> str:
        done = subprocess.run(  # the guide's own command, its paths moved
            self.words(words),
            cwd=self.here,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"{shlex.join(words)}: {done.stdout}\n{done.stderr}"
        return done.stdout


def clean_env() -> dict[str, str]:
    """This environment without the test venv (``python3`` is the system's) or UFD_*."""
    bin_dir = str(Path(sys.prefix) / "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith("UFD_")}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bin_dir)
    return env


def start_unit(host: Host, name: str) -> None:
    """``systemctl enable --now``: the copied unit's ExecStart, as systemd starts it."""
    unit = unit_file(Path(host.path(f"/etc/systemd/system/{name}")))
    (command,) = unit["ExecStart"]
    (env_file,) = unit["EnvironmentFile"]
    (workdir,) = unit["WorkingDirectory"]
    settings = systemd_env_file(Path(host.path(env_file)))
    for assignment in unit.get("Environment", []):
        key, _, value = assignment.partition("=")
        settings.setdefault(key, value)
    words = shlex.split(command)
    if "--workers" in words and int(words[words.index("--workers") + 1]) > 1:
        assert settings.get("UFD_REDIS_URL"), f"{name} runs {command!r} with no UFD_REDIS_URL"
    address, port = words[words.index("--host") + 1], words.index("--port") + 1
    host.unit_url = f"http://{address}:{words[port]}"
    host.port = free_port()
    words[port] = str(host.port)
    host.url = f"http://{address}:{host.port}"
    folder = Path(host.path(workdir))
    folder.mkdir(parents=True, exist_ok=True)  # StateDirectory=
    host.log = host.root / f"{name}.log"
    bare = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8"}
    with host.log.open("wb") as sink:
        proc = subprocess.Popen(  # the unit's ExecStart, its paths moved
            host.words(words),
            cwd=folder,
            env={**bare, **settings},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    host.started.append(proc)
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited {proc.returncode}:\n{host.log.read_text()}")
        try:
            httpx.get(f"{host.url}/healthz", timeout=1)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{name}: no answer in 30 s\n{host.log.read_text()}"
            time.sleep(0.1)


def edit_env(host: Host, lines: list[str]) -> None:
    """The guide's "set at least these lines": each replaces its (commented) line of the
    file copied from .env.example, or is added."""
    (env_file,) = unit_file(host.here / "deploy" / UNIT)["EnvironmentFile"]
    path = Path(host.path(env_file))
    text = path.read_text("utf-8")
    for line in lines:
        name, _, value = line.partition("=")
        if value.startswith("<") and value.endswith(">"):
            assert "secret" in value, f"a placeholder the test cannot fill: {line}"
            value = host.secret
        assert "#" not in value, f"systemd keeps a comment after a value: {line!r}"
        pattern = re.compile(rf"^#? ?{re.escape(name)}=.*$", re.M)
        new = f"{name}={value}"
        text, count = pattern.subn(new, text, count=1)
        if not count:
            text += f"\n{new}\n"
    path.write_text(text, "utf-8")


def follow(host: Host, line: str) -> None:
    """One command of the guide."""
    words = shlex.split(line, comments=True)
    if not words:
        return
    program, args = words[0], words[1:]
    match program, args:
        case "useradd", [*options, user]:
            unit = unit_file(host.here / "deploy" / UNIT)
            assert "--system" in options, line
            assert user == unit["User"][0] == unit["Group"][0], line
            home = options[options.index("--home-dir") + 1]
            assert home == unit["WorkingDirectory"][0], line
            assert options[options.index("--shell") + 1] == "/usr/sbin/nologin", line
        case "python3", ["-m", "venv", _]:
            host.run(words)
            version = host.run(
                [
                    f"{args[2]}/bin/python",
                    "-c",
                    "import sys; print(sys.version_info[:2] >= (3, 11))",
                ]
            )
            assert version.strip() == "True", "the guide's python3 is older than 3.11"
        case "python3", ["-c", code] if "secrets" in code:
            host.secret = host.run(words).strip()
            assert len(host.secret) >= 32, host.secret
        case _, ["install", *_] if program.endswith("/bin/pip"):
            host.run(words, timeout=600)
        case "install", _:
            host.run(words)
        case "cp", _:
            host.run(words)
        case "systemctl", ["daemon-reload"]:
            pass
        case "systemctl", ["enable", "--now", *units]:
            assert units == [UNIT], line
            start_unit(host, UNIT)
        case "curl", [*_, url]:
            assert url == f"{host.unit_url}/healthz", f"{line}: the unit serves {host.unit_url}"
            host.healthz = httpx.get(f"{host.url}/healthz", timeout=5).text
        case _:
            pytest.fail(f"docs/deploy.md: a command this test does not know: {line!r}")


# ---- the tests ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean clone of HEAD, built with the guide's "## Build" commands."""
    git = _need("git")
    make = _need("make")
    if not (ROOT / ".git").exists():
        if os.environ.get("CI"):
            pytest.fail(f"{ROOT} is not a git checkout")
        pytest.skip("not a git checkout")
    dest = tmp_path_factory.mktemp("guide") / "clone"
    subprocess.run([git, "clone", "--quiet", str(ROOT), str(dest)], check=True, timeout=120)
    guide = (dest / "docs" / "deploy.md").read_text("utf-8")
    commands = [line for block in sh_blocks(section(guide, "Build")) for line in block]
    assert commands == ["make dist"], commands
    done = subprocess.run(  # the guide's build, with this interpreter's venv
        [make, "-C", str(dest), "dist", "STAMP=", f"BIN={Path(sys.executable).parent}"],
        env=clean_env() | {"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"make dist:\n{done.stdout}\n{done.stderr}"
    return dest


@pytest.fixture(scope="module")
def host(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """The guide's "## The service on a host (systemd)", followed."""
    _need("python3")
    root = tmp_path_factory.mktemp("host")
    here = root / "copies"
    here.mkdir()
    (root / HOST_PATHS["/etc/systemd/system"]).mkdir()  # a systemd host has it
    # "Copy dist/, deploy/ and .env.example to the host, into one folder"
    shutil.copytree(clone / "dist", here / "dist")
    shutil.copytree(clone / "deploy", here / "deploy")
    shutil.copy2(clone / ".env.example", here / ".env.example")
    machine = Host(root=root, here=here, env=clean_env())
    guide = (clone / "docs" / "deploy.md").read_text("utf-8")
    try:
        for block in sh_blocks(section(guide, "The service on a host (systemd)")):
            if all(ENV_LINE.match(line) for line in block):
                edit_env(machine, block)
            else:
                for line in block:
                    follow(machine, line)
        assert machine.started, "the guide never starts the service"
        yield machine
    finally:
        for proc in machine.started:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def version(clone: Path) -> str:
    return str(tomllib.loads((clone / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def test_make_dist_writes_the_files_the_guide_names(clone: Path) -> None:
    wheel = f"upsales_freshdesk-{version(clone)}-py3-none-any.whl"
    assert sorted(p.name for p in (clone / "dist").iterdir()) == ["freshworks-app.zip", wheel]
    build = section((clone / "docs" / "deploy.md").read_text("utf-8"), "Build")
    assert f"`dist/{wheel}`" in build
    assert "`dist/freshworks-app.zip`" in build


def test_the_guide_installs_and_starts_the_service(host: Host, clone: Path) -> None:
    guide = section(
        (clone / "docs" / "deploy.md").read_text("utf-8"), "The service on a host (systemd)"
    )
    (answer,) = re.findall(r"answers `(\{.*?\})`", guide)
    assert json.loads(host.healthz) == json.loads(answer)
    assert host.log is not None
    # the wheel holds the compiled catalogs: a refusal in Swedish differs from English
    messages = {
        locale: httpx.post(f"{host.url}/v1/card?locale={locale}", json={}, timeout=5).json()
        for locale in ("en", "sv")
    }
    assert messages["en"]["errors"][0]["code"] == "auth_failed"
    assert messages["en"]["errors"][0]["message"] != messages["sv"]["errors"][0]["message"]
    # and the secret from the env file is the one the service asks for
    refused = httpx.post(
        f"{host.url}/v1/card",
        json={},
        headers={"Authorization": f"Bearer {host.secret}"},
        timeout=5,
    )
    assert refused.json()["errors"][0]["code"] != "auth_failed", refused.text


def test_the_installed_wheel_has_what_the_service_reads_at_run_time(host: Host) -> None:
    (package,) = glob.glob(
        str(host.root / "opt" / "lib" / "python3*" / "site-packages" / "upsales_freshdesk")
    )
    files = {str(p.relative_to(package)) for p in Path(package).rglob("*") if p.is_file()}
    for needed in (
        "web/rendering/templates/card.html",
        "web/rendering/templates/contact_form.html",
        "web/rendering/locales/en/LC_MESSAGES/messages.mo",
        "web/rendering/locales/sv/LC_MESSAGES/messages.mo",
        "demo/static/index.html",
        "py.typed",
    ):
        assert needed in files, needed
    assert not [f for f in files if "node_modules" in f]


def test_the_service_logs_json_lines_with_its_pid(host: Host) -> None:
    assert host.log is not None
    (proc,) = host.started
    events = [
        json.loads(line) for line in host.log.read_text().splitlines() if line.startswith("{")
    ]
    assert f"Started server process [{proc.pid}]" in [e.get("event") for e in events]


def test_the_unit_the_image_and_the_guide_run_one_worker_without_redis() -> None:
    """The minimal set-up has no Redis: one worker. The guide's drop-in for more workers
    starts from the unit's own command."""
    command = unit_file(ROOT / "deploy" / UNIT)["ExecStart"][0]
    assert "--workers" not in command
    image = (ROOT / "Containerfile").read_text("utf-8")
    (cmd,) = re.findall(r"^CMD (\[.*\])$", image, re.M)
    assert "--workers" not in json.loads(cmd)
    guide = section(
        (ROOT / "docs" / "deploy.md").read_text("utf-8"), "More workers or replicas: Redis"
    )
    (drop_in,) = re.findall(r"^# ExecStart=(\S.*)$", guide, re.M)
    assert drop_in.startswith(command + " --workers ")
    assert "UFD_REDIS_URL" in guide


def test_env_example_copied_as_it_is_stops_the_service_with_a_clear_line(
    host: Host, tmp_path: Path
) -> None:
    """Step 3 without its edit: the empty secret of .env.example is refused at start,
    in one line naming the variable, never a service that refuses every card."""
    settings = systemd_env_file(host.here / ".env.example")
    assert settings["UFD_SERVICE_SECRET"] == ""
    done = subprocess.run(
        [str(host.root / "opt" / "bin" / "upsales-freshdesk"), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **settings},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "UFD_SERVICE_SECRET" in output
    assert "Traceback" not in output
