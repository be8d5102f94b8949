#!/usr/bin/env bash
# Prove the Containerfile on a machine with no container registry and no `podman run`:
#
#  1. a base image made here from Debian's packages (mmdebstrap, cached), with the host's
#     CA trust, imported as localhost/ufd-base:<key>;
#  2. `podman build --isolation chroot --build-arg BASE=<that base>` of the Containerfile
#     (the build stage fetches the wheel's dependencies from PyPI);
#  3. the image's filesystem exported to a temporary folder and checked (non-root user,
#     no build leftovers, the default command and HEALTHCHECK as documented);
#  4. the image's ENTRYPOINT + CMD run with chroot as the image's user, in a private mount
#     namespace (its /proc, /dev and /tmp vanish with it), against both emulators served
#     on the host (loopback is shared): /healthz, the image's own HEALTHCHECK command, a
#     card with the service secret (status "found"), a refusal without it, and the sync
#     (exit 3 without settings, then a real run whose state file lands in the volume).
#
# Needs root, podman, mmdebstrap (apt-get install -y podman mmdebstrap) and the dev venv
# (`make image-test` sets it up). Idempotent: reruns reuse the cached base and the build
# cache. Environment: IMAGE_TEST_CACHE (default ~/.cache/upsales-freshdesk/image-test),
# IMAGE_TEST_REFRESH=1 (make the base again), PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PY=${PYTHON:-$REPO/.venv/bin/python}
CACHE=${IMAGE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/upsales-freshdesk/image-test}
SUITE=bookworm
PACKAGES=python3,python3-venv,ca-certificates
IMAGE=localhost/upsales-freshdesk:image-test
SECRET=image-test-secret-0123456789abcdef
STARTED=$(date +%s)

