"""The launcher's settings: every environment value is checked before anything starts.

Unit tests of the parsers (bot/settings.py), then the real launcher as a subprocess with bad
values: one line naming the variable, exit code 2, no traceback, nothing listening, no files.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot import launcher
from bot import settings as config
from bot.settings import SettingError
from readiness.bank import PACKAGED_CONTENT_DIR
from tests.stack import ROOT, free_ports


# --- the parsers -------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [("", 5005), ("  ", 5005), ("1", 1), ("65535", 65535), (" 8080 ", 8080)])
def test_port_accepts_1_to_65535(value: str, expected: int) -> None:
    assert config.port({"RASA_PORT": value}, "RASA_PORT", 5005) == expected


@pytest.mark.parametrize("value", ["0", "65536", "-1", "abc", "80.5", "8080x", "1e3", "99999999999"])
def test_port_refuses_anything_else(value: str) -> None:
    with pytest.raises(SettingError) as error:
        config.port({"RASA_PORT": value}, "RASA_PORT", 5005)
    message = str(error.value)
    assert message.startswith(f"RASA_PORT={value!r} is not valid: expected a port number from 1 to 65535")
    assert "\n" not in message


@pytest.mark.parametrize("value, expected", [
    ("https://a.example.org,https://b.example.org", ("https://a.example.org", "https://b.example.org")),
    ("https://a.example.org, https://b.example.org", ("https://a.example.org", "https://b.example.org")),
    ("https://a.example.org https://b.example.org", ("https://a.example.org", "https://b.example.org")),
    ("  https://a.example.org ,\n\thttp://B.example.org:8443/ ,", ("https://a.example.org", "http://b.example.org:8443")),
    ("https://a.example.org,https://a.example.org", ("https://a.example.org",)),
    ("http://[::1]:8080", ("http://[::1]:8080",)),
    ("", ()),
])
def test_cors_origins_take_commas_and_or_spaces(value: str, expected: tuple[str, ...]) -> None:
    assert config.origins({"RASA_CORS_ORIGINS": value}, "RASA_CORS_ORIGINS") == expected


@pytest.mark.parametrize("value, bad", [
    ("intranet.example.org", "intranet.example.org"),
    ("https://a.example.org,intranet.example.org", "intranet.example.org"),
    ("https://a.example.org/chat", "https://a.example.org/chat"),
    ("ftp://a.example.org", "ftp://a.example.org"),
    ("https://", "https://"),
    ("https://a.example.org:99999", "https://a.example.org:99999"),
    ("https://a.example.org?x=1", "https://a.example.org?x=1"),
    ("https://user@a.example.org", "https://user@a.example.org"),
    ("*", "*"),
    ("https://a.example.org;https://b.example.org", "https://a.example.org;https://b.example.org"),
])
def test_cors_origins_refuse_what_is_not_scheme_host_port(value: str, bad: str) -> None:
    with pytest.raises(SettingError) as error:
        config.origins({"RASA_CORS_ORIGINS": value}, "RASA_CORS_ORIGINS")
    message = str(error.value)
    assert message.startswith(f"RASA_CORS_ORIGINS={value!r} is not valid: expected origins like")
    assert f"{bad!r} is not one" in message and "\n" not in message


def test_http_urls() -> None:
    env = {"READINESS_PUBLIC_URL": "https://readiness.example.org/chat/"}
    assert config.http_url(env, "READINESS_PUBLIC_URL", "x") == "https://readiness.example.org/chat"
    assert config.http_url({}, "READINESS_PUBLIC_URL", "http://localhost:8080") == "http://localhost:8080"
    for bad in ("localhost:8080", "readiness.example.org", "ftp://x.org", "http://", "http://x.org:0x",
                "http://x.org/?a=1", "http://exa mple.org"):
        with pytest.raises(SettingError, match=r"^READINESS_PUBLIC_URL=.* is not valid: expected an absolute http"):
            config.http_url({"READINESS_PUBLIC_URL": bad}, "READINESS_PUBLIC_URL", "x")


def test_database_urls() -> None:
    for good in ("sqlite:////tmp/x.db", "sqlite:///relative.db", "postgresql://u:p@db/readiness",
                 "postgresql+psycopg2://u@db:5433/readiness"):
        assert config.database_url({"URL": good}, "URL", "d") == good
    assert config.database_url({}, "URL", "default") == "default"
    for bad in ("not a url", "mysql://u@db/x", "sqlite://", "sqlite:///:memory:", "postgresql://db",
                "/var/readiness.db", "postgresql://u@db:port/x"):
        with pytest.raises(SettingError, match=r"^URL=.* is not valid: expected a database URL"):
            config.database_url({"URL": bad}, "URL", "d")


def test_redis_urls() -> None:
    assert config.redis_url({}, "R") == ""
    assert config.redis_url({"R": "redis://:pw@cache:6380/2"}, "R") == "redis://:pw@cache:6380/2"
    for bad in ("memcached://x", "redis://", "redis://cache/db2", "redis://cache:port/0", "cache:6379"):
        with pytest.raises(SettingError, match=r"^R=.* is not valid: expected a Redis URL"):
            config.redis_url({"R": bad}, "R")


def test_numbers_hosts_and_folders(tmp_path: Path) -> None:
    assert config.number({"N": "0.5"}, "N", 30) == 0.5
    assert config.number({}, "N", 30) == 30
    for bad in ("-1", "nan", "inf", "soon", "1,5"):
        with pytest.raises(SettingError, match=r"^N=.* is not valid: expected a number >= 0"):
            config.number({"N": bad}, "N", 30)
    assert config.host({"H": "0.0.0.0"}, "H", "127.0.0.1") == "0.0.0.0"
    assert config.host({"H": "chat-1.internal"}, "H", "127.0.0.1") == "chat-1.internal"
    for bad in ("http://x", "x:80", "two words", "-x"):
        with pytest.raises(SettingError, match=r"^H=.* is not valid: expected a host name or IP"):
            config.host({"H": bad}, "H", "127.0.0.1")
    assert config.directory({"D": str(tmp_path / "new")}, "D", tmp_path) == tmp_path / "new"
    (tmp_path / "file").write_text("x")
    with pytest.raises(SettingError, match=r"expected a folder, but this is a file"):
        config.directory({"D": str(tmp_path / "file")}, "D", tmp_path)
    with pytest.raises(SettingError, match=r"expected an existing folder"):
        config.directory({"D": str(tmp_path / "missing")}, "D", tmp_path, must_exist=True)


def test_launcher_settings_use_the_parsers(tmp_path: Path) -> None:
    settings = launcher.settings_from_env({
        "READINESS_DATA_DIR": str(tmp_path),
        "RASA_CORS_ORIGINS": "https://a.example.org,https://b.example.org",
        "READINESS_PUBLIC_URL": "https://readiness.example.org/",
    })
    assert settings.public_url == "https://readiness.example.org"
    assert settings.cors_origins == ("https://readiness.example.org", "https://a.example.org",
                                     "https://b.example.org")
    assert settings.content_dir == PACKAGED_CONTENT_DIR
    with pytest.raises(SettingError, match=r"^WEB_PORT='5005' is not valid: expected a port different from RASA_PORT=5005"):
        launcher.settings_from_env({"READINESS_DATA_DIR": str(tmp_path), "WEB_PORT": "5005"})


# --- the launcher itself ----------------------------------------------------------------------


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _launch(tmp_path: Path, extra: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], list[int], Path]:
    rasa, actions, web = free_ports(3)
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READINESS_", "RASA_", "SANIC_"))
           and k not in ("ACTIONS_PORT", "WEB_PORT", "WEB_HOST")}
    env.update({"READINESS_DATA_DIR": str(data_dir), "RASA_PORT": str(rasa), "ACTIONS_PORT": str(actions),
                "WEB_PORT": str(web), **extra})
    result = subprocess.run([sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=120)
    return result, [rasa, actions, web], data_dir


@pytest.mark.parametrize("variable, value, expected", [
    ("RASA_CORS_ORIGINS", "https://a.example.org,intranet.example.org", "scheme://host[:port]"),
    ("RASA_CORS_ORIGINS", "https://a.example.org/embed", "scheme://host[:port]"),
    ("ACTIONS_PORT", "70000", "a port number from 1 to 65535"),
    ("READINESS_DATABASE_URL", "mysql://u@db/readiness", "a database URL"),
    ("RASA_TRACKER_URL", "tracker.db", "a database URL"),
    ("RASA_LOCK_STORE_URL", "memcached://cache", "a Redis URL"),
    ("READINESS_PUBLIC_URL", "readiness.example.org", "an absolute http:// or https:// URL"),
    ("READINESS_SQLITE_BUSY_TIMEOUT", "soon", "a number >= 0"),
    ("READINESS_CONTENT_DIR", "/nonexistent/content", "an existing folder"),
])
def test_a_bad_value_stops_the_launch_with_one_line(tmp_path: Path, variable: str, value: str,
                                                    expected: str) -> None:
    result, ports, data_dir = _launch(tmp_path, {variable: value})
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {variable}={value!r} is not valid: expected ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not [port for port in ports if _listening(port)]
    assert not data_dir.exists()  # no pid file, no logs, no endpoints file


def test_broken_content_stops_the_launch_with_its_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, content)
    bank = content / "bank.yml"
    lines = bank.read_text().splitlines()
    lines.insert(3, "  broken: [unclosed")
    bank.write_text("\n".join(lines) + "\n")
    result, ports, data_dir = _launch(tmp_path, {"READINESS_CONTENT_DIR": str(content)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {bank}:"), result.stderr
    assert not [port for port in ports if _listening(port)]
    assert not data_dir.exists()
