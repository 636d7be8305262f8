"""What every command group shares: the one-line user error, tables, JSON, output files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from tqdm import tqdm

    from readiness.storage import Store

#: Exit code for errors the user can fix (bad input, unknown ids, missing files).
USAGE_ERROR = 2


class UserError(Exception):
    """An error caused by the command's input: reported in one line, exit code 2."""


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain aligned text table (what a terminal user reads at a glance)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[n]) for row in cells) for n in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def open_store() -> "Store":
    from tqdm import tqdm

    from readiness.storage import Store

    return Store()


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def unknown_organisation(code: str) -> UserError:
    return UserError(f"no organisation has the join code {code!r}; list them with: readiness org list")


def progress_bar(total: int, unit: str, description: str) -> "tqdm":
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=description, file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty())


def write_output(data: str | bytes, output: str | None, binary: bool) -> None:
    if output is None:
        if binary:
            if sys.stdout.isatty():
                raise UserError("PDF output is binary: give -o FILE.pdf (or redirect stdout to a file)")
            sys.stdout.buffer.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
        return
    path = Path(output)
    if not path.parent.is_dir():
        raise UserError(f"{path.parent}: no such directory")
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}") from None
    print(f"Wrote {path}", file=sys.stderr)
