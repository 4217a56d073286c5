"""Studies are transactional: a failed run keeps the old study, a lock keeps two
processes apart, a killed add resumes to the same result, and a re-export adds only
its new rows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from insight import pipeline
from insight import schema as S
from insight.cli import main
from insight.errors import StoreError
from insight.ingest import ingest_paths
from insight.store import Store
from insight.study import add_batch
from insight.transactions import BUILD_NAME, LOCK_NAME, StudyLock

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _old_study(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    with Store(folder / "study.duckdb") as st:
        st.write_table("files", pd.DataFrame({S.SOURCE: ["a.csv"], "source_hash": ["h1"]}))
    (folder / "report.html").write_text("<html>the old report</html>", encoding="utf-8")
    (folder / "run.json").write_text("{}", encoding="utf-8")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_failed_run_keeps_the_old_study(tmp_path: Path) -> None:
    out = tmp_path / "study"
    before = _old_study(out)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "zero.csv").write_bytes(b"")
    res = CliRunner().invoke(main, ["run", str(bad / "zero.csv"), "--out", str(out)])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "nothing could be processed" in res.output
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # no lock, no build folder, nothing replaced
    # a bad setting is refused before anything is read or written
    res = CliRunner().invoke(
        main, ["run", str(SAMPLES / "interviews"), "--out", str(out), "--k", "many"]
    )
    assert res.exit_code != 0 and "--k must be" in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_second_process_gets_a_clear_lock_error(tmp_path: Path) -> None:
    out = tmp_path / "study"
    _old_study(out)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import time
                from insight.transactions import StudyLock
                with StudyLock({str(out)!r}, command="insight run"):
                    print("locked", flush=True)
                    time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        new = _interviews(tmp_path / "new", ["Ana"]) / "interview_ana.txt"
        for args in (
            ["run", str(new), "--out", str(out)],
            ["add", str(out), str(new)],
        ):
            res = CliRunner().invoke(main, args)
            assert res.exit_code != 0 and "Traceback" not in res.output, res.output
            assert f"another insight process (pid {holder.pid}) is using this study" in res.output
        assert not (out / BUILD_NAME).exists()
        # a first run still building the study: `add` names the lock, not a missing store
        res = CliRunner().invoke(main, ["add", str(tmp_path / "first"), str(new)])
        assert "study store not found" in res.output
        (tmp_path / "first").mkdir()
        (tmp_path / "first" / LOCK_NAME).write_text(
            json.dumps({"pid": holder.pid, "command": "insight run"}), encoding="utf-8"
        )
        res = CliRunner().invoke(main, ["add", str(tmp_path / "first"), str(new)])
        assert f"another insight process (pid {holder.pid})" in res.output
    finally:
        holder.kill()
        holder.wait()
    # the holder was killed: its lock is stale and the next command takes it over
    with StudyLock(out) as lock:
        assert lock.took_over and lock.took_over["pid"] == holder.pid
    assert not (out / LOCK_NAME).exists()


def test_lock_is_refused_while_held_in_process(tmp_path: Path) -> None:
    other = StudyLock(tmp_path)
    other.path.parent.mkdir(parents=True, exist_ok=True)
    # a live process that is not us: our parent (pytest's launcher or the shell)
    other.path.write_text(json.dumps({"pid": os.getppid(), "since": "now"}), encoding="utf-8")
    with pytest.raises(StoreError, match=rf"pid {os.getppid()}"):
        StudyLock(tmp_path).acquire()


SURVEY_HEAD = "ResponseId,Q1 How satisfied are you?,Q2 What would you improve?\n"


def _survey_rows(n: int, start: int = 0) -> str:
    words = ["price", "cleaning", "app login", "descaling", "delivery", "grinder", "support"]
    return "".join(
        f"R_{i:04d},{1 + i % 5},The {words[i % len(words)]} needs work for respondent {i}.\n"
        for i in range(start, start + n)
    )


def test_reexport_adds_only_new_rows(tmp_path: Path) -> None:
    first = tmp_path / "export_jan.csv"
    first.write_text(SURVEY_HEAD + _survey_rows(30), encoding="utf-8")
    out = tmp_path / "study"
    with Store(out / "study.duckdb") as st:
        add_batch(st, ingest_paths([first]))
        n_units = len(st.read_table("units"))
        n_resp = len(st.read_table("respondents"))
    # the cumulative export a month later: the same 30 rows and 5 new ones
    second = tmp_path / "export_feb.csv"
    second.write_text(SURVEY_HEAD + _survey_rows(35), encoding="utf-8")
    lines: list[str] = []
    summary = pipeline.add_files(out, [second], analyse=False, echo=lines.append)
    assert any("NOT refreshed (--no-analyse)" in x for x in lines)
    assert any("30 row(s) of these files were already in the study" in x for x in lines)
    assert summary["already_present"] == 30
    assert summary["units"] == 5 and summary["respondents"] == 5
    with Store(out / "study.duckdb", read_only=True) as st:
        units = st.read_table("units")
        assert len(units) == n_units + 5
        # no duplicate (respondent, text)
        assert not units.duplicated([S.RESPONDENT_ID, S.FIELD, S.TEXT]).any()
        assert len(st.read_table("respondents")) == n_resp + 5
        files = st.read_table("files")
        assert files.loc[files[S.SOURCE] == second.name, "already_present"].tolist() == [30]
    # adding the same export again adds nothing at all
    again = pipeline.add_files(out, [second], analyse=False)
    assert again["processed"] == 0


INTERVIEW = """Interviewer: What is the hardest part of your day?
{name}: {a}
Interviewer: Anything else that gets in the way?
{name}: {b}
Interviewer: What would make it better?
{name}: {c}
"""

ANSWERS = [
    (
        "Cleaning the milk system takes forever every evening.",
        "The price of gaskets and descaler is far too high.",
        "A cheaper cleaning kit would help a lot.",
    ),
    (
        "The app logs me out whenever I check the boiler.",
        "Support never answers the phone on weekends.",
        "An app that remembers me and faster support.",
    ),
    (
        "Deliveries of beans arrive late and crushed.",
        "The grinder jams when the beans are oily.",
        "Reliable delivery and a grinder that copes.",
    ),
    (
        "Descaling the machine is a chore I always forget.",
        "The water tank is awkward to refill behind the counter.",
        "Reminders to descale and a tank at the front.",
    ),
]


def _interviews(folder: Path, names: list[str], offset: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        a, b, c = ANSWERS[(i + offset) % len(ANSWERS)]
        (folder / f"interview_{name.lower()}.txt").write_text(
            INTERVIEW.format(name=name, a=a, b=b, c=c), encoding="utf-8"
        )
    return folder


@pytest.fixture
def hashing_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    from fakes import HashingEncoder

    from insight import embed

    monkeypatch.setattr(embed, "default_embedder", lambda exact=False: HashingEncoder(64))


def _comparable(out: Path) -> dict[str, object]:
    personas = json.loads((out / "personas.json").read_text(encoding="utf-8"))
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    with Store(out / "study.duckdb", read_only=True) as st:
        tables = {
            name: st.read_table(name).sort_values(key).reset_index(drop=True)
            for name, key in [
                ("units", S.UNIT_ID),
                ("annotations", S.UNIT_ID),
                ("segments", S.RESPONDENT_ID),
                ("topic_assignments", S.UNIT_ID),
            ]
        }
    return {
        "personas": personas["personas"],
        "counts": run["counts"],
        "changes": {k: v for k, v in run["changes"].items() if k != "summary"},
        "tables": {k: v.to_dict(orient="list") for k, v in tables.items()},
    }


@pytest.mark.models
@pytest.mark.slow
def test_killed_add_resumes_to_the_same_study(
    tmp_path: Path, hashing_embedder: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _interviews(
        tmp_path / "batch1", ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hal"]
    )
    base = tmp_path / "base"
    pipeline.run_study([data], base, seed=0, n_bootstrap=2, k=2)
    new = _interviews(tmp_path / "batch2", ["Ivy", "Jon"], offset=1)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    shutil.copytree(base, clean)
    shutil.copytree(base, killed)
    pipeline.add_files(clean, [new])

    # killed after the topics stage: the study on disk is still the old one
    stages = list(pipeline.ADD_STAGES)
    at = [s.name for s in stages].index("vocabulary")

    def die(ctx: object, summary: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(
        pipeline, "ADD_STAGES", [*stages[:at], pipeline.Stage("vocabulary", lambda c: "", die)]
    )
    old_db = (killed / "study.duckdb").read_bytes()
    with pytest.raises(KeyboardInterrupt):
        pipeline.add_files(killed, [new])
    assert (killed / "study.duckdb").read_bytes() == old_db
    assert (killed / BUILD_NAME).is_dir()
    monkeypatch.setattr(pipeline, "ADD_STAGES", stages)
    lines: list[str] = []
    pipeline.add_files(killed, [new], echo=lines.append)
    assert any("resuming the unfinished add" in x for x in lines)
    assert any("[topics] already done" in x for x in lines)
    assert not (killed / BUILD_NAME).exists() and not (killed / LOCK_NAME).exists()
    assert _comparable(killed) == _comparable(clean)
    changes = json.loads((clean / "run.json").read_text(encoding="utf-8"))["changes"]
    assert changes["new_participants"] == 2
    assert any("since the last batch: +2 participants" in x for x in changes["summary"])


@pytest.mark.models
@pytest.mark.slow
def test_killed_run_resumes_and_replaces_the_old_study_only_at_the_end(
    tmp_path: Path, hashing_embedder: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _interviews(tmp_path / "batch1", ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"])
    out = tmp_path / "study"
    before = _old_study(out)
    stages = list(pipeline.RUN_STAGES)
    at = [s.name for s in stages].index("personas")

    def die(ctx: object, summary: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(
        pipeline, "RUN_STAGES", [*stages[:at], pipeline.Stage("personas", lambda c: "", die)]
    )
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_study([data], out, seed=0, n_bootstrap=2, k=2)
    # the old study is untouched (the per-text model-output cache may have grown: it
    # only makes the re-run faster and never changes a result)
    from insight.engine.cache import CACHE_NAME

    now = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != CACHE_NAME}
    assert now == before
    monkeypatch.setattr(pipeline, "RUN_STAGES", stages)
    lines: list[str] = []
    t0 = time.perf_counter()
    pipeline.run_study([data], out, seed=0, n_bootstrap=2, k=2, echo=lines.append)
    assert time.perf_counter() - t0 < 600
    assert any("[segment] already done" in x for x in lines)
    assert (out / "personas.json").is_file() and not (out / BUILD_NAME).exists()
    assert (out / "report.html").read_text(encoding="utf-8") != "<html>the old report</html>"
    with Store(out / "study.duckdb", read_only=True) as st:
        assert st.has_table("personas") and st.get_meta("segment_stability")


def test_a_swap_killed_half_way_is_finished_by_the_next_command(tmp_path: Path) -> None:
    from insight.transactions import BuildDir, finish_interrupted_swap

    out = tmp_path / "study"
    _old_study(out)
    build = BuildDir(out, key="k1")
    path = build.prepare()
    (path / "report.html").write_text("new report", encoding="utf-8")
    (path / "run.json").write_text('{"new": 1}', encoding="utf-8")
    build.mark_complete(["study.duckdb", "run.json", "report.html"])
    # killed after moving run.json only
    os.replace(path / "run.json", out / "run.json")
    assert finish_interrupted_swap(out)
    assert (out / "report.html").read_text(encoding="utf-8") == "new report"
    assert json.loads((out / "run.json").read_text(encoding="utf-8")) == {"new": 1}
    assert (out / "study.duckdb").exists() and not (out / BUILD_NAME).exists()
    assert not finish_interrupted_swap(out)
    # an unfinished build is never swapped in
    BuildDir(out, key="k2").prepare()
    assert not finish_interrupted_swap(out)


def test_reexport_under_a_new_name_with_numeric_ids_and_no_text(tmp_path: Path) -> None:
    head = "id,Q1 I trust the brand,Q2 Price is fair,Q3 Would recommend\n"
    rows = [f"{i},{1 + i % 5},{1 + (i * 3) % 5},{1 + (i * 7) % 5}\n" for i in range(1, 41)]
    (tmp_path / "wave_jan.csv").write_text(head + "".join(rows[:30]), encoding="utf-8")
    (tmp_path / "wave_feb.csv").write_text(head + "".join(rows), encoding="utf-8")
    out = tmp_path / "study"
    with Store(out / "study.duckdb") as st:
        add_batch(st, ingest_paths([tmp_path / "wave_jan.csv"]))
        assert len(st.read_table("respondents")) == 30
    summary = pipeline.add_files(out, [tmp_path / "wave_feb.csv"], analyse=False)
    assert summary["already_present"] == 30 and summary["respondents"] == 10
    with Store(out / "study.duckdb", read_only=True) as st:
        assert len(st.read_table("respondents")) == 40


def test_new_interviews_sharing_the_moderators_prompts_are_not_repeats(tmp_path: Path) -> None:
    first = _interviews(tmp_path / "b1", ["Ana", "Ben"])
    out = tmp_path / "study"
    with Store(out / "study.duckdb") as st:
        add_batch(st, ingest_paths([first]))
    new = _interviews(tmp_path / "b2", ["Cleo"])  # same prompts and answers as Ana's
    fresh = ingest_paths([new])
    summary = pipeline.add_files(out, [new], analyse=False)
    assert summary["already_present"] == 0 and summary["units"] == len(fresh.units)


@pytest.mark.models
@pytest.mark.slow
def test_add_with_a_topic_model_from_an_older_insight(
    tmp_path: Path, hashing_embedder: None
) -> None:
    import pickle

    from insight.topics.model import MODEL_KEY

    data = _interviews(tmp_path / "batch1", ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"])
    base = tmp_path / "base"
    pipeline.run_study([data], base, seed=0, n_bootstrap=2, k=2)
    new = _interviews(tmp_path / "batch2", ["Ivy", "Jon"], offset=1)
    with Store(base / "study.duckdb") as st:
        blob = st.get_blob(MODEL_KEY)
    assert blob is not None
    model = pickle.loads(blob)
    # saved before codebook ids existed: the add assigns as a current model would
    clean, old = tmp_path / "clean", tmp_path / "old"
    shutil.copytree(base, clean)
    shutil.copytree(base, old)
    del model.subtopic_ids_
    with Store(old / "study.duckdb") as st:
        st.put_blob(MODEL_KEY, pickle.dumps(model))
    pipeline.add_files(clean, [new])
    pipeline.add_files(old, [new])
    assert _comparable(old) == _comparable(clean)
    # too old to rebuild: `insight add` says so in one line, with the fix
    del model.subtopic_parent_
    with Store(base / "study.duckdb") as st:
        st.put_blob(MODEL_KEY, pickle.dumps(model))
    res = CliRunner().invoke(main, ["add", str(base), str(new)])
    assert res.exit_code != 0 and "Traceback" not in res.output, res.output
    error = [x for x in res.output.splitlines() if x.startswith("Error:")]
    assert len(error) == 1 and "topic model" in error[0] and "re-run `insight run`" in error[0]
