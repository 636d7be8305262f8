"""Compare the light NLU pipeline (config.yml) with a DIET pipeline on held-out phrasings.

For each pipeline this script
  1. trains a model with `rasa train` into a temporary directory (one at a time: the
     machine is small) and times it,
  2. runs `rasa test nlu --nlu tests/data/nlu_heldout.yml` on it and prints train seconds,
     held-out intent accuracy, macro F1 and the 10 most confused (true -> predicted) pairs
     (note: `rasa test nlu` UNDOES FallbackClassifier predictions before scoring),
  3. loads the model in-process and reports how many held-out messages really end as
     `nlu_fallback` with the configured FallbackClassifier, and how accuracy/fallback rate
     would move with other thresholds.

Every `rasa train` gets a fresh, empty RASA_CACHE_DIRECTORY, so times are from scratch.

Before anything it checks that no held-out example appears in data/nlu.yml (case-insensitive)
and that both files use the same intents.

Usage:  .venv/bin/python bench/nlu_eval.py [--only light|diet] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRAIN_DATA = ROOT / "data"
HELDOUT_NLU = ROOT / "tests" / "data" / "nlu_heldout.yml"
LIGHT_CONFIG = ROOT / "config.yml"
RASA = Path(sys.executable).parent / "rasa"
FALLBACK_INTENT = "nlu_fallback"
THRESHOLDS = (0.0, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)

DIET_CONFIG = """\
recipe: default.v1
language: en
assistant_id: hospital-genai-readiness-diet-bench

pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: {threshold}

policies:
  - name: MemoizationPolicy
  - name: RulePolicy
"""


@dataclass(frozen=True)
class Example:
    intent: str
    text: str


@dataclass(frozen=True)
class PipelineResult:
    name: str
    train_seconds: float
    test_seconds: float
    accuracy: float
    macro_f1: float
    weighted_f1: float
    n_total: int
    confused_pairs: list[tuple[tuple[str, str], int]]


def read_examples(path: Path) -> list[Example]:
    """Reads intent examples from a Rasa YAML NLU file (regex/lookup sections are ignored)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples: list[Example] = []
    for block in document.get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block["examples"]).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(block["intent"], line[2:].strip()))
    return examples


def check_heldout_is_unseen(train: list[Example], heldout: list[Example]) -> None:
    """Fails loudly when a held-out example is also a training example or intents differ."""
    seen = {e.text.casefold() for e in train}
    leaked = [e for e in heldout if e.text.casefold() in seen]
    if leaked:
        listing = "\n".join(f"  {e.intent}: {e.text!r}" for e in leaked)
        sys.exit(
            f"{HELDOUT_NLU.relative_to(ROOT)} has examples that are also in "
            f"{TRAIN_DATA.relative_to(ROOT)}/; rephrase or remove them:\n{listing}"
        )
    train_intents = {e.intent for e in train}
    heldout_intents = {e.intent for e in heldout}
    if heldout_intents - train_intents:
        sys.exit(f"Held-out intents with no training data: {sorted(heldout_intents - train_intents)}")
    if train_intents - heldout_intents:
        print(f"note: not evaluated (no held-out examples): {sorted(train_intents - heldout_intents)}")
    per_intent = Counter(e.intent for e in heldout)
    print(
        f"held-out check ok: {len(heldout)} examples over {len(per_intent)} intents "
        f"({min(per_intent.values())}-{max(per_intent.values())} per intent), "
        f"none in the {len(train)} training examples"
    )


def run(cmd: list[str], log: Path) -> float:
    """Runs a command, logging its output; returns wall seconds. Exits on failure."""
    with tempfile.TemporaryDirectory(prefix="rasa_cache_") as cache:
        env = dict(
            os.environ,
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            RASA_CACHE_DIRECTORY=cache,  # no reuse of earlier trainings' components
        )
        start = time.perf_counter()
        with log.open("w") as out:
            proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\nsee {log}")
    return seconds


def fallback_threshold(config_path: Path) -> float:
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.0


def evaluate(name: str, config: Path, workdir: Path) -> tuple[PipelineResult, Path]:
    models = workdir / f"models_{name}"
    results = workdir / f"results_{name}"
    print(f"\n[{name}] rasa train ...", flush=True)
    train_seconds = run(
        [
            str(RASA), "train",
            "--domain", "domain.yml", "--data", "data", "--config", str(config),
            "--out", str(models), "--fixed-model-name", name,
        ],
        workdir / f"train_{name}.log",
    )
    model = models / f"{name}.tar.gz"
    print(f"[{name}] trained in {train_seconds:.1f} s; rasa test nlu ...", flush=True)
    test_seconds = run(
        [
            str(RASA), "test", "nlu",
            "--nlu", str(HELDOUT_NLU), "--model", str(model), "--out", str(results),
            "--successes", "--no-plot",
        ],
        workdir / f"test_{name}.log",
    )
    report = json.loads((results / "intent_report.json").read_text())
    errors_path = results / "intent_errors.json"
    errors = json.loads(errors_path.read_text()) if errors_path.exists() else []
    pairs = Counter(
        (e["intent"], (e["intent_prediction"] or {}).get("name") or "None") for e in errors
    )
    n_total = int(report["macro avg"]["support"])
    result = PipelineResult(
        name=name,
        train_seconds=train_seconds,
        test_seconds=test_seconds,
        accuracy=float(report["accuracy"]),
        macro_f1=float(report["macro avg"]["f1-score"]),
        weighted_f1=float(report["weighted avg"]["f1-score"]),
        n_total=n_total,
        confused_pairs=pairs.most_common(10),
    )
    return result, model


