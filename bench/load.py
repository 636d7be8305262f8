"""Load benchmark: N simulated respondents complete whole assessments over socket.io, as the widget does.

What runs
  * the real stack on free ports — action server + Rasa with the product model, SQLite readiness
    store and SQLite SQL tracker store in a temporary folder (tests/bot_stack.start_bot);
  * a BARE Rasa on another port: the same NLU pipeline and policies, trained on the same NLU data,
    with one rule per intent answering a plain `utter_reply` response shaped like a question
    turn (text + six quick replies + a custom {"progress": ...} message) — no action server. Its
    model is trained once and cached by fingerprint (bench/bare_bot/**, data/nlu*.yml, Rasa's
    version) in the models folder (`--models-dir`, default models/).

What a respondent does (no think time, except in the open loop)
  connect (socket.io, websocket) → `session_request {session_id}` → wait for `session_confirm` →
  `user_uttered "/greet"` (the widget's hidden greeting) → press the consent button → give the
  role (free text or the role button) → skip the department (button) or type one → join code
  (half the respondents arrive with the organisation in the widget's metadata; the rest press
  "I don't have one") → every question until the summary, answered with a seeded mix of free
  text ("agree", "4", "not really", "strongly disagree", "neutral", "don't know") and the
  question's own button payloads. Every `user_uttered` carries `session_id` and `metadata`
  exactly as bot/web/static/widget.js sends them.

What a turn is
  From emitting `user_uttered` to receiving the bot_uttered that ends the bot's reply: the one
  carrying the custom `progress` (the next question) or `summary` (the end) JSON; or, for
  replies that ask a non-questionnaire question (consent, role, department, join code), the
  message carrying that question's quick replies (Rasa sends a reply's messages in order, and
  the question-with-buttons is always last). A turn with no such message within `--timeout`
  seconds, a disconnect, or a reply that does not match the script counts as an error.
  After the run the readiness database is checked: every respondent's stored answers must
  equal the answers they sent (a mismatch counts as an error).

Bare clients send the same number of turns with the same message mix (their end marker is the
response's `progress` message).

Modes (full first, then bare, on the same servers in one run)
  default       N respondents at once with no think time, for each N of `--respondents`.
  --open-loop   a busy hour: `--respondents` respondents arrive at `--arrival-rate` per second
                (Poisson arrivals: exponential gaps from a seeded generator; `--arrivals even`
                for evenly spaced), and each one pauses a think time drawn uniformly from
                `--think LOW-HIGH` seconds (seeded per respondent, the same for full and bare)
                before every reply after the hidden greeting. The think time is not part of a
                turn's latency. Reports p50/p95/p99 per turn, errors, the offered, scheduled
                (the seeded draw) and achieved (actual start times) arrival rates, how late the
                latest respondent started and the peak number of respondents in progress.
  --summary     single user (`--single-assessments` whole assessments one after another), then
                `--concurrency` (20) concurrent without think time, then the open loop; prints a
                table of each figure with the issue's targets (single-user p50 ≤ 1.4× bare,
                throughput at 20 concurrent ≥ 0.9× bare, open-loop p95 < 150 ms).
  --profile     every server started with a `sitecustomize` hook: a single user runs once with
                timers around Rasa's and the action server's steps, once more with cProfile too,
                on the full stack and on the bare bot; prints what each step costs per turn and
                where the time goes (profiles kept in the data folder).
  --quick       smoke-run sizes for any mode (6 open-loop respondents at 3/s, think 0.1-0.3 s,
                1 single-user assessment, 10 concurrent in the summary, 5 in the default mode);
                explicit options win. A smoke run checks the script, not the product.

Printed per run: turns, errors, p50/p95/p99 turn latency, throughput (turns/s over the run's
wall time), peak RSS of the Rasa server and of the action server (VmRSS of the process and its
children from /proc, sampled every 0.25 s during the run) and the full/bare ratios. Exit code 0,
1 when any turn failed, any stored answer differs or a server did not start (servers are always
stopped, on SIGTERM and Ctrl-C too), 2 for bad options.

Usage:  .venv/bin/python bench/load.py --respondents 20 100 [--seed 1] [--keep DIR]
        .venv/bin/python bench/load.py --open-loop --respondents 100 --arrival-rate 1 --think 5-10
        .venv/bin/python bench/load.py --summary [--quick] [--json results/load.json]
        .venv/bin/python bench/load.py --profile [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import socketio  # noqa: E402
import yaml  # noqa: E402

from bot.servers import Service, start_rasa, tracker_store_config, wait_until_up  # noqa: E402
from readiness.answers import parse_answer  # noqa: E402
from readiness.model import NOT_APPLICABLE  # noqa: E402
from readiness.storage import Store  # noqa: E402
from tests.bot_stack import START_TIMEOUT, BotStack, free_port, start_bot  # noqa: E402

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15 (pulled in by python-socketio 5.9) builds aiohttp.ClientWSTimeout,
    # which aiohttp 3.9 (pinned by Rasa) does not have; its ws_connect takes a float instead.
    aiohttp.ClientWSTimeout = lambda ws_close=None, ws_receive=None: ws_close or 10.0  # type: ignore[attr-defined]

BARE_DIR = ROOT / "bench" / "bare_bot"
NLU_FILES = (ROOT / "data" / "nlu.yml", ROOT / "data" / "nlu_answer.yml")
FREE_TEXT = ("agree", "4", "not really", "strongly disagree", "neutral", "don't know")
ROLE_TEXT = {
    "nurse": "I'm a nurse", "clinician": "I am a doctor", "it_admin": "hospital IT",
    "ai_developer": "data scientist", "leadership": "CMIO",
}


# --- the bare model -------------------------------------------------------------------------

def bare_inputs() -> list[Path]:
    return [BARE_DIR / "domain.yml", BARE_DIR / "config.yml", *sorted((BARE_DIR / "data").rglob("*.yml")), *NLU_FILES]


def bare_fingerprint() -> str:
    import rasa

    digest = hashlib.sha256(f"rasa {rasa.__version__}\n".encode())
    for path in bare_inputs():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def check_same_pipeline() -> None:
    product = yaml.safe_load((ROOT / "config.yml").read_text())
    bare = yaml.safe_load((BARE_DIR / "config.yml").read_text())
    if product["pipeline"] != bare["pipeline"]:
        raise SystemExit("bench/bare_bot/config.yml's pipeline differs from config.yml: copy it over")


def ensure_bare_model(models_dir: Path) -> Path:
    """Train the bare bot when its inputs changed; reuse the cached model otherwise."""
    check_same_pipeline()
    models_dir.mkdir(parents=True, exist_ok=True)
    model, stamp = models_dir / "bare.tar.gz", models_dir / "bare.fingerprint"
    wanted = bare_fingerprint()
    if model.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return model
    print("training the bare bot…", flush=True)
    started = time.monotonic()
    command = [
        str(Path(sys.executable).parent / "rasa"), "train",
        "--domain", str(BARE_DIR / "domain.yml"),
        "--config", str(BARE_DIR / "config.yml"),
        "--data", *(str(p) for p in NLU_FILES), str(BARE_DIR / "data"),
        "--out", str(models_dir), "--fixed-model-name", "bare", "--force",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0 or not model.exists():
        raise SystemExit("bare training failed:\n" + "\n".join((result.stdout + result.stderr).splitlines()[-30:]))
    stamp.write_text(wanted + "\n")
    print(f"  trained in {time.monotonic() - started:.0f} s", flush=True)
    return model


def start_bare(root: Path, model: Path, env: dict[str, str] | None = None) -> Service:
    """Rasa alone (no action endpoint) with the same channels and the same kind of tracker store."""
    root.mkdir(parents=True, exist_ok=True)
    endpoints = root / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": tracker_store_config(f"sqlite:///{root / 'tracker.db'}")}))
    rasa = start_rasa(model, free_port(), endpoints, root / "rasa.log", cors="http://localhost", env=env)
    try:
        wait_until_up(rasa.health_url, START_TIMEOUT, rasa.process)
    except BaseException:
        rasa.stop()
        raise
    return rasa


def port_of(service: Service) -> int:
    return int(service.health_url.rsplit(":", 1)[1].split("/")[0])


# --- memory ---------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def tree_rss_kb(pid: int) -> int:
    """VmRSS of a process and all its descendants, in kB (0 if it is gone)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
        stack.extend(_children(current))
    return total


