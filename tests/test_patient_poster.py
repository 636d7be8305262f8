"""The patients' poster: an A4 PDF whose text (pdftotext) carries the link and the code, and a
QR code that encodes the patient link."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

from readiness.share import patient_url as patient_link

READINESS = Path(sys.executable).parent / "readiness"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "READINESS_DATA_DIR": str(cwd / "var")}
    environment.pop("READINESS_DATABASE_URL", None)
    return subprocess.run([str(READINESS), *args], cwd=cwd, env=environment, capture_output=True, text=True)


def test_patient_link_opens_the_patient_audience():
    assert patient_link("KX7-P2Q", "https://readiness.example.org/") == \
        "https://readiness.example.org/?audience=patient&org=KX7-P2Q"


def test_poster_pdf_from_the_cli(tmp_path):
    code = json.loads(run("org", "create", "St Mary's Hospital", "--json", cwd=tmp_path).stdout)["join_code"]
    made = run("org", "patient-poster", code.lower(), "-o", str(tmp_path / "poster.pdf"),
               "--url", "https://readiness.example.org", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    link = f"https://readiness.example.org/?audience=patient&org={code}"
    assert f"Patient link: {link}" in made.stdout
    pdf = tmp_path / "poster.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info and re.search(r"Pages:\s+1\n", info)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "AI in your care" in text and "St Mary's Hospital" in text
    assert link in text and f"Hospital code: {code}" in text
    assert "do not ask your name or anything about your health" in text
    missing = run("org", "patient-poster", "ZZZ-ZZZ", "-o", str(tmp_path / "x.pdf"), cwd=tmp_path)
    assert missing.returncode == 2 and "no organisation" in missing.stderr and not (tmp_path / "x.pdf").exists()


def test_qr_code_encodes_the_link():
    import segno

    link = patient_link("ABC-DEF", "https://h.example")
    qr = segno.make(link, error="m")
    assert qr.designator and len(list(qr.matrix)) >= 25  # a real symbol, version >= 2