say() { printf '[image-test %4ss] %s\n' "$(($(date +%s) - STARTED))" "$*"; }
die() {
  say "FAILED: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap, podman, chroot and mounts need it)"
for tool in podman mmdebstrap unshare chroot setsid findmnt; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install -y podman mmdebstrap"
done
[ -x "$PY" ] || die "no Python at $PY (run make image-test, or set PYTHON)"

WORK=$(mktemp -d /tmp/ufd-image-test.XXXXXX)
ROOTFS=$WORK/rootfs
CONTAINER=""
BACKGROUND=() # process-group ids of what this script started

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pgid
  for pgid in "${BACKGROUND[@]}"; do kill -TERM -- "-$pgid" 2>/dev/null || true; done
  for pgid in "${BACKGROUND[@]}"; do
    for _ in $(seq 50); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  [ -z "$CONTAINER" ] || podman rm --force "$CONTAINER" >/dev/null 2>&1 || true
  # The mounts live in namespaces that died with their processes; never delete through one.
  local left
  left=$(findmnt -rn -o TARGET | grep -F "$WORK" || true)
  if [ -n "$left" ]; then
    say "mounts left under $WORK, not deleting it:" >&2
    printf '%s\n' "$left" >&2
    rc=1
  else
    rm -rf --one-file-system "$WORK"
  fi
  if [ "$rc" = 0 ]; then say "PASSED in $(($(date +%s) - STARTED)) s"; else say "exit $rc"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the exported image as its user, like a container runtime would:
# private mounts (proc, a minimal /dev, a tmpfs /tmp), the image's environment only.
# Usage: in_image [--background LOG] -- NAME=VALUE... -- COMMAND...
in_image() {
  local log=""
  if [ "$1" = --background ]; then log=$2; shift 2; fi
  shift # --
  local -a envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  local -a run=(unshare --mount --propagation private -- /bin/sh -ec '
      root=$1 user=$2 workdir=$3; shift 3
      mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
      mount -t tmpfs -o nosuid,mode=0755 dev "$root/dev"
      for d in null zero full random urandom; do
        : >"$root/dev/$d"; mount --bind "/dev/$d" "$root/dev/$d"
      done
      mkdir "$root/dev/shm"; mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
      mount -t tmpfs -o nosuid,nodev,mode=1777 tmp "$root/tmp"
      exec chroot --userspec="$user" --groups="${user#*:}" "$root" \
        /usr/bin/env -i -C "$workdir" "$@"
    ' sh "$ROOTFS" "$USER_SPEC" "$WORKDIR" "${IMAGE_ENV[@]}" "${envs[@]}" "$@")
  if [ -n "$log" ]; then
    setsid "${run[@]}" >"$log" 2>&1 &
    BACKGROUND+=("$!")
    LAST_PID=$!
  else
    "${run[@]}"
  fi
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() { # URL SECONDS PID
  local deadline=$(($(date +%s) + $2))
  until "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || return 1
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# ---- 1. the base image ---------------------------------------------------------------
mkdir -p "$CACHE"
SOURCES=/etc/apt/sources.list.d/debian.sources
[ -f "$SOURCES" ] || SOURCES=http://deb.debian.org/debian
HOST_CA=/etc/ssl/certs/ca-certificates.crt
KEY=$( {
  echo "$SUITE $PACKAGES v1"
  cat "$SOURCES" 2>/dev/null || echo "$SOURCES"
  cat "$HOST_CA" 2>/dev/null || true
} | sha256sum | cut -c1-12)
BASE_TAR=$CACHE/base-$SUITE-$KEY.tar
BASE=localhost/ufd-base:$KEY
if [ "${IMAGE_TEST_REFRESH:-0}" = 1 ]; then
  rm -f "$BASE_TAR"
  podman rmi --force "$BASE" >/dev/null 2>&1 || true
fi
if [ ! -s "$BASE_TAR" ]; then
  say "making the base: mmdebstrap --variant=minbase $SUITE --include=$PACKAGES"
  # The base trusts what the host trusts (a TLS-inspecting proxy's CA, if any), and pip
  # in it is told so: the build stage fetches from PyPI through the same network.
  mmdebstrap --quiet --format=tar --variant=minbase --include="$PACKAGES" \
    --customize-hook="if [ -s $HOST_CA ]; then cp $HOST_CA \"\$1$HOST_CA\"; fi" \
    --customize-hook="printf '[global]\ncert = $HOST_CA\n' >\"\$1/etc/pip.conf\"" \
    "$SUITE" "$BASE_TAR.part" "$SOURCES" </dev/null
  mv "$BASE_TAR.part" "$BASE_TAR"
else
  say "base tarball cached: $BASE_TAR"
fi
if ! podman image exists "$BASE"; then
  say "importing it as $BASE"
  podman import --quiet "$BASE_TAR" "$BASE" >/dev/null
fi

# ---- 2. the build --------------------------------------------------------------------
say "podman build --isolation chroot --build-arg BASE=$BASE -t $IMAGE"
PREVIOUS=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# --no-cache: podman 4.3 (buildah 1.28) reuses a cached COPY layer even when the files
# changed, so a cached build could test old sources. The base stays cached.
podman build --quiet --isolation chroot --format docker --no-cache --layers=false \
  --build-arg BASE="$BASE" -t "$IMAGE" -f Containerfile . >"$WORK/build.log" 2>&1 || {
  cat "$WORK/build.log" >&2
  die "podman build"
}
if [ -n "$PREVIOUS" ] && [ "$PREVIOUS" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$PREVIOUS" >/dev/null 2>&1 || true # the last run's image, now untagged
fi
say "built $(podman image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12)" \
  "($(($(podman image inspect --format '{{.Size}}' "$IMAGE") / 1000000)) MB)"

# ---- 3. its filesystem and configuration ---------------------------------------------
podman image inspect "$IMAGE" >"$WORK/inspect.json"
mapfile -t IMAGE_ENV < <("$PY" -c '
import json, sys
print(*json.load(open(sys.argv[1]))[0]["Config"]["Env"], sep="\n")' "$WORK/inspect.json")
read -r USER_SPEC WORKDIR < <("$PY" - "$WORK/inspect.json" <<'PY'
import json
import sys

image = json.load(open(sys.argv[1]))[0]
config = image["Config"]
command = config["Entrypoint"] + config["Cmd"]
expected = ["upsales-freshdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
assert command == expected, f"default command {command}"
health = image.get("Healthcheck") or config.get("Healthcheck") or {}
assert health.get("Test", [""])[0] == "CMD" and "/healthz" in " ".join(health["Test"]), health
user = config.get("User", "")
assert user and user.split(":")[0] not in ("", "0", "root"), f"runs as {user!r}"
print(user, config.get("WorkingDir") or "/")
PY
)
[ -n "${USER_SPEC:-}" ] || die "the image's configuration (above)"
say "config: user $USER_SPEC, workdir $WORKDIR, command upsales-freshdesk serve --host 0.0.0.0 --port 8000, HEALTHCHECK on /healthz"

CONTAINER=$(podman create --quiet --no-healthcheck "$IMAGE")
mkdir "$ROOTFS"
podman export "$CONTAINER" | tar -x -C "$ROOTFS" --numeric-owner
podman rm --force "$CONTAINER" >/dev/null && CONTAINER=""
UID_=${USER_SPEC%%:*}
grep -q "^upsales-freshdesk:x:$UID_:" "$ROOTFS/etc/passwd" || die "no upsales-freshdesk user"
[ "$(stat -c %u "$ROOTFS$WORKDIR")" = "$UID_" ] || die "$WORKDIR is not the user's"
for gone in /wheels /src /opt/build /opt/upsales-freshdesk/bin/pip; do
  [ ! -e "$ROOTFS$gone" ] || die "$gone is in the runtime image"
done
leftovers=$(find "$ROOTFS/opt/upsales-freshdesk" \( -name node_modules -o -name .venv \) -print -quit)
[ -z "$leftovers" ] || die "in the image: $leftovers"
say "filesystem: $(du -sm "$ROOTFS" | cut -f1) MB exported; user upsales-freshdesk ($UID_) owns $WORKDIR; no wheels, sources, pip or node_modules"

# ---- 4. serve, healthcheck, a card, the sync ----------------------------------------
FD_PORT=$(free_port)
US_PORT=$(free_port)
setsid "$PY" -m upsales_freshdesk emulate --freshdesk-port "$FD_PORT" --upsales-port "$US_PORT" \
  >"$WORK/emulators.log" 2>&1 &
BACKGROUND+=("$!")
EMU_PID=$!
wait_http "http://127.0.0.1:$FD_PORT/_emulator/stats" 30 "$EMU_PID" &&
  wait_http "http://127.0.0.1:$US_PORT/_emulator/stats" 30 "$EMU_PID" || {
  cat "$WORK/emulators.log" >&2
  die "the emulators did not start"
}
say "emulators on the host: freshdesk :$FD_PORT, upsales :$US_PORT"

PORT=8000
if ! "$PY" -c 'import socket; socket.create_server(("0.0.0.0", 8000)).close()' 2>/dev/null; then
  die "port 8000 is taken: the image's default command and HEALTHCHECK use it"
fi
FD_URL=http://127.0.0.1:$FD_PORT/api/v2/
US_URL=http://127.0.0.1:$US_PORT/api/v2/
mapfile -t COMMAND < <("$PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))[0]["Config"]
print(*c["Entrypoint"] + c["Cmd"], sep="\n")' "$WORK/inspect.json")
in_image --background "$WORK/serve.log" -- UFD_SERVICE_SECRET="$SECRET" \
  UFD_FRESHDESK_BASE_URL="$FD_URL" UFD_UPSALES_BASE_URL="$US_URL" -- "${COMMAND[@]}"
SERVE_PID=$LAST_PID
wait_http "http://127.0.0.1:$PORT/healthz" 60 "$SERVE_PID" || {
  cat "$WORK/serve.log" >&2
  die "serve did not answer /healthz"
}
serve_uid=$(awk '/^Uid:/ {print $2}' "/proc/$SERVE_PID/status")
[ "$serve_uid" = "$UID_" ] || die "serve runs as uid $serve_uid"
[ "$(readlink "/proc/$SERVE_PID/root")" = "$ROOTFS" ] || die "serve is not in the image's root"
say "serve (the image's ENTRYPOINT + CMD) answers /healthz on 0.0.0.0:$PORT; uid $serve_uid, root $ROOTFS"

mapfile -t HEALTH < <("$PY" -c '
import json, sys
i = json.load(open(sys.argv[1]))[0]
print(*(i.get("Healthcheck") or i["Config"]["Healthcheck"])["Test"][1:], sep="\n")' "$WORK/inspect.json")
in_image -- -- "${HEALTH[@]}" || die "the image's HEALTHCHECK command failed"
say "the image's HEALTHCHECK command, run in the image: healthy"

"$PY" - "$PORT" "$FD_URL" "$SECRET" <<'PY' || die "the card"
import json
import sys

import httpx

port, fd_url, secret = sys.argv[1:]
ticket = httpx.get(f"{fd_url}tickets/1", auth=("demo-freshdesk-key", "X")).json()
body = {
    "ticket": {"id": 1},
    "requester": {"id": ticket["requester_id"], "email": "astrid.lindqvist@nordvind.example"},
    "locale": "en",
}
headers = {
    "X-Freshdesk-Domain": "demo.freshdesk.com",
    "X-Freshdesk-Api-Key": "demo-freshdesk-key",
    "X-Upsales-Token": "demo-upsales-token",
}
url = f"http://127.0.0.1:{port}/v1/card"
refused = httpx.post(url, json=body, headers=headers, timeout=20)
assert refused.status_code == 401, f"without the secret: {refused.status_code} {refused.text}"
resp = httpx.post(url, json=body, headers={**headers, "Authorization": f"Bearer {secret}"}, timeout=20)
assert resp.status_code == 200, f"{resp.status_code} {resp.text[:300]}"
card = resp.json()
assert card["status"] == "found", json.dumps(card)[:300]
assert "frame-ancestors" in resp.headers["content-security-policy"], resp.headers
print(f"[image-test] card: 200, status {card['status']!r}, {len(resp.content)} bytes; "
      f"without the secret: {refused.status_code}")
PY

set +e
in_image -- -- upsales-freshdesk sync >"$WORK/sync-unset.log" 2>&1
rc=$?
set -e
[ "$rc" = 3 ] || { cat "$WORK/sync-unset.log" >&2; die "sync without settings exited $rc, not 3"; }
set +e
in_image -- UFD_SYNC_FRESHDESK_DOMAIN=demo UFD_SYNC_FRESHDESK_API_KEY=demo-freshdesk-key \
  UFD_SYNC_UPSALES_TOKEN=demo-upsales-token UFD_SYNC_FRESHDESK_BASE_URL="$FD_URL" \
  UFD_SYNC_UPSALES_BASE_URL="$US_URL" UFD_SYNC_FRESHDESK_PLAN=100000 \
  -- upsales-freshdesk sync --json "$WORKDIR/report.json" >"$WORK/sync.log" 2>&1
rc=$?
set -e
STATE=$ROOTFS$WORKDIR/sync-state.sqlite3
{ [ "$rc" = 0 ] || [ "$rc" = 2 ]; } || { cat "$WORK/sync.log" >&2; die "sync exited $rc"; }
[ -s "$STATE" ] && [ "$(stat -c %u "$STATE")" = "$UID_" ] || die "no state file at $WORKDIR"
say "sync: exit 3 without settings; against the emulators exit $rc, state $WORKDIR/sync-state.sqlite3 ($(stat -c %s "$STATE") bytes, uid $UID_)"