class MemorySampler:
    def __init__(self, pids: dict[str, int]) -> None:
        self.pids, self.peak = pids, {name: 0 for name in pids}
        self._task: asyncio.Task | None = None

    def sample(self) -> None:
        for name, pid in self.pids.items():
            self.peak[name] = max(self.peak[name], tree_rss_kb(pid))

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(0.25)

    def __enter__(self) -> "MemorySampler":
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        self.sample()


# --- a simulated respondent -----------------------------------------------------------------

class TurnFailed(Exception):
    pass


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: dict[str, dict[str, object]] = field(default_factory=dict)  # session id -> item -> value


def ends_reply(message: dict) -> bool:
    """The bot_uttered that completes a reply (see the module docstring)."""
    if "progress" in message or "summary" in message:
        return True
    buttons = message.get("quick_replies") or message.get("buttons") or []
    return bool(buttons) and not any(str(b.get("payload", "")).startswith("/answer") for b in buttons)


class Client:
    """One browser tab: a socket.io connection speaking Rasa's socketio protocol like widget.js."""

    def __init__(self, url: str, session_id: str, metadata: dict, timeout: float, outcome: Outcome,
                 think: Callable[[], float] | None = None) -> None:
        self.url, self.session_id, self.metadata, self.timeout, self.outcome = url, session_id, metadata, timeout, outcome
        self.think, self.turns_sent = think, 0
        self.sio = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.sio.on("bot_uttered", self._bot_uttered)
        self.sio.on("session_confirm", self._session_confirm)

    async def _bot_uttered(self, message: dict) -> None:
        await self.inbox.put(message)

    async def _session_confirm(self, confirmed: object) -> None:
        self.confirmed.set()

    async def connect(self) -> None:
        await self.sio.connect(self.url, transports=["websocket"], socketio_path="/socket.io")
        await self.sio.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(self.confirmed.wait(), self.timeout)

    async def turn(self, message: str) -> list[dict]:
        """Send one message (after the think time, from the second turn on); return the reply's
        messages; record the turn's latency (the think time is not part of it)."""
        if self.think is not None and self.turns_sent:
            await asyncio.sleep(self.think())
        self.turns_sent += 1
        if not self.inbox.empty():
            raise TurnFailed(f"unexpected message before sending {message!r}: {self.inbox.get_nowait()}")
        started = time.perf_counter()
        await self.sio.emit("user_uttered", {"message": message, "session_id": self.session_id, "metadata": self.metadata})
        reply: list[dict] = []
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            try:
                item = await asyncio.wait_for(self.inbox.get(), max(0.001, remaining))
            except asyncio.TimeoutError:
                raise TurnFailed(f"no end of reply to {message!r} within {self.timeout:.0f} s (got {len(reply)})") from None
            reply.append(item)
            if ends_reply(item):
                break
        self.outcome.latencies.append(time.perf_counter() - started)
        return reply

    async def close(self) -> None:
        try:
            await self.sio.disconnect()
        except Exception:  # noqa: BLE001 - closing after a failure
            pass


