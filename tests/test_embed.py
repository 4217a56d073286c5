"""Embedding cache: text hashes, store round trip, only unseen texts are encoded."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from fakes import HashingEncoder

from insight.embed import EMBEDDINGS_TABLE, Embedder, embed_texts, text_hash
from insight.errors import InputError
from insight.store import Store


def test_text_hash_is_sha1_of_exact_text():
    assert text_hash("hello") == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
    assert text_hash("hello ") != text_hash("hello")


def test_vectors_are_unit_length_float32_and_duplicates_encoded_once():
    enc = HashingEncoder(dim=32)
    x = embed_texts(["late delivery", "late delivery", "price too high"], embedder=enc)
    assert x.shape == (3, 32) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(x[0], x[1])
    assert enc.encoded == ["late delivery", "price too high"]


def test_second_call_embeds_nothing_and_new_batch_only_new_texts(tmp_path):
    texts = ["late delivery", "price too high", "support never answered"]
    with Store(tmp_path / "study.duckdb") as store:
        enc = HashingEncoder(dim=32)
        first = embed_texts(texts, store=store, embedder=enc, progress=False)
        assert enc.calls == 1 and len(enc.encoded) == 3

        again = embed_texts(texts, store=store, embedder=enc, progress=False)
        assert enc.calls == 1  # nothing new: the encoder was not called
        np.testing.assert_array_equal(first, again)

        batch = ["app crashes on start", "price too high"]
        new = embed_texts(batch, store=store, embedder=enc, progress=False)
        assert enc.calls == 2 and enc.encoded[3:] == ["app crashes on start"]
        np.testing.assert_array_equal(new[1], first[1])
        assert len(store.read_table(EMBEDDINGS_TABLE)) == 4
        types = dict((r[0], r[1]) for r in store.execute(f"DESCRIBE {EMBEDDINGS_TABLE}").fetchall())
        assert types["vector"] == "FLOAT[]"


def test_cache_is_keyed_by_model(tmp_path):
    with Store(tmp_path / "study.duckdb") as store:
        embed_texts(["late delivery"], store=store, embedder=HashingEncoder(dim=32), progress=False)
        other = HashingEncoder(dim=16, model_name="hashing-16")
        x = embed_texts(["late delivery"], store=store, embedder=other, progress=False)
        assert other.calls == 1 and x.shape == (1, 16)


def test_cache_survives_reopening_the_store(tmp_path):
    path = tmp_path / "study.duckdb"
    with Store(path) as store:
        first = embed_texts(["a b c"], store=store, embedder=HashingEncoder(dim=32), progress=False)
    enc = HashingEncoder(dim=32)
    with Store(path) as store:
        again = embed_texts(["a b c"], store=store, embedder=enc, progress=False)
    assert enc.calls == 0
    np.testing.assert_array_equal(first, again)


def test_non_string_text_is_an_input_error():
    with pytest.raises(InputError, match="not a string"):
        embed_texts(["ok", None], embedder=HashingEncoder())  # type: ignore[list-item]


def test_embedder_is_lazy_and_pickles_without_its_model():
    e = Embedder()
    assert e.model_name == "all-MiniLM-L6-v2" and e._model is None
    e._model = object()  # stands for a loaded model
    assert pickle.loads(pickle.dumps(e))._model is None
    assert Embedder(model_path="/some/where/my-model").model_name == "my-model"


def test_default_embedder_is_the_shipped_int8_model_unless_exact(monkeypatch, tmp_path):
    from insight import embed

    assert embed.onnx_model_file().is_file()  # shipped in models/minilm
    default = embed.default_embedder()
    assert isinstance(default, embed.OnnxEmbedder)
    assert default.model_name == "all-MiniLM-L6-v2-int8" != Embedder().model_name
    assert isinstance(embed.default_embedder(exact=True), Embedder)
    # without the ONNX file the fp32 sentence-transformers model is used
    monkeypatch.setenv("INSIGHT_MODELS_DIR", str(tmp_path))
    assert isinstance(embed.default_embedder(), Embedder)


def test_onnx_embedder_without_its_file_names_the_fix(tmp_path):
    from insight.embed import OnnxEmbedder
    from insight.errors import ModelError

    with pytest.raises(ModelError, match="build_minilm_onnx"):
        OnnxEmbedder(model_file=tmp_path / "missing.onnx").encode(["hello"])


@pytest.mark.models
def test_onnx_vectors_do_not_depend_on_length_sorted_batching():
    """Token-length-sorted, self-padded batches give each text the vector it gets alone
    (in input order; a text over 256 tokens truncated the same way)."""
    from insight.embed import OnnxEmbedder

    texts = [
        "The grinder jams every morning and support never answered my emails about it.",
        "Great.",
        "word " * 400,
        "",
        "Milk temperature is too low.",
        "Price of parts, response time and downtime are my three problems with this machine.",
        "ok",
    ]
    emb = OnnxEmbedder(batch_size=3, threads=1)
    together = emb.encode(texts)
    alone = np.concatenate([emb.encode([t]) for t in texts])
    assert together.shape == (7, 384)
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert float(together[0] @ together[5]) < 0.99  # rows are not mixed up


def test_text_cache_serves_a_rerun_into_a_fresh_store(tmp_path):
    from insight.engine.cache import TextCache

    texts = ["late delivery", "price too high", "late delivery"]
    cache = TextCache.for_study(tmp_path)
    enc = HashingEncoder(dim=32)
    with Store(tmp_path / "run1.duckdb") as store:
        first = embed_texts(texts, store=store, embedder=enc, progress=False, cache=cache)
    assert enc.calls == 1 and (tmp_path / "cache.duckdb").is_file()
    # a re-run rebuilds the study store from scratch: the vectors come from the cache
    with Store(tmp_path / "run2.duckdb") as store:
        again = embed_texts(texts, store=store, embedder=enc, progress=False, cache=cache)
        assert enc.calls == 1
        assert len(store.read_table(EMBEDDINGS_TABLE)) == 2  # copied into the study
    np.testing.assert_array_equal(first, again)
    # a new text is encoded alone and added to the cache
    embed_texts(["support never answered"], embedder=enc, progress=False, cache=cache)
    assert enc.calls == 2 and enc.encoded[-1] == "support never answered"


def test_remembered_vectors_are_not_encoded_again(tmp_path):
    from insight.embed import remember_vectors

    texts = ["late delivery", "price too high", "support never answered"]
    given = np.eye(3, 32, dtype=np.float32)
    given[2] = np.nan  # a text the other pass truncated: left to the embedder
    with Store(tmp_path / "study.duckdb") as store:
        enc = HashingEncoder(dim=32)
        added = remember_vectors(texts, given, store=store, model_name=enc.model_name)
        assert added == 2
        assert remember_vectors(texts, given, store=store, model_name=enc.model_name) == 0
        x = embed_texts([*texts, "late delivery"], store=store, embedder=enc, progress=False)
        assert enc.encoded == ["support never answered"]
        np.testing.assert_array_equal(x[:2], given[:2])
        np.testing.assert_array_equal(x[3], given[0])
        assert len(store.read_table(EMBEDDINGS_TABLE)) == 3


@pytest.mark.models
def test_joint_emotion_pass_gives_the_embedders_vectors():
    from insight.embed import OnnxEmbedder
    from insight.extract.emotions import EmotionModel

    texts = ["The nurse was kind.", "", "Waited four hours and nobody called back. " * 20]
    joint = EmotionModel.load(joint=True)
    probs, _, vecs = joint.predict_with_sentence_vectors(texts)
    np.testing.assert_array_equal(probs, EmotionModel.load().predict_proba(texts))
    np.testing.assert_allclose(vecs[0], OnnxEmbedder().encode(texts[:1])[0], atol=1e-6)
    # empty text and a text this pass truncates at 128 tokens: no vector
    assert np.isnan(vecs[1]).all() and np.isnan(vecs[2]).all()
