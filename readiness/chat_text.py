"""The bot's wording, loaded from `content/chat.yml` so it can be edited without code or retraining."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

CHAT_FILE = Path(__file__).parent / "content" / "chat.yml"


class ChatTextError(ValueError):
    """chat.yml is missing a message or a message uses an unknown placeholder."""


@dataclass(frozen=True)
class ChatTexts:
    messages: Mapping[str, str]

    def say(self, key: str, **values: Any) -> str:
        """The message `key` with its placeholders filled; KeyError names a missing message."""
        try:
            template = self.messages[key]
        except KeyError:
            raise KeyError(f"chat.yml has no message {key!r}") from None
        return template.format(**values)


def load_chat_texts(path: Path = CHAT_FILE) -> ChatTexts:
    """Read and sanity-check chat.yml: every value a non-empty string with well-formed braces."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ChatTextError(f"{path}: cannot load: {error}") from None
    if not isinstance(data, dict):
        raise ChatTextError(f"{path}: expected a mapping of message names to text")
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ChatTextError(f"{path}: message {key!r}: must be non-empty text")
        try:
            list(string.Formatter().parse(value))
        except ValueError as error:
            raise ChatTextError(f"{path}: message {key!r}: bad placeholder: {error}") from None
    return ChatTexts(messages=dict(data))