def _buttons(reply: list[dict]) -> list[dict]:
    return [b for m in reply for b in (m.get("quick_replies") or m.get("buttons") or [])]


def _progress(reply: list[dict]) -> dict | None:
    found = [m["progress"] for m in reply if "progress" in m]
    return found[-1] if found else None


def _answer_button(reply: list[dict], value: object) -> str:
    """The payload of the quick reply answering `value` (1-5 or NOT_APPLICABLE)."""
    likert = json.dumps(value) if value == NOT_APPLICABLE else value
    return next(b["payload"] for b in _buttons(reply) if b["payload"].endswith(f'"likert": {likert}}}'))


def _press(reply: list[dict], title_start: str) -> str:
    for button in _buttons(reply):
        if str(button.get("title", "")).startswith(title_start):
            return str(button["payload"])
    raise TurnFailed(f"no {title_start!r} button in {[b.get('title') for b in _buttons(reply)]}")


async def full_respondent(url: str, number: int, rng: random.Random, org_code: str, roles: list[str],
                          timeout: float, outcome: Outcome, think: Callable[[], float] | None = None) -> None:
    session_id = f"bench-{number}-{uuid.uuid4().hex[:8]}"
    with_org = number % 2 == 0
    client = Client(url, session_id, {"org": org_code} if with_org else {}, timeout, outcome, think)
    sent: dict[str, object] = {}
    outcome.sent[session_id] = sent
    try:
        await client.connect()
        reply = await client.turn("/greet")
        reply = await client.turn(_press(reply, "Yes"))
        role = roles[number % len(roles)]
        if rng.random() < 0.5:
            reply = await client.turn(ROLE_TEXT[role])
        else:
            reply = await client.turn(next(b["payload"] for b in _buttons(reply) if f'"{role}"' in b["payload"]))
        reply = await client.turn(_press(reply, "Skip") if rng.random() < 0.5 else "Intensive care")
        if not with_org:
            reply = await client.turn(_press(reply, "I don't have one"))
        while not any("summary" in m for m in reply):
            progress = _progress(reply)
            if progress is None:
                raise TurnFailed(f"expected a question, got {[m.get('text', m) for m in reply]}")
            item = progress["item"]
            if rng.random() < 0.5:
                text = rng.choice(FREE_TEXT)
                value = parse_answer(text)
            else:
                value = rng.choice([1, 2, 3, 4, 5, NOT_APPLICABLE])
                text = _answer_button(reply, value)
            reply = await client.turn(text)
            if any("confirm" in m for m in reply):
                # a reading the bot proposes (issue 10: "don't know" to a statement about
                # knowing): the respondent taps the answer meant, as a careful one would
                reply = await client.turn(_answer_button(reply, value))
            after = _progress(reply)
            if after is not None and after["item"] == item:
                raise TurnFailed(f"answer {text!r} to {item} was not taken")
            sent[item] = value
    except Exception as error:  # noqa: BLE001 - any failure of one respondent is counted, the run goes on
        outcome.errors.append(f"{session_id}: {type(error).__name__}: {error}")
    finally:
        await client.close()


async def bare_respondent(url: str, number: int, rng: random.Random, turns: int, timeout: float,
                          outcome: Outcome, think: Callable[[], float] | None = None) -> None:
    session_id = f"bare-{number}-{uuid.uuid4().hex[:8]}"
    client = Client(url, session_id, {"org": "ABC-DEF"} if number % 2 == 0 else {}, timeout, outcome, think)
    messages = ["/greet", "/affirm", ROLE_TEXT["nurse"], "/skip", "/no_code"]
    for _ in range(turns - len(messages)):
        if rng.random() < 0.5:
            messages.append(rng.choice(FREE_TEXT))
        else:
            messages.append(f'/answer{{"item": "bare", "likert": {rng.choice([1, 2, 3, 4, 5])}}}')
    try:
        await client.connect()
        for message in messages:
            await client.turn(message)
    except Exception as error:  # noqa: BLE001 - any failure of one respondent is counted, the run goes on
        outcome.errors.append(f"{session_id}: {type(error).__name__}: {error}")
    finally:
        await client.close()


# --- runs -----------------------------------------------------------------------------------

@dataclass
class Bot:
    """One server under load: the full stack or the bare Rasa."""
    name: str
    url: str
    pids: dict[str, int]


