"""Find the local AWS, or start and stop the embedded one.

The course talks to one endpoint, ``http://127.0.0.1:4566`` by default. Whatever answers
there is the backend:

* **LocalStack** (from ``docker compose up``) when it answers the health probe as LocalStack;
* otherwise ``mastery up`` starts the **embedded emulator** (``mastery.emulator``, a moto
  server) as a background process with a pid file and a log in the state directory.

When LocalStack is the backend, the services free LocalStack lacks (Budgets, Cost Explorer, FIS,
API Gateway v2, SageMaker runtime: :data:`SIDECAR_SERVICES`) are served by a second embedded
emulator one port up (the *sidecar*), so every exercise runs on both backends.

Every failure raises :class:`BackendError` whose message says what happened and the
command that fixes it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from mastery.emulator import HEALTH_PATH, RESET_PATH
from mastery.errors import MasteryError

HOST = "127.0.0.1"
DEFAULT_PORT = 4566
START_TIMEOUT_S = 60.0
# Services the embedded emulator must serve even when LocalStack is the backend: the ones the
# course calls that free LocalStack (4.14.0, the pinned image) does not serve. Budgets and Cost
# Explorer (weeks 9, 10); FIS (week 23: "FIS experiment emulation is part of LocalStack
# Enterprise", docs.localstack.cloud/aws/services/fis, checked 2026-12-02); API Gateway v2 and its
# WebSocket management API (week 15's lesson) and SageMaker runtime (week 19's lesson), paid tiers;
# Cognito, ElastiCache and RDS, paid tiers, named here so a future week gets the sidecar too.
SIDECAR_SERVICES = frozenset({"budgets", "ce", "fis", "apigatewayv2", "apigatewaymanagementapi",
                              "sagemaker-runtime", "cognito-idp", "elasticache", "rds"})


class BackendError(MasteryError, RuntimeError):
    """The local AWS is not usable; the message names the fix."""


def port() -> int:
    return int(os.environ.get("MASTERY_PORT", DEFAULT_PORT))


def endpoint(p: int | None = None) -> str:
    return f"http://{HOST}:{p or port()}"


def state_dir() -> Path:
    d = Path(os.environ.get("MASTERY_STATE_DIR", Path.home() / ".cache" / "serverless-mastery"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def pid_file(p: int | None = None) -> Path:
    return state_dir() / f"emulator-{p or port()}.pid"


def sidecar_file(p: int) -> Path:
    """Marks the emulator on port ``p`` as the sidecar of the LocalStack on ``p - 1``: only
    then does ``down(p - 1)`` stop it (a neighbour's own emulator on ``p`` is left alone)."""
    return state_dir() / f"emulator-{p}.sidecar"


def log_file(p: int | None = None) -> Path:
    return state_dir() / f"emulator-{p or port()}.log"


@dataclass(frozen=True)
class Health:
    """What answers on a port: ``kind`` is embedded, localstack, foreign or down."""

    kind: str
    endpoint: str
    version: str = ""
    services: dict | None = None
    pid: int | None = None

    @property
    def up(self) -> bool:
        return self.kind in ("embedded", "localstack")

    def unhealthy_services(self, wanted=("dynamodb", "stepfunctions", "sqs", "s3")) -> list[str]:
        ok = {"available", "running"}
        return [s for s in wanted if (self.services or {}).get(s) not in ok]


def _port_open(p: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, p)) == 0


def probe(p: int | None = None, timeout: float = 2.0) -> Health:
    """Ask the port what it is, without changing anything."""
    p = p or port()
    url = endpoint(p)
    if not _port_open(p):
        return Health("down", url)
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=timeout) as r:
            body = json.loads(r.read() or b"{}")
    except (urllib.error.URLError, ValueError, OSError, TimeoutError):
        return Health("foreign", url)
    if not isinstance(body, dict) or "services" not in body:
        return Health("foreign", url)
    kind = "embedded" if body.get("edition") == "embedded-moto" else "localstack"
    pid = body.get("pid") if isinstance(body.get("pid"), int) else _read_pid(p)
    return Health(kind, url, str(body.get("version", "")), body.get("services"), pid)


