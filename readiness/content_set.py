"""One gate for all content: the nine YAML files of a content folder, loaded and checked
together into one immutable `ContentSet`.

Why together: a content folder only works as a whole (the chat wording names placeholders the
conversation fills, training steps name the bank's challenges, …), so it is accepted or
refused as a whole, and every problem is one `ContentError` naming file:line and what to fix.
The live copy a running bot serves is kept by readiness.live_content.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from readiness.answers import PhraseError, Vocabulary, build_vocabulary
from readiness.answers.learned import ExampleError, ReplyModel, build_reply_model, ignored_statements
from readiness.bank import default_content_dir, load_questionnaire
from readiness.chat_text import ChatTexts, chat_texts_from
from readiness.cohort_profiles import CohortProfile, ProfileError, build_profiles
from readiness.content_yaml import CONTENT_FILE_NAMES, ContentError, YamlDocument, read_yaml
from readiness.evidence_content import EVIDENCE_FILE, EvidenceMeasure, build_measures
from readiness.model import Questionnaire
from readiness.patient import PATIENT_FILE, PatientContent, build_patient

__all__ = [
    "CONTENT_FILE_NAMES",
    "ContentError",
    "ContentSet",
    "bank_fingerprint",
    "load_cohort_profiles",
    "load_content",
]

PHRASES_FILE = "answer_phrases.yml"
#: Optional: labelled content replies the learned proposals are fitted on (readiness.answers.learned).
EXAMPLES_FILE = "answer_examples.yml"
CHAT_FILE = "chat.yml"
PROFILES_FILE = "cohort_profiles.yml"

#: Characters of the fingerprint shown to people (CLI, health); the full hash is stored.
SHORT_FINGERPRINT = 12


@dataclass(frozen=True)
class ContentSet:
    """Everything the bot and the core read from a content folder, checked as a whole."""

    questionnaire: Questionnaire
    chat: ChatTexts
    vocabulary: Vocabulary
    cohort_profiles: Mapping[str, CohortProfile]
    #: sha256 of the bank's and tiers' parsed data (see bank_fingerprint).
    fingerprint: str
    #: bank.yml `version`, the editor's label for this questionnaire.
    version: str
    directory: Path
    #: Pilot evidence measures (evidence.yml).
    evidence: tuple[EvidenceMeasure, ...] = ()
    #: The patients' questionnaire and wording (patient.yml); None only for hand-built sets.
    patient: PatientContent | None = None

    def evidence_measure(self, measure_id: str) -> EvidenceMeasure | None:
        return next((m for m in self.evidence if m.id == measure_id), None)

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:SHORT_FINGERPRINT]

    def summary(self) -> str:
        """One line for people: version, short fingerprint and what the folder holds."""
        q = self.questionnaire
        model = self.vocabulary.reply_model
        items = sum(len(c.items) for c in q.challenges)
        return (f"content {self.version} (fingerprint {self.short_fingerprint}): "
                f"{len(q.challenges)} challenges, {items} items, {len(q.roles)} roles, "
                f"{len(q.tiers.bands)} tiers, {len(q.glossary)} glossary terms, "
                f"{len(q.training)} training steps, {len(self.chat.messages)} chat messages, "
                f"{len(self.cohort_profiles)} cohort profiles, {len(self.evidence)} evidence measures, "
                f"{len(self.patient.statements) if self.patient else 0} patient statements, "
                f"{model.size if model is not None else 0} answer examples")


def _canonical(value: Any) -> Any:
    """Plain JSON data for a domain value: sets sorted, tuples as lists, floats as floats."""
    if isinstance(value, (frozenset, set)):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _canonical(getattr(value, name)) for name, f in fields.items()
                if f.repr and not name.startswith("_")}
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def bank_fingerprint(questionnaire: Questionnaire, evidence: tuple[EvidenceMeasure, ...] = (),
                     patient: tuple[Any, ...] = ()) -> str:
    """A stable hash of what the bank and tiers mean: roles, challenges, items (text, roles,
    weights, reverse flag, why, criterion, benchmark), tier bands and scoring rules.

    Computed from the parsed values as canonical JSON, so reformatting, comments and key order
    do not change it; any change of meaning does. The `version` label is not part of it (it is
    recorded beside it), so two folders with the same questions share a fingerprint.
    """
    data = {
        "roles": _canonical(questionnaire.roles),
        "challenges": _canonical(questionnaire.challenges),
        "tiers": _canonical(questionnaire.tiers.bands),
        "rules": _canonical(questionnaire.rules),
    }
    if evidence:
        data["evidence"] = _canonical(evidence)
    if patient:
        data["patient"] = _canonical(patient)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _located(document: YamlDocument, error: PhraseError | ProfileError | ExampleError,
             where: str) -> ContentError:
    return ContentError(document.path, where, error.problem, document.line(list(error.path)))


def load_vocabulary(path: Path) -> Vocabulary:
    """answer_phrases.yml at `path`, checked; ContentError names file:line."""
    document = read_yaml(path)
    try:
        return build_vocabulary(document.data)
    except PhraseError as error:
        where = f"section {error.path[0]!r}" if error.path else "top level"
        raise _located(document, error, where) from None


def load_reply_model(path: Path, questionnaire: Questionnaire, vocabulary: Vocabulary) -> ReplyModel | None:
    """answer_examples.yml at `path`, checked and fitted; None when the folder has none (an older
    hospital copy: typed content replies are then asked again, as before)."""
    if not path.is_file():
        return None
    document = read_yaml(path)
    statements = {item.id: item.text for challenge in questionnaire.challenges for item in challenge.items}
    try:
        return build_reply_model(document.data, statements, vocabulary.symbols)
    except ExampleError as error:
        where = f"statement {error.path[1]!r}" if len(error.path) > 1 else "top level"
        raise _located(document, error, where) from None


def ignored_examples(directory: Path, questionnaire: Questionnaire) -> tuple[str, ...]:
    """Statement ids in answer_examples.yml that the bank does not have (their examples are
    skipped: a typo, or a statement removed since)."""
    path = directory / EXAMPLES_FILE
    if not path.is_file():
        return ()
    statements = {item.id for challenge in questionnaire.challenges for item in challenge.items}
    return ignored_statements(read_yaml(path).data, dict.fromkeys(statements, ""))


def load_cohort_profiles(path: Path) -> dict[str, CohortProfile]:
    """cohort_profiles.yml at `path`, checked; ContentError names file:line."""
    document = read_yaml(path)
    try:
        return build_profiles(document.data)
    except ProfileError as error:
        where = (f"profile {error.path[1]!r}" if len(error.path) > 1 and error.path[0] == "profiles"
                 else "top level")
        if error.problem.startswith(where):  # the problem already names its profile
            problem, _, rest = error.problem.partition(": ")
            where, error = problem, ProfileError(rest, error.path)
        raise _located(document, error, where) from None


def load_content(directory: Path | str | None = None, *,
                 bank_file: Path | None = None) -> ContentSet:
    """Load and check all seven content files of `directory` (default: $READINESS_CONTENT_DIR,
    else the packaged folder) as one ContentSet. `bank_file` replaces its bank.yml (to check
    an edited bank before installing it). Raises ContentError naming file:line and the problem.
    """
    folder = Path(directory).expanduser() if directory is not None else default_content_dir()
    if not folder.is_dir():
        raise ContentError(folder, "content directory",
                           f"not found or not a directory; it must hold {', '.join(CONTENT_FILE_NAMES)}")
    questionnaire = load_questionnaire(folder, bank_file=bank_file)
    vocabulary = load_vocabulary(folder / PHRASES_FILE)
    vocabulary = replace(vocabulary, reply_model=load_reply_model(folder / EXAMPLES_FILE, questionnaire, vocabulary))
    chat_document = read_yaml(folder / CHAT_FILE)
    chat = chat_texts_from(chat_document)
    profiles = load_cohort_profiles(folder / PROFILES_FILE)
    evidence = build_measures(read_yaml(folder / EVIDENCE_FILE), questionnaire)
    patient_document = read_yaml(folder / PATIENT_FILE)
    # the patient statements' meaning first (for the fingerprint), then the whole patient content
    draft = build_patient(patient_document, questionnaire, chat, chat_document, version=questionnaire.version,
                          fingerprint="", vocabulary=vocabulary)
    labels = tuple(sorted((str(k), v) for k, v in draft.answer_labels.items()))
    fingerprint = bank_fingerprint(questionnaire, evidence, (draft.statements, labels))
    patient = build_patient(patient_document, questionnaire, chat, chat_document, version=questionnaire.version,
                            fingerprint=fingerprint, vocabulary=vocabulary)
    return ContentSet(
        questionnaire=questionnaire,
        chat=chat,
        vocabulary=vocabulary,
        cohort_profiles=profiles,
        fingerprint=fingerprint,
        version=questionnaire.version,
        directory=folder,
        evidence=evidence,
        patient=patient,
    )