@dataclass
class RunResult:
    name: str
    kind: str  # "single", "closed" (N concurrent, no think time) or "open" (arrivals + think time)
    clients: int
    turns: int
    errors: int
    wall: float
    p50: float
    p95: float
    p99: float
    rss_mb: dict[str, float]
    samples: list[str]
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.turns / self.wall if self.wall else 0.0

    def line(self) -> str:
        memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in self.rss_mb.items())
        what = {"single": "1 user", "closed": f"{self.clients} concurrent", "open": f"{self.clients} arriving"}[self.kind]
        text = (f"{self.name:4} {what:>14}: {self.turns:5d} turns, {self.errors} errors, "
                f"p50 {self.p50 * 1000:6.0f} ms, p95 {self.p95 * 1000:6.0f} ms, p99 {self.p99 * 1000:6.0f} ms, "
                f"{self.throughput:5.1f} turns/s, wall {self.wall:5.1f} s; peak RSS {memory}")
        if self.kind == "open":
            x = self.extra
            text += (f"\n{'':20} arrivals: offered {x['offered_rate']:.2f}/s, scheduled {x['scheduled_rate']:.2f}/s, "
                     f"achieved {x['achieved_rate']:.2f}/s (latest start {x['max_late'] * 1000:.0f} ms behind schedule); "
                     f"peak {x['peak_active']:.0f} respondents in progress")
        return text

    def as_dict(self) -> dict[str, object]:
        return {"bot": self.name, "kind": self.kind, "clients": self.clients, "turns": self.turns,
                "errors": self.errors, "wall_s": self.wall, "p50_ms": self.p50 * 1000, "p95_ms": self.p95 * 1000,
                "p99_ms": self.p99 * 1000, "turns_per_s": self.throughput, "peak_rss_mb": self.rss_mb,
                "error_samples": self.samples, **self.extra}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (nan for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def check_stored(stack: BotStack, outcome: Outcome) -> list[str]:
    """Answers stored must equal answers sent, for every respondent that finished."""
    problems = []
    failed = {error.split(":", 1)[0] for error in outcome.errors}
    with Store(stack.database_url) as store:
        for session_id, sent in outcome.sent.items():
            if session_id in failed:
                continue
            respondent = store.respondent_for_sender(session_id)
            if respondent is None:
                problems.append(f"{session_id}: no respondent stored")
                continue
            ids = _assessment_ids(store, respondent.pseudonym)
            stored = store.answers(ids[-1]) if ids else {}
            if stored != sent:
                problems.append(f"{session_id}: stored {len(stored)} answers != sent {len(sent)}")
    return problems


def _assessment_ids(store: Store, pseudonym: str) -> list[int]:
    from sqlalchemy import select

    from readiness.storage.schema import Assessment, Respondent

    with store.session_scope() as session:
        return list(session.execute(
            select(Assessment.id).join(Respondent, Respondent.id == Assessment.respondent_id)
            .where(Respondent.pseudonym == pseudonym).order_by(Assessment.id)
        ).scalars())


Think = tuple[float, float]


@dataclass
class Bench:
    """What every run needs: the servers, the organisation's join code, the script's shape."""
    full: BotStack
    bare: Service | None
    join_code: str
    roles: list[str]
    turns_per: int
    timeout: float
    seed: int
    results: list[RunResult] = field(default_factory=list)

    @property
    def bots(self) -> list[Bot]:
        bots = [Bot("full", f"http://127.0.0.1:{self.full.rasa_port}",
                    {"rasa": self.full.services[1].process.pid, "actions": self.full.services[0].process.pid})]
        if self.bare is not None:
            bots.append(Bot("bare", f"http://127.0.0.1:{port_of(self.bare)}", {"rasa": self.bare.process.pid}))
        return bots

    def thinker(self, phase: str, index: int, think: Think | None) -> Callable[[], float] | None:
        """Respondent `index`'s think times: uniform in [low, high], seeded, the same for full and bare."""
        if think is None or think[1] <= 0:
            return None
        rng = random.Random(f"{self.seed}:{phase}:think:{index}")
        return lambda: rng.uniform(*think)

    async def respondent(self, bot: Bot, phase: str, number: int, outcome: Outcome, think: Think | None = None) -> None:
        """One whole assessment (full) or the same number of turns (bare); its answers are seeded
        by (seed, phase, number), so full and bare respondent `number` send the same mix."""
        rng = random.Random(f"{self.seed}:{phase}:{number}")
        pause = self.thinker(phase, number, think)
        if bot.name == "full":
            await full_respondent(bot.url, number, rng, self.join_code, self.roles, self.timeout, outcome, pause)
        else:
            await bare_respondent(bot.url, number, rng, self.turns_per, self.timeout, outcome, pause)

    def finish(self, bot: Bot, kind: str, clients: int, outcome: Outcome, wall: float, rss_kb: dict[str, int],
               extra: dict[str, float] | None = None) -> RunResult:
        errors = outcome.errors + (check_stored(self.full, outcome) if bot.name == "full" else [])
        lat = outcome.latencies
        result = RunResult(bot.name, kind, clients, len(lat), len(errors), wall, percentile(lat, 50),
                           percentile(lat, 95), percentile(lat, 99), {k: v / 1024 for k, v in rss_kb.items()},
                           errors[:5], extra or {})
        print(result.line(), flush=True)
        for sample in result.samples:
            print("   error:", sample[:300], flush=True)
        self.results.append(result)
        return result

    async def warm_up(self) -> None:
        """One unmeasured assessment per bot (first-use costs: model graphs, DB connections)."""
        for bot in self.bots:
            outcome = Outcome()
            await self.respondent(bot, "warmup", 0, outcome)
            if outcome.errors:
                raise RuntimeError(f"warm-up on the {bot.name} bot failed: {outcome.errors[0][:300]}")

    async def single(self, bot: Bot, assessments: int) -> RunResult:
        """One user alone, `assessments` whole assessments one after another, no think time."""
        outcome = Outcome()
        with MemorySampler(bot.pids) as sampler:
            started = time.perf_counter()
            for number in range(assessments):
                await self.respondent(bot, "single", number, outcome)
            wall = time.perf_counter() - started
        return self.finish(bot, "single", 1, outcome, wall, sampler.peak)

    async def closed(self, bot: Bot, count: int) -> RunResult:
        """`count` respondents at once, each sending its next turn as soon as the reply is in."""
        outcome = Outcome()
        with MemorySampler(bot.pids) as sampler:
            started = time.perf_counter()
            await asyncio.gather(*(self.respondent(bot, f"closed{count}", n, outcome) for n in range(count)))
            wall = time.perf_counter() - started
        return self.finish(bot, "closed", count, outcome, wall, sampler.peak)

    async def open_loop(self, bot: Bot, count: int, rate: float, think: Think, arrivals: str) -> RunResult:
        """`count` respondents arriving at `rate` per second (Poisson: exponential gaps, seeded;
        or evenly spaced), each thinking uniform(think) seconds before every reply after the
        hidden greeting. The arrival schedule is the same for full and bare."""
        rng = random.Random(f"{self.seed}:arrivals:{count}:{rate}")
        schedule = [0.0]
        for _ in range(count - 1):
            schedule.append(schedule[-1] + (rng.expovariate(rate) if arrivals == "poisson" else 1 / rate))
        outcome = Outcome()
        late: dict[int, float] = {}  # respondent -> how far behind its scheduled arrival it started
        active = peak = 0

        async def arrive(number: int, at: float, origin: float) -> None:
            nonlocal active, peak
            await asyncio.sleep(max(0.0, origin + at - time.perf_counter()))
            late[number] = time.perf_counter() - origin - at
            active += 1
            peak = max(peak, active)
            try:
                await self.respondent(bot, f"open{count}", number, outcome, think)
            finally:
                active -= 1

        with MemorySampler(bot.pids) as sampler:
            origin = time.perf_counter()
            await asyncio.gather(*(arrive(n, at, origin) for n, at in enumerate(schedule)))
            wall = time.perf_counter() - origin
        actual = sorted(at + late.get(n, 0.0) for n, at in enumerate(schedule))
        span = actual[-1] - actual[0] if len(actual) > 1 else 0.0
        extra = {
            "offered_rate": rate,
            "scheduled_rate": (count - 1) / schedule[-1] if count > 1 and schedule[-1] else float("nan"),
            "achieved_rate": (count - 1) / span if span else float("nan"),
            "max_late": max(late.values()) if late else 0.0,
            "peak_active": float(peak),
            "think_low_s": think[0], "think_high_s": think[1],
        }
        return self.finish(bot, "open", count, outcome, wall, sampler.peak, extra)


# --- the summary ----------------------------------------------------------------------------

#: The issue's targets: (label, full/bare ratio or absolute, comparison, bound).
SINGLE_P50_RATIO_MAX = 1.4
THROUGHPUT_RATIO_MIN = 0.9
OPEN_P95_MAX_S = 0.150


def summary_table(results: list[RunResult], concurrency: int, open_label: str) -> tuple[list[str], bool]:
    """The summary's markdown table (figure, full, bare, full/bare, target, met) and whether
    every target was met."""
    by = {(r.name, r.kind): r for r in results}

    def pair(kind: str) -> tuple[RunResult | None, RunResult | None]:
        return by.get(("full", kind)), by.get(("bare", kind))

    def ms(value: float) -> str:
        return f"{value * 1000:.0f}"

    rows, all_met = [], True

    def row(figure: str, kind: str, value, fmt, target: str = "—", check=None) -> None:
        nonlocal all_met
        full, bare = pair(kind)
        f = value(full) if full else None
        b = value(bare) if bare else None
        ratio = f / b if f is not None and b else None
        met = "—"
        if check is not None:
            outcome = check(f, ratio)
            met = "n/a" if outcome is None else ("yes" if outcome else "**no**")
            all_met = all_met and bool(outcome)
        rows.append(f"| {figure} | {fmt(f) if f is not None else '—'} | {fmt(b) if b is not None else '—'} | "
                    f"{f'{ratio:.2f}' if ratio is not None else '—'} | {target} | {met} |")

    rows.append("| figure | full | bare | full/bare | target | met |")
    rows.append("|---|---|---|---|---|---|")
    row("single-user p50 ms", "single", lambda r: r.p50, ms, f"full ≤ {SINGLE_P50_RATIO_MAX}× bare",
        lambda f, ratio: None if ratio is None else ratio <= SINGLE_P50_RATIO_MAX)
    row("single-user p95 ms", "single", lambda r: r.p95, ms)
    row(f"p95 ms at {concurrency} concurrent, no think time", "closed", lambda r: r.p95, ms)
    row(f"throughput turns/s at {concurrency} concurrent", "closed", lambda r: r.throughput, lambda v: f"{v:.1f}",
        f"full ≥ {THROUGHPUT_RATIO_MIN}× bare", lambda f, ratio: None if ratio is None else ratio >= THROUGHPUT_RATIO_MIN)
    row(f"open-loop p95 ms ({open_label})", "open", lambda r: r.p95, ms, f"full < {OPEN_P95_MAX_S * 1000:.0f} ms",
        lambda f, ratio: None if f is None else f < OPEN_P95_MAX_S)
    row("open-loop achieved arrivals/s", "open", lambda r: r.extra["achieved_rate"], lambda v: f"{v:.2f}")
    errors = {name: sum(r.errors for r in results if r.name == name) for name in ("full", "bare")}
    rows.append(f"| errors (all runs) | {errors['full']} | {errors['bare']} | — | 0 | "
                f"{'yes' if not any(errors.values()) else '**no**'} |")
    return rows, all_met


# --- profile of the action path (--profile) -------------------------------------------------

#: Imported by both server processes as `sitecustomize` (PYTHONPATH) in --profile mode. Nothing
#: happens until SIGUSR2 (read the mode file, patch timers in, start cProfile if asked); SIGUSR1
#: writes the timings (and profiles) into BENCH_PROFILE_DIR and stops. Patching at SIGUSR2 time
#: means nothing is imported early and the start-up is not profiled.
PROFILE_HOOK = r'''
import collections, cProfile, functools, json, os, signal, sys, threading, time

_argv = " ".join(getattr(sys, "orig_argv", sys.argv))
_role = "actions" if "rasa_sdk" in _argv else "rasa" if "bot.rasa_main" in _argv else None
_out = os.environ.get("BENCH_PROFILE_DIR")
if _role and _out:
    _times = collections.defaultdict(list)
    _state = {"on": False, "mode": "timers", "patched": False}
    _main, _worker, _worker_lock = cProfile.Profile(), cProfile.Profile(), threading.Lock()

    def _record(label, started):
        if _state["on"]:
            _times[label].append(time.perf_counter() - started)

    def _timed_async(owner, name, label):
        original = getattr(owner, name)

        @functools.wraps(original)
        async def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                _record(label, started)
        setattr(owner, name, timed)

    def _timed_sync(owner, name, label):
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                _record(label, started)
        setattr(owner, name, timed)

    def _patch():
        if _role == "rasa":
            from rasa.core.actions.action import RemoteAction
            from rasa.core.agent import Agent
            from rasa.core.processor import MessageProcessor
            from rasa.core.tracker_store import SQLTrackerStore
            _timed_async(Agent, "handle_message", "rasa: Agent.handle_message (whole turn)")
            _timed_async(MessageProcessor, "parse_message", "rasa: parse_message (NLU)")
            _timed_async(MessageProcessor, "fetch_tracker_and_update_session", "rasa: fetch tracker")
            _timed_async(SQLTrackerStore, "retrieve", "rasa: SQLTrackerStore.retrieve")
            _timed_sync(MessageProcessor, "_predict_next_with_tracker", "rasa: predict next action (policies)")
            _timed_async(MessageProcessor, "_run_action", "rasa: _run_action (any action)")
            _timed_async(RemoteAction, "run", "rasa: RemoteAction.run (webhook round trip)")
            _timed_sync(RemoteAction, "_validate_action_result", "rasa: validate action response")
            _timed_async(MessageProcessor, "save_tracker", "rasa: save tracker")
        else:
            from concurrent.futures import ThreadPoolExecutor
            from rasa_sdk.executor import ActionExecutor
            _timed_async(ActionExecutor, "run", "actions: ActionExecutor.run")
            # run_in_executor (asyncio's or uvloop's) hands the engine call to the default
            # ThreadPoolExecutor: time it, and profile it in its worker thread.
            original = ThreadPoolExecutor.submit

            def submit(self, func, *args, **kwargs):
                def call(*inner, **named):
                    started = time.perf_counter()
                    try:
                        if _state["on"] and _state["mode"] == "cprofile":
                            with _worker_lock:
                                return _worker.runcall(func, *inner, **named)
                        return func(*inner, **named)
                    finally:
                        _record("actions: worker-thread call (the engine)", started)
                return original(self, call, *args, **kwargs)
            ThreadPoolExecutor.submit = submit

    def _start(signum, frame):
        with open(os.path.join(_out, "mode")) as handle:
            _state["mode"] = handle.read().strip()
        if not _state["patched"]:
            _patch()
            _state["patched"] = True
        _times.clear()
        _state["on"] = True
        if _state["mode"] == "cprofile":
            _main.enable()

    def _stop(signum, frame):
        mode = _state["mode"]
        if mode == "cprofile":
            _main.disable()
            _main.dump_stats(os.path.join(_out, f"{os.getpid()}-main.prof"))
            if _role == "actions":
                with _worker_lock:
                    _worker.dump_stats(os.path.join(_out, f"{os.getpid()}-worker.prof"))
        _state["on"] = False
        path = os.path.join(_out, f"{os.getpid()}-{mode}.json")
        with open(path + ".tmp", "w") as handle:
            json.dump(_times, handle)
        os.replace(path + ".tmp", path)

    signal.signal(signal.SIGUSR2, _start)
    signal.signal(signal.SIGUSR1, _stop)
'''


def _package_of(filename: str) -> str:
    """Which package a profiled function belongs to (site-packages top level, our folders, C)."""
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C)"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    try:
        return "ours: " + path.resolve().relative_to(ROOT).parts[0]
    except ValueError:
        return "stdlib: " + path.stem


