"""How typed answers end up: the answer reader alone, and the live bot over REST.

Every case of an evaluation file (default tests/data/answers_eval.yml; `--file` for a held-out
file in the same format) is typed to a statement, as a careful respondent would:

  * the reader alone (`--parser-only`, and always printed first): `read_answer(text, item)`;
    a certain reading is stored, a plausible one is proposed, no reading is asked again;
  * the live bot: a trained Rasa and the action server (tests/bot_stack.start_bot, like the e2e
    tests). One conversation per role walks the statements in order; each case is typed to its
    statement (`item`), or, for a generic case, to a statement of the walk. When the bot
    proposes a reading, the respondent presses the proposed (first) button if that value is
    acceptable and types "no" otherwise. The stored value is then read from the database.

Outcomes: stored without a prompt, stored after a confirmation (both acceptable), proposal
rejected, asked again (hint, glossary entry, interruption), stored wrongly (a value outside the
accept list, or any value for a case that is not an answer: must be 0). Printed with the
share that needed a confirmation (target ≤ 1/8) and, among answerable cases, the share stored
acceptably after at most one confirmation (target ≥ 97 %), then every case stored wrongly and
every answerable case that was asked again or whose proposal was rejected.

Exit code 0 when nothing was stored wrongly, 1 otherwise, 2 for a bad option or file.

`--half odd` / `--half even` keeps only the odd- or even-numbered cases (tune on one half, check
generalisation on the other); `--halves` adds the summary of each half to the whole.

`--rules-only` (with --parser-only) leaves out the learned proposals (answer_examples.yml) to
show what they add.

Usage:  .venv/bin/python bench/answers_eval.py [--parser-only [--rules-only] | --engine]
                                               [--file PATH] [--half odd|even] [--halves]
"""

from __future__ import annotations

import argparse
import json
import sys
import signal
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from readiness.answers import Reading, read_answer  # noqa: E402
from readiness.model import NOT_APPLICABLE, AnswerValue, Questionnaire, is_valid_answer  # noqa: E402

DEFAULT_FILE = ROOT / "tests" / "data" / "answers_eval.yml"

STORED = "stored without a prompt"
CONFIRMED = "stored after a confirmation"
REJECTED = "proposal rejected"
ASKED_AGAIN = "asked again"
WRONG = "stored wrongly"
KINDS = (STORED, CONFIRMED, REJECTED, ASKED_AGAIN, WRONG)

#: Statements of one conversation walk are answered with this button when no case is left.
FILLER = 3
#: Cases per conversation: Rasa reads the whole tracker every turn, so long conversations slow
#: down; a new conversation costs five onboarding turns.
CASES_PER_WALK = 30
#: Conversations driven at once over REST (Rasa and the action server serve senders concurrently).
REST_WORKERS = 4


class EvalFileError(Exception):
    """The evaluation file is malformed (the message names the case and what is wrong)."""


@dataclass(frozen=True)
class Case:
    text: str
    accept: tuple[AnswerValue, ...]
    item: str | None = None
    author: str = ""
    note: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.accept)


@dataclass(frozen=True)
class CaseOutcome:
    case: Case
    #: The statement the text was typed to.
    target: str | None
    kind: str
    #: The value stored for the case (None: nothing stored).
    stored: AnswerValue | None
    #: The reader's reading of the text for that statement.
    reading: Reading
    #: The value the bot proposed, if it proposed one.
    proposed: AnswerValue | None = None
    #: Whether the stored value came from a confirmation tap.
    confirmed: bool = False
    detail: str = ""


