"""The assessment conversation as a pure state machine: (state, user turn) → (messages, state).

Rasa supplies NLU (intent and confidence) and carries `ChatState` in one slot; everything
else — what to ask next, what an answer means, what is stored — is decided here, so it can be
tested without a Rasa server and the questionnaire can change without retraining.

Answers are stored the moment they are understood (a crash loses at most the message in
flight); storing is an upsert, so a repeated message stores nothing new.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from sqlalchemy.exc import SQLAlchemyError

from readiness.answers import parse_answer, likert_label
from readiness.bank import current_questionnaire
from readiness.chat_text import ChatTexts, load_chat_texts
from readiness.matching import find_glossary_entry, find_resume_code, join_code_candidates, match_role
from readiness.model import NOT_APPLICABLE, AnswerValue, Item, Questionnaire, is_valid_answer
from readiness.results import ReadinessResult, evaluate
from readiness.storage import AssessmentRecord, Store, is_valid_sender_id

#: Intents that interrupt the questionnaire (then the same question is asked again).
INTERRUPTIONS = frozenset({
    "why", "define", "skip", "go_back", "progress", "pause", "start_over", "stop", "help",
    "chitchat", "out_of_scope", "greet", "thanks", "goodbye", "resume",
})
#: NLU intents that carry a Likert answer, used when the deterministic parser finds none.
LIKERT_INTENTS: Mapping[str, AnswerValue] = {
    "answer_strongly_disagree": 1,
    "answer_disagree": 2,
    "answer_neutral": 3,
    "answer_agree": 4,
    "answer_strongly_agree": 5,
    "answer_dont_know": NOT_APPLICABLE,
}
#: Below this NLU confidence an intent is not trusted on its own.
CONFIDENCE = 0.6
#: Seconds a respondent needs per statement, for the "about N minutes" estimate.
SECONDS_PER_ITEM = 15
#: Department names: a short unit name, never free text that could carry patient details.
DEPARTMENT = re.compile(r"^[^\W\d_][\w &/().,'-]{0,59}$")
#: Width of the text bars in the summary.
BAR_WIDTH = 10
#: Unknown resume codes one conversation may try before resuming is refused for a while.
RESUME_MAX_FAILURES = 5
#: How long (seconds) a conversation that used up its resume attempts must wait.
RESUME_LOCKOUT_SECONDS = 15 * 60

PHASES = (
    "start", "consent", "declined", "role", "department", "organisation",
    "questionnaire", "paused", "done",
)
#: Phases whose state names an assessment (checked against the database every turn).
_ASSESSMENT_PHASES = ("questionnaire", "paused", "done")
#: Confirmations the conversation may be waiting for.
PENDING = ("start_over", "stop")
#: Slot fields and their types; the others are optional text.
_SLOT_TYPES: Mapping[str, Any] = {
    "misses": int, "assessment_id": int, "resume_failures": int, "resume_blocked_until": (int, float),
}
#: Slot fields that may never be null.
_NOT_NULL = frozenset({"phase", "misses", "resume_failures"})


@dataclass(frozen=True)
class ChatState:
    """Everything the conversation remembers between turns (kept in Rasa's `chat_state` slot)."""

    phase: str = "start"
    role: str | None = None
    department: str | None = None
    org_code: str | None = None
    respondent: str | None = None
    assessment_id: int | None = None
    revisit: str | None = None
    pending: str | None = None
    misses: int = 0
    #: Unknown resume codes tried in this conversation (never reset by a successful resume,
    #: so valid codes cannot be interleaved to keep guessing).
    resume_failures: int = 0
    #: Until when (epoch seconds) resume attempts are refused in this conversation.
    resume_blocked_until: float | None = None
    #: The statement the respondent was last shown. A free-text answer belongs to it even when
    #: the database is ahead (the reply to the previous answer was lost in a crash).
    asked: str | None = None

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: object) -> "ChatState":
        """Rebuild from a slot value; anything malformed (or forged) yields a fresh state."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return cls()
        if not isinstance(value, dict):
            return cls()
        defaults = cls()
        fields: dict[str, Any] = {}
        for name, default in asdict(defaults).items():
            item = value.get(name, default)
            expected = _SLOT_TYPES.get(name, str)
            if item is None and name not in _NOT_NULL:
                fields[name] = item
            elif isinstance(item, expected) and not isinstance(item, bool):
                fields[name] = item
            else:
                return cls()
        blocked = fields["resume_blocked_until"]
        if blocked is not None:
            if not math.isfinite(blocked) or blocked < 0:
                return cls()
            fields["resume_blocked_until"] = float(blocked)
        state = cls(**fields)
        if (
            state.phase not in PHASES
            or state.misses < 0
            or state.resume_failures < 0
            or (state.pending is not None and state.pending not in PENDING)
        ):
            return cls()
        return state


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One chat bubble; `data` is sent as custom JSON (the widget's progress bar reads it)."""

    text: str
    buttons: tuple[Button, ...] = ()
    data: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class UserTurn:
    """What the user sent: raw text plus Rasa's reading of it."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    entities: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def means(self, *intents: str) -> bool:
        return self.intent in intents and self.confidence >= CONFIDENCE


@dataclass(frozen=True)
class Reply:
    messages: tuple[BotMessage, ...]
    state: ChatState


def _payload_intent(turn: UserTurn, name: str) -> bool:
    """Button payloads ("/affirm") come with confidence 1.0 from Rasa."""
    return turn.intent == name and turn.confidence >= 1.0


_YES = frozenset({"yes", "y", "yeah", "yep", "sure", "ok", "okay", "i agree", "agree", "yes i agree", "of course"})
_NO = frozenset({"no", "n", "nope", "no thanks", "no thank you", "i do not agree", "i don't agree", "not now"})


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


def _is_yes(turn: UserTurn) -> bool:
    return turn.means("affirm") or _plain(turn.text) in _YES


def _is_no(turn: UserTurn) -> bool:
    return turn.means("deny") or _plain(turn.text) in _NO


def text_bar(score: float, width: int = BAR_WIDTH) -> str:
    """A compact bar for chat: one block per tenth of the 0–100 scale."""
    filled = max(0, min(width, round(score / 100 * width)))
    return "█" * filled + "░" * (width - filled)


class Conversation:
    """The assessment dialogue. One instance serves all conversations; it holds no per-user state."""

    def __init__(
        self,
        store: Store,
        questionnaire: Callable[[], Questionnaire] = current_questionnaire,
        texts: ChatTexts | None = None,
        scorecard_url: Callable[[str], str] = lambda token: f"/me/{token}",
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.store = store
        self.questionnaire = questionnaire
        self._texts = texts
        self.scorecard_url = scorecard_url
        self.now = now

    @property
    def texts(self) -> ChatTexts:
        """The given wording, else the live content's (so chat.yml edits apply at once)."""
        return self._texts if self._texts is not None else load_chat_texts()

    # --- entry point ---------------------------------------------------------------------

    def handle(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        """Answer one user message. Database failures leave the state as it was."""
        if not is_valid_sender_id(sender_id):
            # a channel without a usable conversation id: nothing can be stored for it
            return Reply((BotMessage(self.texts.say("save_failed")),), state)
        try:
            return self._dispatch(sender_id, state, turn)
        except SQLAlchemyError:
            return Reply((BotMessage(self.texts.say("save_failed")),), state)

    def _dispatch(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        if not self._consistent(sender_id, state):
            # A state naming an assessment this conversation does not own (forged, or the
            # respondent resumed elsewhere or was deleted), or past the role question without
            # a known role: start afresh, touching nothing.
            state = ChatState(resume_failures=state.resume_failures,
                              resume_blocked_until=state.resume_blocked_until)
        code = find_resume_code(turn.text) if state.phase != "questionnaire" else None
        if code is not None:
            return self._resume(sender_id, state, code)
        handler = getattr(self, f"_on_{state.phase}")
        reply = handler(sender_id, state, turn)
        shown = [m.data["progress"]["item"] for m in reply.messages if m.data and "progress" in m.data]
        # Handlers that start afresh must not forget the resume attempts.
        return Reply(reply.messages, replace(
            reply.state,
            resume_failures=state.resume_failures,
            resume_blocked_until=state.resume_blocked_until,
            asked=shown[-1] if shown else reply.state.asked,
        ))

    def _consistent(self, sender_id: str, state: ChatState) -> bool:
        if state.phase in ("department", "organisation"):
            return state.role in self.questionnaire().role_ids
        if state.phase in _ASSESSMENT_PHASES:
            return self._owns(sender_id, state)
        return True

    def _owns(self, sender_id: str, state: ChatState) -> bool:
        """Whether the state's assessment belongs to this conversation's respondent, as the
        state says (role and organisation): the slot is never trusted to name someone's data."""
        if state.assessment_id is None or state.respondent is None:
            return False
        respondent = self.store.respondent_for_sender(sender_id)
        if (
            respondent is None
            or respondent.pseudonym != state.respondent
            or respondent.role != state.role
            or respondent.organisation_code != state.org_code
        ):
            return False
        assessment = self.store.get_assessment(state.assessment_id)
        return assessment is not None and assessment.respondent == respondent.pseudonym

    def say(self, key: str, **values: Any) -> BotMessage:
        return BotMessage(self.texts.say(key, **values))

    # --- before the questionnaire --------------------------------------------------------

    def _on_start(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        questionnaire = self.questionnaire()
        longest = max(len(questionnaire.items_for(role)) for role in questionnaire.role_ids)
        minutes = max(1, math.ceil(longest * SECONDS_PER_ITEM / 60))
        org_code = self._metadata_code(turn) or state.org_code
        return Reply(
            (
                self.say("welcome", minutes=minutes),
                self.say("privacy"),
                self._consent_question("consent_question"),
            ),
            ChatState(phase="consent", org_code=org_code),
        )

    _on_declined = _on_start

    def _consent_question(self, key: str) -> BotMessage:
        return BotMessage(
            self.texts.say(key),
            (
                Button(self.texts.say("consent_yes_button"), "/affirm"),
                Button(self.texts.say("consent_no_button"), "/deny"),
            ),
        )

    def _on_consent(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        if _is_no(turn):
            return Reply((self.say("declined"),), ChatState(phase="declined"))
        if _is_yes(turn):
            return Reply((self._role_question("role_question"),), replace(state, phase="role"))
        if turn.means("help"):
            return Reply((self.say("privacy"), self._consent_question("consent_question")), state)
        return Reply((self._consent_question("consent_again"),), state)

    def _role_question(self, key: str) -> BotMessage:
        roles = self.questionnaire().roles
        return BotMessage(
            self.texts.say(key),
            tuple(Button(role.label, f'/inform_role{{"role": "{role.id}"}}') for role in roles),
        )

    def _on_role(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        questionnaire = self.questionnaire()
        chosen = turn.entities.get("role")
        role = next((r for r in questionnaire.roles if r.id == chosen), None)
        if role is None:
            role = match_role(questionnaire, turn.text)
        if role is None:
            return Reply((self._role_question("role_again"),), state)
        return Reply(
            (
                self.say("role_confirmed", role_label=role.label.lower()),
                BotMessage(
                    self.texts.say("department_question"),
                    (Button(self.texts.say("department_skip_button"), "/skip"),),
                ),
            ),
            replace(state, phase="department", role=role.id),
        )

    def _on_department(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        text = " ".join(turn.text.split())
        if turn.means("skip", "deny") or _plain(text) in {"skip", "none", "no", "n a", "na", ""}:
            department = None
        elif DEPARTMENT.match(text):
            department = text
        else:
            return Reply(
                (BotMessage(
                    self.texts.say("department_invalid"),
                    (Button(self.texts.say("department_skip_button"), "/skip"),),
                ),),
                state,
            )
        state = replace(state, phase="organisation", department=department)
        if state.org_code and self.store.get_organisation(state.org_code) is not None:
            return self._begin(sender_id, state, self.store.get_organisation(state.org_code).name)
        return Reply((self._code_question("code_question"),), replace(state, org_code=None))

    def _code_question(self, key: str, **values: Any) -> BotMessage:
        return BotMessage(
            self.texts.say(key, **values),
            (Button(self.texts.say("code_none_button"), "/no_code"),),
        )

    def _on_organisation(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        if turn.means("no_code"):
            return self._begin(sender_id, replace(state, org_code=None), None)
        candidates = join_code_candidates(turn.text)
        for candidate in candidates:
            organisation = self.store.get_organisation(candidate)
            if organisation is not None:
                return self._begin(sender_id, replace(state, org_code=organisation.join_code), organisation.name)
        if candidates:
            return Reply((self._code_question("code_unknown", code=candidates[0]),), state)
        return Reply((self._code_question("code_missing"),), state)

    @staticmethod
    def _metadata_code(turn: UserTurn) -> str | None:
        code = turn.metadata.get("org") if isinstance(turn.metadata, Mapping) else None
        if not isinstance(code, str):
            return None
        found = join_code_candidates(code)
        return found[0] if found else None

    def _begin(self, sender_id: str, state: ChatState, organisation: str | None) -> Reply:
        """Consent, role and organisation are known: only now is anything stored."""
        questionnaire = self.questionnaire()
        existing = self.store.respondent_for_sender(sender_id)
        if existing is not None and existing.role == state.role and existing.organisation_code == state.org_code:
            respondent = existing.pseudonym
            self.store.update_respondent(respondent, department=state.department)
            assessment = self.store.start_assessment(respondent, questionnaire.version)
        else:
            # A new respondent (a returning one in another role or organisation is a new
            # respondent too: their earlier answers stay under the role they were given for).
            respondent = self.store.create_respondent(
                state.role,
                organisation_code=state.org_code,
                department=state.department,
                sender_id=None if existing is not None else sender_id,
                consented_at=self.now(),
            ).pseudonym
            assessment = self.store.start_assessment(respondent, questionnaire.version)
            if existing is not None:  # hand this conversation over to the new respondent
                self.store.reattach_assessment(assessment.resume_code, sender_id)
        state = replace(state, phase="questionnaire", respondent=respondent, assessment_id=assessment.id)
        opening = self.say("code_accepted", organisation=organisation) if organisation else self.say("individual")
        begin = self.say("begin", questions=len(questionnaire.items_for(state.role)))
        return Reply((opening, begin, *self._ask_current(state, questionnaire, {}, intro=True)), state)

    # --- the questionnaire ----------------------------------------------------------------

    def _current_item(self, state: ChatState, questionnaire: Questionnaire, answers: Mapping[str, AnswerValue]) -> Item | None:
        items = questionnaire.items_for(state.role)
        if state.revisit and any(item.id == state.revisit for item in items):
            return questionnaire.item(state.revisit)
        return next((item for item in items if item.id not in answers), None)

    @staticmethod
    def _shown_item(state: ChatState, questionnaire: Questionnaire) -> Item | None:
        """The statement on the respondent's screen, if it is still one of their role's."""
        if state.asked is None:
            return None
        return next((item for item in questionnaire.items_for(state.role) if item.id == state.asked), None)

    def _progress(self, questionnaire: Questionnaire, role: str, item: Item, answers: Mapping[str, AnswerValue]) -> dict[str, Any]:
        items = questionnaire.items_for(role)
        ids = [challenge.id for challenge in questionnaire.challenges]
        challenge = questionnaire.challenge(item.challenge)
        return {
            "progress": {
                "challenge": ids.index(item.challenge) + 1,
                "challenges": len(ids),
                "challenge_title": challenge.title,
                "question": [i.id for i in items].index(item.id) + 1,
                "questions": len(items),
                "answered": sum(1 for i in items if i.id in answers),
                "item": item.id,
            }
        }

    def _question(self, state: ChatState, questionnaire: Questionnaire, item: Item, answers: Mapping[str, AnswerValue]) -> BotMessage:
        buttons = tuple(
            Button(f"{value} – {likert_label(value)}", f'/answer{{"item": "{item.id}", "likert": {value}}}')
            for value in range(1, 6)
        ) + (Button(self.texts.say("answer_buttons_dont_know"), f'/answer{{"item": "{item.id}", "likert": "n/a"}}'),)
        return BotMessage(
            self.texts.say("question", statement=item.text),
            buttons,
            self._progress(questionnaire, state.role, item, answers),
        )

    def _ask_current(
        self, state: ChatState, questionnaire: Questionnaire, answers: Mapping[str, AnswerValue], intro: bool = False
    ) -> tuple[BotMessage, ...]:
        item = self._current_item(state, questionnaire, answers)
        assert item is not None
        messages = []
        if intro:
            ids = [c.id for c in questionnaire.challenges]
            messages.append(self.say(
                "challenge_intro",
                number=ids.index(item.challenge) + 1,
                challenges=len(ids),
                intro=questionnaire.challenge(item.challenge).intro,
            ))
        messages.append(self._question(state, questionnaire, item, answers))
        return tuple(messages)

    def _on_questionnaire(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        questionnaire = self.questionnaire()
        if state.assessment_id is None or state.role not in questionnaire.role_ids:
            return self._on_start(sender_id, ChatState(), turn)
        answers = self.store.answers(state.assessment_id)
        item = self._shown_item(state, questionnaire) or self._current_item(state, questionnaire, answers)
        if item is None:
            return self._finish(state, questionnaire, answers)
        if state.pending:
            return self._on_pending(sender_id, state, turn, questionnaire, answers)

        if "likert" in turn.entities:
            return self._on_payload(state, turn, questionnaire, answers, item)
        interruption = next((name for name in INTERRUPTIONS if turn.means(name)), None)
        if interruption is not None:
            return getattr(self, f"_cmd_{interruption}")(sender_id, state, turn, questionnaire, answers, item)
        value = parse_answer(turn.text)
        if value is None and turn.intent in LIKERT_INTENTS and turn.confidence >= CONFIDENCE:
            value = LIKERT_INTENTS[turn.intent]
        if value is None:
            key = "hint" if state.misses == 0 else "hint_again"
            return Reply(
                (self.say(key), self._question(state, questionnaire, item, answers)),
                replace(state, misses=state.misses + 1),
            )
        return self._store_answer(state, questionnaire, answers, item, value)

    def _on_payload(self, state: ChatState, turn: UserTurn, questionnaire: Questionnaire,
                    answers: Mapping[str, AnswerValue], item: Item) -> Reply:
        """A button press: trusted only if it is for the question being asked and in range."""
        value = turn.entities.get("likert")
        target = turn.entities.get("item", item.id)
        if target != item.id:
            return Reply((self.say("wrong_question"), self._question(state, questionnaire, item, answers)), state)
        if not is_valid_answer(value):
            return Reply(
                (self.say("hint"), self._question(state, questionnaire, item, answers)),
                replace(state, misses=state.misses + 1),
            )
        return self._store_answer(state, questionnaire, answers, item, value)  # type: ignore[arg-type]

    def _store_answer(self, state: ChatState, questionnaire: Questionnaire,
                      answers: Mapping[str, AnswerValue], item: Item, value: AnswerValue) -> Reply:
        self.store.record_answer(state.assessment_id, item.id, value)  # type: ignore[arg-type]
        answers = {**answers, item.id: value}
        was_revisit = state.revisit is not None
        state = replace(state, revisit=None, misses=0)
        messages: list[BotMessage] = []
        challenge = questionnaire.challenge(item.challenge)
        finished_part = all(i.id in answers for i in challenge.items_for(state.role))
        upcoming = self._current_item(state, questionnaire, answers)
        if finished_part and not was_revisit and (upcoming is None or upcoming.challenge != item.challenge):
            ids = [c.id for c in questionnaire.challenges]
            done = sum(
                1 for c in questionnaire.challenges if all(i.id in answers for i in c.items_for(state.role))
            )
            messages.append(self.say("challenge_done", title=challenge.title, done=done, challenges=len(ids)))
        if upcoming is None:
            return self._finish(state, questionnaire, answers, messages)
        new_part = upcoming.challenge != item.challenge
        messages.extend(self._ask_current(state, questionnaire, answers, intro=new_part))
        return Reply(tuple(messages), state)

    def _reask(self, state: ChatState, questionnaire: Questionnaire, answers: Mapping[str, AnswerValue],
               *before: BotMessage) -> Reply:
        return Reply((*before, *self._ask_current(state, questionnaire, answers)), state)

    # interruptions: each answers, then asks the same question again

    def _cmd_why(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return self._reask(state, questionnaire, answers, self.say("why", why=item.why))

    def _cmd_define(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        entry = find_glossary_entry(questionnaire, turn.text)
        if entry is None:
            examples = ", ".join(e.term for e in questionnaire.glossary[:6])
            return self._reask(state, questionnaire, answers, self.say("define_unknown", examples=examples))
        return self._reask(state, questionnaire, answers, self.say("define", term=entry.term, definition=entry.definition))

    def _cmd_skip(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        reply = self._store_answer(state, questionnaire, answers, item, NOT_APPLICABLE)
        return Reply((self.say("skipped"), *reply.messages), reply.state)

    def _cmd_go_back(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        order = [i.id for i in questionnaire.items_for(state.role)]
        position = order.index(item.id)
        if position == 0:
            return self._reask(state, questionnaire, answers, self.say("go_back_first"))
        previous = order[position - 1]
        state = replace(state, revisit=previous, misses=0)
        value = answers.get(previous)
        label = "no answer" if value is None else (
            likert_label(value) if value == NOT_APPLICABLE else f"{value} – {likert_label(value)}"
        )
        return self._reask(state, questionnaire, answers, self.say("go_back", previous=label))

    def _cmd_progress(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        progress = self._progress(questionnaire, state.role, item, answers)["progress"]
        return self._reask(state, questionnaire, answers, self.say(
            "progress",
            answered=progress["answered"],
            questions=progress["questions"],
            number=progress["challenge"],
            challenges=progress["challenges"],
            title=progress["challenge_title"],
        ))

    def _resume_code(self, state: ChatState) -> str:
        assessment = self.store.get_assessment(state.assessment_id)  # type: ignore[arg-type]
        assert assessment is not None
        return assessment.resume_code

    def _cmd_pause(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return Reply((self.say("pause", code=self._resume_code(state)),), replace(state, phase="paused", pending=None))

    def _cmd_start_over(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return Reply((self._confirm("confirm_start_over"),), replace(state, pending="start_over"))

    def _cmd_stop(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return Reply((self._confirm("confirm_stop"),), replace(state, pending="stop"))

    def _cmd_help(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return self._reask(state, questionnaire, answers, self.say("help"))

    def _cmd_chitchat(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return self._reask(state, questionnaire, answers, self.say("chitchat"))

    def _cmd_out_of_scope(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return self._reask(state, questionnaire, answers, self.say("out_of_scope"))

    def _cmd_greet(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return self._reask(state, questionnaire, answers, self.say("greet_again"))

    _cmd_thanks = _cmd_chitchat
    _cmd_goodbye = _cmd_pause

    def _cmd_resume(self, sender_id, state, turn, questionnaire, answers, item) -> Reply:
        return self._reask(state, questionnaire, answers, self.say("resume_busy"))

    def _confirm(self, key: str) -> BotMessage:
        return BotMessage(
            self.texts.say(key),
            (
                Button(self.texts.say("confirm_yes_button"), "/affirm"),
                Button(self.texts.say("confirm_no_button"), "/deny"),
            ),
        )

    def _on_pending(self, sender_id: str, state: ChatState, turn: UserTurn,
                    questionnaire: Questionnaire, answers: Mapping[str, AnswerValue]) -> Reply:
        action = state.pending
        if _is_no(turn):
            return self._reask(replace(state, pending=None), questionnaire, answers, self.say("cancelled"))
        if not _is_yes(turn):
            key = "confirm_start_over" if action == "start_over" else "confirm_stop"
            return Reply((self.say("confirm_again"), self._confirm(key)), state)
        state = replace(state, pending=None, revisit=None, misses=0)
        if action == "stop":
            return Reply(
                (self.say("stopped", answered=len(answers), code=self._resume_code(state)),),
                replace(state, phase="paused"),
            )
        self.store.clear_answers(state.assessment_id)  # type: ignore[arg-type]
        return Reply((self.say("started_over"), *self._ask_current(state, questionnaire, {}, intro=True)), state)

    # --- after the questionnaire ---------------------------------------------------------

    def _finish(self, state: ChatState, questionnaire: Questionnaire, answers: Mapping[str, AnswerValue],
                before: list[BotMessage] | None = None) -> Reply:
        assessment = self.store.complete_assessment(state.assessment_id)  # type: ignore[arg-type]
        result = self.result_for(state, answers)
        messages = [*(before or []), *self.summary(result, assessment)]
        return Reply(tuple(messages), replace(state, phase="done", revisit=None, pending=None))

    def result_for(self, state: ChatState, answers: Mapping[str, AnswerValue]) -> ReadinessResult:
        """The result the summary shows, with the organisation's weight overrides applied."""
        questionnaire = self.questionnaire()
        if state.org_code:
            organisation = self.store.get_organisation(state.org_code)
            if organisation is not None and organisation.weights:
                questionnaire = questionnaire.with_weights(organisation.weights)
        return evaluate(questionnaire, state.role, answers)  # type: ignore[arg-type]

    def summary(self, result: ReadinessResult, assessment: AssessmentRecord) -> tuple[BotMessage, ...]:
        """The end-of-assessment summary: index, nine bars, top gaps, next tier, training, link."""
        texts = self.texts
        profile = result.profile
        head = (
            texts.say("summary_title", score=round(profile.overall), tier=profile.tier.name)
            if profile.overall is not None and profile.tier is not None
            else texts.say("summary_no_index")
        )
        bars = "\n".join(
            texts.say("summary_challenge_line", bar=text_bar(c.score), score=round(c.score), title=c.title)
            if c.score is not None
            else texts.say("summary_challenge_unscored", bar=text_bar(0), title=c.title)
            for c in profile.challenges
        )
        lines = [texts.say("summary_gaps_title")] if result.top_gaps else [
            texts.say("summary_no_gaps", target=round(self.questionnaire().rules.target))
        ]
        lines += [
            texts.say("summary_gap_line", number=n, title=gap.title, score=round(gap.score), target=round(gap.target))
            for n, gap in enumerate(result.top_gaps, 1)
        ]
        plan = result.next_tier
        if plan is not None and plan.reachable:
            titles = ", ".join(self.questionnaire().challenge(cid).title for cid in plan.challenges())
            lines.append(texts.say("summary_next_tier", tier=plan.target.name, steps=plan.steps, challenges=titles))
        elif profile.tier is not None and plan is None:
            lines.append(texts.say("summary_top_tier"))
        training = [texts.say("summary_training_title")] + [
            texts.say(
                "summary_training_line",
                title=rec.step.title,
                format=rec.step.format,
                minutes=rec.step.duration_minutes,
                challenge=rec.challenge_title,
            )
            for rec in result.recommendations
        ] if result.recommendations else []
        messages = [BotMessage(f"{head}\n{bars}"), BotMessage("\n".join(lines))]
        if training:
            messages.append(BotMessage("\n".join(training)))
        messages.append(BotMessage(
            texts.say("summary_scorecard", url=self.scorecard_url(assessment.report_token)),
            data={"summary": {
                "overall": None if profile.overall is None else round(profile.overall, 1),
                "tier": None if profile.tier is None else profile.tier.name,
                "challenges": {c.challenge_id: None if c.score is None else round(c.score, 1) for c in profile.challenges},
                "scorecard": self.scorecard_url(assessment.report_token),
            }},
        ))
        return tuple(messages)

    def _on_done(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        if state.pending == "start_over":
            if _is_yes(turn):
                questionnaire = self.questionnaire()
                assessment = self.store.start_assessment(state.respondent, questionnaire.version)  # type: ignore[arg-type]
                state = replace(state, phase="questionnaire", assessment_id=assessment.id, pending=None)
                return Reply((self.say("started_over"), *self._ask_current(state, questionnaire, {}, intro=True)), state)
            if _is_no(turn):
                state = replace(state, pending=None)
            else:
                return Reply((self.say("confirm_again"), self._confirm("confirm_start_over")), state)
        elif turn.means("start_over"):
            return Reply((self._confirm("confirm_start_over"),), replace(state, pending="start_over"))
        assessment = self.store.get_assessment(state.assessment_id)  # type: ignore[arg-type]
        url = self.scorecard_url(assessment.report_token) if assessment else ""
        return Reply((self.say("done_idle", url=url),), state)

    def _on_paused(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        if turn.means("continue", "resume", "affirm", "greet") or _is_yes(turn):
            questionnaire = self.questionnaire()
            answers = self.store.answers(state.assessment_id)  # type: ignore[arg-type]
            state = replace(state, phase="questionnaire", pending=None)
            if self._current_item(state, questionnaire, answers) is None:
                return self._finish(state, questionnaire, answers)
            return self._reask(state, questionnaire, answers, self.say("continue"))
        return Reply((self.say("paused_idle", code=self._resume_code(state)),), state)

    def _resume(self, sender_id: str, state: ChatState, code: str) -> Reply:
        """"resume CODE" from any chat: reattach the assessment to this conversation.

        After RESUME_MAX_FAILURES unknown codes, this conversation may not try another for
        RESUME_LOCKOUT_SECONDS (codes are not looked up meanwhile), so codes cannot be guessed.
        """
        now = self.now().timestamp()
        if state.resume_blocked_until is not None:
            if now < state.resume_blocked_until:
                return Reply((self._resume_locked(state.resume_blocked_until - now),), state)
            state = replace(state, resume_failures=0, resume_blocked_until=None)
        assessment = self.store.assessment_by_resume_code(code)
        if assessment is None:
            state = replace(state, resume_failures=state.resume_failures + 1)
            unknown = self.say("resume_unknown", code=code)
            if state.resume_failures >= RESUME_MAX_FAILURES:
                state = replace(state, resume_blocked_until=now + RESUME_LOCKOUT_SECONDS)
                return Reply((unknown, self._resume_locked(RESUME_LOCKOUT_SECONDS)), state)
            return Reply((unknown,), state)
        if assessment.completed:
            return Reply((self.say("resume_done", code=code),), state)
        self.store.reattach_assessment(code, sender_id)
        respondent = self.store.get_respondent(assessment.respondent)
        assert respondent is not None
        questionnaire = self.questionnaire()
        state = ChatState(
            phase="questionnaire",
            role=respondent.role,
            department=respondent.department,
            org_code=respondent.organisation_code,
            respondent=respondent.pseudonym,
            assessment_id=assessment.id,
            resume_failures=state.resume_failures,
            resume_blocked_until=state.resume_blocked_until,
        )
        answers = self.store.answers(assessment.id)
        if self._current_item(state, questionnaire, answers) is None:
            return self._finish(state, questionnaire, answers)
        return self._reask(state, questionnaire, answers, self.say("continue"))

    def _resume_locked(self, seconds: float) -> BotMessage:
        return self.say("resume_locked", minutes=max(1, math.ceil(seconds / 60)))
