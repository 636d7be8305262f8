"""`make run`: train if needed, start the action server, Rasa and the web app, stop them together.

    python -m bot.launcher

Configuration (environment variables; defaults need no other server):

    READINESS_DATA_DIR      data folder (default `var/`): SQLite files, logs, the pid file
    READINESS_DATABASE_URL  readiness database (default SQLite `<data dir>/readiness.db`)
    RASA_TRACKER_URL        Rasa tracker store database (default SQLite `<data dir>/rasa_tracker.db`)
    RASA_PORT               Rasa server (socket.io + REST channels), default 5005
    ACTIONS_PORT            action server, default 5055
    WEB_PORT                web app (chat page, widget, scorecards), default 8080
    READINESS_PUBLIC_URL    the web app's public address (default http://localhost:$WEB_PORT);
                            scorecard links in the chat point here
    READINESS_RASA_URL      Rasa's address as browsers reach it (default: the page's host name
                            with RASA_PORT)
    RASA_CORS_ORIGINS       extra origins (scheme://host[:port], separated by commas and/or
                            spaces) allowed to open the chat socket, e.g. an intranet page that
                            embeds the widget
    RASA_LOCK_STORE_URL     redis://host:6379/0 — Redis lock store, for several Rasa instances
    READINESS_CONTENT_DIR   an edited copy of the content folder (checked before anything starts)
    WEB_HOST                the web app's interface (default 127.0.0.1)

A bad value (or broken content) prints one line naming it and what is expected, exit code 2,
before anything starts (bot/settings.py).

Only one launcher runs per data folder: a second one prints where the first is and exits 1.
Ctrl-C (SIGINT), SIGTERM or SIGHUP stops all three servers (whole process groups) and removes the pid file.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from bot import servers, training
from bot import settings as config
from readiness.bank import CONTENT_DIR_ENV, PACKAGED_CONTENT_DIR, BankError, load_questionnaire
from readiness.storage.settings import default_data_dir, default_database_url

ROOT = servers.ROOT
PID_FILE = "launcher.pid"
#: The widget's browser dependency, installed by `npm ci` in bot/web (the Makefile does it).
SOCKET_IO_CLIENT = ROOT / "bot" / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
#: The line the launcher prints when everything is up (tests wait for it).
READY_PREFIX = "Readiness chat is ready: open "

RASA_TIMEOUT = 240.0
ACTIONS_TIMEOUT = 90.0
WEB_TIMEOUT = 60.0


class LaunchError(Exception):
    """Something the person running the launcher can fix (busy port, second launch, no npm deps)."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    rasa_port: int
    actions_port: int
    web_port: int
    public_url: str
    tracker_url: str
    database_url: str
    rasa_url: str
    cors_origins: tuple[str, ...]
    web_host: str = "127.0.0.1"
    lock_store_url: str = ""
    content_dir: Path = PACKAGED_CONTENT_DIR

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / PID_FILE

    @property
    def web_url(self) -> str:
        return self.public_url


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """The launch settings from environment variables, with the embedded defaults.

    Every variable is checked here (bot.settings), so a bad value stops the launch before
    anything starts: `SettingError` names the variable, the value and what is expected.
    """
    env = os.environ if env is None else env
    data_dir = config.directory(env, "READINESS_DATA_DIR", default_data_dir({}, root=ROOT))
    rasa_port = config.port(env, "RASA_PORT", 5005)
    actions_port = config.port(env, "ACTIONS_PORT", 5055)
    web_port = config.port(env, "WEB_PORT", 8080)
    ports = {"RASA_PORT": rasa_port, "ACTIONS_PORT": actions_port, "WEB_PORT": web_port}
    for index, (name, port) in enumerate(ports.items()):
        others = [f"{other}={value}" for other, value in list(ports.items())[:index] if value == port]
        if others:
            raise config.SettingError(name, str(port), f"a port different from {' and '.join(others)} "
                                      "(the three servers need three ports)")
    public_url = config.http_url(env, "READINESS_PUBLIC_URL", f"http://localhost:{web_port}",
                                 example="https://readiness.hospital.example")
    tracker_url = config.database_url(env, "RASA_TRACKER_URL", servers.default_tracker_url({}, data_dir))
    database_url = config.database_url(env, "READINESS_DATABASE_URL", default_database_url({}, data_dir))
    content_dir = config.directory(env, CONTENT_DIR_ENV, PACKAGED_CONTENT_DIR, must_exist=True)
    config.directory(env, "READINESS_MODELS_DIR", ROOT / "models")  # read by bot.training
    config.number(env, "READINESS_SQLITE_BUSY_TIMEOUT", 30.0)  # read by the servers' storage
    config.host(env, "SANIC_HOST", "127.0.0.1")  # the action server's interface (bot.servers)
    return Settings(
        data_dir=data_dir,
        rasa_port=rasa_port,
        actions_port=actions_port,
        web_port=web_port,
        public_url=public_url,
        tracker_url=tracker_url,
        database_url=database_url,
        rasa_url=config.http_url(env, "READINESS_RASA_URL", "", example="https://chat.hospital.example:5005"),
        cors_origins=tuple(dict.fromkeys((origin_of(public_url), *config.origins(env, "RASA_CORS_ORIGINS")))),
        web_host=config.host(env, "WEB_HOST", "127.0.0.1"),
        lock_store_url=config.redis_url(env, "RASA_LOCK_STORE_URL"),
        content_dir=content_dir,
    )