def load_cases(path: Path = DEFAULT_FILE, questionnaire: Questionnaire | None = None) -> list[Case]:
    """The cases of an evaluation file; EvalFileError names the first bad case."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise EvalFileError(f"{path}: cannot read it ({error})") from None
    raw = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise EvalFileError(f"{path}: expected a top-level 'cases:' list of cases")
    known = questionnaire.has_item if questionnaire is not None else None
    cases = []
    for number, entry in enumerate(raw, 1):
        where = f"{path}: case {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise EvalFileError(f"{where}: needs 'text' (a string)")
        accept = entry.get("accept")
        if not isinstance(accept, list) or not all(is_valid_answer(v) for v in accept):
            raise EvalFileError(f"{where} ({entry['text']!r}): 'accept' must be a list of 1-5 and/or \"n/a\"")
        item = entry.get("item")
        if item is not None and (not isinstance(item, str) or (known is not None and not known(item))):
            raise EvalFileError(f"{where} ({entry['text']!r}): unknown item {item!r}")
        cases.append(Case(entry["text"], tuple(accept), item, str(entry.get("author", "")), str(entry.get("note", ""))))
    return cases


# --------------------------------------------------------------------------- the reader alone

def parser_outcomes(cases: Sequence[Case], questionnaire: Questionnaire, vocabulary: Any) -> list[CaseOutcome]:
    """What the three outcomes would make of each case, from the reading alone."""
    outcomes = []
    for case in cases:
        item = questionnaire.item(case.item) if case.item else None
        reading = read_answer(case.text, item, vocabulary)
        if reading.value is None:
            kind, stored, proposed = ASKED_AGAIN, None, None
        elif reading.certain:
            kind, stored, proposed = (STORED if reading.value in case.accept else WRONG), reading.value, None
        elif reading.value in case.accept:
            kind, stored, proposed = CONFIRMED, reading.value, reading.value
        else:
            kind, stored, proposed = REJECTED, None, reading.value
        outcomes.append(CaseOutcome(case, case.item, kind, stored, reading, proposed,
                                    kind == CONFIRMED, reading.rule))
    return outcomes


# --------------------------------------------------------------------------- conversations

Message = Mapping[str, Any]


class Channel(Protocol):
    """Sends one message of a conversation and returns the bot's messages (REST's shape)."""

    def send(self, sender: str, message: str) -> list[Message]: ...

    def answers(self, assessment_id: int) -> dict[str, AnswerValue]: ...

    def assessment_of(self, sender: str) -> int: ...


def _data(messages: Iterable[Message], key: str) -> Any:
    found = [m["custom"]["data"][key] for m in messages
             if isinstance(m.get("custom"), dict) and key in (m["custom"].get("data") or {})]
    return found[-1] if found else None


def _buttons(messages: Iterable[Message]) -> list[Mapping[str, str]]:
    return [b for m in messages for b in (m.get("buttons") or [])]


def _text(messages: Iterable[Message]) -> str:
    return " / ".join(m["text"] for m in messages if m.get("text"))


def answer_button(item_id: str, value: AnswerValue) -> str:
    from readiness.dialogue.render import answer_payload

    return answer_payload(item_id, value)


class Walk:
    """One conversation of one role, walking its statements in order."""

    def __init__(self, channel: Channel, sender: str, role: str, order: list[str]) -> None:
        self.channel, self.sender, self.role, self.order = channel, sender, role, order
        self.last: list[Message] = []
        self.finished = False
        self.turns = 0
        for message in ("/greet", "/affirm", f'/inform_role{{"role": "{role}"}}', "/skip", "/no_code"):
            self.send(message)
        self.assessment = channel.assessment_of(sender)
        if self.shown is None:
            raise RuntimeError(f"onboarding {role} did not reach a statement: {_text(self.last)}")

    def send(self, message: str) -> list[Message]:
        self.last = self.channel.send(self.sender, message)
        self.turns += 1
        if _data(self.last, "summary") is not None:
            self.finished = True
        return self.last

    @property
    def shown(self) -> str | None:
        progress = _data(self.last, "progress")
        return progress["item"] if progress else None

    def go_to(self, target: str) -> None:
        """Show `target`: answer earlier statements with a button, go back from later ones."""
        for _ in range(3 * len(self.order)):
            if self.finished:
                raise RuntimeError("the walk finished before reaching " + target)
            shown = self.shown
            if shown == target:
                return
            if shown is None:  # a confirmation ("start over?") or a pause from a case's text
                self.send("/deny")
                if self.shown is None:
                    self.send("/continue")
                continue
            if self.order.index(shown) < self.order.index(target):
                self.send(answer_button(shown, FILLER))
            else:
                self.send("/go_back")
        raise RuntimeError(f"could not reach {target} (showing {self.shown})")

    def stored(self, item: str) -> AnswerValue | None:
        return self.channel.answers(self.assessment).get(item)

    def moved_on(self, item: str) -> bool:
        """Whether the last reply left `item` forwards (its answer was stored)."""
        if self.finished:
            return True
        shown = self.shown
        return shown is not None and self.order.index(shown) > self.order.index(item)

    def try_case(self, case: Case, item: str, reading: Reading) -> CaseOutcome:
        self.go_to(item)
        before = self.stored(item)
        reply = self.send(case.text)
        proposal = _data(reply, "confirm")
        proposed, confirmed, detail = None, False, _text(reply)[:90]
        if proposal is not None:
            proposed = proposal["likert"]
            if proposed in case.accept:
                first = _buttons(reply)[0]["payload"]
                assert first == answer_button(item, proposed), (first, proposal)
                self.send(first)
                confirmed = True
            else:
                self.send("no")
                if not self.moved_on(item) and self.stored(item) == before:
                    return CaseOutcome(case, item, REJECTED, None, reading, proposed, False,
                                       f"proposed {proposed}, rejected")
        if not self.moved_on(item):
            if proposal is not None:
                detail = f"proposed {proposed}, confirmed, but not stored: {_text(self.last)[:60]}"
            return CaseOutcome(case, item, ASKED_AGAIN, None, reading, proposed, False, detail)
        value = self.stored(item)
        if confirmed:
            kind = CONFIRMED if value in case.accept else WRONG
        else:
            kind = STORED if value in case.accept else WRONG
        return CaseOutcome(case, item, kind, value, reading, proposed, confirmed, detail)


def plan(cases: Sequence[Case], questionnaire: Questionnaire) -> dict[str, list[tuple[str, list[int]]]]:
    """role → [(statement, indices of the cases typed to it)], in question order.

    A statement-specific case goes to the first role asked that statement where it is not the
    last (answering the last one ends the walk); generic cases are spread round-robin over the
    statements that are not last. Cases for a last statement come at the end of a walk, one
    walk each.
    """
    roles = list(questionnaire.role_ids)
    orders = {role: [item.id for item in questionnaire.items_for(role)] for role in roles}
    slots = [(role, item) for role in roles for item in orders[role][:-1]]
    assigned: dict[tuple[str, str], list[int]] = defaultdict(list)
    finals: list[tuple[str, str, int]] = []
    generic = 0
    for index, case in enumerate(cases):
        if case.item is None:
            assigned[slots[generic % len(slots)]].append(index)
            generic += 1
            continue
        asked = [role for role in roles if case.item in orders[role]]
        if not asked:
            raise EvalFileError(f"case {index + 1} ({case.text!r}): item {case.item!r} is asked of no role")
        inner = [role for role in asked if orders[role][-1] != case.item]
        if inner:
            assigned[(inner[0], case.item)].append(index)
        else:
            finals.append((asked[0], case.item, index))
    walks: dict[str, list[tuple[str, list[int]]]] = {}
    for role in roles:
        chunk: list[tuple[str, list[int]]] = []
        size = 0
        for item in orders[role]:
            indices = list(assigned.get((role, item), ()))
            while indices:
                room = CASES_PER_WALK - size
                chunk.append((item, indices[:room]))
                size += len(indices[:room])
                indices = indices[room:]
                if size >= CASES_PER_WALK:
                    walks[f"{role}#{len(walks)}"] = chunk
                    chunk, size = [], 0
        if chunk:
            walks[f"{role}#{len(walks)}"] = chunk
    for n, (role, item, index) in enumerate(finals):
        walks[f"{role}#final{n}"] = [(item, [index])]
    return walks


def conversation_outcomes(channel: Channel, cases: Sequence[Case], questionnaire: Questionnaire,
                          vocabulary: Any, prefix: str = "eval", workers: int = 1,
                          progress: Callable[[int], None] | None = None) -> list[CaseOutcome]:
    """Every case typed in a real conversation over `channel`, in the input's order;
    `workers` conversations at a time."""
    results: dict[int, CaseOutcome] = {}
    lock = threading.Lock()

    def run_walk(walk_name: str, steps: list[tuple[str, list[int]]]) -> None:
        role = walk_name.split("#", 1)[0]
        order = [item.id for item in questionnaire.items_for(role)]
        walk = Walk(channel, f"{prefix}-{walk_name.replace('#', '-')}", role, order)
        for item, indices in steps:
            statement = questionnaire.item(item)
            for index in indices:
                case = cases[index]
                outcome = walk.try_case(case, item, read_answer(case.text, statement, vocabulary))
                with lock:
                    results[index] = outcome
                    if progress is not None:
                        progress(len(results))

    walks = plan(cases, questionnaire)
    if workers <= 1:
        for name, steps in walks.items():
            run_walk(name, steps)
    else:
        with ThreadPoolExecutor(workers) as pool:
            for future in [pool.submit(run_walk, name, steps) for name, steps in walks.items()]:
                future.result()
    return [results[index] for index in range(len(cases))]


class EngineChannel:
    """The conversation engine in-process (no Rasa): typed text carries no NLU intent;
    payloads ("/intent{json}") are read as Rasa reads them."""

    def __init__(self, conversation: Any, store: Any) -> None:
        from readiness.dialogue import ChatState

        self.conversation, self.store = conversation, store
        self.states: dict[str, Any] = defaultdict(ChatState)

    def send(self, sender: str, message: str) -> list[Message]:
        from readiness.dialogue import UserTurn

        intent, confidence, entities = None, 0.0, {}
        if message.startswith("/") and message[1:2].isalpha():
            name, _, rest = message[1:].partition("{")
            try:
                entities = json.loads("{" + rest) if rest else {}
                intent, confidence = name, 1.0
            except ValueError:
                entities = {}
        reply = self.conversation.handle(sender, self.states[sender], UserTurn(message, intent, confidence, entities, {}))
        self.states[sender] = reply.state
        out: list[Message] = []
        for shown in reply.messages:
            out.append({"text": shown.text, "buttons": [{"title": b.title, "payload": b.payload} for b in shown.buttons]})
            if shown.data:
                out.append({"custom": {"data": dict(shown.data)}})
        return out

    def answers(self, assessment_id: int) -> dict[str, AnswerValue]:
        return self.store.answers(assessment_id)

    def assessment_of(self, sender: str) -> int:
        respondent = self.store.respondent_for_sender(sender)
        return self.store.open_assessment(respondent.pseudonym).id


class EngineDriver:
    """Runs an evaluation file through the engine in-process (used by the tests)."""

    def __init__(self, conversation: Any, store: Any) -> None:
        self.channel = EngineChannel(conversation, store)

    def run(self, cases: Sequence[Case]) -> list[CaseOutcome]:
        from readiness.live_content import current_content

        content = current_content()
        return conversation_outcomes(self.channel, cases, content.questionnaire, content.vocabulary, "engine")


class RestChannel:
    """The live bot over Rasa's REST channel; stored answers read from its database."""

    def __init__(self, stack: Any) -> None:
        from readiness.storage import Store

        self.stack = stack
        self.store = Store(stack.database_url)

    def send(self, sender: str, message: str) -> list[Message]:
        return self.stack.send(sender, message)

    def answers(self, assessment_id: int) -> dict[str, AnswerValue]:
        return self.store.answers(assessment_id)

    def assessment_of(self, sender: str) -> int:
        respondent = self.store.respondent_for_sender(sender)
        return self.store.open_assessment(respondent.pseudonym).id


