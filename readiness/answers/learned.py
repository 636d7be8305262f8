"""Proposals for content replies, learned from labelled examples (answer_examples.yml).

Why a learned model at all: staff often answer a statement with a fact instead of an opinion
("there's no budget for it" to "Training is funded", "plenty of headroom" to "our servers have
capacity"). No rule vocabulary can list every such fact, so the rules leave these replies
unread and the question is asked again. A linear model trained on labelled replies written
for each statement recognises their wording and *proposes* a value; it never stores one. The
respondent confirms with one tap or types another answer, so a wrong guess costs a tap and
never a misfiled value. A reply the model is unsure of (below `propose_at`) or reads as "not an
answer" is asked again as before.

Why these features: the reply's words and word pairs (with words in the reach of a negation
marked, so "no budget" is not "budget"), their five-letter stems (typos and inflections:
"encrypted" / "encryption"), words that echo the statement itself (generic: "not worried" to
any "I am worried" statement), and the same words paired with the statement's id (facts that
only mean something for one statement). sklearn fits a multinomial logistic regression once
per distinct example set; scoring is a sum of weights in plain Python (microseconds).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import threading
import zipfile
from importlib import metadata
from pathlib import Path
from functools import lru_cache
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy

from readiness.answers.echoes import statement_words
from readiness.answers.tokens import NEGATIVE, OTHER, tokens
from readiness.model import NOT_APPLICABLE, AnswerValue

__all__ = ["ExampleError", "ReplyModel", "Weights", "build_reply_model", "ignored_statements", "labelled",
           "reply_features"]

#: The label of a not-answer example; never proposed.
NONE_LABEL = "none"
#: Default smallest probability at which the model's reading is proposed.
DEFAULT_PROPOSE_AT = 0.5
#: Words after a negator that fall in its reach ("no real budget for it").
NEGATION_REACH = 3
#: Stem length (keeps typos and inflections together).
STEM = 5
#: Inverse regularisation of the logistic regression (smaller: smoother, fewer strong words).
#: 2.0 until round 12; with 10,710 examples, 4.0 reads the twelve evaluation sets (none of them
#: training data) better: summed acceptable shares 1,121.5 at 1.0, 1,123.8 at 2.0, 1,126.5 at 4.0,
#: 1,128.0 at 8.0, with confirmations rising slowly (539.4, 540.9, 542.7, 544.4).
REGULARISATION = 4.0
SOLVER = "saga"
#: saga stops at this change of the weights; random_state=0 keeps its shuffling reproducible.
TOLERANCE = 1e-3
_NEGATORS = frozenset({"no", "not", "never", "nobody", "none", "nothing", "without", "cant",
                       "cannot", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent",
                       "havent", "hasnt", "wont", "wouldnt", "couldnt", "nor", "neither", "lack",
                       "lacks", "zero", "nah", "nope", NEGATIVE})


class ExampleError(ValueError):
    """answer_examples.yml is malformed; `path` locates the entry (for file:line reports)."""

    def __init__(self, problem: str, path: tuple[Any, ...] = ()) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = path


@dataclass(frozen=True)
class Weights:
    """A fitted linear model: per feature, one weight per label; labels "1".."5", "n/a", "none".

    `matrix` has one row per feature (`index` names the row) and one column per label."""

    labels: tuple[str, ...]
    intercepts: Any
    index: Mapping[str, int]
    matrix: Any


@dataclass(frozen=True)
class ReplyModel:
    """The checked examples of answer_examples.yml and, fitted on first use, their weights.

    Fitting waits for the first reply that needs it (about a second with sklearn's import), so
    commands and processes that never read a typed answer never pay for it; a long-running
    server calls `fitted()` once at start (actions.actions does, in a thread).
    """

    examples: tuple[tuple[str, str, str], ...]
    statements: tuple[tuple[str, str], ...]
    symbols: tuple[tuple[str, str], ...]
    propose_at: float = DEFAULT_PROPOSE_AT
    key: str = ""
    #: Statements the examples cover (the model proposes only for these).
    items: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        """Number of examples (reported by `readiness content check` and the content summary)."""
        return len(self.examples)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.fitted().labels

    def fitted(self) -> Weights:
        """The weights, fitted once per distinct example set and process (thread-safe), or read
        from the cache of an earlier process's fit (`READINESS_CACHE_DIR`)."""
        weights = _FITTED.get(self.key)
        if weights is None:
            with _FITTING:
                weights = _FITTED.get(self.key)
                if weights is None:
                    cached = _cache_file(self.key)
                    weights = _load_weights(cached) if cached is not None else None
                    if weights is None:
                        weights = _fit(self.examples, dict(self.statements), dict(self.symbols))
                        if cached is not None:
                            _store_weights(cached, weights)
                    _FITTED[self.key] = weights
        return weights

    def probabilities(self, text: str, item_id: str, statement: str,
                      symbols: Mapping[str, str] | None = None) -> dict[str, float]:
        """Label → probability for `text` typed to the statement `item_id` (softmax of the sums)."""
        fitted = self.fitted()
        rows = [row for row in map(fitted.index.get, reply_features(text, item_id, statement, symbols))
                if row is not None]
        # seven labels: plain floats beat numpy's per-call overhead after the one row sum
        scores = (fitted.intercepts + numpy.add.reduce(fitted.matrix.take(rows, axis=0))).tolist()
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {label: value / total for label, value in zip(fitted.labels, exps)}

    def propose(self, text: str, item_id: str, statement: str, symbols: Mapping[str, str] | None = None,
                at: float | None = None) -> tuple[AnswerValue | None, float]:
        """The value to propose and its probability, or (None, p) when unsure (below `at`, by
        default `propose_at`) or not an answer."""
        if item_id not in self.items:
            return None, 0.0
        probabilities = self.probabilities(text, item_id, statement, symbols)
        sides: dict[str, float] = {}
        for label, probability in probabilities.items():
            sides[_SIDES.get(label, label)] = sides.get(_SIDES.get(label, label), 0.0) + probability
        side, probability = max(sides.items(), key=lambda pair: pair[1])
        if side == NONE_LABEL or probability < (self.propose_at if at is None else at):
            return None, probability
        label = max((label for label in probabilities if _SIDES.get(label, label) == side), key=probabilities.get)
        return _value(label), probability


@lru_cache(maxsize=256)
def _echoes(statement: str) -> tuple[frozenset[str], frozenset[str]]:
    """The statement's key words and their stems (a reply word echoes either)."""
    words = frozenset(statement_words(statement))
    return words, frozenset(word[:STEM] for word in words)


_FITTED: dict[str, Weights] = {}
_FITTING = threading.Lock()


#: Neighbouring labels that are one side of the scale: a reply the model splits between 1 and 2
#: ("zero money for courses") is clearly disagreement; the likelier of the two is proposed.
_SIDES = {"1": "disagree", "2": "disagree", "4": "agree", "5": "agree"}


def _value(label: str) -> AnswerValue:
    return NOT_APPLICABLE if label == NOT_APPLICABLE else int(label)


def reply_features(text: str, item_id: str, statement: str,
                   symbols: Mapping[str, str] | None = None) -> list[str]:
    """The features of a reply typed to a statement (see the module docstring for why)."""
    words = [word for word in tokens(text, symbols) if word != OTHER]
    echoes, echo_stems = _echoes(statement)
    features: list[str] = ["bias"]
    reach = 0
    marked: list[str] = []
    for word in words:
        if word in _NEGATORS:
            reach = NEGATION_REACH
            marked.append("¬")
            features.append("neg")
            continue
        negated = reach > 0
        reach = max(0, reach - 1)
        mark = "¬" if negated else ""
        marked.append(mark + word)
        features.extend(_word_features(item_id, mark, word))
        if word in echoes or (len(word) >= STEM and word[:STEM] in echo_stems):
            features.append(f"echo{mark or '+'}")
    for first, second in zip(marked, marked[1:]):
        features.append(f"b={first}_{second}")
        features.append(f"{item_id}|b={first}_{second}")
    if not words:
        features.append("empty")
    return features


@lru_cache(maxsize=8192)
def _word_features(item_id: str, mark: str, word: str) -> tuple[str, ...]:
    """A word's own features (built once per word and statement: most replies reuse words)."""
    stem = word[:STEM]
    return (f"w={mark}{word}", f"s={mark}{stem}", f"{item_id}|s={mark}{stem}", f"{item_id}|w={mark}{word}")


def build_reply_model(data: Any, statements: Mapping[str, str],
                      symbols: Mapping[str, str] | None = None) -> ReplyModel | None:
    """The model for answer_examples.yml data (None when it has no examples), checked now and
    fitted on first use. `statements`: item id → statement text (every example's key must be
    one, or `none`). Raises ExampleError for a malformed file. The same data gives the same
    key, so content reloads and test fixtures reuse one fit.
    """
    examples, propose_at = _examples(data, statements)
    if not examples:
        return None
    ordered = tuple(sorted(statements.items()))
    spelled = tuple(sorted((symbols or {}).items()))
    key = hashlib.sha256(json.dumps([examples, propose_at, ordered, spelled],
                                    ensure_ascii=False).encode("utf-8")).hexdigest()
    return ReplyModel(tuple(examples), ordered, spelled, propose_at, key,
                      frozenset(item for item, _, _ in examples if item != NONE_LABEL))


def _examples(data: Any, statements: Mapping[str, str]) -> tuple[list[tuple[str, str, str]], float]:
    """(item id, text, label) triples and the threshold, checked."""
    if data is None:
        return [], DEFAULT_PROPOSE_AT
    if not isinstance(data, dict):
        raise ExampleError("expected a mapping with an 'examples:' section")
    propose_at = data.get("propose_at", DEFAULT_PROPOSE_AT)
    if isinstance(propose_at, bool) or not isinstance(propose_at, (int, float)) or not 0 < propose_at < 1:
        raise ExampleError(f"propose_at must be a number between 0 and 1, not {propose_at!r}", ("propose_at",))
    sections = data.get("examples") or {}
    if not isinstance(sections, dict):
        raise ExampleError("'examples' must map statement ids (or 'none') to lists of [text, value]",
                           ("examples",))
    found: list[tuple[str, str, str]] = []
    for key, entries in sections.items():
        if not isinstance(key, str):
            raise ExampleError(f"{key!r}: a statement id (or 'none') is expected", ("examples", key))
        if not isinstance(entries, list):
            raise ExampleError(f"{key!r}: expected a list of [text, value]", ("examples", key))
        for index, entry in enumerate(entries):
            where = ("examples", key, index)
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                    and entry[0].strip()):
                raise ExampleError(f"{key!r} entry {index + 1}: expected [text, value]", where)
            label = _label(entry[1])
            if label is None or (key == NONE_LABEL) != (label == NONE_LABEL):
                raise ExampleError(f"{key!r} entry {index + 1} ({entry[0]!r}): the value must be 1-5 or "
                                   f"n/a under a statement, none under 'none' (got {entry[1]!r})", where)
            if key == NONE_LABEL or key in statements:
                found.append((key, entry[0], label))
    return found, float(propose_at)


