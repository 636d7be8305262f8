"""Load benchmark: N simulated respondents complete whole assessments over socket.io, as the widget does.

What runs
  * the real stack on free ports — action server + Rasa with the product model, SQLite readiness
    store and SQLite SQL tracker store in a temporary folder (tests/bot_stack.start_bot);
  * a BARE Rasa on another port: the same NLU pipeline and policies, trained on the same NLU data,
    with one rule per intent answering a plain `utter_reply` response shaped like a question
    turn (text + six quick replies + a custom {"progress": ...} message) — no action server. Its
    model is trained once and cached by fingerprint (bench/bare_bot/**, data/nlu*.yml, Rasa's
    version) in the models folder (`--models-dir`, default models/).

What a respondent does (no think time)
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

Printed per run: turns, errors, p50/p95/p99 turn latency, throughput (turns/s over the run's
wall time), peak RSS of the Rasa server and of the action server (VmRSS of the process and its
children from /proc, sampled every 0.25 s during the run) and the ratio full p95 / bare p95.

Usage:  .venv/bin/python bench/load.py --respondents 20 100 [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

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
    wait_until_up(rasa.health_url, START_TIMEOUT, rasa.process)
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

    def __init__(self, url: str, session_id: str, metadata: dict, timeout: float, outcome: Outcome) -> None:
        self.url, self.session_id, self.metadata, self.timeout, self.outcome = url, session_id, metadata, timeout, outcome
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
        """Send one message; return the reply's messages; record the turn's latency."""
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


def _press(reply: list[dict], title_start: str) -> str:
    for button in _buttons(reply):
        if str(button.get("title", "")).startswith(title_start):
            return str(button["payload"])
    raise TurnFailed(f"no {title_start!r} button in {[b.get('title') for b in _buttons(reply)]}")


async def full_respondent(url: str, number: int, rng: random.Random, org_code: str, roles: list[str],
                          timeout: float, outcome: Outcome) -> None:
    session_id = f"bench-{number}-{uuid.uuid4().hex[:8]}"
    with_org = number % 2 == 0
    client = Client(url, session_id, {"org": org_code} if with_org else {}, timeout, outcome)
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
                text = next(b["payload"] for b in _buttons(reply) if b["payload"].endswith(
                    f'"likert": {json.dumps(value) if value == NOT_APPLICABLE else value}}}'))
            reply = await client.turn(text)
            after = _progress(reply)
            if after is not None and after["item"] == item:
                raise TurnFailed(f"answer {text!r} to {item} was not taken")
            sent[item] = value
    except (TurnFailed, asyncio.TimeoutError, socketio.exceptions.SocketIOError, OSError) as error:
        outcome.errors.append(f"{session_id}: {type(error).__name__}: {error}")
    finally:
        await client.close()


async def bare_respondent(url: str, number: int, rng: random.Random, turns: int, timeout: float,
                          outcome: Outcome) -> None:
    session_id = f"bare-{number}-{uuid.uuid4().hex[:8]}"
    client = Client(url, session_id, {"org": "ABC-DEF"} if number % 2 == 0 else {}, timeout, outcome)
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
    except (TurnFailed, asyncio.TimeoutError, socketio.exceptions.SocketIOError, OSError) as error:
        outcome.errors.append(f"{session_id}: {type(error).__name__}: {error}")
    finally:
        await client.close()


# --- runs -----------------------------------------------------------------------------------

@dataclass
class RunResult:
    name: str
    clients: int
    turns: int
    errors: int
    wall: float
    p50: float
    p95: float
    p99: float
    rss_mb: dict[str, float]
    samples: list[str]

    @property
    def throughput(self) -> float:
        return self.turns / self.wall if self.wall else 0.0

    def line(self) -> str:
        memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in self.rss_mb.items())
        return (f"{self.name:5} {self.clients:4d} clients: {self.turns:5d} turns, {self.errors} errors, "
                f"p50 {self.p50 * 1000:6.0f} ms, p95 {self.p95 * 1000:6.0f} ms, p99 {self.p99 * 1000:6.0f} ms, "
                f"{self.throughput:5.1f} turns/s, wall {self.wall:5.1f} s; peak RSS {memory}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def run_clients(name: str, count: int, make, pids: dict[str, int]) -> tuple[Outcome, float, dict[str, float]]:
    outcome = Outcome()
    with MemorySampler(pids) as sampler:
        started = time.perf_counter()
        await asyncio.gather(*(make(n, outcome) for n in range(count)))
        wall = time.perf_counter() - started
    return outcome, wall, {k: v / 1024 for k, v in sampler.peak.items()}


def summarise(name: str, count: int, outcome: Outcome, wall: float, rss: dict[str, float], extra_errors: list[str]) -> RunResult:
    errors = outcome.errors + extra_errors
    lat = outcome.latencies
    return RunResult(name, count, len(lat), len(errors), wall, percentile(lat, 50), percentile(lat, 95),
                     percentile(lat, 99), rss, errors[:5])


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


async def benchmark(args: argparse.Namespace, full: BotStack, bare: Service | None) -> list[tuple[RunResult, RunResult | None]]:
    with Store(full.database_url) as store:
        organisation, _ = store.create_organisation("Bench General Hospital")
    from readiness.bank import load_questionnaire

    questionnaire = load_questionnaire(full.content_dir)
    roles = list(questionnaire.role_ids)
    turns_per = round(statistics.mean(len(questionnaire.items_for(r)) for r in roles)) + 5
    full_url = f"http://127.0.0.1:{full.rasa_port}"
    pids_full = {"rasa": full.services[1].process.pid, "actions": full.services[0].process.pid}
    results = []
    for count in args.respondents:
        rng = random.Random(args.seed * 1000 + count)
        seeds = [rng.random() for _ in range(count)]
        # warm-up: one whole assessment each, not measured
        if args.warmup:
            warm = Outcome()
            await full_respondent(full_url, 10_000 + count, random.Random(0), organisation.join_code, roles, args.timeout, warm)
            if bare is not None:
                await bare_respondent(f"http://127.0.0.1:{port_of(bare)}", 10_000 + count, random.Random(0), turns_per, args.timeout, warm)
        print(f"\n== {count} concurrent respondents (load average {os.getloadavg()[0]:.2f}) ==", flush=True)
        outcome, wall, rss = await run_clients("full", count, lambda n, o: full_respondent(
            full_url, n + count * 100, random.Random(seeds[n]), organisation.join_code, roles, args.timeout, o), pids_full)
        stored_errors = check_stored(full, outcome)
        full_result = summarise("full", count, outcome, wall, rss, stored_errors)
        print(full_result.line(), flush=True)
        for sample in full_result.samples:
            print("   error:", sample[:300])
        bare_result = None
        if bare is not None:
            bare_url = f"http://127.0.0.1:{port_of(bare)}"
            outcome, wall, rss = await run_clients("bare", count, lambda n, o: bare_respondent(
                bare_url, n + count * 100, random.Random(seeds[n]), turns_per, args.timeout, o), {"rasa": bare.process.pid})
            bare_result = summarise("bare", count, outcome, wall, rss, [])
            print(bare_result.line(), flush=True)
            for sample in bare_result.samples:
                print("   error:", sample[:300])
            print(f"ratio full p95 / bare p95 at {count}: {full_result.p95 / bare_result.p95:.2f} "
                  f"(p50 {full_result.p50 / bare_result.p50:.2f})", flush=True)
        results.append((full_result, bare_result))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a turn may take before it is an error")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Rasa comparison")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false")
    parser.add_argument("--models-dir", type=Path, default=Path(os.environ.get("READINESS_MODELS_DIR", ROOT / "models")))
    parser.add_argument("--keep", type=Path, help="run in this folder and keep it (logs, databases)")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="readiness-load-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; data in {root}", flush=True)
    bare_model = None if args.no_bare else ensure_bare_model(args.models_dir)
    started = time.monotonic()
    full = start_bot(root / "full")
    bare = None
    try:
        if bare_model is not None:
            bare = start_bare(root / "bare", bare_model)
        print(f"servers up in {time.monotonic() - started:.0f} s", flush=True)
        results = asyncio.run(benchmark(args, full, bare))
    finally:
        full.stop()
        if bare is not None:
            bare.stop()
    print("\n| concurrent | bot | turns | errors | p50 ms | p95 ms | p99 ms | turns/s | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    for pair in results:
        for result in pair:
            if result is None:
                continue
            memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in result.rss_mb.items())
            print(f"| {result.clients} | {result.name} | {result.turns} | {result.errors} | {result.p50 * 1000:.0f} | "
                  f"{result.p95 * 1000:.0f} | {result.p99 * 1000:.0f} | {result.throughput:.1f} | {memory} |")
    for full_result, bare_result in results:
        if bare_result is not None:
            print(f"p95 ratio full/bare at {full_result.clients} concurrent: {full_result.p95 / bare_result.p95:.2f}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