# --------------------------------------------------------------------------- report

def summary_lines(title: str, outcomes: Sequence[CaseOutcome]) -> list[str]:
    counts = Counter(outcome.kind for outcome in outcomes)
    total = len(outcomes)
    answerable = [o for o in outcomes if o.case.answerable]
    good = sum(1 for o in answerable if o.kind in (STORED, CONFIRMED))
    prompted = sum(1 for o in outcomes if o.proposed is not None)
    lines = [f"{title}: {total} cases ({len(answerable)} answerable, {total - len(answerable)} not answers)"]
    for kind in KINDS:
        lines.append(f"  {kind:<30} {counts[kind]:>5}  {100 * counts[kind] / max(total, 1):5.1f} %")
    lines.append(f"  {'needed a confirmation':<30} {prompted:>5}  {100 * prompted / max(total, 1):5.1f} %"
                 f"   (target ≤ 12.5 %)")
    lines.append(f"  {'answerable stored acceptably':<30} {good:>5}  {100 * good / max(len(answerable), 1):5.1f} %"
                 f"   (after ≤ 1 confirmation; target ≥ 97 %)")
    not_answers = [o for o in outcomes if not o.case.answerable]
    kept = sum(1 for o in not_answers if o.stored is None)
    lines.append(f"  {'not answers left unstored':<30} {kept:>5}  {100 * kept / max(len(not_answers), 1):5.1f} %")
    return lines