def origin_of(url: str) -> str:
    """The browser origin (scheme://host[:port]) of an absolute URL already checked by bot.settings."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_content(settings: Settings) -> None:
    """Load the questionnaire once: a broken content file stops the launch (BankError, file:line)."""
    load_questionnaire(settings.content_dir)


def cors_pattern(origins: tuple[str, ...]) -> str:
    """One regular expression for Rasa's --cors that matches exactly these origins.

    A local web app is reachable as both `localhost` and `127.0.0.1`; both names are the same
    origin for this purpose, so both are allowed. Nothing else is.
    """
    alternatives: list[str] = []
    for origin in origins:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        if host in ("localhost", "127.0.0.1"):
            alternatives.append(rf"{re.escape(parts.scheme)}://(?:localhost|127\.0\.0\.1){re.escape(port)}")
        else:
            alternatives.append(re.escape(origin))
    return "^(?:" + "|".join(dict.fromkeys(alternatives)) + ")$"


# --- one launcher per data folder ----------------------------------------------------------


def _is_launcher(pid: int) -> bool:
    """True if `pid` is alive and is a launcher (a recycled pid of another program is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return True
    return b"bot.launcher" in command or b"bot/launcher" in command


def running_launcher(pid_file: Path) -> dict[str, object] | None:
    """The live launcher recorded in `pid_file`, or None (no file, unreadable, or stale)."""
    try:
        info = json.loads(pid_file.read_text())
        pid = int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if pid != os.getpid() and _is_launcher(pid) else None


def acquire_pid_file(settings: Settings) -> None:
    """Record this launcher in the data folder; refuse if a live one is recorded there."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    record = json.dumps({"pid": os.getpid(), "url": settings.public_url, "rasa_port": settings.rasa_port,
                         "actions_port": settings.actions_port, "web_port": settings.web_port})
    for _ in range(3):
        try:
            fd = os.open(settings.pid_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            other = running_launcher(settings.pid_file)
            if other is not None:
                raise LaunchError(
                    f"the readiness chat is already running (pid {other['pid']}) at {other.get('url')}; "
                    f"stop it with Ctrl-C in its terminal (or kill {other['pid']}) before starting another"
                )
            settings.pid_file.unlink(missing_ok=True)  # stale: its launcher is gone
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(record + "\n")
        return
    raise LaunchError(f"cannot create {settings.pid_file}")


def release_pid_file(settings: Settings) -> None:
    try:
        info = json.loads(settings.pid_file.read_text())
        if int(info.get("pid", -1)) == os.getpid():
            settings.pid_file.unlink()
    except (OSError, ValueError, TypeError):
        pass


def check_ports_free(settings: Settings) -> None:
    for name, port in (("RASA_PORT", settings.rasa_port), ("ACTIONS_PORT", settings.actions_port),
                       ("WEB_PORT", settings.web_port)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise LaunchError(
                    f"port {port} ({name}) is already in use by another program; "
                    f"free it or choose another port, e.g. {name}={port + 1} make run"
                ) from None


def check_widget_dependencies() -> None:
    if not SOCKET_IO_CLIENT.exists():
        raise LaunchError(
            f"the widget's socket.io client is not installed ({SOCKET_IO_CLIENT.relative_to(ROOT)} missing); "
            "run `make run` (it installs it) or `npm ci --prefix bot/web`"
        )


# --- the three servers ----------------------------------------------------------------------


def service_env(settings: Settings) -> dict[str, str]:
    """Environment every child gets: one data folder, one database, one public address."""
    return {
        "READINESS_DATA_DIR": str(settings.data_dir),
        "READINESS_DATABASE_URL": settings.database_url,
        "READINESS_PUBLIC_URL": settings.public_url,
        "READINESS_RASA_URL": settings.rasa_url,
        "RASA_PORT": str(settings.rasa_port),
        "PYTHONUNBUFFERED": "1",
    }


def start_web(settings: Settings, env: Mapping[str, str]) -> servers.Service:
    command = [
        str(servers.BIN / "python"), "-m", "bot.web.app",
        "--host", settings.web_host, "--port", str(settings.web_port),
    ]
    return servers._spawn(  # noqa: SLF001 — the same spawning as the other two servers
        "web", command, settings.logs / "web.log", {**os.environ, **env},
        f"http://127.0.0.1:{settings.web_port}/health",
    )


def start_stack(settings: Settings, model: Path, timeouts: tuple[float, float, float] | None = None,
                log=print) -> list[servers.Service]:
    """Start the action server, Rasa and the web app; return once all three answer their health URL.

    On any failure, whatever was started is stopped before the error propagates.
    """
    actions_timeout, rasa_timeout, web_timeout = timeouts or (ACTIONS_TIMEOUT, RASA_TIMEOUT, WEB_TIMEOUT)
    settings.logs.mkdir(parents=True, exist_ok=True)
    lock_store = servers.redis_lock_store(settings.lock_store_url) if settings.lock_store_url else None
    endpoints = servers.write_endpoints(
        settings.data_dir / "endpoints.yml", settings.actions_port, settings.tracker_url, lock_store
    )
    env = service_env(settings)
    services: list[servers.Service] = []
    try:
        services.append(servers.start_action_server(settings.actions_port, settings.logs / "actions.log", env))
        services.append(servers.start_rasa(
            model, settings.rasa_port, endpoints, settings.logs / "rasa.log",
            cors=cors_pattern(settings.cors_origins), env=env,
        ))
        services.append(start_web(settings, env))
        limits = {"actions": actions_timeout, "rasa": rasa_timeout, "web": web_timeout}
        for service in sorted(services, key=lambda s: limits[s.name]):
            started = time.monotonic()
            try:
                servers.wait_until_up(service.health_url, limits[service.name], service.process)
            except (RuntimeError, TimeoutError) as error:
                raise LaunchError(f"{service.name} server did not start: {error}; see {service.log}\n"
                                  + _tail(service.log)) from None
            log(f"  {service.name:<8} up ({service.health_url}) after {time.monotonic() - started:.0f} s", flush=True)
    except BaseException:
        servers.stop_all(services)
        raise
    return services


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class _Stop(Exception):
    """Raised by the signal handlers to leave the wait loop."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def main() -> int:
    started = time.monotonic()
    try:
        settings = settings_from_env()
        check_content(settings)
    except (config.SettingError, BankError) as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
    try:
        acquire_pid_file(settings)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    services: list[servers.Service] = []
    code = 0
    try:
        check_ports_free(settings)
        check_widget_dependencies()
        model = training.ensure_model()
        print(f"Starting the action server (:{settings.actions_port}), Rasa (:{settings.rasa_port}) and the "
              f"web app (:{settings.web_port}); logs in {settings.logs}", flush=True)
        services = start_stack(settings, model)
        print(f"{READY_PREFIX}{settings.public_url}  (started in {time.monotonic() - started:.0f} s; "
              "Ctrl-C stops everything)", flush=True)
        while True:
            for service in services:
                if service.process.poll() is not None:
                    raise LaunchError(f"the {service.name} server stopped unexpectedly (exit code "
                                      f"{service.process.returncode}); see {service.log}\n" + _tail(service.log))
            time.sleep(0.5)
    except _Stop as stop:
        print(f"\nStopping ({stop})…", flush=True)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        code = 1
    except RuntimeError as error:  # rasa train failed
        print(f"error: {error}", file=sys.stderr, flush=True)
        code = 1
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        servers.stop_all(services)
        release_pid_file(settings)
    if code == 0:
        print("Stopped.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
