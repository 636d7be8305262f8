"""The `readiness` command as installed in the venv: real processes, real files, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from readiness.bank import current_questionnaire
from readiness.storage import Store

READINESS = Path(sys.executable).parent / "readiness"


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "READINESS_DATA_DIR": str(cwd / "var"), **(env or {})}
    environment.pop("READINESS_DATABASE_URL", None)
    return subprocess.run([str(READINESS), *args], cwd=cwd, env=environment, capture_output=True, text=True)


def test_org_create_shows_token_once_and_stores_only_its_hash(tmp_path):
    created = run("org", "create", "St Mary's Hospital", "--json", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    data = json.loads(created.stdout)
    assert data["name"] == "St Mary's Hospital" and len(data["admin_token"]) >= 24
    listed = run("org", "list", "--json", cwd=tmp_path)
    assert json.loads(listed.stdout) == [{"name": "St Mary's Hospital", "join_code": data["join_code"], "round": 1}]
    assert data["admin_token"] not in listed.stdout
    database = (tmp_path / "var" / "readiness.db").read_bytes()
    assert data["admin_token"].encode() not in database
    store = Store(f"sqlite:///{tmp_path / 'var' / 'readiness.db'}")
    assert store.verify_admin_token(data["join_code"], data["admin_token"])
    store.close()


def test_org_create_rejects_blank_name_and_writes_nothing(tmp_path):
    result = run("org", "create", "   ", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "name" in result.stderr
    assert json.loads(run("org", "list", "--json", cwd=tmp_path).stdout) == []


def test_questionnaire_show_json_for_a_role(tmp_path):
    result = run("questionnaire", "show", "--role", "it_admin", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    expected = [i.id for i in current_questionnaire().items_for("it_admin")]
    assert [i["id"] for c in data["challenges"] for i in c["items"]] == expected
    assert len(data["challenges"]) == 9


def test_questionnaire_show_unknown_role(tmp_path):
    result = run("questionnaire", "show", "--role", "surgeon", cwd=tmp_path)
    assert result.returncode == 2 and "unknown role 'surgeon'" in result.stderr


def test_questionnaire_check_packaged_and_broken_file(tmp_path):
    ok = run("questionnaire", "check", cwd=tmp_path)
    assert ok.returncode == 0 and "9 challenges" in ok.stdout
    broken = tmp_path / "bank.yml"
    text = (Path(current_questionnaire.__code__.co_filename).parent / "content" / "bank.yml").read_text()
    broken.write_text(text.replace("roles: [clinician", "roles: [surgeon", 1))
    result = run("questionnaire", "check", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert str(broken) in result.stderr and "surgeon" in result.stderr
    missing = run("questionnaire", "check", str(tmp_path / "nope.yml"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_content_check_validates_a_folder_before_it_goes_live(tmp_path):
    import shutil

    from readiness.content_set import load_content

    packaged = Path(current_questionnaire.__code__.co_filename).parent / "content"
    ok = run("content", "check", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    content = load_content(packaged)
    assert ok.stdout.count("\n") == 1 and ok.stdout.startswith("OK: content 2026.1")
    assert f"fingerprint {content.fingerprint[:12]}" in ok.stdout and "9 challenges" in ok.stdout
    folder = tmp_path / "ours"
    shutil.copytree(packaged, folder)
    chat = folder / "chat.yml"
    chat.write_text(chat.read_text().replace("Your readiness index: {score}", "Your readiness index: {scroe}"))
    line = next(n for n, text in enumerate(chat.read_text().splitlines(), 1) if "{scroe}" in text)
    for command in (("content", "check", str(folder)), ("questionnaire", "check", str(folder))):
        result = run(*command, cwd=tmp_path)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert f"{chat}:{line}: message 'summary_title'" in result.stderr and "{scroe}" in result.stderr
    # the folder named by READINESS_CONTENT_DIR is the default
    result = run("content", "check", cwd=tmp_path, env={"READINESS_CONTENT_DIR": str(folder)})
    assert result.returncode == 2 and f"{chat}:{line}" in result.stderr
    missing = run("content", "check", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such directory" in missing.stderr


def test_score_json_matches_the_core(tmp_path):
    questionnaire = current_questionnaire()
    answers = {item.id: (n % 5) + 1 for n, item in enumerate(questionnaire.items_for("nurse"))}
    first = questionnaire.items_for("nurse")[0].id
    answers[first] = "n/a"
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"role": "nurse", "answers": answers}))
    result = run("score", "--answers", str(path), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    from readiness.results import evaluate, result_to_dict

    assert data == json.loads(json.dumps(result_to_dict(evaluate(questionnaire, "nurse", answers))))
    assert set(data) >= {"overall", "challenges", "gaps", "next_tier", "recommendations"}
    assert {"score", "tier"} <= set(data["overall"])
    table = run("score", "--answers", str(path), cwd=tmp_path)
    assert table.returncode == 0 and "Overall readiness" in table.stdout


@pytest.mark.parametrize(
    "content,message",
    [
        ('{"role": "surgeon", "answers": {}}', "unknown role 'surgeon'"),
        ('{"role": "nurse", "answers": {"nope": 3}}', "unknown item id 'nope'"),
        ('{"role": "nurse", "answers": {"privacy_confidence": 7}}', "got 7"),
        ('{"role": "nurse", "answers": {"privacy_confidence": 4', "malformed JSON"),
        ('["not", "an", "object"]', "expected"),
        ("\xff\xfe", "cannot read"),
    ],
)
def test_score_bad_input_is_one_line_exit_2(tmp_path, content, message):
    path = tmp_path / "answers.json"
    if content == "\xff\xfe":
        path.write_bytes(b"\xff\xfe\x00")
    else:
        path.write_text(content)
    result = run("score", "--answers", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert not (tmp_path / "var").exists()


def test_score_missing_file(tmp_path):
    result = run("score", "--answers", str(tmp_path / "none.json"), cwd=tmp_path)
    assert result.returncode == 2 and "no such file" in result.stderr


def test_org_weights_override_validated_and_stored(tmp_path):
    code = json.loads(run("org", "create", "Weights Hospital", "--json", cwd=tmp_path).stdout)["join_code"]
    shown = run("org", "weights", code, "transparency=2.5", cwd=tmp_path)
    assert shown.returncode == 0 and re.search(r"transparency\s+2.5\s+override", shown.stdout)
    for bad, message in [("nope=2", "unknown challenge 'nope'"), ("transparency=0", "must be a number > 0"),
                         ("transparency", "expected CHALLENGE=WEIGHT")]:
        result = run("org", "weights", code, bad, cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr
    store = Store(f"sqlite:///{tmp_path / 'var' / 'readiness.db'}")
    assert store.get_organisation(code).weights == {"transparency": 2.5}
    run("org", "weights", code, "--reset", cwd=tmp_path)
    assert store.get_organisation(code).weights == {}
    store.close()
    assert run("org", "weights", "ZZZ-ZZZ", cwd=tmp_path).returncode == 2


def test_org_quality_setting_defaults_to_include_and_is_stored(tmp_path):
    code = json.loads(run("org", "create", "Quality Hospital", "--json", cwd=tmp_path).stdout)["join_code"]
    shown = run("org", "quality", code, cwd=tmp_path)
    assert shown.returncode == 0 and "included in the scorecard's figures (the default)" in shown.stdout
    excluded = run("org", "quality", code, "--exclude-flagged", cwd=tmp_path)
    assert excluded.returncode == 0 and "left out of the scorecard's figures" in excluded.stdout
    store = Store(f"sqlite:///{tmp_path / 'var' / 'readiness.db'}")
    assert store.get_organisation(code).exclude_flagged is True
    run("org", "quality", code, "--include-flagged", cwd=tmp_path)
    assert store.get_organisation(code).exclude_flagged is False
    store.close()
    both = run("org", "quality", code, "--include-flagged", "--exclude-flagged", cwd=tmp_path)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    unknown = run("org", "quality", "ZZZ-ZZZ", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
