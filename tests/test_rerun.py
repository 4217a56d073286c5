"""A re-run reuses what did not change: stage fingerprints (insight.runner).

The runner tests use toy stages (fast); the end-to-end ones run `insight run`
three times on a small interview study: unchanged (every stage and the report
reused, byte-identical outputs), another seed (segmentation and what follows
recomputed, annotations and embeddings reused), an edited input (everything).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from insight import pipeline
from insight.config import RunConfig
from insight.runner import PreviousStudy, Stage, StageContext, run_stages
from insight.runrecord import Timer
from insight.store import Store
from insight.transactions import stages_done

# --- the runner with toy stages -------------------------------------------------------


def _stages(calls: list[str]) -> list[Stage]:
    def first(ctx: StageContext, summary: dict[str, Any]) -> None:
        calls.append("first")
        ctx.store.write_table("toy_a", pd.DataFrame({"x": [1, 2, 3]}))
        ctx.store.put_meta("toy_meta", {"n": 3})
        summary["rows"] = 3

    def second(ctx: StageContext, summary: dict[str, Any]) -> None:
        calls.append("second")
        a = ctx.store.read_table("toy_a")
        ctx.store.write_table("toy_b", a.assign(y=a["x"] * (ctx.config.seed + 1)))
        ctx.store.put_blob("toy_model", b"fitted with %d" % ctx.config.seed)

    def third(ctx: StageContext, summary: dict[str, Any]) -> None:
        calls.append("third")
        b = ctx.store.read_table("toy_b")
        ctx.store.write_table("toy_c", pd.DataFrame({"total": [int(b["y"].sum())]}))

    return [
        Stage("first", lambda c: "", first),
        Stage("second", lambda c: "", second, depends=("seed",)),
        Stage("third", lambda c: "", third),
    ]


def _run(
    folder: Path,
    calls: list[str],
    *,
    seed: int = 0,
    upstream: str = "inputs-1",
    previous: Path | None = None,
    force: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    lines: list[str] = []
    prev = PreviousStudy.load(previous / "study.duckdb") if previous else None
    with Store(folder / "study.duckdb") as store:
        ctx = StageContext(
            store=store,
            out=folder,
            config=RunConfig(seed=seed),
            echo=lines.append,
            mode="run",
            force=force,
        )
        done = run_stages(
            ctx, _stages(calls), Timer(lines.append), upstream=upstream, previous=prev
        )
    return done, lines


def _contents(folder: Path) -> dict[str, Any]:
    with Store(folder / "study.duckdb", read_only=True) as st:
        return {
            "tables": {t: st.read_table(t).to_dict("list") for t in ("toy_a", "toy_b", "toy_c")},
            "meta": st.get_meta("toy_meta"),
            "blob": st.get_blob("toy_model"),
        }


def test_unchanged_stages_are_copied_from_the_previous_study(tmp_path: Path) -> None:
    calls: list[str] = []
    done, _ = _run(tmp_path / "a", calls)
    assert calls == ["first", "second", "third"]
    assert done["second"]["writes"] == {"tables": ["toy_b"], "meta": [], "blobs": ["toy_model"]}
    calls.clear()
    done, lines = _run(tmp_path / "b", calls, previous=tmp_path / "a")
    assert calls == []  # nothing recomputed
    assert sum("unchanged (fingerprint" in x and x.endswith("reused") for x in lines) == 3
    assert _contents(tmp_path / "b") == _contents(tmp_path / "a")
    assert done["first"]["rows"] == 3 and done["first"]["reused"]
    # the copy records the same fingerprints, so a third run reuses it in turn
    calls.clear()
    _run(tmp_path / "c", calls, previous=tmp_path / "b")
    assert calls == []


def test_a_changed_setting_recomputes_its_stage_and_everything_after(tmp_path: Path) -> None:
    calls: list[str] = []
    _run(tmp_path / "a", calls)
    calls.clear()
    _run(tmp_path / "b", calls, seed=1, previous=tmp_path / "a")
    assert calls == ["second", "third"]
    got = _contents(tmp_path / "b")
    assert got["blob"] == b"fitted with 1" and got["tables"]["toy_c"] == {"total": [12]}


def test_changed_inputs_or_force_recompute_everything(tmp_path: Path) -> None:
    calls: list[str] = []
    _run(tmp_path / "a", calls)
    calls.clear()
    _run(tmp_path / "b", calls, upstream="inputs-2", previous=tmp_path / "a")
    assert calls == ["first", "second", "third"]
    calls.clear()
    _run(tmp_path / "c", calls, previous=tmp_path / "a", force=True)
    assert calls == ["first", "second", "third"]


def test_a_study_without_fingerprints_is_not_reused(tmp_path: Path) -> None:
    calls: list[str] = []
    _run(tmp_path / "a", calls)
    with Store(tmp_path / "a" / "study.duckdb") as st:  # as written before fingerprints
        st.put_meta("stages_done", {k: {"seconds": 1} for k in stages_done(st)})
    calls.clear()
    _run(tmp_path / "b", calls, previous=tmp_path / "a")
    assert calls == ["first", "second", "third"]
    assert PreviousStudy.load(tmp_path / "missing" / "study.duckdb") is None


# --- end to end -----------------------------------------------------------------------

INTERVIEW = """Interviewer: What is the hardest part of your day?
{name}: {a}
Interviewer: Anything else that gets in the way?
{name}: {b}
"""

ANSWERS = [
    ("Cleaning the milk system takes forever every evening.", "Gaskets cost far too much."),
    ("The app logs me out whenever I check the boiler.", "Support never answers on weekends."),
    ("Deliveries of beans arrive late and crushed.", "The grinder jams with oily beans."),
]


@pytest.fixture
def hashing_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    from fakes import HashingEncoder

    from insight import embed

    monkeypatch.setattr(embed, "default_embedder", lambda exact=False: HashingEncoder(64))


def _study(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i, name in enumerate(["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"]):
        a, b = ANSWERS[i % len(ANSWERS)]
        (folder / f"interview_{name.lower()}.txt").write_text(
            INTERVIEW.format(name=name, a=a, b=b), encoding="utf-8"
        )
    return folder


def _outputs(out: Path) -> dict[str, bytes]:
    names = ["personas.json", "personas.md", "report.html"]
    return {n: (out / n).read_bytes() for n in names + sorted(p.name for p in out.glob("*.csv"))}


def _reused(out: Path) -> list[str]:
    return list(json.loads((out / "run.json").read_text(encoding="utf-8"))["reused"])


@pytest.mark.models
@pytest.mark.slow
def test_rerun_reuses_exactly_what_did_not_change(tmp_path: Path, hashing_embedder: None) -> None:
    data = _study(tmp_path / "data")
    out = tmp_path / "out"
    settings = {"seed": 0, "n_bootstrap": 2, "k": 2}
    pipeline.run_study([data], out, **settings)
    first = _outputs(out)
    assert _reused(out) == []

    # unchanged: inputs are not even read again, every stage and the report reused
    lines: list[str] = []
    pipeline.run_study([data], out, echo=lines.append, **settings)
    stages = [s.name for s in pipeline.RUN_STAGES]
    assert sorted(_reused(out)) == sorted([*stages, "report"])
    assert any(x.startswith("[read] unchanged inputs") for x in lines)
    assert any(x.startswith("[topics] unchanged (fingerprint") for x in lines)
    assert _outputs(out) == first
    assert "csv" in " ".join(first)

    # another seed: segmentation and everything after it are recomputed
    pipeline.run_study([data], out, **{**settings, "seed": 1})
    assert sorted(_reused(out)) == ["embed", "extract", "ingest"]

    # an edited answer: everything from ingest on
    f = data / "interview_ana.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("forever", "ages"), encoding="utf-8")
    lines.clear()
    pipeline.run_study([data], out, echo=lines.append, **{**settings, "seed": 1})
    assert _reused(out) == []
    assert any(x.startswith("[read] reading") for x in lines)
    with Store(out / "study.duckdb", read_only=True) as st:
        assert st.read_table("units")["text"].str.contains("takes ages").any()

    # --force recomputes everything even when nothing changed
    pipeline.run_study([data], out, force=True, **{**settings, "seed": 1})
    assert _reused(out) == []
