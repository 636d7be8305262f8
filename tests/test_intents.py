"""The intent list in one place: domain.yml, data/rules.yml, data/nlu*.yml and the engine agree.

An intent added to the engine but not to the domain is never predicted; one added to the domain
without a rule falls to the fallback; one without NLU examples is only reachable by a button.
This test reads all four and fails naming the intents that differ, without starting Rasa.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import inspect
from pathlib import Path
from types import ModuleType

import yaml

from actions.builtin_commands import ENGINE_INTENT

ROOT = Path(__file__).resolve().parent.parent
#: Rasa's own intents (rasa.shared.core.constants.DEFAULT_INTENTS in Rasa 3.6): never declared
#: in the domain; `nlu_fallback` comes from the FallbackClassifier, the others are typed "/x"
#: commands (tests/test_builtin_commands.py checks this list against Rasa's).
RASA_BUILT_IN = frozenset({"restart", "back", "out_of_scope", "session_start", "nlu_fallback"})


def engine_modules() -> list[ModuleType]:
    """The modules of the conversation engine (the one place to repoint when it moves)."""
    package = importlib.import_module("readiness.dialogue")
    return [importlib.import_module(f"readiness.dialogue.{info.name}") for info in pkgutil.iter_modules(package.__path__)]


def engine_intent_sets() -> dict[str, frozenset[str]]:
    """The engine's named intent sets, imported from wherever the engine defines them."""
    found: dict[str, frozenset[str]] = {}
    for module in engine_modules():
        for name in ("INTERRUPTIONS", "LIKERT_INTENTS"):
            if hasattr(module, name):
                found[name] = frozenset(getattr(module, name))
    assert set(found) == {"INTERRUPTIONS", "LIKERT_INTENTS"}, f"engine intent sets not found: {found.keys()}"
    return found


def engine_literal_intents() -> dict[str, frozenset[str]]:
    """Intents the engine names in its code: `turn.means("x", ...)`, `turn.intent == "x"`, and
    the "/x" payloads of the buttons it shows."""
    means: set[str] = set()
    payloads: set[str] = set()
    for module in engine_modules():
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "means":
                means.update(arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
            elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "intent"
                  and isinstance(node.ops[0], (ast.Eq, ast.NotEq))):
                means.update(c.value for c in node.comparators if isinstance(c, ast.Constant) and isinstance(c.value, str))
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                payloads.update(PAYLOAD.findall(str(node.values[0].value)))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                payloads.update(PAYLOAD.findall(node.value))
    assert means and payloads, "no `turn.means(...)` calls or Button payloads found: repoint engine_modules()"
    return {"turn.means/turn.intent": frozenset(means), "button payloads": frozenset(payloads)}


#: A quick-reply payload: "/intent" or "/intent{json}", the whole string.
PAYLOAD = re.compile(r"^/([a-z_]+)(?:\{.*)?$", re.S)


def domain_intents() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return {next(iter(entry)) if isinstance(entry, dict) else entry for entry in domain["intents"]}


def rule_intents() -> set[str]:
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text())["rules"]
    return {step["intent"] for rule in rules for step in rule["steps"] if "intent" in step}


def nlu_intents() -> set[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "data").glob("nlu*.yml")):
        found |= {block["intent"] for block in yaml.safe_load(path.read_text())["nlu"] if "intent" in block}
    return found


def test_every_domain_intent_has_nlu_examples_and_nothing_else_does() -> None:
    domain, nlu = domain_intents(), nlu_intents()
    assert domain - nlu == set(), "intents in domain.yml without examples in data/nlu*.yml"
    assert nlu - domain == set(), "intents in data/nlu*.yml missing from domain.yml"


def test_every_intent_has_exactly_one_rule_and_rules_name_no_unknown_intent() -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text())["rules"]
    first = [rule["steps"][0].get("intent") for rule in rules]
    assert len(first) == len(set(first)), "an intent with two rules in data/rules.yml"
    wanted = domain_intents() | {"nlu_fallback"} | set(ENGINE_INTENT)
    assert wanted - rule_intents() == set(), "intents without a rule in data/rules.yml"
    assert rule_intents() - wanted == set(), "rules for intents neither in domain.yml nor answered by actions"


def test_the_engine_tests_only_intents_the_domain_declares() -> None:
    domain = domain_intents()
    for name, intents in {**engine_intent_sets(), **engine_literal_intents()}.items():
        assert intents - domain == set(), f"engine {name} not in domain.yml"
    assert set(ENGINE_INTENT.values()) - domain == set(), "actions/builtin_commands.py maps to unknown intents"


def test_the_engines_intent_list_is_the_domains() -> None:
    from readiness.dialogue import ENGINE_INTENTS

    assert set(ENGINE_INTENTS) == domain_intents()


def test_rasa_built_ins_are_answered_not_declared() -> None:
    assert set(ENGINE_INTENT) <= RASA_BUILT_IN
    assert (domain_intents() & RASA_BUILT_IN) == {"out_of_scope"}  # the only one with our own examples


def test_domain_actions_are_exactly_the_action_servers() -> None:
    from rasa_sdk import Action

    import actions.actions
    import actions.builtin_commands  # noqa: F401 — registers its actions

    def subclasses(cls: type) -> set[type]:
        return {sub for direct in cls.__subclasses__() for sub in {direct, *subclasses(direct)}}

    served = {cls().name() for cls in subclasses(Action) if cls.__module__.startswith("actions.")}
    entries = yaml.safe_load((ROOT / "domain.yml").read_text())["actions"]
    declared = {next(iter(entry)) if isinstance(entry, dict) else entry for entry in entries}
    assert served == declared
