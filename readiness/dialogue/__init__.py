"""The assessment conversation: a pure step (`step`), the effects and views it returns, and the
session layer (`Conversation`) that applies them in one transaction per turn.

Public entry points for the Rasa action: `Conversation`, `ChatState`, `UserTurn`, `Reply`, and
`warm_up` (fits the reader's learned proposals once at server start, readiness.answers).
"""

from readiness.dialogue.state import CONFIDENCE, PHASES, BotMessage, Button, ChatState, Reply, UserTurn
from readiness.dialogue.session import Conversation
from readiness.dialogue.render import text_bar
from readiness.dialogue.intents import ENGINE_INTENTS, INTERRUPTIONS, LIKERT_INTENTS
from readiness.dialogue.step import RESUME_LOCKOUT_SECONDS, RESUME_MAX_FAILURES
from readiness.answers import warm_up

__all__ = [
    "CONFIDENCE", "PHASES", "BotMessage", "Button", "ChatState", "Reply", "UserTurn", "Conversation",
    "text_bar", "ENGINE_INTENTS", "INTERRUPTIONS", "LIKERT_INTENTS", "RESUME_LOCKOUT_SECONDS",
    "RESUME_MAX_FAILURES", "warm_up",
]