def print_profile(path: Path, title: str, top: int = 14) -> None:
    import pstats

    if not path.exists() or path.stat().st_size == 0:
        print(f"\n-- {title}: no profile ({path.name} missing) --")
        return
    try:
        stats = pstats.Stats(str(path))
    except TypeError:  # an empty profile: nothing ran there
        print(f"\n-- {title}: nothing was profiled --")
        return
    entries = stats.stats  # type: ignore[attr-defined]
    idle = ("poll", "select", "epoll", "_run_once", "acquire", "wait")
    busy = {key: value for key, value in entries.items() if not any(word in key[2] for word in idle[:3])}
    total = sum(value[2] for value in busy.values())  # tottime
    print(f"\n-- {title}: {total:.2f} s of CPU-ish time outside the event loop's poll --")
    by_package: dict[str, float] = {}
    for (filename, _, _), value in busy.items():
        by_package[_package_of(filename)] = by_package.get(_package_of(filename), 0.0) + value[2]
    for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:10]:
        print(f"   {seconds / total * 100:5.1f} %  {package}")
    print("   top functions by own time:")
    for key, value in sorted(busy.items(), key=lambda kv: -kv[1][2])[:top]:
        filename, line, name = key
        where = filename if filename.startswith("~") else f"{_package_of(filename)}:{Path(filename).name}:{line}"
        print(f"   {value[2] / total * 100:5.1f} % own {value[3] / total * 100:6.1f} % cum  {value[1]:6d} calls  {name}  ({where})")


