"""Word tables read from TOML (insight.patterns.read_word_tables)."""

from __future__ import annotations

from pathlib import Path

from insight.patterns import read_word_tables


def test_word_tables_join_parts_and_apply_flags(tmp_path: Path) -> None:
    path = tmp_path / "words.toml"
    path.write_text(
        """
[plan]
whole_words = true
pattern = ['plan|', 'tier']

[asks]
pattern = ['^(what|how)', '''|what's''']

[exact_id]
ignore_case = false
pattern = ['^id$']

[metadata]
names = ["startdate", "status"]
""",
        encoding="utf-8",
    )
    tables = read_word_tables(path)
    assert tables.names == {"metadata": frozenset({"startdate", "status"})}
    plan, asks, exact = (tables.patterns[k] for k in ("plan", "asks", "exact_id"))
    assert plan.search("Your PLAN type") and plan.search("Tier") and not plan.search("planet")
    assert asks.search("How often?") and asks.search("so what's up")
    assert exact.search("id") and not exact.search("ID")


def test_shipped_word_tables_load() -> None:
    from insight.ingest import roles
    from insight.personas import template_columns

    assert "startdate" in roles._METADATA
    assert roles._WORD["behaviour"].search("Monthly spend (£)")
    assert roles._WORD["demographic"].search("Age group")
    assert not roles._WORD["strong_id"].search("RESPONSEID")  # case-sensitive table
    assert template_columns._HEAD["location_head"].search("Where do you live?")
    assert not template_columns._HEAD["location_not"].search("Country")
