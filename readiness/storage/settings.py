"""Where the databases are and how long SQLite waits: the one place these defaults are decided.

The launcher, the CLI, the action server and the web app all call these functions, so a data
folder or URL means the same database in every process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

#: Environment variable holding a full SQLAlchemy URL (e.g. postgresql+psycopg2://…).
DATABASE_URL_ENV = "READINESS_DATABASE_URL"
#: Environment variable naming the directory of the default SQLite databases.
DATA_DIR_ENV = "READINESS_DATA_DIR"
#: Folder used when `READINESS_DATA_DIR` is not set, under the caller's root.
DEFAULT_DATA_DIRNAME = "var"
#: File name of the default SQLite database inside the data directory.
DEFAULT_DB_FILENAME = "readiness.db"
#: Environment variable holding the Rasa tracker store's database as a SQLAlchemy URL.
TRACKER_URL_ENV = "RASA_TRACKER_URL"
#: File name of the default SQLite tracker database inside the data directory.
DEFAULT_TRACKER_FILENAME = "rasa_tracker.db"
#: Seconds a SQLite connection waits for a lock held by another process before failing.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
#: Environment variable overriding SQLITE_BUSY_TIMEOUT_SECONDS (seconds, may be fractional);
#: the fault tests set it low so a locked database fails a write quickly.
SQLITE_BUSY_TIMEOUT_ENV = "READINESS_SQLITE_BUSY_TIMEOUT"


def default_data_dir(env: Mapping[str, str] | None = None, root: Path | str | None = None) -> Path:
    """The data directory: `READINESS_DATA_DIR`, else `var/` under `root` (default: the
    current working directory). The launcher passes the project folder as `root` and hands
    the result to every process it starts as `READINESS_DATA_DIR`, so they all agree."""
    env = os.environ if env is None else env
    configured = (env.get(DATA_DIR_ENV) or "").strip()
    directory = Path(configured) if configured else Path(root or Path.cwd()) / DEFAULT_DATA_DIRNAME
    return directory.expanduser().resolve()


def _sqlite_file_url(directory: Path, filename: str) -> str:
    return f"sqlite:///{(directory / filename).as_posix()}"


def default_database_url(
    env: Mapping[str, str] | None = None, data_dir: Path | str | None = None
) -> str:
    """The readiness database URL when none is given.

    `READINESS_DATABASE_URL` in `env` (default: the process environment) if set and not blank;
    otherwise a SQLite file `readiness.db` in `data_dir`, else in `default_data_dir(env)`.
    """
    env = os.environ if env is None else env
    url = (env.get(DATABASE_URL_ENV) or "").strip()
    if url:
        return url
    directory = default_data_dir(env) if data_dir is None else Path(data_dir).expanduser().resolve()
    return _sqlite_file_url(directory, DEFAULT_DB_FILENAME)


def tracker_database_url(
    env: Mapping[str, str] | None = None, data_dir: Path | str | None = None
) -> str:
    """The Rasa tracker store's database URL.

    `RASA_TRACKER_URL` in `env` (default: the process environment) if set; otherwise a SQLite
    file `rasa_tracker.db` in `data_dir`, else in `default_data_dir(env)`. Used by the launcher
    (to configure Rasa) and by the privacy commands (to delete a respondent's chat events).
    """
    env = os.environ if env is None else env
    url = (env.get(TRACKER_URL_ENV) or "").strip()
    if url:
        return url
    directory = default_data_dir(env) if data_dir is None else Path(data_dir).expanduser().resolve()
    return _sqlite_file_url(directory, DEFAULT_TRACKER_FILENAME)


def sqlite_busy_timeout(env: Mapping[str, str] | None = None) -> float:
    """The SQLite busy timeout in seconds: `READINESS_SQLITE_BUSY_TIMEOUT` or the default.

    ValueError naming the variable for a value that is not a finite number >= 0.
    """
    env = os.environ if env is None else env
    value = (env.get(SQLITE_BUSY_TIMEOUT_ENV) or "").strip()
    if not value:
        return float(SQLITE_BUSY_TIMEOUT_SECONDS)
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(
            f"{SQLITE_BUSY_TIMEOUT_ENV}={value!r}: expected a number of seconds, like 30 or 0.5"
        ) from None
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"{SQLITE_BUSY_TIMEOUT_ENV}={value!r}: expected a finite number of seconds >= 0")
    return seconds