async def profile_run(bench: Bench, assessments: int, folder: Path) -> None:
    """Single user over the action path (and over the bare bot, when it runs): one window with
    timers only (what each step costs), one with cProfile as well (where inside it goes; cProfile
    slows Python code 2-4×, so read its shares, not its milliseconds). The servers were started
    with PROFILE_HOOK."""
    for mode in ("timers", "cprofile"):
        for bot in bench.bots:
            (folder / "mode").write_text(mode)
            for pid in bot.pids.values():
                os.kill(pid, signal.SIGUSR2)
            await asyncio.sleep(0.5)
            result = await bench.single(bot, assessments)
            for pid in bot.pids.values():
                os.kill(pid, signal.SIGUSR1)
            deadline = time.monotonic() + 30
            wanted = [folder / f"{pid}-{mode}.json" for pid in bot.pids.values()]
            while not all(path.exists() for path in wanted):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the servers wrote no profile into {folder} (--profile)")
                await asyncio.sleep(0.2)
            turns = max(1, result.turns)
            print(f"\n-- {bot.name}, {mode}: {turns} turns over socket.io, client-side p50 {result.p50 * 1000:.1f} ms, "
                  f"p95 {result.p95 * 1000:.1f} ms --")
            print(f"   {'step':50} {'calls':>6} {'p50 ms':>8} {'mean ms':>8} {'per turn ms':>11}")
            for pid in bot.pids.values():
                times = json.loads((folder / f"{pid}-{mode}.json").read_text())
                for label, values in times.items():
                    print(f"   {label:50} {len(values):6d} {statistics.median(values) * 1000:8.2f} "
                          f"{statistics.mean(values) * 1000:8.2f} {sum(values) / turns * 1000:11.2f}")
    for bot in bench.bots:
        print_profile(folder / f"{bot.pids['rasa']}-main.prof", f"{bot.name}: Rasa process (main thread)")
        if "actions" in bot.pids:
            print_profile(folder / f"{bot.pids['actions']}-main.prof", f"{bot.name}: action server (event loop thread)")
            print_profile(folder / f"{bot.pids['actions']}-worker.prof", f"{bot.name}: action server (worker threads: the engine)")
    print(f"\nprofiles kept in {folder} (python -m pstats FILE)")


