"""The intents the engine reads, in one place (domain.yml and data/ are checked against it)."""

from __future__ import annotations

import re
from typing import Mapping

from readiness.dialogue.state import UserTurn
from readiness.model import NOT_APPLICABLE, AnswerValue

#: Intents that interrupt the questionnaire (then the same question is asked again).
INTERRUPTIONS = (
    "why", "define", "skip", "go_back", "progress", "pause", "start_over", "stop", "help",
    "chitchat", "out_of_scope", "greet", "thanks", "goodbye", "resume",
)
#: NLU intents that carry a Likert answer, used when the deterministic parser finds none.
LIKERT_INTENTS: Mapping[str, AnswerValue] = {
    "answer_strongly_disagree": 1,
    "answer_disagree": 2,
    "answer_neutral": 3,
    "answer_agree": 4,
    "answer_strongly_agree": 5,
    "answer_dont_know": NOT_APPLICABLE,
}
#: Intents read outside the questionnaire's interruptions: confirmations, onboarding, buttons.
OTHER_INTENTS = ("affirm", "deny", "continue", "inform_role", "inform_code", "no_code", "answer")
#: Every intent the engine understands.
ENGINE_INTENTS = frozenset((*INTERRUPTIONS, *LIKERT_INTENTS, *OTHER_INTENTS))

_YES = frozenset({"yes", "y", "yeah", "yep", "sure", "ok", "okay", "i agree", "agree", "yes i agree", "of course"})
_NO = frozenset({"no", "n", "nope", "no thanks", "no thank you", "i do not agree", "i don't agree", "not now"})
#: Replies that confirm a proposed reading ("I read that as 4 – Agree. Is that right?"). Not
#: "agree": that is an answer of its own, which replaces the proposal.
_CONFIRM = frozenset({
    "yes", "y", "yeah", "yea", "yep", "yup", "yes please", "sure", "ok", "okay", "of course",
    "right", "correct", "that's right", "thats right", "that is right", "that's correct",
    "that is correct", "yes that's right", "yes correct", "yes it is", "exactly", "indeed",
    "confirm", "confirmed", "spot on", "yes right", "that's it", "yes that's it",
})
#: Replies that reject a proposed reading.
_REJECT = frozenset({
    "no", "n", "nope", "nah", "no it isn't", "no it's not", "not right", "wrong", "incorrect",
    "that's wrong", "that's not right", "thats not right", "that is not right", "not quite",
    "no that's wrong", "no that's not right", "not correct",
})
_SKIP = frozenset({"skip", "none", "no", "n a", "na", ""})


def plain(text: str) -> str:
    """Lower case, punctuation to spaces, single-spaced: for matching short replies."""
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


def is_yes(turn: UserTurn) -> bool:
    return turn.means("affirm") or plain(turn.text) in _YES


def is_no(turn: UserTurn) -> bool:
    return turn.means("deny") or plain(turn.text) in _NO


def is_confirmation(turn: UserTurn) -> bool:
    """The reply confirms the reading the bot proposed (said in words; see also `affirm`)."""
    return plain(turn.text) in _CONFIRM


def is_rejection(turn: UserTurn) -> bool:
    """The reply says the proposed reading is wrong."""
    return plain(turn.text) in _REJECT


def is_skip(turn: UserTurn) -> bool:
    return turn.means("skip", "deny") or plain(turn.text) in _SKIP
