"""A real bot for end-to-end tests: trained model, action server and Rasa on free local ports."""

from __future__ import annotations

import json
import os
import shutil
import socket
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.servers import Service, start_action_server, start_rasa, stop_all, wait_until_up, write_endpoints
from bot.training import ensure_model
from readiness.bank import PACKAGED_CONTENT_DIR

#: Rasa loads TensorFlow and the model: on 2 shared cores this can take a while.
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def text_of(messages: list[dict]) -> str:
    """The text of a REST reply's bot messages, joined."""
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


def data_of(messages: list[dict], key: str) -> dict | None:
    """The last custom JSON `key` (e.g. "progress", "summary") in a REST reply, if any."""
    found = [m["custom"]["data"][key] for m in messages if key in (m.get("custom") or {}).get("data", {})]
    return found[-1] if found else None


@dataclass
class BotStack:
    root: Path
    rasa_port: int
    actions_port: int
    database_url: str
    content_dir: Path
    services: list[Service] = field(default_factory=list)
    #: Every Rasa instance's port (the first is `rasa_port`); several share tracker and locks.
    rasa_ports: list[int] = field(default_factory=list)
    tracker_url: str | None = None

    @property
    def rest_url(self) -> str:
        return self.rest_url_of(0)

    def rest_url_of(self, instance: int) -> str:
        port = self.rasa_ports[instance] if self.rasa_ports else self.rasa_port
        return f"http://127.0.0.1:{port}/webhooks/rest/webhook"

    def send(self, sender: str, message: str, metadata: dict | None = None, instance: int = 0,
             timeout: float = 60) -> list[dict]:
        """One REST turn (to Rasa instance number `instance`); returns Rasa's list of bot messages."""
        body = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        request = urllib.request.Request(
            self.rest_url_of(instance), data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            assert response.status == 200
            return json.loads(response.read())

    def logs(self) -> str:
        return "\n".join(service.log.read_text(errors="replace") for service in self.services)

    def stop(self) -> None:
        stop_all(self.services)


def start_bot(
    root: Path,
    env: dict[str, str] | None = None,
    *,
    database_url: str | None = None,
    tracker_url: str | None = None,
    lock_store: dict | None = None,
    rasa_instances: int = 1,
) -> BotStack:
    """Train if needed, copy the content (so a test may edit it), start the servers.

    Defaults: SQLite files in `root` for the readiness store and the tracker, Rasa's in-memory
    lock store, one Rasa instance. For scale-out: give PostgreSQL URLs, a Redis `lock_store`
    section and `rasa_instances` > 1 (all share the one action server and the databases).
    """
    model = ensure_model()
    content = root / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, content)
    database_url = database_url or f"sqlite:///{root / 'readiness.db'}"
    tracker_url = tracker_url or f"sqlite:///{root / 'tracker.db'}"
    ports = [free_port() for _ in range(rasa_instances)]
    stack = BotStack(root, ports[0], free_port(), database_url, content, rasa_ports=ports, tracker_url=tracker_url)
    environment = {
        "READINESS_DATABASE_URL": database_url,
        "READINESS_CONTENT_DIR": str(content),
        "READINESS_PUBLIC_URL": "http://scorecards.test",
        **(env or {}),
    }
    endpoints = write_endpoints(root / "endpoints.yml", stack.actions_port, tracker_url, lock_store)
    try:
        actions = start_action_server(stack.actions_port, root / "actions.log", environment)
        stack.services.append(actions)
        instances = []
        for n, port in enumerate(ports):
            log = root / ("rasa.log" if n == 0 else f"rasa-{n}.log")
            rasa = start_rasa(model, port, endpoints, log, cors="http://localhost", env=environment)
            stack.services.append(rasa)
            instances.append(rasa)
        wait_until_up(actions.health_url, START_TIMEOUT, actions.process)
        for rasa in instances:
            wait_until_up(rasa.health_url, START_TIMEOUT, rasa.process)
    except BaseException:
        stop_all(stack.services)
        raise
    return stack