def ignored_statements(data: Any, statements: Mapping[str, str]) -> tuple[str, ...]:
    """Example sections naming no statement of the bank: skipped, so that removing a statement
    from bank.yml never makes the whole content edit fail (`content check` names them)."""
    sections = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(sections, dict):
        return ()
    return tuple(str(key) for key in sections if key != NONE_LABEL and key not in statements)


def _label(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 1 <= value <= 5:
        return str(value)
    if value in (NOT_APPLICABLE, NONE_LABEL):
        return str(value)
    return None


def _fit(examples: Iterable[tuple[str, str, str]], statements: Mapping[str, str],
         symbols: Mapping[str, str] | None) -> Weights:
    """Fit the logistic regression; a not-answer example is trained against every statement."""
    from sklearn.feature_extraction import DictVectorizer  # imported late: only when fitting
    from sklearn.linear_model import LogisticRegression

    rows: list[dict[str, float]] = []
    labels: list[str] = []
    items = sorted(statements)
    for number, (key, text, label) in enumerate(examples):
        item_id = key if key != NONE_LABEL else items[number % len(items)]
        rows.append(dict.fromkeys(reply_features(text, item_id, statements[item_id], symbols), 1.0))
        labels.append(label)
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    # saga on these sparse, wide matrices: about 1 s for 3,900 examples here (newton-cg 2.4 s,
    # lbfgs 6.7 s for 2,700), the same readings on the evaluation sets to within a case or two
    model = LogisticRegression(C=REGULARISATION, solver=SOLVER, max_iter=1000, tol=TOLERANCE, random_state=0)
    model.fit(matrix, labels)
    classes = tuple(str(label) for label in model.classes_)
    # C order: one row per feature, read row by row (the transpose of coef_ is F order, 4x slower)
    matrix = numpy.ascontiguousarray(model.coef_.T, dtype=float)
    intercepts = numpy.asarray(model.intercept_, dtype=float)
    if len(classes) == 2:  # one column of weights for the second label: softmax(0, z) = sigmoid(z)
        matrix = numpy.hstack([numpy.zeros_like(matrix), matrix])
        intercepts = numpy.array([0.0, intercepts[0]])
    return Weights(labels=classes, intercepts=intercepts, index=dict(vectorizer.vocabulary_), matrix=matrix)


#: Folder of fitted weights kept between processes: a fit takes seconds (every action server
#: and CLI run would repeat it), reading the weights back a fraction of one. "off" disables it.
CACHE_DIR_ENV = "READINESS_CACHE_DIR"
#: The code that turns examples into weights: a change of it (or of scikit-learn) is a new fit.
_FITTING_CODE = ("learned.py", "tokens.py", "echoes.py")


@lru_cache(maxsize=1)
def _code_version() -> str:
    digest = hashlib.sha256()
    for name in _FITTING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    try:
        digest.update(metadata.version("scikit-learn").encode())
    except metadata.PackageNotFoundError:
        pass
    return digest.hexdigest()[:16]


def _cache_file(key: str) -> Path | None:
    """Where the weights of an example set are cached; None when caching is off."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured.lower() in ("off", "none", "0"):
        return None
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "readiness"
    try:
        return base.expanduser() / f"reply-model-{_code_version()}-{key[:32]}.npz"
    except OSError:
        return None


def _load_weights(path: Path) -> Weights | None:
    """Cached weights, or None when there are none or they cannot be read (then: a new fit)."""
    try:
        with numpy.load(path, allow_pickle=False) as data:
            features = data["features"].tolist()
            matrix, intercepts = data["matrix"], data["intercepts"]
            labels = tuple(str(label) for label in data["labels"].tolist())
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if matrix.shape != (len(features), len(labels)) or intercepts.shape != (len(labels),):
        return None
    return Weights(labels=labels, intercepts=intercepts, index={f: row for row, f in enumerate(features)},
                   matrix=matrix)


def _store_weights(path: Path, weights: Weights) -> None:
    """Keep the weights for the next process; written whole or not at all (a read-only or full
    disk only costs the next process its own fit)."""
    features = sorted(weights.index, key=weights.index.__getitem__)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            numpy.savez(file, labels=numpy.array(weights.labels), intercepts=weights.intercepts,
                        features=numpy.array(features), matrix=weights.matrix)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def labelled(data: Any, statements: Mapping[str, str]) -> Iterable[tuple[str, str, str]]:
    """The checked (item id, text, label) triples of answer_examples.yml data (for evaluation)."""
    return _examples(data, statements)[0]
