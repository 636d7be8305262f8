"""Parsers for the launcher's environment settings: a bad value is refused before anything starts.

Each function reads one variable from a mapping (the process environment in production), returns
the typed value or the default, and raises `SettingError` whose one-line message names the
variable, the value and what is expected. The launcher prints it and exits 2; nothing else knows
how a port or an origin is spelled.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Mapping
from urllib.parse import SplitResult, urlsplit

#: Database backends the readiness store and Rasa's SQL tracker store are used with.
DATABASE_BACKENDS = ("sqlite", "postgresql")
#: A host name or IPv4/IPv6 address to listen on (no scheme, no port, no spaces).
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]+\]?)$")


class SettingError(ValueError):
    """One environment variable has a value the launcher cannot use."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        self.name, self.value, self.expected = name, value, expected
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.name}={self.value!r} is not valid: expected {self.expected}"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.name, self.value, self.expected))


def raw(env: Mapping[str, str], name: str) -> str:
    """The variable's value without surrounding blanks; unset and blank both read as ""."""
    return (env.get(name) or "").strip()


def port(env: Mapping[str, str], name: str, default: int) -> int:
    """A TCP port number, 1–65535."""
    value = raw(env, name)
    if not value:
        return default
    if not re.fullmatch(r"\d{1,5}", value) or not 0 < int(value) < 65536:
        raise SettingError(name, value, f"a port number from 1 to 65535, e.g. {name}={default}")
    return int(value)


def number(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    """A finite decimal number, at least `minimum`."""
    value = raw(env, name)
    if not value:
        return default
    try:
        parsed = float(value)
    except ValueError:
        parsed = math.nan
    if not math.isfinite(parsed) or parsed < minimum:
        raise SettingError(name, value, f"a number >= {minimum:g}, e.g. {name}={default:g}")
    return parsed


def host(env: Mapping[str, str], name: str, default: str) -> str:
    """An interface to listen on: a host name or IP address, without scheme or port."""
    value = raw(env, name)
    if not value:
        return default
    if not _HOST.fullmatch(value):
        raise SettingError(name, value, f"a host name or IP address without scheme or port, e.g. {name}={default}")
    return value


def _http_parts(name: str, value: str, example: str) -> SplitResult:
    expected = f"an absolute http:// or https:// URL, e.g. {name}={example}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number in range
    except ValueError:
        raise SettingError(name, value, expected) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in value:
        raise SettingError(name, value, expected)
    if parts.query or parts.fragment or parts.username is not None:
        raise SettingError(name, value, expected + " (no user, query or fragment)")
    return parts


def http_url(env: Mapping[str, str], name: str, default: str, example: str = "http://localhost:8080") -> str:
    """An absolute http(s) URL (a path is allowed, e.g. behind a reverse proxy), without the
    trailing slash; `default` is returned as given when the variable is unset."""
    value = raw(env, name)
    if not value:
        return default
    _http_parts(name, value, example)
    return value.rstrip("/")


def origin(name: str, value: str) -> str:
    """One browser origin `scheme://host[:port]` (http or https, no path), lower-cased."""
    expected = "origins like https://intranet.example.org or http://host:8080 (scheme://host[:port], no path)"
    try:
        parts = urlsplit(value)
        port_number = parts.port
    except ValueError:
        raise SettingError(name, value, expected) from None
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.path not in ("", "/")
            or parts.query or parts.fragment or parts.username is not None or "?" in value or "#" in value):
        raise SettingError(name, value, expected)
    suffix = f":{port_number}" if port_number is not None else ""
    hostname = parts.hostname.lower()
    hostname = f"[{hostname}]" if ":" in hostname else hostname
    return f"{parts.scheme.lower()}://{hostname}{suffix}"


def origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Browser origins separated by commas and/or blanks, each checked by `origin`."""
    value = raw(env, name)
    found: list[str] = []
    for entry in re.split(r"[\s,]+", value):
        if entry:
            try:
                found.append(origin(name, entry))
            except SettingError as error:
                raise SettingError(name, value, f"{error.expected}; {entry!r} is not one") from None
    return tuple(dict.fromkeys(found))


def database_url(env: Mapping[str, str], name: str, default: str) -> str:
    """A SQLAlchemy URL for SQLite (a file) or PostgreSQL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    value = raw(env, name)
    if not value:
        return default
    expected = (f"a database URL such as sqlite:////path/to/file.db or postgresql://user:password@host/db")
    try:
        url = make_url(value)
        backend = url.get_backend_name()
        url.port  # noqa: B018
    except (ArgumentError, ValueError):
        raise SettingError(name, value, expected) from None
    if backend not in DATABASE_BACKENDS or not url.database or url.database == ":memory:":
        raise SettingError(name, value, expected)
    return value


def redis_url(env: Mapping[str, str], name: str) -> str:
    """A redis://[:password@]host[:port][/db] URL, or "" when unset (Rasa's in-memory lock store)."""
    value = raw(env, name)
    if not value:
        return ""
    expected = "a Redis URL like redis://host:6379/0 (redis://[:password@]host[:port][/db])"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018
    except ValueError:
        raise SettingError(name, value, expected) from None
    if parts.scheme != "redis" or not parts.hostname or not re.fullmatch(r"/?\d*", parts.path):
        raise SettingError(name, value, expected)
    return value


def directory(env: Mapping[str, str], name: str, default: Path, *, must_exist: bool = False) -> Path:
    """A folder (absolute, `~` expanded). It may be created later unless `must_exist`; a path
    that names an existing file is refused either way."""
    value = raw(env, name)
    path = (Path(value).expanduser() if value else default).resolve()
    if path.exists() and not path.is_dir():
        raise SettingError(name, value or str(default), "a folder, but this is a file")
    if must_exist and not path.is_dir():
        raise SettingError(name, value or str(default), "an existing folder")
    return path
