"""Start the action server and the Rasa server as child processes and wait until they answer.

Used by the launcher (`make run`) and by the end-to-end tests, so both run the product the same
way: the same commands, the same generated endpoints file, the same health checks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import http.client
import os
import signal
import subprocess
import threading
import sys
import time
import urllib.request
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def default_tracker_url(env: Mapping[str, str] | None = None, data_dir: Path | None = None) -> str:
    """The tracker store's database URL: `RASA_TRACKER_URL`, else SQLite `rasa_tracker.db` in the
    data directory. One rule, shared with the privacy commands that delete chat events
    (`readiness.storage.tracker_database_url`)."""
    from readiness.storage.settings import tracker_database_url

    return tracker_database_url(env, data_dir)


def tracker_store_config(database_url: str) -> dict[str, object]:
    """Rasa's SQL tracker store settings for a SQLAlchemy URL (SQLite file or PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}
    config: dict[str, object] = {
        "type": "SQL",
        "dialect": url.drivername,
        "url": url.host or "localhost",
        "db": url.database,
    }
    if url.port:
        config["port"] = url.port
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config


def redis_lock_store(url: str) -> dict[str, object]:
    """Rasa's `lock_store` section for a redis://[:password@]host[:port][/db] URL: needed as soon
    as two Rasa instances serve the same conversations (docs/deployment.md)."""
    parts = urlsplit(url)
    if parts.scheme != "redis" or not parts.hostname:
        raise ValueError(f"lock store URL must look like redis://host:6379/0, got {url!r}")
    section: dict[str, object] = {
        "type": "redis",
        "url": parts.hostname,
        "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 0),
    }
    if parts.password:
        section["password"] = parts.password
    return section


def write_endpoints(path: Path, actions_port: int, tracker_url: str, lock_store: Mapping[str, object] | None = None) -> Path:
    """The endpoints file for one run: the action server's port and the tracker store's database."""
    endpoints: dict[str, object] = {
        # selective domain: the domain is sent only to actions that ask for it (domain.yml)
        "action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook", "enable_selective_domain": True},
        "tracker_store": tracker_store_config(tracker_url),
    }
    if lock_store:
        endpoints["lock_store"] = dict(lock_store)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def wait_until_up(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers 200; fail early if `process` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            # not up yet; an HTTPException too: a connect to a free port of the ephemeral range
            # can meet itself (TCP self-connect) and read its own request back as the "status line"
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    health_url: str
    log: Path

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process group, then SIGKILL if it lingers: no orphans."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=5)


#: Linux prctl(2) option: the signal a process gets when the thread that started it dies.
_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once here: the function run between fork and exec must not
    import or allocate much (the parent may have other threads)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


_PRCTL = _load_prctl()


def _die_with_parent(parent: int, tie: bool = True) -> Callable[[], None]:
    """The child's pre-exec step: SIGTERM it when its parent dies, even by SIGKILL.

    Each server runs in its own session (so Ctrl-C in the terminal reaches only the launcher,
    which stops them in order); without this, a launcher killed with SIGKILL would leave all
    three running. SIGTERM, not SIGKILL, so a server stops its own workers (Sanic's
    multi-worker mode) the way it does on a normal stop. If the parent died before prctl took
    effect, the child is already orphaned: it exits instead of starting.
    """
    prctl = _PRCTL if tie else None

    def before_exec() -> None:
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return before_exec


def _spawn(name: str, command: list[str], log: Path, env: Mapping[str, str], health_url: str) -> Service:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("ab")
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=dict(env), start_new_session=True,
        # Linux delivers PDEATHSIG when the *thread* that forked the child ends, so only
        # children started by the main thread (the launcher's, the test stacks') are tied to
        # it; a server restarted from a worker thread (the fault tests) must outlive that thread.
        preexec_fn=_die_with_parent(os.getpid(), tie=threading.current_thread() is threading.main_thread()),
    )
    handle.close()
    return Service(name, process, health_url, log)


def start_action_server(port: int, log: Path, env: Mapping[str, str] | None = None) -> Service:
    """The action server has no authentication of its own: it listens on loopback only
    (rasa_sdk reads SANIC_HOST; its default is every interface). Set SANIC_HOST to the
    private interface when Rasa runs on another host."""
    environment = {"SANIC_HOST": "127.0.0.1", **os.environ, **(env or {})}
    command = [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    return _spawn("actions", command, log, environment, f"http://127.0.0.1:{port}/health")


def start_rasa(
    model: Path,
    port: int,
    endpoints: Path,
    log: Path,
    cors: str,
    credentials: Path = ROOT / "bot" / "credentials.yml",
    env: Mapping[str, str] | None = None,
) -> Service:
    """Rasa with REST and socketio channels; its HTTP API stays off (no --enable-api).

    Started through `bot.rasa_main` (Rasa's CLI with the action-response validator built once)."""
    environment = {**os.environ, **(env or {})}
    command = [
        str(BIN / "python"), "-m", "bot.rasa_main", "run",
        "--model", str(model),
        "--endpoints", str(endpoints),
        "--credentials", str(credentials),
        "--port", str(port),
        "--interface", "127.0.0.1",
        "--cors", cors,
    ]
    return _spawn("rasa", command, log, environment, f"http://127.0.0.1:{port}/")


def stop_all(services: list[Service]) -> None:
    for service in reversed(services):
        service.stop()
