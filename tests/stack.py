"""The whole product (action server, Rasa, web app) on free local ports, started the launcher's way.

Used by the browser test through the session-scoped `web_stack` fixture (import it into a test
module). The stack runs in a temporary data folder with its own SQLite databases.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

from bot import launcher
from bot.servers import Service, stop_all
from bot.training import ensure_model
from tests.bot_stack import free_port

ROOT = Path(__file__).resolve().parent.parent
#: Screenshots of the browser tests (gitignored; CI keeps it as an artifact).
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
#: Flags for Debian's chromium in containers and CI.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (held open together so none is handed out twice)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def stack_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Launcher environment variables for a private stack on free ports in `data_dir`."""
    rasa, actions, web = free_ports(3)
    return {
        "READINESS_DATA_DIR": str(data_dir),
        "RASA_PORT": str(rasa),
        "ACTIONS_PORT": str(actions),
        "WEB_PORT": str(web),
        **extra,
    }


@dataclass
class WebStack:
    settings: launcher.Settings
    services: list[Service] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.settings.public_url

    def logs(self) -> str:
        return "\n\n".join(f"== {s.name} ==\n{s.log.read_text(errors='replace')[-4000:]}" for s in self.services)

    def stop(self) -> None:
        stop_all(self.services)


def start_web_stack(data_dir: Path) -> WebStack:
    settings = launcher.settings_from_env(stack_env(data_dir))
    model = ensure_model()
    services = launcher.start_stack(settings, model, log=lambda *args, **kwargs: None)
    return WebStack(settings, services)


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStack]:
    stack = start_web_stack(tmp_path_factory.mktemp("web-stack"))
    try:
        yield stack
    finally:
        stack.stop()