# --- the command line -----------------------------------------------------------------------

def parse_think(text: str) -> Think:
    """'5-10' → uniform 5 to 10 s; '7' → always 7 s; '0' → no think time."""
    try:
        low, _, high = text.partition("-")
        think = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--think takes seconds as LOW-HIGH (e.g. 5-10) or one number, got {text!r}") from None
    if think[0] < 0 or think[1] < think[0]:
        raise argparse.ArgumentTypeError(f"--think needs 0 ≤ LOW ≤ HIGH, got {text!r}")
    return think


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="modes: default = N concurrent without think time, for each N of --respondents; "
               "--open-loop; --summary (everything the issue's targets need, full vs bare); --profile")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--open-loop", action="store_true", help="respondents arrive at --arrival-rate and think between turns")
    modes.add_argument("--summary", action="store_true", help="single user, --concurrency concurrent, open loop: full vs bare, "
                                                              "with the issue's targets")
    modes.add_argument("--profile", action="store_true", help="single user, full and bare, with timers and cProfile "
                                                              "in both servers: where a turn's time goes")
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer respondents, short think time "
                                                              "(explicit options still win)")
    parser.add_argument("--respondents", type=int, nargs="+", help="closed loop: concurrent respondents per run "
                        "(default 20 100; quick 5); open loop / summary: respondents arriving (default 100; quick 6)")
    parser.add_argument("--arrival-rate", type=float, help="respondents per second (default 1.0; quick 3.0)")
    parser.add_argument("--arrivals", choices=("poisson", "even"), default="poisson",
                        help="arrival process: Poisson (exponential gaps, seeded; default) or evenly spaced")
    parser.add_argument("--think", type=parse_think, help="seconds before each reply, LOW-HIGH uniform "
                        "(default 5-10; quick 0.1-0.3)")
    parser.add_argument("--concurrency", type=int, help="summary: concurrent respondents (default 20; quick 10)")
    parser.add_argument("--single-assessments", type=int, help="summary / profile: whole assessments the single "
                        "user completes (default 3 / 4; quick 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a turn may take before it is an error")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Rasa comparison")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false")
    parser.add_argument("--models-dir", type=Path, default=Path(os.environ.get("READINESS_MODELS_DIR", ROOT / "models")))
    parser.add_argument("--keep", type=Path, help="run in this folder and keep it (logs, databases, profiles)")
    parser.add_argument("--json", type=Path, help="also write every run's figures to this JSON file")
    return parser


