"""The bot's wording (chat.yml), and the one declaration of the messages the conversation says.

`MESSAGES` lists every message key the conversation uses and the placeholders each may use.
chat.yml is checked against it when the content is loaded (readiness.content_set), so a
missing message or a misspelt placeholder (`{scroe}`) is reported with file:line before it
goes live, not when a respondent first reaches that message. A new message in the code
needs its entry here (a test scans readiness/ for `say("key"` calls).
"""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from readiness.content_yaml import ContentError, YamlDocument, read_yaml

CHAT_FILE = Path(__file__).parent / "content" / "chat.yml"

#: Older name of the error a broken chat.yml raises.
ChatTextError = ContentError


def _keys(*names: str) -> frozenset[str]:
    return frozenset(names)


_NONE = _keys()

#: Every message the conversation says → the placeholders its text may use.
MESSAGES: Mapping[str, frozenset[str]] = MappingProxyType({
    "welcome": _keys("minutes"),
    "privacy": _NONE,
    "consent_question": _NONE,
    "consent_yes_button": _NONE,
    "consent_no_button": _NONE,
    "consent_again": _NONE,
    "declined": _NONE,
    "declined_again": _NONE,
    "role_question": _NONE,
    "role_again": _NONE,
    "role_confirmed": _keys("role_label"),
    "department_question": _NONE,
    "department_skip_button": _NONE,
    "department_invalid": _NONE,
    "code_question": _NONE,
    "code_none_button": _NONE,
    "code_unknown": _keys("code"),
    "code_missing": _NONE,
    "code_accepted": _keys("organisation"),
    "individual": _NONE,
    "begin": _keys("questions"),
    "challenge_intro": _keys("number", "challenges", "intro"),
    "question": _keys("statement"),
    "answer_buttons_dont_know": _NONE,
    "challenge_done": _keys("title", "done", "challenges"),
    "noted": _keys("answer"),
    "proposal": _keys("answer"),
    "proposal_rejected": _NONE,
    "hint": _NONE,
    "hint_again": _NONE,
    "wrong_question": _NONE,
    "why": _keys("why"),
    "define": _keys("term", "definition"),
    "define_unknown": _keys("examples"),
    "progress": _keys("answered", "questions", "number", "challenges", "title"),
    "go_back": _keys("previous"),
    "go_back_first": _NONE,
    "skipped": _NONE,
    "pause": _keys("code"),
    "paused_idle": _keys("code"),
    "continue": _NONE,
    "resume_unknown": _keys("code"),
    "resume_done": _keys("code"),
    "resume_locked": _keys("minutes"),
    "resume_busy": _NONE,
    "confirm_start_over": _NONE,
    "confirm_stop": _NONE,
    "confirm_yes_button": _NONE,
    "confirm_no_button": _NONE,
    "confirm_again": _NONE,
    "cancelled": _NONE,
    "started_over": _NONE,
    "stopped": _keys("answered", "code"),
    "help": _NONE,
    "chitchat": _NONE,
    "out_of_scope": _NONE,
    "greet_again": _NONE,
    "save_failed": _NONE,
    "summary_title": _keys("score", "tier"),
    "summary_no_index": _NONE,
    "summary_challenge_line": _keys("bar", "score", "title"),
    "summary_challenge_unscored": _keys("bar", "title"),
    "summary_gaps_title": _NONE,
    "summary_gap_line": _keys("number", "title", "score", "target"),
    "summary_no_gaps": _keys("target"),
    "summary_next_tier": _keys("tier", "steps", "challenges"),
    "summary_top_tier": _NONE,
    "summary_training_title": _NONE,
    "summary_training_line": _keys("title", "format", "minutes", "challenge"),
    "summary_scorecard": _keys("url"),
    "done_idle": _keys("url"),
})


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


def _placeholders(template: str) -> list[tuple[str, str | None]]:
    """(field name, conversion) of each placeholder; ValueError for unbalanced braces."""
    return [(field, conversion) for _, field, _, conversion in string.Formatter().parse(template)
            if field is not None]


def chat_texts_from(document: YamlDocument,
                    messages: Mapping[str, frozenset[str]] = MESSAGES) -> ChatTexts:
    """Check a parsed chat.yml against `messages` (every key present, non-empty text, only the
    placeholders allowed for it) and build the ChatTexts; ContentError names file:line."""
    data = document.data
    if not isinstance(data, dict):
        raise ContentError(document.path, "top level",
                           "expected a mapping of message names to text (name: text)",
                           document.line([]))
    for key, value in data.items():
        where = f"message {key!r}"
        if key not in messages:
            close = difflib.get_close_matches(str(key), list(messages), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (a typo?)"
            raise ContentError(document.path, where,
                               f"unknown message name{hint}; the conversation never says it",
                               document.line([key], key=True))
        line = document.line([key])
        if not isinstance(value, str) or not value.strip():
            raise ContentError(document.path, where, "must be non-empty text", line)
        try:
            fields = _placeholders(value)
        except ValueError as error:
            raise ContentError(document.path, where,
                               f"bad placeholder: {error}; write a literal brace as {{{{ or }}}}",
                               line) from None
        allowed = messages[key]
        for field, conversion in fields:
            name = field.split(".", 1)[0].split("[", 1)[0]
            if name not in allowed:
                options = (f"it may use {', '.join('{' + p + '}' for p in sorted(allowed))}"
                           if allowed else "it takes no placeholders")
                raise ContentError(document.path, where,
                                   f"placeholder {{{field}}} is not known here; {options}", line)
            if conversion not in (None, "r", "s", "a"):
                raise ContentError(document.path, where,
                                   f"placeholder {{{field}!{conversion}}}: unknown conversion "
                                   f"!{conversion}; use !s, !r or none", line)
    missing = [key for key in messages if key not in data]
    if missing:
        raise ContentError(document.path, f"message {missing[0]!r}",
                           f"missing; add it (the conversation says it)"
                           + (f"; also missing: {', '.join(missing[1:])}" if missing[1:] else ""))
    return ChatTexts(messages=MappingProxyType(dict(data)))


def load_chat_texts(path: Path | None = None) -> ChatTexts:
    """The chat wording: of the live content set by default (readiness.live_content, so
    $READINESS_CONTENT_DIR and live edits apply), or of the chat.yml at `path`, checked."""
    if path is None:
        from readiness.live_content import current_content

        return current_content().chat
    return chat_texts_from(read_yaml(Path(path)))
