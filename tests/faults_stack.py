"""A real bot whose processes and database can be broken on purpose (tests/test_faults.py).

`start_faulty_bot` starts the same stack as `tests.bot_stack.start_bot` (trained model, action
server, Rasa with a SQLite SQL tracker store, SQLite readiness store) and remembers how, so a test
can SIGKILL either server and start it again on the same port with the same settings, or hold
an exclusive lock on the readiness database so every write fails after the busy timeout.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from bot.servers import Service, start_action_server, start_rasa, wait_until_up
from bot.training import ensure_model
from tests.bot_stack import START_TIMEOUT, BotStack, start_bot

#: Seconds a write waits for the locked readiness database before the engine says "save failed".
BUSY_TIMEOUT = "0.5"
#: The engine's reply when a write failed (readiness/content/chat.yml `save_failed`).
SAVE_FAILED = "couldn't save that"


class TurnLost(Exception):
    """The bot gave no usable reply: server down, connection reset, HTTP error or empty reply."""


@dataclass
class FaultyBot:
    stack: BotStack
    environment: dict[str, str]
    model: Path

    # -- plumbing -----------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self.stack.root

    @property
    def database_url(self) -> str:
        return self.stack.database_url

    @property
    def database_path(self) -> Path:
        return self.root / "readiness.db"

    def service(self, name: str) -> Service:
        return next(s for s in self.stack.services if s.name == name)

    def logs(self) -> str:
        return self.stack.logs()

    def stop(self) -> None:
        self.stack.stop()

    def send(self, sender: str, message: str, timeout: float = 60) -> list[dict]:
        """One REST turn. TurnLost when the bot could not answer (as a user sees it: nothing)."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(self.stack.rest_url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                replies = json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError) as error:
            raise TurnLost(f"{type(error).__name__}: {error}") from None
        if not replies:
            raise TurnLost("empty reply")
        return replies

    # -- faults ---------------------------------------------------------------------------------

    def kill(self, name: str) -> None:
        """SIGKILL the server's whole process group (no clean shutdown) and reap it."""
        service = self.service(name)
        try:
            os.killpg(service.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        service.process.wait(timeout=30)

    def restart(self, name: str) -> Service:
        """Start a killed server again on the same port with the same settings; wait until up."""
        old = self.service(name)
        assert old.process.poll() is not None, f"{name} is still running"
        if name == "actions":
            new = start_action_server(self.stack.actions_port, old.log, self.environment)
        else:
            new = start_rasa(self.model, self.stack.rasa_port, self.root / "endpoints.yml", old.log,
                             cors="http://localhost", env=self.environment)
        self.stack.services[self.stack.services.index(old)] = new
        wait_until_up(new.health_url, START_TIMEOUT, new.process)
        return new

    def kill_and_restart(self, name: str) -> None:
        self.kill(name)
        self.restart(name)

    @contextmanager
    def database_locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the readiness database: every write by the action server
        fails once its busy timeout (BUSY_TIMEOUT) runs out; reads still work (WAL)."""
        connection = sqlite3.connect(self.database_path, timeout=30, isolation_level=None)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            yield
        finally:
            try:
                connection.execute("ROLLBACK")
            finally:
                connection.close()

    @contextmanager
    def database_locked_for(self, seconds: float) -> Iterator[threading.Thread]:
        """Lock the database in a background thread for `seconds` (the test keeps driving)."""
        locked = threading.Event()

        def hold() -> None:
            with self.database_locked():
                locked.set()
                time.sleep(seconds)

        thread = threading.Thread(target=hold, daemon=True)
        thread.start()
        locked.wait(30)
        try:
            yield thread
        finally:
            thread.join()


def start_faulty_bot(root: Path, env: dict[str, str] | None = None) -> FaultyBot:
    """`start_bot` with a short SQLite busy timeout, plus what a restart needs."""
    extra = {"READINESS_SQLITE_BUSY_TIMEOUT": BUSY_TIMEOUT, **(env or {})}
    stack = start_bot(root, env=extra)
    # start_bot's environment, rebuilt for restarts (same variables, same values).
    environment = {
        "READINESS_DATABASE_URL": stack.database_url,
        "READINESS_CONTENT_DIR": str(stack.content_dir),
        "READINESS_PUBLIC_URL": "http://scorecards.test",
        **extra,
    }
    return FaultyBot(stack, environment, ensure_model())