def resolve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Fill the mode-dependent defaults and check the numbers (usage errors exit 2)."""
    quick = args.quick
    if args.respondents is None:
        args.respondents = ([6] if quick else [100]) if (args.open_loop or args.summary) else ([5] if quick else [20, 100])
    if args.arrival_rate is None:
        args.arrival_rate = 3.0 if quick else 1.0
    if args.think is None:
        args.think = (0.1, 0.3) if quick else (5.0, 10.0)
    if args.concurrency is None:
        args.concurrency = 10 if quick else 20
    if args.single_assessments is None:
        args.single_assessments = 1 if quick else (4 if args.profile else 3)
    if args.summary and len(args.respondents) != 1:
        parser.error("--summary takes one --respondents value (the open-loop respondents)")
    if any(n < 1 for n in args.respondents) or args.concurrency < 1 or args.single_assessments < 1:
        parser.error("--respondents, --concurrency and --single-assessments must be at least 1")
    if not args.arrival_rate > 0:
        parser.error(f"--arrival-rate must be above 0 respondents per second, got {args.arrival_rate}")
    if not args.timeout > 0:
        parser.error(f"--timeout must be above 0 seconds, got {args.timeout}")
    return args


async def benchmark(args: argparse.Namespace, full: BotStack, bare: Service | None, folder: Path) -> Bench:
    with Store(full.database_url) as store:
        organisation, _ = store.create_organisation("Bench General Hospital")
    from readiness.bank import load_questionnaire

    questionnaire = load_questionnaire(full.content_dir)
    roles = list(questionnaire.role_ids)
    turns_per = round(statistics.mean(len(questionnaire.items_for(r)) for r in roles)) + 5
    bench = Bench(full, bare, organisation.join_code, roles, turns_per, args.timeout, args.seed)
    if args.warmup:
        await bench.warm_up()
    think_label = f"think {args.think[0]:g}–{args.think[1]:g} s"
    if args.profile:
        await profile_run(bench, args.single_assessments, folder)
    elif args.summary:
        print(f"\n== single user, {args.single_assessments} assessment(s) (load average {os.getloadavg()[0]:.2f}) ==", flush=True)
        for bot in bench.bots:
            await bench.single(bot, args.single_assessments)
        print(f"\n== {args.concurrency} concurrent, no think time (load average {os.getloadavg()[0]:.2f}) ==", flush=True)
        for bot in bench.bots:
            await bench.closed(bot, args.concurrency)
        count = args.respondents[0]
        print(f"\n== open loop: {count} respondents, {args.arrivals} arrivals at {args.arrival_rate:g}/s, {think_label} "
              f"(load average {os.getloadavg()[0]:.2f}) ==", flush=True)
        for bot in bench.bots:
            await bench.open_loop(bot, count, args.arrival_rate, args.think, args.arrivals)
    elif args.open_loop:
        for count in args.respondents:
            print(f"\n== open loop: {count} respondents, {args.arrivals} arrivals at {args.arrival_rate:g}/s, "
                  f"{think_label} (load average {os.getloadavg()[0]:.2f}) ==", flush=True)
            pair = [await bench.open_loop(bot, count, args.arrival_rate, args.think, args.arrivals) for bot in bench.bots]
            if len(pair) == 2:
                print(f"ratio full/bare at {count} arriving: p95 {pair[0].p95 / pair[1].p95:.2f}, "
                      f"p50 {pair[0].p50 / pair[1].p50:.2f}", flush=True)
    else:
        for count in args.respondents:
            print(f"\n== {count} concurrent respondents (load average {os.getloadavg()[0]:.2f}) ==", flush=True)
            pair = [await bench.closed(bot, count) for bot in bench.bots]
            if len(pair) == 2:
                print(f"ratio full/bare at {count}: p95 {pair[0].p95 / pair[1].p95:.2f}, p50 {pair[0].p50 / pair[1].p50:.2f}, "
                      f"throughput {pair[0].throughput / pair[1].throughput:.2f}", flush=True)
    return bench


def start_servers(root: Path, bare_model: Path | None, env: dict[str, str] | None) -> tuple[BotStack, Service | None]:
    """Both bots at once (they load TensorFlow in parallel); if either fails, neither is left running."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        full_future = pool.submit(start_bot, root / "full", env)
        bare_future = pool.submit(start_bare, root / "bare", bare_model, env) if bare_model is not None else None
        problems = []
        full = bare = None
        try:
            full = full_future.result()
        except BaseException as error:  # noqa: BLE001 - reported below, after the other one is stopped
            problems.append(f"full stack: {error}")
        if bare_future is not None:
            try:
                bare = bare_future.result()
            except BaseException as error:  # noqa: BLE001
                problems.append(f"bare Rasa: {error}")
    if problems:
        if full is not None:
            full.stop()
        if bare is not None:
            bare.stop()
        raise RuntimeError("; ".join(problems) + f" (logs in {root})")
    assert full is not None
    return full, bare


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = build_parser()
    args = resolve(parser.parse_args(), parser)
    signal.signal(signal.SIGTERM, _interrupted)  # stop the servers on `kill` too, not only on Ctrl-C

    root = args.keep or Path(tempfile.mkdtemp(prefix="readiness-load-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; data in {root}", flush=True)
    env = None
    folder = root / "profile"
    if args.profile:
        hook = root / "profile-hook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text(PROFILE_HOOK)
        folder.mkdir(exist_ok=True)
        env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
               "BENCH_PROFILE_DIR": str(folder)}
    full = bare = None
    code = 0
    try:
        bare_model = None if args.no_bare else ensure_bare_model(args.models_dir)
        started = time.monotonic()
        full, bare = start_servers(root, bare_model, env)
        print(f"servers up in {time.monotonic() - started:.0f} s", flush=True)
        bench = asyncio.run(benchmark(args, full, bare, folder))
    except KeyboardInterrupt:
        print("interrupted: stopping the servers", file=sys.stderr)
        return 130
    except (RuntimeError, TimeoutError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if full is not None:
            full.stop()
        if bare is not None:
            bare.stop()
        if args.keep is None and not args.profile:
            shutil.rmtree(root, ignore_errors=True)

    results = bench.results
    if not args.profile:
        print("\n| run | bot | respondents | turns | errors | p50 ms | p95 ms | p99 ms | turns/s | peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in results:
            memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in r.rss_mb.items())
            print(f"| {r.kind} | {r.name} | {r.clients} | {r.turns} | {r.errors} | {r.p50 * 1000:.0f} | "
                  f"{r.p95 * 1000:.0f} | {r.p99 * 1000:.0f} | {r.throughput:.1f} | {memory} |")
    if args.summary:
        open_label = (f"{args.respondents[0]} respondents, {args.arrivals} {args.arrival_rate:g}/s, "
                      f"think {args.think[0]:g}–{args.think[1]:g} s")
        rows, all_met = summary_table(results, args.concurrency, open_label)
        print(f"\nsummary{' (--quick: a smoke run, not the figures)' if args.quick else ''}:")
        print("\n".join(rows))
        print("all targets met" if all_met else "some targets not met (a benchmark, not a test: exit code unaffected)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                                         "runs": [r.as_dict() for r in results]}, indent=2))
    errors = sum(r.errors for r in results)
    if errors:
        print(f"error: {errors} failed turns or stored-answer mismatches (see above)", file=sys.stderr)
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