def _read_pid(p: int) -> int | None:
    try:
        pid = int(pid_file(p).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists"; treat it as dead.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _log_tail(p: int, lines: int = 15) -> str:
    try:
        text = log_file(p).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


def _start_embedded(p: int) -> Health:
    log = open(log_file(p), "ab")
    env = dict(os.environ, MOTO_PORT=str(p), MOTO_ACCOUNT_ID="000000000000", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mastery.emulator", "--host", HOST, "--port", str(p)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # outlives the shell or kernel that started it
        env=env,
    )
    log.close()
    pid_file(p).write_text(str(proc.pid))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pid_file(p).unlink(missing_ok=True)
            raise BackendError(
                f"The embedded emulator exited at start (code {proc.returncode}). "
                f"Its log {log_file(p)} ends with:\n{_log_tail(p)}\n"
                "Fix what it says, then run `mastery up` again."
            )
        h = probe(p, timeout=1.0)
        if h.kind == "embedded":
            return h
        time.sleep(0.1)
    proc.terminate()
    raise BackendError(
        f"The embedded emulator did not answer within {START_TIMEOUT_S:.0f} s; "
        f"see {log_file(p)}. Run `mastery down` then `mastery up`."
    )


def up(p: int | None = None) -> Health:
    """Use LocalStack if it answers, else start the embedded emulator. Safe to repeat, and
    safe to call from several processes at once (test workers): one starts it, the others wait."""
    import fcntl

    p = p or port()
    with open(state_dir() / f"emulator-{p}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _up_locked(p)


def _check_localstack(h: Health) -> None:
    bad = h.unhealthy_services()
    if bad:
        raise BackendError(
            f"LocalStack answers on {h.endpoint} but these services are not ready: "
            f"{', '.join(bad)}. Check `docker compose logs localstack`, then "
            "`docker compose restart localstack`; or stop it (`docker compose down`) "
            "and run `mastery up` for the embedded emulator."
        )


def _up_locked(p: int) -> Health:
    h = probe(p)
    if h.kind == "embedded":
        return h
    if h.kind == "localstack":
        _check_localstack(h)
        sidecar = probe(p + 1)
        if sidecar.kind == "down":
            _start_embedded(p + 1)
            sidecar_file(p + 1).write_text(str(p))
        return h
    if h.kind == "foreign":
        raise BackendError(
            f"Port {p} is taken by another program that is neither LocalStack nor the course's "
            f"emulator. Stop that program (`lsof -i :{p}` or `ss -ltnp 'sport = :{p}'` names "
            f"it), or use another port: `MASTERY_PORT={p + 10} mastery up`."
        )
    return _start_embedded(p)


def reset(p: int | None = None, timeout: float = 10.0) -> bool:
    """Empty the embedded emulator on ``p`` (every service's state and the fault switch) without
    restarting it. False when it cannot be reset in place (not running, not ours, a Step
    Functions execution still running, no answer): then stop it and start a fresh one."""
    p = p or port()
    req = urllib.request.Request(endpoint(p) + RESET_PATH, data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return bool(json.loads(r.read() or b"{}").get("reset"))
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _stop_pid(pid: int, timeout: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def down(p: int | None = None) -> str:
    """Stop the embedded emulator (and a sidecar). Safe to repeat."""
    p = p or port()
    stopped = []
    ours = [p]
    marker = sidecar_file(p + 1)
    if marker.exists() and marker.read_text().strip() == str(p):  # the sidecar we started
        ours.append(p + 1)
        marker.unlink()
    for q in ours:
        pid = _read_pid(q)
        if pid:
            _stop_pid(pid)
            stopped.append(f"stopped the embedded emulator on port {q} (pid {pid})")
        pid_file(q).unlink(missing_ok=True)
    if stopped:
        return "; ".join(stopped)
    h = probe(p)
    if h.kind == "localstack":
        return "LocalStack runs under Docker Compose: stop it with `docker compose down`."
    if h.kind == "embedded":
        return (
            f"An embedded emulator answers on port {p} but was not started by this user's "
            f"state directory ({state_dir()}); stop it where it was started."
        )
    return "nothing to stop: no embedded emulator is running"


def status(p: int | None = None) -> dict:
    p = p or port()
    h = probe(p)
    info = {"backend": h.kind, "endpoint": h.endpoint, "version": h.version, "pid": h.pid}
    if h.kind == "down" and pid_file(p).exists():
        info["note"] = f"the emulator stopped unexpectedly; its log ends with:\n{_log_tail(p)}"
    if h.kind == "localstack":
        info["sidecar"] = probe(p + 1).kind
    return info


def require(p: int | None = None) -> Health:
    """Return the running backend or raise a BackendError that names the fix."""
    p = p or port()
    h = probe(p)
    if h.kind == "localstack":
        _check_localstack(h)
    if h.up:
        return h
    if h.kind == "foreign":
        raise BackendError(
            f"Port {p} answers, but not as LocalStack or the course's emulator. "
            f"Stop that program or choose another port: `MASTERY_PORT={p + 10} mastery up`."
        )
    if pid_file(p).exists():
        raise BackendError(
            f"The embedded emulator on port {p} has stopped (it crashed or was killed), and "
            f"the resources it held are gone. Its log ends with:\n{_log_tail(p)}\n"
            "Run `mastery up` to restart it, then re-run this notebook from the top."
        )
    raise BackendError(
        f"No local AWS answers at {endpoint(p)}. Start one with `mastery up` "
        "(or `docker compose up -d` for LocalStack), then re-run this cell."
    )
