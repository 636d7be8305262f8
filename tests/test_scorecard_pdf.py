"""The WeasyPrint scorecard PDF and the inline-SVG charts: a 300-respondent report from the
database (`readiness simulate`), read back with poppler (pdftotext, pdfinfo) and one page
rendered to PNG (pdftoppm) into test-artifacts/.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from readiness import export
from readiness.bank import current_questionnaire
from readiness.scorecard import load_organisation_scorecard
from readiness.simulate import get_profile, simulate
from readiness.storage import Store

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("pdf")
    store = Store(f"sqlite:///{folder / 'pdf.db'}")
    q = current_questionnaire()
    org, _ = store.create_organisation("Riverside General")
    simulate(store, org.join_code, q, get_profile("typical"), 120, seed=11)
    store.start_new_round(org.join_code)
    simulate(store, org.join_code, q, get_profile("typical"), 300, seed=12)
    card = load_organisation_scorecard(store, org.join_code)
    path = folder / "scorecard.pdf"
    path.write_bytes(export.render_pdf(card))
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True,
                                                            text=True, check=True).stdout).group(1))
    text = [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, pages + 1)]
    yield {"card": card, "path": path, "pages": pages, "text": text, "q": q, "store": store, "code": org.join_code}
    store.close()


def test_a_300_respondent_report_is_about_eight_a4_pages(pdf):
    assert pdf["card"].respondents == 300 and pdf["card"].round == 2
    assert 6 <= pdf["pages"] <= 9, pdf["pages"]
    info = subprocess.run(["pdfinfo", str(pdf["path"])], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info  # A4


def test_every_page_has_the_running_header_and_its_number(pdf):
    for n, page in enumerate(pdf["text"], 1):
        head = page.strip().splitlines()[0]
        assert "Riverside General" in head and "round 2" in head, (n, head)
        assert f"Page {n} of {pdf['pages']}" in page


def test_page_one_is_the_executive_summary_with_whole_radar_labels(pdf):
    first = pdf["text"][0]
    card = pdf["card"]
    assert f"{card.overall:.0f}" in first and card.overall_tier.name in first
    assert "Top three gaps" in first and "Top three training steps" in first
    for gap in card.summary.gaps:
        assert gap.title.split()[0] in first
    assert len(card.summary.gaps) == 3 and len(card.summary.steps) == 3
    # radar labels: every word of every challenge title, and no ellipsis (nothing clipped)
    words = set(re.findall(r"\w+", first))
    for challenge in pdf["q"].challenges:
        assert set(re.findall(r"\w+", challenge.title)) <= words, challenge.title
    radar = re.search(r"<svg[^>]*aria-labelledby=\"radar-title\".*?</svg>", export.render_html(card), re.S).group(0)
    assert "…" not in radar
    # the labels fit the canvas: their anchors lie inside the viewBox with room for the text
    for axis in card.radar.axes:
        longest = max(len(line) for line in axis.lines) * 6.2  # ~px per character at 11px
        left = axis.label_x - (longest if axis.anchor == "end" else longest / 2 if axis.anchor == "middle" else 0)
        assert 0 <= left and left + longest <= card.radar.width, axis.label
        assert 0 <= axis.label_y - 11 and axis.label_y + card.radar.line_height * (len(axis.lines) - 1) <= card.radar.height


def test_paged_media_rules_and_the_summary_alone_on_page_one(pdf):
    html = export.render_html(pdf["card"], medium="print")
    assert "@page" in html and "size: A4" in html and "counter(pages)" in html
    assert re.search(r"tr, figure, svg, \.summary, \.flag \{ break-inside: avoid; \}", html)
    assert "thead { display: table-header-group; }" in html  # a table continued on a page repeats its head
    assert "section.summary { break-after: page; }" in html
    assert "Distribution and coverage" not in pdf["text"][0] and "Distribution and coverage" in pdf["text"][1]
    # the screen HTML has no paged-media rules
    assert "@page" not in export.render_html(pdf["card"])


def test_charts_heatmap_trend_and_tier_bars(pdf):
    card = pdf["card"]
    html = export.render_html(card)
    assert card.trend is not None and [s.label for s in card.trend.series][0] == card.rounds.rows[0].label
    assert 'aria-labelledby="trend-title"' in html and html.count("<polyline") == len(card.trend.series)
    assert 'aria-labelledby="tiers-title"' in html
    assert sum(b.count for b in card.tier_bars.bars) == card.respondents
    assert card.heatmap is not None and 'class="heat"' in html
    shown = [row for row in card.heatmap.rows if not row.hidden]
    assert shown and all(len(row.cells) == 9 for row in shown)
    # a small role is marked hidden in the heatmap
    store, q = pdf["store"], pdf["q"]
    small, _ = store.create_organisation("Small Clinic")
    simulate(store, small.join_code, q, get_profile("typical"), 12, seed=13)
    for _ in range(2):
        person = store.create_respondent("ai_developer", organisation_code=small.join_code)
        assessment = store.start_assessment(person.pseudonym, q.version)
        store.record_answers(assessment.id, {item.id: 2 for item in q.items_for("ai_developer")})
        store.complete_assessment(assessment.id)
    tiny = load_organisation_scorecard(store, small.join_code)
    hidden = [row.label for row in tiny.heatmap.rows if row.hidden]
    assert hidden and "hidden (fewer than 5 respondents)" in export.render_html(tiny)


def test_a_page_is_rendered_to_png_in_the_artifacts(pdf):
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "scorecard-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf["path"]), str(target)],
                   check=True)
    png = target.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    (ARTIFACTS / "scorecard-300.pdf").write_bytes(pdf["path"].read_bytes())
