"""The contracts between stages: RunConfig, typed table specs, validated store tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insight import schema as S
from insight.config import RunConfig, parse_auto_int
from insight.errors import InputError, StoreError
from insight.store import Store


def test_run_config_defaults_roundtrip_and_validation() -> None:
    cfg = RunConfig(inputs=["a.csv", Path("b")], k="4", items=["Q1", "Q2"])
    assert cfg.k == 4 and cfg.items == ("Q1", "Q2") and cfg.inputs == ("a.csv", "b")
    assert cfg.seed == 0 and cfg.n_bootstrap == 30 and cfg.method == "auto"
    data = json.loads(json.dumps(cfg.to_dict()))
    assert RunConfig.from_dict(data) == cfg
    # an older run.json (missing keys, unknown keys) still loads
    old = RunConfig.from_dict({"seed": 3, "something_new": 1})
    assert old.seed == 3 and old.extra == {"something_new": 1} and old.k == "auto"
    with pytest.raises(InputError, match="--k must be"):
        RunConfig(k="many")
    with pytest.raises(InputError, match="segmentation method"):
        RunConfig(method="dbscan")
    with pytest.raises(AttributeError):
        cfg.seed = 1  # type: ignore[misc]
    assert parse_auto_int(None) == "auto" and parse_auto_int(" AUTO ") == "auto"
    assert parse_auto_int(7) == 7
    with pytest.raises(InputError):
        parse_auto_int("0")


def test_every_spec_column_has_a_known_dtype() -> None:
    for name, spec in S.TABLES.items():
        assert spec.name == name
        for col in spec.columns.values():
            assert col.dtype in S.DTYPES
        for k in spec.key:
            assert k in spec.columns, (name, k)
    assert S.TABLES["units"].dtype_of(S.UNIT_ID) == "str"
    assert S.TABLES["topics"].dtype_of("unit_ids") == "list"


def test_store_rejects_a_frame_that_breaks_its_spec(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as st:
        ok = pd.DataFrame({S.UNIT_ID: ["u1", "u2"], S.TOPIC: [0, 1]})
        st.write_table("topic_assignments", ok)
        # ids are strings: an integer unit id is a bug in the writer, named clearly
        with pytest.raises(
            StoreError, match=r'"topic_assignments", column "unit_id" must hold str'
        ):
            st.write_table("topic_assignments", pd.DataFrame({S.UNIT_ID: [1, 2], S.TOPIC: [0, 1]}))
        with pytest.raises(StoreError, match="missing column"):
            st.write_table("topic_assignments", pd.DataFrame({S.UNIT_ID: ["u1"]}))
        # a list column must hold lists, not ';'-joined strings
        bad = pd.DataFrame({S.TOPIC: [0], "unit_ids": ["u1;u2"]})
        with pytest.raises(StoreError, match='"unit_ids" must hold list'):
            st.write_table("topics", bad)
        with pytest.raises(StoreError, match="must hold int"):
            st.upsert(
                "topic_assignments", pd.DataFrame({S.UNIT_ID: ["u3"], S.TOPIC: [0.5]}), S.UNIT_ID
            )
        # the failed writes left the table as it was
        assert st.read_table("topic_assignments")[S.UNIT_ID].tolist() == ["u1", "u2"]


def test_store_reads_give_back_the_spec_types(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as st:
        st.write_table(
            "topics",
            pd.DataFrame(
                {
                    S.TOPIC: [0, 1],
                    "label": ["price", "milk"],
                    "unit_ids": [["a", "b"], np.array(["c"])],
                    "quotes": [["a"], []],
                }
            ),
        )
        got = st.read_table("topics")
        assert got["unit_ids"].tolist() == [["a", "b"], ["c"]]
        assert all(isinstance(v, list) for v in got["quotes"])
        # an all-missing id column comes back as None, not NaN floats
        st.write_table(
            "segments",
            pd.DataFrame(
                {
                    S.RESPONDENT_ID: ["r1"],
                    S.SEGMENT: [0],
                    S.PROBABILITY: [1.0],
                    "segment_source": [None],
                }
            ),
        )
        seg = st.read_table("segments")
        assert seg["segment_source"].tolist() == [None]
        assert seg[S.RESPONDENT_ID].tolist() == ["r1"]


def test_segmenter_is_a_scikit_learn_estimator() -> None:
    from sklearn.base import clone

    from insight.segment.models import Segmenter

    rng = np.random.default_rng(0)
    x = pd.DataFrame(
        np.vstack([rng.integers(1, 3, (30, 4)), rng.integers(4, 6, (30, 4))]).astype(float),
        columns=["Q1", "Q2", "Q3", "Q4"],
    )
    x.iloc[3, 1] = np.nan
    model = Segmenter(method="kmeans", k=2, random_state=0, reverse=("Q4",))
    params = model.get_params()
    fitted = model.fit(x)
    assert fitted.get_params() == params  # fit never changes a parameter
    twin = clone(fitted)
    assert twin.get_params() == params and not hasattr(twin, "labels_")
    assert (twin.fit(x).labels_ == fitted.labels_).all()
    assert clone(model.set_params(compare_methods=False)).compare_methods is False
    assert "Segmenter(" in repr(model)
    # no class-level switches: the bootstrap refits use a parameter
    assert "_bootstrap" not in vars(Segmenter)


def test_segmenter_saves_and_loads_one_way(tmp_path: Path) -> None:
    from insight.segment import load_segmenter, save_segmenter
    from insight.segment.models import Segmenter

    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.integers(1, 6, (40, 3)).astype(float), columns=["a", "b", "c"])
    model = Segmenter(method="kmeans", k=2, random_state=0).fit(x)
    with Store(tmp_path / "s.duckdb") as st:
        with pytest.raises(StoreError, match="no fitted segment model"):
            load_segmenter(st)
        save_segmenter(model, st)
        assert (load_segmenter(st).predict(x) == model.labels_).all()
    save_segmenter(model, tmp_path / "m.pkl")
    assert (load_segmenter(tmp_path / "m.pkl").predict(x) == model.labels_).all()
    (tmp_path / "bad.pkl").write_bytes(b"not a pickle")
    with pytest.raises(StoreError, match="not a fitted segment model"):
        load_segmenter(tmp_path / "bad.pkl")


def test_every_model_lookup_honours_insight_models_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from insight import embed
    from insight.errors import ModelError
    from insight.extract.emotions import default_model_dir
    from insight.extract.pain_points import PainPointModel
    from insight.extract.sentiment import SentimentModel
    from insight.resources import model_path, models_dir

    monkeypatch.setenv("INSIGHT_MODELS_DIR", str(tmp_path))
    assert models_dir() == tmp_path and model_path("a", "b") == tmp_path / "a" / "b"
    assert default_model_dir() == tmp_path / "emotions"
    assert embed.onnx_model_file() == tmp_path / "minilm" / "model.onnx"
    with pytest.raises(ModelError, match=str(tmp_path)):
        PainPointModel.load()
    with pytest.raises(ModelError, match=str(tmp_path)):
        SentimentModel.load(required=True)


def test_one_reader_for_single_file_commands(tmp_path: Path) -> None:
    from insight.errors import InsightError
    from insight.files import FILE_TYPES, file_units, read_file_table

    p = tmp_path / "answers.csv"
    p.write_text("id,comment,team\n1,The price is too high,a\n2,,b\n3,  Love it  ,a\n", "utf-8")
    read = file_units(p, "comment", group_column="team")
    assert read.units[S.UNIT_ID].tolist() == ["answers:0", "answers:1", "answers:2"]
    assert read.units[S.TEXT].tolist() == ["The price is too high", "", "Love it"]
    assert read.groups is not None and read.groups.to_dict() == {
        "answers:0": "a",
        "answers:1": "b",
        "answers:2": "a",
    }
    assert file_units(p, "comment", prefix_ids=False).units[S.UNIT_ID].tolist() == ["0", "1", "2"]
    with pytest.raises(
        InsightError, match=r'no column "text".*use one of: "id", "comment", "team"'
    ):
        file_units(p, "text")
    lines = tmp_path / "notes.txt"
    lines.write_text("first note\n\nsecond note\n", "utf-8")
    assert read_file_table(lines)["text"].tolist() == ["first note", "second note"]
    with pytest.raises(InsightError, match="unsupported file type"):
        read_file_table(tmp_path / "x.pdf") if (tmp_path / "x.pdf").write_text("x") else None
    assert ".xlsx" in FILE_TYPES and ".jsonl" in FILE_TYPES
    # insight segment FILE reads respondents through the same module, same error words
    from insight.files import read_respondents

    df, used = read_respondents(p)
    assert used == "id" and df[S.RESPONDENT_ID].tolist() == ["1", "2", "3"]
    with pytest.raises(InsightError, match=r'answers.csv, column "rid".*"comment".*--id-column'):
        read_respondents(p, id_column="rid")


class _LengthAnnotator:
    """Stands in for the models: pain_point = 1 for a text over three words."""

    def annotate(self, texts: list, **_: object) -> pd.DataFrame:
        words = [len(str(t).split()) if t else None for t in texts]
        return pd.DataFrame(
            {
                "pain_point": [None if w is None else int(w > 3) for w in words],
                "goal": [None if w is None else 0 for w in words],
            }
        )


def test_annotate_reads_every_single_file_type_through_the_one_reader(tmp_path: Path) -> None:
    from insight.errors import InsightError, SchemaError
    from insight.extract.annotate import annotate_file
    from insight.files import read_file_table

    annotator = _LengthAnnotator()
    # TXT/MD: one text per line, like topics and vocabulary read them (a "text" column)
    (tmp_path / "notes.txt").write_text("It broke down twice in a week\n\nfine\n", "utf-8")
    out = annotate_file(tmp_path / "notes.txt", "text", progress=False, annotator=annotator)
    assert out["text"].tolist() == ["It broke down twice in a week", "fine"]
    assert out["pain_point"].tolist() == [1, 0]
    jsonl = tmp_path / "reviews.jsonl"
    jsonl.write_text('{"id": "a", "body": "Support never called me back"}\n', "utf-8")
    out = annotate_file(jsonl, "body", progress=False, annotator=annotator)
    assert out[["id", "pain_point"]].values.tolist() == [["a", 1]]
    # errors name the file and the column, the same words as every single-file command
    with pytest.raises(SchemaError) as exc:
        annotate_file(jsonl, "text", annotator=annotator)
    assert "reviews.jsonl" in str(exc.value) and '"text"' in str(exc.value)
    assert "--text-column" in str(exc.value) and '"body"' in str(exc.value)
    (tmp_path / "x.pdf").write_text("x", "utf-8")
    with pytest.raises(InsightError) as ours:
        annotate_file(tmp_path / "x.pdf", "text", annotator=annotator)
    with pytest.raises(InsightError) as theirs:
        read_file_table(tmp_path / "x.pdf")
    assert str(ours.value) == str(theirs.value) and ".jsonl" in str(ours.value)


def test_stage_transaction_commits_or_leaves_nothing(tmp_path: Path) -> None:
    from insight.transactions import stage_transaction, stages_done

    with Store(tmp_path / "s.duckdb") as st:
        st.put_meta("segmentation", {"items": ["Q1"]})
        with stage_transaction(st, "topics") as summary:
            assert st.get_meta("segmentation")["items"] == ["Q1"]  # a read, then a write
            st.write_table("topic_assignments", pd.DataFrame({S.UNIT_ID: ["u1"], S.TOPIC: [0]}))
            summary["topics"] = 1
        assert stages_done(st)["topics"]["topics"] == 1
        with pytest.raises(RuntimeError), stage_transaction(st, "vocabulary"):
            st.write_table("vocabulary", pd.DataFrame({"term": ["price"]}))
            raise RuntimeError("killed")
        assert not st.has_table("vocabulary") and "vocabulary" not in stages_done(st)
