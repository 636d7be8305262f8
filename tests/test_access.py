"""Access: nobody reads another respondent's or organisation's data, through any endpoint or CLI path.

The real web app runs in a subprocess (as in test_web_scorecards); requests go over HTTP, from
127.0.0.1 or, to be another client, from another loopback address (127.0.0.x).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text as sql

import readiness.storage as storage
from readiness.storage import codes
from readiness.bank import current_questionnaire
from readiness.simulate import get_profile, simulate
from readiness.storage import Store
from tests.bot_stack import free_port

ROOT = Path(__file__).resolve().parents[1]
READINESS = Path(sys.executable).parent / "readiness"
SERVER = """
import sys
from bot.web.app import create_app
app = create_app()
app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=1, access_log=False, motd=False)
"""
FORMATS = ("html", "pdf", "md", "json", "csv")


class Web:
    """The web app on a free port; `get` can come from any 127.0.0.x address."""

    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        env = {**os.environ, "READINESS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, str(self.port)], cwd=str(ROOT), env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while True:
            try:
                if self.get("/health")[0] == 200:
                    break
            except (OSError, http.client.HTTPException):  # not up yet (or a TCP self-connect)
                pass
            if self.process.poll() is not None or time.time() > deadline:
                self.process.kill()
                raise RuntimeError(self.process.stderr.read().decode() if self.process.stderr else "no server")
            time.sleep(0.2)

    def get(self, path: str, token: str | None = None, client: str = "127.0.0.1",
            headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(client, 0))
        try:
            sent = dict(headers or {})
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            connection.request("GET", path, headers=sent)
            answer = connection.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict]:
    """Two organisations with respondents, and two individual respondents with personal links."""
    folder = tmp_path_factory.mktemp("access")
    url = f"sqlite:///{folder / 'access.db'}"
    store = Store(url)
    q = current_questionnaire()
    a, a_token = store.create_organisation("Alpha Hospital")
    b, b_token = store.create_organisation("Beta Hospital")
    simulate(store, a.join_code, q, get_profile("typical"), 4, seed=1)
    simulate(store, b.join_code, q, get_profile("typical"), 3, seed=2)
    people = {}
    for name, org, role, value in (("ann", a.join_code, "nurse", 1), ("bob", b.join_code, "it_admin", 5)):
        person = store.create_respondent(role, organisation_code=org)
        assessment = store.start_assessment(person.pseudonym, q.version)
        store.record_answers(assessment.id, {item.id: value for item in q.items_for(role)})
        store.complete_assessment(assessment.id)
        people[name] = {"pseudonym": person.pseudonym, "token": assessment.report_token, "role": role,
                        "resume": assessment.resume_code}
    web = Web(url)
    yield {"web": web, "store": store, "url": url, "folder": folder, "a": a.join_code, "a_token": a_token,
           "b": b.join_code, "b_token": b_token, "people": people}
    web.stop()
    store.close()


# --------------------------------------------------------------------------- organisations


def test_each_admin_token_opens_only_its_own_organisation(world):
    web, a, b = world["web"], world["a"], world["b"]
    for fmt in FORMATS:
        path = f"/org/{a}/scorecard.{fmt}"
        assert web.get(path, world["a_token"], client="127.0.0.11")[0] == 200, fmt
    assert web.get(f"/org/{a}/", world["a_token"], client="127.0.0.11")[0] == 200
    # A's token on every page of B, in the header and in the query; B's code with A's token any way round
    refused = [web.get(f"/org/{b}/", world["a_token"], client="127.0.0.12"),
               web.get(f"/org/{b}/?token={world['a_token']}", client="127.0.0.13")]
    for n, fmt in enumerate(FORMATS):
        refused.append(web.get(f"/org/{b}/scorecard.{fmt}", world["a_token"], client=f"127.0.0.{20 + n}"))
        refused.append(web.get(f"/org/{b}/scorecard.{fmt}?token={world['a_token']}&round=1", client=f"127.0.0.{30 + n}"))
    refused.append(web.get(f"/org/{a}/scorecard.json", world["b_token"], client="127.0.0.14"))
    assert {status for status, _, _ in refused} == {401}
    assert len({body for _, _, body in refused}) == 1
    assert all(b"Beta" not in body for _, _, body in refused)


def test_organisation_data_never_mixes(world):
    web, store = world["web"], world["store"]
    a_card = json.loads(web.get(f"/org/{world['a']}/scorecard.json", world["a_token"], client="127.0.0.15")[2])
    b_card = json.loads(web.get(f"/org/{world['b']}/scorecard.json", world["b_token"], client="127.0.0.15")[2])
    assert a_card["respondents"] == 5 and b_card["respondents"] == 4
    csv_a = web.get(f"/org/{world['a']}/scorecard.csv", world["a_token"], client="127.0.0.15")[2].decode()
    with store.engine.connect() as db:
        b_pseudonyms = [row[0] for row in db.execute(sql(
            "SELECT r.pseudonym FROM respondents r JOIN organisations o ON o.id = r.organisation_id "
            "WHERE o.join_code = :code"), {"code": world["b"]})]
    assert b_pseudonyms and not any(p in csv_a for p in b_pseudonyms)
    assert world["people"]["bob"]["pseudonym"] not in csv_a


def test_header_token_wins_over_the_query_and_both_forms_work(world):
    web, a, token = world["web"], world["a"], world["a_token"]
    # `?token=` signs in once: a session cookie, and the same address without the token
    status, headers, _ = web.get(f"/org/{a}/scorecard.json?token={token}&round=1", client="127.0.0.16")
    assert status == 303 and headers["location"] == f"/org/{a}/scorecard.json?round=1"
    cookie = headers["set-cookie"].split(";", 1)[0]
    assert cookie.startswith("readiness_session=") and token not in cookie
    assert web.get(headers["location"], headers={"Cookie": cookie}, client="127.0.0.16")[0] == 200
    assert web.get(f"/org/{a}/scorecard.json", token, client="127.0.0.16")[0] == 200
    assert web.get(f"/org/{a}/scorecard.json", headers={"Authorization": f"bearer   {token}  "}, client="127.0.0.16")[0] == 200
    # a wrong header token is not rescued by a right query token (one credential, the header's)
    assert web.get(f"/org/{a}/scorecard.json?token={token}", "wrong", client="127.0.0.17")[0] == 401
    # other schemes are not tokens
    assert web.get(f"/org/{a}/scorecard.json", headers={"Authorization": f"Basic {token}"}, client="127.0.0.17")[0] == 401
    # no page or download link ever carries the token
    for path in (f"/org/{a}/", f"/org/{a}/scorecard", f"/org/{a}/share"):
        status, _, body = web.get(path, headers={"Cookie": cookie}, client="127.0.0.16")
        assert status == 200 and token not in body.decode(), path
    # A's session does not open B
    status, headers, _ = web.get(f"/org/{world['b']}/scorecard.json", headers={"Cookie": cookie}, client="127.0.0.16")
    assert status == 401


def test_admin_tokens_are_hashed_at_rest(world):
    with world["store"].engine.connect() as db:
        rows = dict(db.execute(sql("SELECT join_code, admin_token_hash FROM organisations")).all())
        everything = "\n".join(str(row) for table in ("organisations", "respondents", "assessments")
                               for row in db.execute(sql(f"SELECT * FROM {table}")))
    for code, token in ((world["a"], world["a_token"]), (world["b"], world["b_token"])):
        assert rows[code].startswith("scrypt$") and token not in rows[code]
        assert token not in everything
        assert storage.verify_token_hash(token, rows[code])
    salts = {value.split("$")[4] for value in rows.values()}
    assert len(salts) == len(rows)  # salted per organisation


def test_token_checks_use_the_constant_time_compare(world, monkeypatch):
    """Known org right or wrong, unknown org, non-text token: all end in hmac.compare_digest."""
    store = world["store"]
    calls = []
    real = codes.hmac.compare_digest

    def spy(x, y):
        calls.append((len(x), len(y)))
        return real(x, y)

    monkeypatch.setattr(codes.hmac, "compare_digest", spy)
    assert store.verify_admin_token(world["a"], world["a_token"])
    assert not store.verify_admin_token(world["a"], world["b_token"])
    assert not store.verify_admin_token("ZZZ-ZZZ", world["a_token"])
    assert not store.verify_admin_token(world["a"], None)  # type: ignore[arg-type]
    assert len(calls) == 4
    source = (ROOT / "bot" / "web" / "scorecards.py").read_text()
    assert "store.verify_admin_token(code, token)" in source
    assert not re.search(r"token\s*[!=]=|[!=]=\s*token", source)  # no plain comparison of tokens


# --------------------------------------------------------------------------- personal links


def test_personal_links_are_unguessable_and_show_only_their_respondent(world):
    web, store, people = world["web"], world["store"], world["people"]
    with store.engine.connect() as db:
        tokens = [row[0] for row in db.execute(sql("SELECT report_token FROM assessments"))]
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22,}", t) for t in tokens)  # secrets.token_urlsafe(16): 128 bits
    for name, person in people.items():
        status, _, body = web.get(f"/me/{person['token']}?format=json", client="127.0.0.40")
        assert status == 200
        card = json.loads(body)
        assert card["kind"] == "personal" and card["respondents"] == 1
        assert card["organisation"] == {"ann": "Alpha Hospital", "bob": "Beta Hospital"}[name]  # its own only
        others = [p for n, p in people.items() if n != name]
        assert not any(o["token"] in body.decode() or o["pseudonym"] in body.decode() for o in others)
    ann, bob = people["ann"], people["bob"]
    ann_scores = json.loads(web.get(f"/me/{ann['token']}?format=json", client="127.0.0.40")[2])
    bob_scores = json.loads(web.get(f"/me/{bob['token']}?format=json", client="127.0.0.40")[2])
    assert ann_scores["overall"] != bob_scores["overall"]  # all 1s vs all 5s: each link shows its own answers
    # near misses are all plain 404s: truncated, extended, case-changed, the resume code, the pseudonym
    token = ann["token"]
    near = [token[:-1], token + "A", token.swapcase(), ann["resume"], ann["pseudonym"], "%00" + token,
            token + "%20", "*", "%25"]
    for n, guess in enumerate(near):
        assert web.get(f"/me/{guess}", client=f"127.0.0.{50 + n}")[0] == 404, guess


def test_admin_token_does_not_open_personal_links(world):
    web = world["web"]
    assert web.get(f"/me/{world['a_token']}", client="127.0.0.60")[0] == 404
    assert web.get(f"/me/{world['people']['ann']['token']}", world["b_token"], client="127.0.0.60")[0] == 200  # link is the credential


# --------------------------------------------------------------------------- command line


def cli(world, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "READINESS_DATABASE_URL": world["url"]}
    return subprocess.run([str(READINESS), *args], cwd=world["folder"], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_cli_never_prints_admin_tokens_or_hashes_after_creation(world):
    listed = cli(world, "org", "list", "--json")
    assert listed.returncode == 0
    for secret in (world["a_token"], world["b_token"], "scrypt$"):
        assert secret not in listed.stdout
    assert {o["join_code"] for o in json.loads(listed.stdout)} == {world["a"], world["b"]}
    assert "admin" not in cli(world, "org", "list").stdout.lower()


def test_cli_report_contains_only_the_named_organisation(world):
    report = cli(world, "report", world["a"], "--format", "csv")
    assert report.returncode == 0, report.stderr
    assert world["people"]["bob"]["pseudonym"] not in report.stdout
    card = json.loads(cli(world, "report", world["a"], "--format", "json").stdout)
    assert card["respondents"] == 5 and "Beta" not in json.dumps(card)
    for secret in (world["a_token"], world["people"]["ann"]["token"], world["people"]["ann"]["resume"]):
        assert secret not in report.stdout
    unknown = cli(world, "report", "ZZZ-ZZZ", "--format", "json")
    assert unknown.returncode == 2 and unknown.stdout == ""


def test_cli_deletes_need_exact_identifiers(world):
    """`respondent delete` and `org purge` act only on an exact id, never on a pattern or prefix."""
    store = world["store"]
    before = store.get_respondent(world["people"]["ann"]["pseudonym"])
    for args in (("respondent", "delete", world["people"]["ann"]["pseudonym"][:-1]),
                 ("respondent", "delete", "%"), ("respondent", "delete", "r-%"),
                 ("org", "purge", "%", "--yes"), ("org", "purge", world["a"][:-1], "--yes")):
        result = cli(world, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert store.get_respondent(world["people"]["ann"]["pseudonym"]) == before
    assert store.get_organisation(world["a"]) is not None
    # without --yes and no terminal, a purge refuses
    assert cli(world, "org", "purge", world["b"]).returncode == 2
    assert store.get_organisation(world["b"]) is not None
