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


@dataclass
class BotStack:
    root: Path
    rasa_port: int
    actions_port: int
    database_url: str
    content_dir: Path
    services: list[Service] = field(default_factory=list)

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def send(self, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        """One REST turn; returns Rasa's list of bot messages."""
        body = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        request = urllib.request.Request(
            self.rest_url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            return json.loads(response.read())

    def logs(self) -> str:
        return "\n".join(service.log.read_text(errors="replace") for service in self.services)

    def stop(self) -> None:
        stop_all(self.services)


def start_bot(root: Path, env: dict[str, str] | None = None) -> BotStack:
    """Train if needed, copy the content (so a test may edit it), start both servers."""
    model = ensure_model()
    content = root / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, content)
    database_url = f"sqlite:///{root / 'readiness.db'}"
    stack = BotStack(root, free_port(), free_port(), database_url, content)
    environment = {
        "READINESS_DATABASE_URL": database_url,
        "READINESS_CONTENT_DIR": str(content),
        "READINESS_PUBLIC_URL": "http://scorecards.test",
        **(env or {}),
    }
    endpoints = write_endpoints(root / "endpoints.yml", stack.actions_port, f"sqlite:///{root / 'tracker.db'}")
    try:
        actions = start_action_server(stack.actions_port, root / "actions.log", environment)
        stack.services.append(actions)
        rasa = start_rasa(model, stack.rasa_port, endpoints, root / "rasa.log", cors="http://localhost", env=environment)
        stack.services.append(rasa)
        wait_until_up(actions.health_url, START_TIMEOUT, actions.process)
        wait_until_up(rasa.health_url, START_TIMEOUT, rasa.process)
    except BaseException:
        stop_all(stack.services)
        raise
    return stack