def threshold_sweep(model: Path, heldout: list[Example]) -> tuple[float, int]:
    """Parses every held-out message in-process and re-applies the fallback at several
    thresholds, using the classifier's own ranking (the FallbackClassifier's entry removed)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import logging
    import warnings

    warnings.filterwarnings("ignore")  # library deprecation noise from importing rasa

    from rasa.core.agent import Agent  # imported late: slow, and only needed here
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise every parse is logged at debug
    logging.getLogger().setLevel(logging.WARNING)

    agent = Agent.load(str(model))

    async def parse_all() -> tuple[list[tuple[str, float]], list[str]]:
        parsed, actual = [], []
        for example in heldout:
            message = await agent.parse_message(example.text)
            actual.append(message["intent"]["name"])
            ranking = [r for r in message["intent_ranking"] if r["name"] != FALLBACK_INTENT]
            parsed.append((ranking[0]["name"], float(ranking[0]["confidence"])))
        return parsed, actual

    parsed, actual = asyncio.run(parse_all())
    n = len(heldout)
    live_correct = sum(a == e.intent for a, e in zip(actual, heldout))
    live_fallback = actual.count(FALLBACK_INTENT)
    print(
        f"    as configured (FallbackClassifier incl. ambiguity_threshold): accuracy "
        f"{live_correct / n:.3f}, {live_fallback} of {n} messages -> {FALLBACK_INTENT}"
    )
    raw_correct = sum(p == e.intent for (p, _), e in zip(parsed, heldout))
    print(f"    top-1 accuracy ignoring the fallback: {raw_correct / n:.3f}")
    confidences = sorted(c for _, c in parsed)
    print(
        "    top-1 confidence: min {:.2f}  p10 {:.2f}  median {:.2f}".format(
            confidences[0], confidences[n // 10], confidences[n // 2]
        )
    )
    print("    threshold  accuracy  fallback  wrong-but-confident")
    for threshold in THRESHOLDS:
        correct = fallback = wrong = 0
        for (predicted, confidence), example in zip(parsed, heldout):
            if confidence < threshold:
                fallback += 1
            elif predicted == example.intent:
                correct += 1
            else:
                wrong += 1
        print(f"    {threshold:9.2f}  {correct / n:8.3f}  {fallback:8d}  {wrong:19d}")
    return live_correct / n, live_fallback


def print_result(r: PipelineResult) -> None:
    print(f"\n=== {r.name} ===")
    print(f"  rasa train:              {r.train_seconds:6.1f} s")
    print(f"  rasa test nlu:           {r.test_seconds:6.1f} s")
    print(f"  held-out accuracy:       {r.accuracy:6.3f}  ({r.n_total} messages)")
    print(f"  macro F1:                {r.macro_f1:6.3f}")
    print(f"  weighted F1:             {r.weighted_f1:6.3f}")
    print("  most confused (true -> predicted):")
    for (true, predicted), count in r.confused_pairs:
        print(f"    {count:3d}  {true} -> {predicted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["light", "diet"])
    parser.add_argument("--keep", type=Path, help="keep models/results in this directory")
    parser.add_argument("--no-sweep", action="store_true", help="skip the threshold sweep")
    args = parser.parse_args()

    train = [e for path in sorted(TRAIN_DATA.glob("*.yml")) for e in read_examples(path)]
    heldout = read_examples(HELDOUT_NLU)
    check_heldout_is_unseen(train, heldout)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nlu_eval_"))
    workdir.mkdir(parents=True, exist_ok=True)
    diet_config = workdir / "config_diet.yml"
    diet_config.write_text(DIET_CONFIG.format(threshold=fallback_threshold(LIGHT_CONFIG)))
    pipelines = {"light": LIGHT_CONFIG, "diet": diet_config}
    if args.only:
        pipelines = {args.only: pipelines[args.only]}

    results: list[PipelineResult] = []
    models: dict[str, Path] = {}
    live: dict[str, tuple[float, int]] = {}
    try:
        for name, config in pipelines.items():  # sequential on purpose: 2 shared cores
            result, model = evaluate(name, config, workdir)
            results.append(result)
            models[name] = model
            print_result(result)
        if not args.no_sweep:
            for name, model in models.items():
                print(f"\n[{name}] fallback threshold sweep (in-process parse):")
                live[name] = threshold_sweep(model, heldout)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    if len(results) == 2:
        light, diet = results
        print("\n=== summary ===")
        print("  pipeline  train_s  accuracy  macro_f1  | with fallback: accuracy  n_fallback")
        for r in results:
            live_acc, live_fb = live.get(r.name, (float("nan"), -1))
            print(
                f"  {r.name:8s}  {r.train_seconds:7.1f}  {r.accuracy:8.3f}  "
                f"{r.macro_f1:8.3f}  |                {live_acc:8.3f}  {live_fb:10d}"
            )
        gap = (diet.accuracy - light.accuracy) * 100
        verdict = "keep light" if gap <= 3 else "light is >3 points behind: use DIET"
        print(f"  DIET - light accuracy: {gap:+.1f} points -> {verdict}")


if __name__ == "__main__":
    main()
