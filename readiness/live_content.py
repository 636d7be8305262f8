"""The content a running process serves: the last VALID content set, reloaded on change.

A hospital edits its content folder while the bot runs ($READINESS_CONTENT_DIR). A valid edit
takes effect on the next turn; an invalid one (a YAML typo, a missing message) must not
silence every conversation, so the last valid content set stays in service, the problem is
logged once per change (file:line) and `content_problem()` reports it (the web app's /health
shows it) until the folder is fixed. Only if no valid content was ever loaded in this process
does `current_content()` raise: start-up must fail clearly rather than serve nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.bank import default_content_dir
from readiness.content_set import ContentError, ContentSet, load_content
from readiness.content_yaml import CONTENT_FILE_NAMES, OPTIONAL_CONTENT_FILE_NAMES

__all__ = ["ContentState", "content_problem", "content_state", "current_content"]

logger = logging.getLogger("readiness.content")


@dataclass(frozen=True)
class ContentState:
    """What /health reports: is the folder on disk valid, and what is being served."""

    ok: bool
    version: str | None
    fingerprint: str | None
    problem: str | None
    directory: str

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "version": self.version, "fingerprint": self.fingerprint,
                "problem": self.problem, "directory": self.directory}


_paths_cache: dict[str, tuple[str, ...]] = {}


def _signature(directory: Path) -> tuple[Any, ...]:
    """What identifies the content on disk: the directory plus each file's stat fingerprint
    (one os.stat call per content file; no file is read when nothing changed)."""
    folder = str(directory)
    paths = _paths_cache.get(folder)
    if paths is None:
        paths = _paths_cache.setdefault(folder, tuple(os.path.join(folder, name)
                                                      for name in CONTENT_FILE_NAMES + OPTIONAL_CONTENT_FILE_NAMES))
    parts: list[Any] = [folder]
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            parts.append(None)
        else:
            parts.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(parts)


@dataclass(frozen=True)
class _Snapshot:
    signature: tuple[Any, ...]
    #: the last valid content set (None only before the first successful load)
    content: ContentSet | None
    #: why the folder as it is now on disk was refused (None: it is what is served)
    error: ContentError | None


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _refresh() -> _Snapshot:
    """The snapshot for the folder as it is now; loads (under the lock) only when it changed."""
    global _snapshot
    directory = default_content_dir()
    signature = _signature(directory)
    snapshot = _snapshot
    if snapshot is not None and snapshot.signature == signature:
        return snapshot
    with _lock:
        snapshot = _snapshot
        if snapshot is not None and snapshot.signature == signature:
            return snapshot
        previous = snapshot.content if snapshot is not None else None
        try:
            content = load_content(directory)
        except ContentError as error:
            if previous is not None:
                logger.error("content edit refused, still serving content %s (fingerprint %s) "
                             "from %s: %s", previous.version, previous.short_fingerprint,
                             previous.directory, error)
            else:
                logger.error("content refused, no valid content to serve: %s", error)
            snapshot = _Snapshot(signature, previous, error)
        else:
            if previous is not None and snapshot is not None and snapshot.error is not None:
                logger.warning("content problem fixed; now serving content %s (fingerprint %s) "
                               "from %s", content.version, content.short_fingerprint, directory)
            snapshot = _Snapshot(signature, content, None)
        _snapshot = snapshot
        return snapshot


def current_content() -> ContentSet:
    """The content set to serve now: reloaded when a content file or $READINESS_CONTENT_DIR
    changes (cheap otherwise: one os.stat call per content file). An invalid edit keeps the last valid set
    in service (logged once per change; see content_problem()). Raises ContentError only when
    no valid content has been loaded in this process yet."""
    snapshot = _refresh()
    if snapshot.content is None:
        assert snapshot.error is not None
        raise snapshot.error
    return snapshot.content


def content_problem() -> str | None:
    """Why the content folder as it is on disk is not being served (file:line and the problem),
    or None when it is."""
    return content_state().problem


def content_state() -> ContentState:
    """The content state for /health: never raises."""
    snapshot = _refresh()
    served = snapshot.content
    return ContentState(
        ok=snapshot.error is None,
        version=served.version if served is not None else None,
        fingerprint=served.fingerprint if served is not None else None,
        problem=str(snapshot.error) if snapshot.error is not None else None,
        directory=str(default_content_dir()),
    )