def _describe(outcome: CaseOutcome) -> str:
    case = outcome.case
    accept = ", ".join(str(v) for v in case.accept) or "not an answer"
    reading = outcome.reading
    read = f"read {reading.value} ({'certain' if reading.certain else 'plausible'}, {reading.rule})" \
        if reading.value is not None else f"no reading ({reading.rule})"
    stored = f", stored {outcome.stored}" if outcome.stored is not None else ""
    proposed = f", proposed {outcome.proposed}" if outcome.proposed is not None else ""
    extra = f" — {outcome.detail}" if outcome.detail and outcome.detail != reading.rule else ""
    return (f"    {case.text!r} [{outcome.target or 'any statement'}] accept [{accept}]: "
            f"{read}{proposed}{stored}{extra}")


def failure_lines(outcomes: Sequence[CaseOutcome]) -> list[str]:
    lines = []
    groups = [
        ("stored wrongly", [o for o in outcomes if o.kind == WRONG]),
        ("answerable, proposal rejected (wrong proposal)", [o for o in outcomes if o.kind == REJECTED and o.case.answerable]),
        ("answerable, asked again", [o for o in outcomes if o.kind == ASKED_AGAIN and o.case.answerable]),
    ]
    for title, found in groups:
        lines.append(f"  {title}: {len(found)}")
        lines.extend(_describe(o) for o in found)
    return lines


