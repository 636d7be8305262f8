"""Real PostgreSQL and Redis servers for tests, in temporary directories, one per test session.

PostgreSQL refuses to run as root, and the tests (like CI) run as root: the server runs as an
unprivileged system user (`readiness-pg`, created when missing) on a temp dir chowned to it.
Both servers listen on 127.0.0.1 on free ports and are stopped at the end of the session
(`pg_ctl stop -m fast`, Redis `SHUTDOWN NOSAVE`) and their directories removed.

Use in a test module with `from tests.pg import postgres, redis_server  # noqa: F401` (the
fixtures are session-scoped, so several modules share one server), and `postgres.new_database()`
for a fresh, empty database URL.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.servers import redis_lock_store
from tests.bot_stack import free_port

PG_USER = "readiness-pg"
#: The database superuser initdb creates (trust authentication on 127.0.0.1 only).
PG_SUPERUSER = "postgres"
START_TIMEOUT = 60


def _require(binary: str, hint: str) -> str:
    found = shutil.which(binary)
    if found is None:
        pytest.fail(f"{binary} not found on PATH: {hint}", pytrace=False)
    return found


def _ensure_system_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    if os.geteuid() != 0:
        pytest.fail(f"system user {name!r} is missing and only root can create it", pytrace=False)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True, capture_output=True,
    )


def _as_pg_user(command: list[str]) -> list[str]:
    """Run as the unprivileged user when root (PostgreSQL refuses root); as is otherwise."""
    return ["runuser", "-u", PG_USER, "--", *command] if os.geteuid() == 0 else command


@dataclass
class PostgresServer:
    directory: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://{PG_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg2

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=PG_SUPERUSER, dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            _as_pg_user(["pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w"]),
            capture_output=True, timeout=60,
        )


def start_postgres() -> PostgresServer:
    _require("initdb", "install PostgreSQL 15 server binaries (initdb, pg_ctl, postgres)")
    _require("pg_ctl", "install PostgreSQL 15 server binaries (initdb, pg_ctl, postgres)")
    if os.geteuid() == 0:
        _ensure_system_user(PG_USER)
    # Not under pytest's tmp dir: its parents are root-only (0700), the server user must enter.
    directory = Path(tempfile.mkdtemp(prefix="readiness-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, PG_USER, PG_USER)
    server = PostgresServer(directory, free_port())
    initdb = subprocess.run(
        _as_pg_user([
            "initdb", "-D", str(server.data_dir), "-U", PG_SUPERUSER, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        ]),
        capture_output=True, text=True, timeout=120,
    )
    if initdb.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}")
    options = (
        f"-p {server.port} -c listen_addresses=127.0.0.1 -k {directory} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    started = subprocess.run(
        _as_pg_user([
            "pg_ctl", "start", "-D", str(server.data_dir), "-l", str(server.log), "-o", options,
            "-w", "-t", str(START_TIMEOUT),
        ]),
        capture_output=True, text=True, timeout=START_TIMEOUT + 30,
    )
    if started.returncode != 0:
        log = server.log.read_text(errors="replace") if server.log.exists() else ""
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed:\n{started.stdout}\n{started.stderr}\n{log[-3000:]}")
    return server


@dataclass
class RedisServer:
    directory: Path
    port: int
    process: subprocess.Popen

    @property
    def lock_store(self) -> dict[str, object]:
        """Rasa's endpoints.yml `lock_store` section for this server."""
        return redis_lock_store(f"redis://127.0.0.1:{self.port}/0")

    def client(self):  # type: ignore[no-untyped-def]
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=0, socket_timeout=5)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.client().shutdown(nosave=True)
            except Exception:  # noqa: BLE001 - the connection drops as the server exits
                pass
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_redis() -> RedisServer:
    binary = _require("redis-server", "install Debian's redis-server (scripts/system-deps.sh does)")
    directory = Path(tempfile.mkdtemp(prefix="readiness-redis-"))
    port = free_port()
    log = (directory / "redis.log").open("wb")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
         "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    server = RedisServer(directory, port, process)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if server.client().ping():
                return server
        except Exception:  # noqa: BLE001 - not listening yet
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            text = (directory / "redis.log").read_text(errors="replace")
            shutil.rmtree(directory, ignore_errors=True)
            raise RuntimeError(f"redis-server did not start:\n{text[-3000:]}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def postgres():
    server = start_postgres()
    yield server
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    server = start_redis()
    yield server
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)
