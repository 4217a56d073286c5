"""The committed sample study is reproducible and its planted truth is usable."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _load_generator():
    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _survey() -> list[dict[str, str]]:
    rows = _read_csv(SAMPLES / gen.SURVEY_FILE)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[3:]]


def _truth() -> dict[str, dict[str, str]]:
    with (SAMPLES / "truth/respondents.csv").open(encoding="utf-8", newline="") as fh:
        return {r["ResponseId"]: r for r in csv.DictReader(fh)}


def _docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    gen.generate(out)
    return out


def test_regeneration_matches_committed_files(regenerated: Path) -> None:
    fresh = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    assert len(fresh) == 18
    for rel in fresh:
        committed = SAMPLES / rel
        assert committed.exists(), f"{rel} is generated but not committed"
        new, old = (regenerated / rel).read_bytes(), committed.read_bytes()
        if rel.suffix == ".docx":
            # Zip bytes depend on the zlib build; the parts themselves must match exactly.
            assert _docx_parts(new) == _docx_parts(old), rel
        else:
            assert new == old, f"{rel} differs from a fresh run of samples/generate.py"


def test_samples_folder_is_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 3_000_000


def test_qualtrics_layout() -> None:
    raw = (SAMPLES / gen.SURVEY_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _read_csv(SAMPLES / gen.SURVEY_FILE)
    assert rows[0][:3] == ["StartDate", "EndDate", "Status"]
    assert rows[1][rows[0].index("Q2_1")] == (
        "How much do you agree with the following statements? - Price matters more to me than features"
    )
    import_ids = [json.loads(cell) for cell in rows[2]]
    assert import_ids[0] == {"ImportId": "startDate", "timeZone": "Europe/London"}
    assert import_ids[rows[0].index("Q12_TEXT")] == {"ImportId": "QID12_TEXT"}
    assert {len(r) for r in rows} == {len(rows[0])}
    data = rows[3:]
    assert 290 <= len(data) <= 310
    likert = [r[rows[0].index(c)] for r in data for c, *_ in gen.ITEMS]
    assert set(likert) <= {*gen.LIKERT_LABELS, ""}
    missing = likert.count("") / len(likert)
    assert 0.03 < missing < 0.12  # ~5% item non-response plus unfinished rows
    ids = [r[rows[0].index("ResponseId")] for r in data]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("R_") and len(i) == 17 and i[2:].isalnum() for i in ids)


def test_truth_covers_every_respondent() -> None:
    survey, truth = _survey(), _truth()
    assert [r["ResponseId"] for r in survey] and {r["ResponseId"] for r in survey} == set(truth)
    flags = {
        f: sum(t[f] == "true" for t in truth.values())
        for f in ("is_straightliner", "is_speeder", "is_duplicate")
    }
    assert flags == {"is_straightliner": 7, "is_speeder": 8, "is_duplicate": 3}
    by_id = {r["ResponseId"]: r for r in survey}
    for t in truth.values():
        row = by_id[t["ResponseId"]]
        if t["is_straightliner"] == "true":
            assert len({row[c] for c, *_ in gen.ITEMS}) == 1
        if t["is_speeder"] == "true":
            assert int(row["Duration (in seconds)"]) < 120
        if t["is_duplicate"] == "true":
            src = by_id[t["duplicate_of"]]
            assert all(row[c] == src[c] for c in row if c.startswith("Q"))


def test_segment_shares_match_plan() -> None:
    seg = json.loads((SAMPLES / "truth/segments.json").read_text(encoding="utf-8"))
    unique = [t for t in _truth().values() if t["is_duplicate"] == "false"]
    for s in seg["segments"]:
        n = sum(int(t["segment_index"]) == s["index"] for t in unique)
        assert n == s["n_respondents"]
        assert abs(n / len(unique) - s["share"]) < 0.01


def _clean_likert() -> dict[int, list[list[int]]]:
    truth = _truth()
    out: dict[int, list[list[int]]] = {i: [] for i in range(len(gen.SEGMENTS))}
    for row in _survey():
        t = truth[row["ResponseId"]]
        if any(
            t[f] == "true"
            for f in ("is_straightliner", "is_speeder", "is_duplicate", "is_unfinished")
        ):
            continue
        out[int(t["segment_index"])].append(
            [gen.LIKERT_LABELS.index(row[c]) + 1 if row[c] else 0 for c, *_ in gen.ITEMS]
        )
    return out


def test_segments_differ_on_likert_means() -> None:
    data = _clean_likert()
    means = {}
    for seg, rows in data.items():
        cols = list(zip(*rows, strict=True))
        means[seg] = [sum(v for v in col if v) / sum(1 for v in col if v) for col in cols]
    for a in means:
        for b in means:
            if a < b:
                gaps = sorted(abs(x - y) for x, y in zip(means[a], means[b], strict=True))
                # every pair of segments is clearly apart on at least three items
                assert gaps[-3] > 1.2, (a, b, gaps)


def test_reverse_keyed_items_run_against_their_sibling() -> None:
    data = [r for rows in _clean_likert().values() for r in rows]
    codes = [c for c, *_ in gen.ITEMS]

    def corr(i: int, j: int) -> float:
        pairs = [(r[i], r[j]) for r in data if r[i] and r[j]]
        xs, ys = zip(*pairs, strict=True)
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        cov = sum((x - mx) * (y - my) for x, y in pairs)
        vx = sum((x - mx) ** 2 for x in xs)
        vy = sum((y - my) ** 2 for y in ys)
        return cov / (vx * vy) ** 0.5

    for rev, sibling in (("Q2_3", "Q2_1"), ("Q2_6", "Q2_4"), ("Q2_9", "Q2_7")):
        assert corr(codes.index(rev), codes.index(sibling)) < -0.3


def test_planted_wording_is_distinctive() -> None:
    seg = json.loads((SAMPLES / "truth/segments.json").read_text(encoding="utf-8"))
    truth = _truth()
    texts: dict[int, list[str]] = {i: [] for i in range(len(gen.SEGMENTS))}
    for row in _survey():
        text = " ".join(row[c] for c in ("Q12_TEXT", "Q13_TEXT", "Q14_TEXT")).lower()
        texts[int(truth[row["ResponseId"]]["segment_index"])].append(text)
    for s in seg["segments"]:
        own = texts[s["index"]]
        rest = [t for i, ts in texts.items() if i != s["index"] for t in ts]
        for phrase in s["wording"]:
            own_rate = sum(phrase in t for t in own) / len(own)
            rest_rate = sum(phrase in t for t in rest) / len(rest)
            assert own_rate >= 0.04, (s["name"], phrase, own_rate)
            assert own_rate > 5 * rest_rate, (s["name"], phrase, own_rate, rest_rate)
        any_rate = sum(any(p in t for p in s["wording"]) for t in own) / len(own)
        assert any_rate > 0.5, (s["name"], any_rate)


def test_open_text_is_varied() -> None:
    answers = [r["Q12_TEXT"] for r in _survey() if r["Q12_TEXT"]]
    assert len(set(answers)) > 0.8 * len(answers)
    lengths = sorted(len(a.split()) for a in answers)
    assert lengths[0] == 1 and lengths[-1] >= 40
    blob = " ".join(r[c] for r in _survey() for c in ("Q12_TEXT", "Q13_TEXT", "Q14_TEXT"))
    for marker in ("café", "£", "\u2019", "N/A", "I wish", "all I want", "it would be great if"):
        assert marker.lower() in blob.lower(), marker


def test_interviews_match_truth() -> None:
    with (SAMPLES / "truth/interviews.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    files = sorted(p.name for p in (SAMPLES / "interviews").iterdir())
    assert sorted({r["file"] for r in rows}) == files
    assert {Path(f).suffix for f in files} == {".txt", ".md", ".vtt", ".srt", ".docx"}
    for r in rows:
        assert 10 <= int(r["n_turns_total"]) <= 26
        path = SAMPLES / "interviews" / r["file"]
        if path.suffix == ".docx":
            text = "\n".join(
                p.decode("utf-8", "ignore") for p in _docx_parts(path.read_bytes()).values()
            )
        else:
            text = path.read_text(encoding="utf-8")
        assert r["participant"] in text and r["interviewer_label"] in text
    assert sum(r["file"] == "interview_12_hotel_group.docx" for r in rows) == 2


def test_reviews_and_firmware_trend() -> None:
    rows = _read_csv(SAMPLES / gen.REVIEWS_FILE)
    assert rows[0] == ["review_id", "date", "rating", "product", "source", "title", "text"]
    reviews = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(reviews) == gen.N_REVIEWS
    with (SAMPLES / "truth/reviews.csv").open(encoding="utf-8", newline="") as fh:
        truth = {r["review_id"]: r for r in csv.DictReader(fh)}
    assert set(truth) == {r["review_id"] for r in reviews}

    def firmware_share(prefix: str) -> float:
        sel = [r for r in reviews if r["date"].startswith(prefix)]
        return sum(truth[r["review_id"]]["topic"] == "firmware update" for r in sel) / len(sel)

    assert firmware_share("2025") < 0.05 < 0.2 < firmware_share("2026-0")
    neg = [int(r["rating"]) for r in reviews if truth[r["review_id"]]["sentiment"] == "negative"]
    pos = [int(r["rating"]) for r in reviews if truth[r["review_id"]]["sentiment"] == "positive"]
    assert sum(neg) / len(neg) < 2.5 and sum(pos) / len(pos) > 4.0