def report(title: str, outcomes: Sequence[CaseOutcome], halves: bool = False) -> str:
    lines = summary_lines(title, outcomes)
    if halves:
        lines += summary_lines(f"{title}, odd-numbered cases", outcomes[0::2])
        lines += summary_lines(f"{title}, even-numbered cases", outcomes[1::2])
    return "\n".join([*lines, *failure_lines(outcomes)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parser-only", action="store_true", help="only the reader, no bot")
    parser.add_argument("--engine", action="store_true",
                        help="conversations with the engine in-process (no Rasa, so no NLU) instead of the live bot")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="evaluation file (default: %(default)s)")
    parser.add_argument("--half", choices=("odd", "even"),
                        help="only the odd-numbered (1st, 3rd, …) or even-numbered cases: tune on one half, "
                             "check on the other")
    parser.add_argument("--halves", action="store_true",
                        help="also print the summary of the odd- and the even-numbered cases separately")
    parser.add_argument("--rules-only", action="store_true",
                        help="the reader without the learned proposals (answer_examples.yml), for comparison")
    args = parser.parse_args(argv)
    from dataclasses import replace

    from readiness.live_content import current_content

    content = current_content()
    if args.rules_only:
        if not args.parser_only:
            parser.error("--rules-only measures the reader alone: add --parser-only")
        content = replace(content, vocabulary=replace(content.vocabulary, reply_model=None))
    try:
        cases = load_cases(args.file, content.questionnaire)
        if args.half:
            cases = cases[0 if args.half == "odd" else 1::2]
        plan(cases, content.questionnaire)
    except EvalFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    parsed = parser_outcomes(cases, content.questionnaire, content.vocabulary)
    print(report(f"reader alone ({args.file.name})", parsed, args.halves))
    wrong = sum(1 for o in parsed if o.kind == WRONG)
    if args.parser_only:
        return 1 if wrong else 0
    if args.engine:
        from readiness.dialogue import Conversation
        from readiness.storage import Store

        with tempfile.TemporaryDirectory(prefix="answers-eval-") as folder:
            store = Store(f"sqlite:///{Path(folder) / 'readiness.db'}")
            try:
                engine = EngineDriver(Conversation(store), store).run(cases)
            finally:
                store.close()
        print("\n" + report(f"engine in-process, no NLU ({args.file.name})", engine, args.halves))
        return 1 if wrong or any(o.kind == WRONG for o in engine) else 0
    from tests.bot_stack import start_bot

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(1)  # the servers are stopped on the way out

    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="answers-eval-") as folder:
        started = time.monotonic()
        stack = start_bot(Path(folder))
        try:
            print(f"\nbot up in {time.monotonic() - started:.0f} s; typing {len(cases)} cases …", flush=True)
            started = time.monotonic()
            channel = RestChannel(stack)
            def tick(done: int) -> None:
                if done % 100 == 0:
                    print(f"  {done} cases, {time.monotonic() - started:.0f} s", flush=True)

            live = conversation_outcomes(channel, cases, content.questionnaire, content.vocabulary, "rest",
                                         REST_WORKERS, tick)
            seconds = time.monotonic() - started
        finally:
            stack.stop()
    print(report(f"live bot over REST ({args.file.name}, {seconds:.0f} s)", live, args.halves))
    return 1 if wrong or any(o.kind == WRONG for o in live) else 0


if __name__ == "__main__":
    sys.exit(main())
