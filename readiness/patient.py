"""The patients' voice as content (patient.yml): statements, answer words and wording.

Patients use the same bot with `audience=patient`. Their statements are a small questionnaire of
their own — one role (`patient`), one part — so the conversation engine asks, skips, explains
and stops exactly as for staff; only the words differ. Patients' answers are stored under the
reserved role `patient` with audience `patient` and never enter staff scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from readiness.chat_text import MESSAGES, ChatTexts, chat_texts_from
from readiness.content_yaml import ContentError, YamlDocument
from readiness.model import NOT_APPLICABLE, AnswerValue, Challenge, Item, Questionnaire, Role

PATIENT_FILE = "patient.yml"
#: The reserved role (and audience) of a patient respondent; no bank role may use it.
PATIENT_ROLE = "patient"
PATIENT_AUDIENCE = "patient"
STAFF_AUDIENCE = "staff"
#: The single "part" of the patient questionnaire.
PATIENT_PART = "patient_voice"
MAX_STATEMENTS = 6
#: Longest statement (words): short sentences keep the reading age around 11.
MAX_WORDS = 16
#: Messages only patients are shown (besides chat.yml's, which patient.yml may reword).
PATIENT_MESSAGES: Mapping[str, frozenset[str]] = MappingProxyType({
    "patient_thanks": frozenset(),
    "patient_no_code": frozenset(),
})
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PatientStatement:
    id: str
    text: str
    why: str
    challenge: str
    staff_item: str | None = None


@dataclass(frozen=True)
class PatientContent:
    """What the conversation needs for patients; fits `readiness.dialogue.turn.Content`."""

    questionnaire: Questionnaire
    chat: ChatTexts
    statements: tuple[PatientStatement, ...]
    #: value (5 … 1, "n/a") → button words
    answer_labels: Mapping[AnswerValue, str]
    #: lower-case phrase → value
    phrases: Mapping[str, AnswerValue]
    title: str
    version: str
    fingerprint: str
    vocabulary: object

    def read_answer(self, text: str) -> AnswerValue | None:
        """A typed answer in patient words, or None (then the staff parser is tried)."""
        key = " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())
        return self.phrases.get(key)

    def statement(self, item_id: str) -> PatientStatement:
        return next(s for s in self.statements if s.id == item_id)


def _answer_key(document: YamlDocument, key: Any, path: list[Any]) -> AnswerValue:
    if key == "not_sure":
        return NOT_APPLICABLE
    if isinstance(key, int) and 1 <= key <= 5:
        return key
    raise ContentError(document.path, f"answer {key!r}", "answer keys are 1–5 or not_sure", document.line(path, key=True))


def build_patient(document: YamlDocument, questionnaire: Questionnaire, chat: ChatTexts,
                  chat_document: YamlDocument, *, version: str, fingerprint: str,
                  vocabulary: object) -> PatientContent:
    """Check a parsed patient.yml against the bank and chat.yml and build PatientContent."""
    data = document.data
    path = document.path
    if not isinstance(data, dict):
        raise ContentError(path, "top level", "expected a mapping", document.line([]))
    if PATIENT_ROLE in questionnaire.role_ids:
        raise ContentError(path, "top level", f"bank.yml may not define a role {PATIENT_ROLE!r} (reserved for patients)")
    raw = data.get("statements")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_STATEMENTS:
        raise ContentError(path, "statements", f"expected a list of 1–{MAX_STATEMENTS} statements", document.line(["statements"]))
    challenges = {c.id for c in questionnaire.challenges}
    statements: list[PatientStatement] = []
    for n, s in enumerate(raw):
        where = f"statement {s.get('id')!r}" if isinstance(s, dict) else f"statement #{n + 1}"
        line = document.line(["statements", n])
        if not isinstance(s, dict) or not isinstance(s.get("id"), str) or not _ID.match(s["id"]):
            raise ContentError(path, where, "needs a snake_case id", line)
        if questionnaire.has_item(s["id"]) or any(p.id == s["id"] for p in statements):
            raise ContentError(path, where, "id already used (by bank.yml or another statement)", line)
        for field in ("text", "why"):
            if not isinstance(s.get(field), str) or not s[field].strip():
                raise ContentError(path, where, f"needs `{field}:` text", line)
        if len(s["text"].split()) > MAX_WORDS:
            raise ContentError(path, where, f"text has more than {MAX_WORDS} words; keep it short and plain", line)
        if s.get("challenge") not in challenges:
            raise ContentError(path, where, f"challenge must be one of bank.yml's ({', '.join(sorted(challenges))})", line)
        staff = s.get("staff_item")
        if staff is not None and not isinstance(staff, str):
            raise ContentError(path, where, "staff_item must be the id of a bank.yml statement", line)
        if staff is not None and not questionnaire.has_item(staff):
            staff = None  # removed from the bank: no staff vs patients pair for it
        statements.append(PatientStatement(s["id"], " ".join(s["text"].split()), " ".join(s["why"].split()),
                                           s["challenge"], staff))
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise ContentError(path, "answers", "expected answer words for 1–5 and not_sure", document.line(["answers"]))
    labels: dict[AnswerValue, str] = {}
    for key, text in answers.items():
        value = _answer_key(document, key, ["answers", key])
        if not isinstance(text, str) or not text.strip():
            raise ContentError(path, f"answer {key!r}", "must be non-empty text", document.line(["answers", key]))
        labels[value] = text.strip()
    if set(labels) != {1, 2, 3, 4, 5, NOT_APPLICABLE}:
        raise ContentError(path, "answers", "needs words for each of 5, 4, 3, 2, 1 and not_sure", document.line(["answers"]))
    phrases: dict[str, AnswerValue] = {}
    for value, text in labels.items():
        phrases[" ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())] = value
    for key, words in (data.get("phrases") or {}).items():
        value = _answer_key(document, key, ["phrases", key])
        for word in words or ():
            phrases.setdefault(" ".join(re.sub(r"[^\w' ]+", " ", str(word).lower()).split()), value)
    messages = data.get("messages") or {}
    if not isinstance(messages, dict):
        raise ContentError(path, "messages", "expected a mapping of message names to text", document.line(["messages"]))
    # Patient wording: chat.yml's messages, reworded where patient.yml says so, checked with
    # the same rules (known names, allowed placeholders) plus the patient-only messages.
    allowed = {**MESSAGES, **PATIENT_MESSAGES}
    merged = {**chat.messages, **messages}
    sub = YamlDocument(path, merged, document.node(["messages"]))
    texts = chat_texts_from(sub, allowed)
    items = tuple(
        Item(id=s.id, challenge=PATIENT_PART, text=s.text, roles=frozenset({PATIENT_ROLE}), why=s.why,
             criterion="Patient Engagement")
        for s in statements
    )
    title = str(data.get("title") or "What patients told us")
    intro = str(data.get("intro") or title)
    patient_questionnaire = Questionnaire(
        version=questionnaire.version,
        roles=(Role(PATIENT_ROLE, "Patient"),),
        challenges=(Challenge(PATIENT_PART, title, title, intro, 1.0, items),),
        tiers=questionnaire.tiers,
        rules=questionnaire.rules,
        glossary=questionnaire.glossary,
    )
    return PatientContent(patient_questionnaire, texts, tuple(statements), MappingProxyType(labels),
                          MappingProxyType(phrases), title, version, fingerprint, vocabulary)
