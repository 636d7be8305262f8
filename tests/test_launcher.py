"""The launcher (`make run`): start, health, refusal of a second launch, clean stop, and its settings."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot import launcher, servers
from bot.settings import SettingError
from tests.stack import ROOT, stack_env

START_TIMEOUT = 420  # a cold start trains the model first (~40–90 s) and Rasa needs 20–40 s


def _children(pid: int) -> set[int]:
    """All descendants of `pid` (from /proc), the servers' own children included."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READINESS_", "RASA_")) and k not in (
        "ACTIONS_PORT", "WEB_PORT")}
    return {**env, **extra}


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_launcher_starts_all_three_refuses_a_second_launch_and_stops_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = _clean_env(stack_env(data_dir))
    rasa_port, actions_port, web_port = (int(env[k]) for k in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT"))
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    lines: "queue.Queue[str]" = queue.Queue()
    output: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        url = None
        deadline = time.monotonic() + START_TIMEOUT
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert process.poll() is None, "launcher exited early:\n" + "".join(output)
                continue
            output.append(line)
            if line.startswith(launcher.READY_PREFIX):
                url = line[len(launcher.READY_PREFIX):].split()[0]
        assert url == f"http://localhost:{web_port}", "".join(output)
        print(f"launcher ready after {time.monotonic() - started:.1f} s")

        # all three answer
        for health in (f"http://127.0.0.1:{web_port}/health", f"http://127.0.0.1:{actions_port}/health",
                       f"http://127.0.0.1:{rasa_port}/"):
            status, _ = _get(health)
            assert status == 200, health
        status, page = _get(f"http://127.0.0.1:{web_port}/")
        assert status == 200 and b"embed.js" in page
        # Rasa's HTTP API is off: no /status, /model/parse, /conversations endpoints.
        for path in ("/status", "/conversations/x/tracker"):
            with pytest.raises(urllib.error.HTTPError) as error:
                _get(f"http://127.0.0.1:{rasa_port}{path}")
            assert error.value.code in (404, 405)
        # Rasa's CORS answers the web app's origin only
        def allowed_origin(origin: str) -> str | None:
            request = urllib.request.Request(f"http://127.0.0.1:{rasa_port}/socket.io/?EIO=4&transport=polling",
                                             headers={"Origin": origin})
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.headers.get("Access-Control-Allow-Origin")

        assert allowed_origin(url) == url
        assert allowed_origin("http://evil.example") is None
        assert (data_dir / "logs" / "rasa.log").exists() and (data_dir / "logs" / "web.log").exists()
        record = json.loads((data_dir / "launcher.pid").read_text())
        assert record["pid"] == process.pid

        servers = _children(process.pid)
        assert len(servers) >= 3, servers

        # a second launch in the same data folder says so and exits 1 (without touching ports)
        second = subprocess.run([sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=env, text=True,
                                capture_output=True, timeout=120)
        assert second.returncode == 1
        assert "already running" in second.stderr and str(process.pid) in second.stderr, second.stderr
        assert url in second.stderr

        # another data folder on the same ports: a clear message about the port, exit 1
        other = dict(env, READINESS_DATA_DIR=str(tmp_path / "other"))
        third = subprocess.run([sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=other, text=True,
                               capture_output=True, timeout=120)
        assert third.returncode == 1
        assert re.search(r"port \d+ \((RASA|ACTIONS|WEB)_PORT\) is already in use", third.stderr), third.stderr

        # Ctrl-C stops everything: launcher exits 0, no server process left, ports free
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=90) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in servers if _alive(pid)], "server processes left after Ctrl-C"
        for port in (rasa_port, actions_port, web_port):
            assert not _port_open(port), f"port {port} still answers"
        assert not (data_dir / "launcher.pid").exists()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        while not lines.empty():
            output.append(lines.get())
        print("".join(output))


# --- fast checks of the launcher's pieces -----------------------------------------------------


def test_settings_defaults_and_environment(tmp_path: Path) -> None:
    settings = launcher.settings_from_env({"READINESS_DATA_DIR": str(tmp_path)})
    assert (settings.rasa_port, settings.actions_port, settings.web_port) == (5005, 5055, 8080)
    assert settings.public_url == "http://localhost:8080"
    assert settings.tracker_url == f"sqlite:///{tmp_path}/rasa_tracker.db"
    assert settings.database_url == f"sqlite:///{tmp_path}/readiness.db"
    assert settings.logs == tmp_path / "logs"
    custom = launcher.settings_from_env({
        "READINESS_DATA_DIR": str(tmp_path), "WEB_PORT": "9000", "RASA_PORT": "9001", "ACTIONS_PORT": "9002",
        "READINESS_DATABASE_URL": "postgresql://u:p@db/readiness", "RASA_TRACKER_URL": "postgresql://u:p@db/rasa",
    })
    assert custom.public_url == "http://localhost:9000"
    assert custom.database_url == "postgresql://u:p@db/readiness"
    assert custom.tracker_url == "postgresql://u:p@db/rasa"
    env = launcher.service_env(custom)
    assert env["READINESS_PUBLIC_URL"] == "http://localhost:9000"
    assert env["READINESS_DATABASE_URL"] == "postgresql://u:p@db/readiness"


def test_redis_lock_store_setting_reaches_the_endpoints_file(tmp_path: Path) -> None:
    settings = launcher.settings_from_env({
        "READINESS_DATA_DIR": str(tmp_path), "RASA_LOCK_STORE_URL": "redis://:secret@cache.internal:6380/2",
    })
    lock = servers.redis_lock_store(settings.lock_store_url)
    assert lock == {"type": "redis", "url": "cache.internal", "port": 6380, "db": 2, "password": "secret"}
    endpoints = servers.write_endpoints(tmp_path / "endpoints.yml", 5055, settings.tracker_url, lock)
    assert yaml.safe_load(endpoints.read_text())["lock_store"] == lock
    assert launcher.settings_from_env({"READINESS_DATA_DIR": str(tmp_path)}).lock_store_url == ""


@pytest.mark.parametrize("env, message", [
    ({"RASA_LOCK_STORE_URL": "memcached://x"}, "RASA_LOCK_STORE_URL='memcached://x' is not valid: expected a Redis URL"),
    ({"RASA_PORT": "abc"}, "RASA_PORT='abc' is not valid: expected a port number from 1 to 65535"),
    ({"WEB_PORT": "70000"}, "WEB_PORT='70000' is not valid: expected a port number from 1 to 65535"),
    ({"WEB_PORT": "5005"}, "WEB_PORT='5005' is not valid: expected a port different from RASA_PORT=5005"),
])
def test_bad_settings_are_explained(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingError, match=re.escape(message)):
        launcher.settings_from_env({"READINESS_DATA_DIR": str(tmp_path), **env})


def test_cors_allows_only_the_web_app_origin() -> None:
    pattern = re.compile(launcher.cors_pattern(("http://localhost:8080",)), re.IGNORECASE)
    assert pattern.match("http://localhost:8080")
    assert pattern.match("http://127.0.0.1:8080")
    for origin in ("http://localhost:8081", "http://evil.example", "http://localhost:8080.evil.example",
                   "https://localhost:8080", "http://localhost"):
        assert not pattern.match(origin), origin
    extra = re.compile(launcher.cors_pattern(("https://chat.example.org", "https://intranet.example.org")))
    assert extra.match("https://intranet.example.org")
    assert not extra.match("https://chat-example.org")


def test_stale_pid_file_is_ignored_and_a_live_one_refuses(tmp_path: Path) -> None:
    settings = launcher.settings_from_env({"READINESS_DATA_DIR": str(tmp_path)})
    # a dead pid and a live process that is not a launcher are both stale
    dead = subprocess.Popen(["true"])
    dead.wait()
    other = subprocess.Popen(["sleep", "30"])
    try:
        for pid in (dead.pid, other.pid):
            settings.pid_file.write_text(json.dumps({"pid": pid, "url": "http://x"}))
            launcher.acquire_pid_file(settings)
            assert json.loads(settings.pid_file.read_text())["pid"] == os.getpid()
            launcher.release_pid_file(settings)
            assert not settings.pid_file.exists()
    finally:
        other.kill()
        other.wait()
    # a live launcher (any process whose command line runs bot.launcher) refuses
    fake = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "bot.launcher"])
    try:
        deadline = time.monotonic() + 10  # until the child has exec'd and shows its command line
        while b"bot.launcher" not in Path(f"/proc/{fake.pid}/cmdline").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
        settings.pid_file.write_text(json.dumps({"pid": fake.pid, "url": "http://localhost:8080"}))
        with pytest.raises(launcher.LaunchError, match=rf"already running \(pid {fake.pid}\) at http://localhost:8080"):
            launcher.acquire_pid_file(settings)
        assert json.loads(settings.pid_file.read_text())["pid"] == fake.pid
    finally:
        fake.kill()
        fake.wait()


@pytest.mark.slow
def test_a_launcher_killed_with_sigkill_leaves_no_server_behind(tmp_path: Path) -> None:
    """SIGKILL gives the launcher no chance to stop its servers: each must notice on its own
    (bot.servers: PR_SET_PDEATHSIG) and exit, its own children included, freeing the ports."""
    data_dir = tmp_path / "data"
    env = _clean_env(stack_env(data_dir))
    ports = [int(env[k]) for k in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT")]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            if line.startswith(launcher.READY_PREFIX):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    servers_started: set[int] = set()
    try:
        assert ready.wait(START_TIMEOUT), "launcher not ready:\n" + "".join(output)
        servers_started = _children(process.pid)
        # the three servers, each the leader of its own session, plus whatever they started
        leaders = {pid for pid in servers_started if os.getsid(pid) == pid}
        assert len(leaders) == 3, servers_started
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in servers_started) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
                for pid in servers_started if _alive(pid)]
        assert left == [], f"still running 10 s after the launcher was killed: {left}"
        assert [port for port in ports if _port_open(port)] == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in servers_started:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        print("".join(output))
