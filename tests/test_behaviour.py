"""Behavioural segments: RFM quintiles with named cells, lifecycle stage, transactions.

The generator plants five groups of 100 customers, each holding one quintile band of
recency, frequency and value (disjoint bands), so the quintile scores and the named cell
of every customer are known in advance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from insight.errors import InputError
from insight.segment.behaviour import (
    RFM_CELLS,
    RFM_GRID,
    behaviour_from_file,
    detect_behaviour_columns,
    quintile_scores,
    rfm_cell,
)

AS_OF = pd.Timestamp("2026-03-31")
# group: (R, F, M) scores -> expected cell (R, round((F + M) / 2)) on the RFM grid
PLANTED = {
    "champions": (5, 5, 5),
    "loyal": (3, 4, 4),
    "at risk": (2, 3, 3),
    "promising": (4, 1, 1),
    "hibernating": (1, 2, 2),
}
R_DAYS = {5: (0, 29), 4: (30, 89), 3: (90, 179), 2: (180, 365), 1: (366, 729)}
F_ORDERS = {1: (1, 1), 2: (2, 3), 3: (4, 6), 4: (7, 10), 5: (11, 20)}
M_TOTAL = {1: (10, 49), 2: (50, 149), 3: (150, 399), 4: (400, 999), 5: (1000, 3000)}


def planted_transactions(seed: int = 0, per_group: int = 100) -> tuple[pd.DataFrame, dict]:
    """One row per order (customer_id, order_date, amount) and the planted truth."""
    rng = np.random.default_rng(seed)
    rows, truth = [], {}
    for g, (r, f, m) in PLANTED.items():
        for i in range(per_group):
            cid = f"C{g[:3].upper()}{i:03d}"
            truth[cid] = (g, r, f, m)
            n = int(rng.integers(F_ORDERS[f][0], F_ORDERS[f][1] + 1))
            last = int(rng.integers(R_DAYS[r][0], R_DAYS[r][1] + 1))
            total = float(rng.uniform(*M_TOTAL[m]))
            # order dates: the last one `last` days before AS_OF, the others earlier
            gaps = np.sort(rng.integers(1, 200, size=n - 1))[::-1]
            days = [last + int(x) for x in gaps] + [last]
            share = rng.dirichlet(np.ones(n))
            for d, s in zip(days, share, strict=True):
                rows.append(
                    {
                        "customer_id": cid,
                        "order_date": (AS_OF - pd.Timedelta(days=d)).strftime("%Y-%m-%d"),
                        "amount": f"{total * s:.2f}",
                    }
                )
    df = pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return df, truth


def test_grid_names_every_cell():
    assert len(RFM_GRID) == 25
    assert {"champions", "loyal", "at risk", "hibernating", "lost", "can't lose them"} <= set(
        RFM_CELLS
    )
    assert rfm_cell(5, 5, 5) == "champions" and rfm_cell(1, 1, 1) == "lost"
    assert rfm_cell(1, 5, 5) == "can't lose them" and rfm_cell(2, 3, 4) == "at risk"


def test_quintiles_share_scores_on_ties():
    s = quintile_scores(pd.Series([1, 1, 1, 1, 1, 1, 2, 3, 4, 5.0]))
    assert s.iloc[:6].nunique() == 1 and s.iloc[0] == 1  # six tied lowest: one score
    assert s.iloc[-1] == 5
    r = quintile_scores(pd.Series(range(10), dtype=float), higher_is_better=False)
    assert list(r) == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_planted_rfm_cells_recovered_from_transactions():
    orders, truth = planted_transactions()
    res = behaviour_from_file(orders, as_of=AS_OF)
    t = res.table.set_index("respondent_id")
    assert len(t) == 500 and res.columns["customer id"] == "customer_id"
    assert res.columns["order date"] == "order_date" and res.columns["amount"] == "amount"
    scores = t[["R", "F", "M"]].astype(int)
    expected = pd.DataFrame({c: v[1:] for c, v in truth.items()}, index=["R", "F", "M"]).T
    assert (scores.loc[expected.index].to_numpy() == expected.to_numpy()).all()
    cells = t["rfm_cell"]
    recovered = np.mean([cells[c] == g for c, (g, *_s) in truth.items()])
    assert recovered == 1.0
    assert set(t["lifecycle"]) <= {"customer", "lapsed customer"}
    # recency over a year (R score 1) = lapsed
    assert (t.loc[t["R"] == 1, "lifecycle"] == "lapsed customer").all()
    assert (t.loc[t["R"] >= 2, "lifecycle"] == "customer").all()
    assert t["frequency"].sum() == len(orders)


def test_shuffled_labels_would_not_pass():
    """The recovery check can fail: swap two groups' recency and the cells change."""
    orders, truth = planted_transactions(seed=1)
    champs = [c for c, v in truth.items() if v[0] == "champions"]
    hib = [c for c, v in truth.items() if v[0] == "hibernating"]
    swap = dict(zip(champs, hib, strict=True)) | dict(zip(hib, champs, strict=True))
    moved = orders.copy()
    moved["customer_id"] = moved["customer_id"].map(lambda c: swap.get(c, c))
    t = behaviour_from_file(moved, as_of=AS_OF).table.set_index("respondent_id")
    assert np.mean([t.loc[c, "rfm_cell"] == v[0] for c, v in truth.items()]) < 0.9


def test_bad_order_rows_are_reported_not_dropped_silently():
    orders, _ = planted_transactions(per_group=20)
    orders.loc[3, "order_date"] = "not a date"
    orders.loc[5, "customer_id"] = ""
    res = behaviour_from_file(orders.replace({"": None}), as_of=AS_OF)
    text = " ".join(res.warnings)
    assert "1 order row(s) with an unreadable date" in text
    assert "1 order row(s) without a customer id" in text


def _customers() -> pd.DataFrame:
    # one row per customer, as a survey or CRM export carries them (strings, blanks)
    return pd.DataFrame(
        {
            "Customer ID": [f"K{i}" for i in range(12)],
            "Last purchase date": [
                "2026-03-30",
                "2026-03-01",
                "2026-02-01",
                "2025-12-01",
                "2025-06-01",
                "2024-11-01",
                "2026-03-20",
                "2025-01-15",
                "",
                "",
                "2026-03-25",
                "2026-01-10",
            ],
            "Number of orders": ["12", "8", "5", "3", "2", "1", "9", "1", "0", "0", "4", "2"],
            "Total spend (£)": [
                "£2,400",
                "£900",
                "£500",
                "£300",
                "£90",
                "£20",
                "£1,500",
                "£15",
                "0",
                "0",
                "£350",
                "£120",
            ],
            "Last visit date": [
                "2026-03-30",
                "2026-03-10",
                "2026-02-10",
                "2025-12-10",
                "2025-07-01",
                "2024-12-01",
                "2026-03-28",
                "2025-02-01",
                "2026-03-29",
                "2025-01-01",
                "2026-03-26",
                "2026-01-12",
            ],
            "Plan": [
                "Pro",
                "Pro",
                "Basic",
                "Basic",
                "Basic",
                "Basic",
                "Pro",
                "Basic",
                "Free",
                "Free",
                "Basic",
                "Basic",
            ],
            "Region": ["N", "S"] * 6,
        }
    ).replace({"": None})


def test_behaviour_columns_recognised_by_name_and_values():
    cols = detect_behaviour_columns(_customers(), exclude=["Customer ID"])
    assert cols.recency_date == "Last purchase date"
    assert cols.frequency == "Number of orders"
    assert cols.monetary == "Total spend (£)"
    assert cols.plan == "Plan"
    assert "Region" not in cols.found().values()


def test_lifecycle_stages_from_customer_table():
    res = behaviour_from_file(_customers(), as_of="2026-03-31")
    t = res.table.set_index("respondent_id")
    assert res.columns["recency"] == "Last purchase date"
    assert t.loc["K0", "rfm_cell"] == "champions"
    assert t.loc["K5", "lifecycle"] == "lapsed customer"  # last bought 2024-11
    assert t.loc["K0", "lifecycle"] == "customer"
    # never bought: no recency from purchases, so no cell; lifecycle from spend = 0
    assert t.loc["K8", "lifecycle"] == "active prospect"  # visited 2 days before as-of
    assert t.loc["K9", "lifecycle"] == "inactive prospect"  # last visit a year before
    assert pd.isna(t.loc["K8", "rfm_cell"])
    assert any("lack recency" in w for w in res.warnings)


def test_too_few_customers_is_an_error():
    df = _customers().head(3)
    with pytest.raises(InputError, match="at least 5"):
        behaviour_from_file(df, as_of="2026-03-31")


def test_no_behaviour_columns_is_an_error():
    df = pd.DataFrame({"Customer ID": ["a", "b"], "Region": ["N", "S"]})
    with pytest.raises(InputError, match="no behaviour columns"):
        behaviour_from_file(df)


def test_cli_segment_basis_behaviour(tmp_path):
    from insight.cli import main

    orders, truth = planted_transactions(per_group=40)
    f = tmp_path / "orders.csv"
    orders.to_csv(f, index=False)
    out = tmp_path / "rfm.csv"
    r = CliRunner().invoke(
        main,
        ["segment", str(f), "--basis", "behaviour", "--as-of", "2026-03-31", "--out", str(out)],
    )
    assert r.exit_code == 0, r.output
    assert "transactions: 200 customers" in r.output or "200 customers" in r.output
    assert "champions" in r.output and "hibernating" in r.output
    got = pd.read_csv(out).set_index("respondent_id")
    assert all(got.loc[c, "rfm_cell"] == v[0] for c, v in truth.items())


@pytest.mark.slow
def test_study_behaviour_segments_reach_the_audience_export(tmp_path):
    """`insight segment STUDY --basis behaviour` stores the cells; `export` tags them."""
    from insight.cli import main
    from insight.store import Store

    db = tmp_path / "study" / "study.duckdb"
    n = 10
    resp = pd.DataFrame(
        {
            "respondent_id": [f"R{i}" for i in range(n)],
            "source": "crm.csv",
            "source_type": "survey",
            "Q20": [(AS_OF - pd.Timedelta(days=5 + 40 * i)).strftime("%Y-%m-%d") for i in range(n)],
            "Q21": [float(n - i) for i in range(n)],
            "Q22": [100.0 * (n - i) for i in range(n)],
            "Q1": [3.0] * n,
            "email": [f"p{i}@example.com" for i in range(n)],
        }
    )
    roles = pd.DataFrame(
        {
            "source": "crm.csv",
            "column": ["Q20", "Q21", "Q22", "Q1", "email"],
            "role": ["date", "behaviour", "behaviour", "likert", "metadata"],
            "question": [
                "When was your last order?",
                "How many orders have you placed with us?",
                "Total spend to date (£)",
                "I like the product",
                "Email",
            ],
        }
    )
    db.parent.mkdir(parents=True)
    with Store(db) as st:
        st.write_table("respondents", resp)
        st.write_table("columns", roles)
    out = tmp_path / "rfm.csv"
    r = CliRunner().invoke(
        main,
        [
            "segment",
            str(db.parent),
            "--basis",
            "behaviour",
            "--as-of",
            "2026-03-31",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "recency_date = Q20" in r.output or "recency = Q20" in r.output
    assert "frequency = Q21" in r.output and "monetary = Q22" in r.output
    with Store(db, read_only=True) as st:
        cells = st.read_table("behaviour_segments").set_index("respondent_id")["rfm_cell"]
    assert cells["R0"] == "champions" and cells[f"R{n - 1}"] in {"lost", "hibernating"}
    r = CliRunner().invoke(main, ["export", str(db.parent), "--to", "mailchimp"])
    assert r.exit_code == 0, r.output
    rows = pd.read_csv(db.parent / "mailchimp_contacts.csv").set_index("Email Address")
    assert "RFM: champions" in rows.loc["p0@example.com", "Tags"]


# -- behaviour in the main pipeline: ingest roles, the study's RFM, persona claims ---------

#: planted attitude segment of each RFM group: segment 0 holds the best customers
ATTITUDE_OF = {"champions": 0, "loyal": 0, "at risk": 1, "promising": 1, "hibernating": 1}


def planted_survey(seed: int = 1) -> tuple[pd.DataFrame, dict]:
    """One row per respondent: Likert attitudes (by planted segment), a comment and the
    behaviour columns of a CRM export (last purchase date dd/mm/yyyy, orders, spend, email
    opens, plan), each RFM group in its own quintile band."""
    rng = np.random.default_rng(seed)
    rows, truth = [], {}
    for g, (r, f, m) in PLANTED.items():
        seg = ATTITUDE_OF[g]
        for i in range(100):
            rid = f"S{g[:3].upper()}{i:03d}"
            truth[rid] = (g, seg)
            last = int(rng.integers(R_DAYS[r][0], R_DAYS[r][1] + 1))
            high = 4 if seg == 0 else 2
            rows.append(
                {
                    "Respondent ID": rid,
                    "The quality is worth the price": int(
                        np.clip(high + rng.integers(-1, 2), 1, 5)
                    ),
                    "I would recommend the brand": int(np.clip(high + rng.integers(-1, 2), 1, 5)),
                    "Support answers quickly": int(np.clip(6 - high + rng.integers(-1, 2), 1, 5)),
                    "Last purchase date": (AS_OF - pd.Timedelta(days=last)).strftime("%d/%m/%Y"),
                    "Number of orders": int(rng.integers(F_ORDERS[f][0], F_ORDERS[f][1] + 1)),
                    "Total spend": f"£{rng.uniform(*M_TOTAL[m]):,.2f}",
                    "Email opens": int(rng.integers(0, 30)),
                    "Plan": "Pro" if seg == 0 else "Basic",
                    "What could we do better?": (
                        "The grinder keeps clogging when I use darker beans at home."
                        if seg
                        else "I love the new espresso blend and the fast delivery."
                    ),
                }
            )
    return pd.DataFrame(rows), truth


@pytest.fixture(scope="module")
def survey_study(tmp_path_factory):
    from insight.ingest import ingest_paths

    folder = tmp_path_factory.mktemp("survey")
    df, truth = planted_survey()
    df.to_csv(folder / "crm_survey.csv", index=False)
    return ingest_paths([folder / "crm_survey.csv"]), truth


def test_behaviour_columns_typed_at_ingest(survey_study):
    result, _truth = survey_study
    cols = result.columns.set_index("column")
    assert cols.at["Last purchase date", "role"] == "behaviour"
    assert cols.at["Number of orders", "role"] == "behaviour"
    assert cols.at["Total spend", "role"] == "behaviour"
    assert cols.at["Email opens", "role"] == "behaviour"  # small counts, not a Likert item
    assert cols.at["Plan", "role"] == "behaviour"
    assert cols.at["The quality is worth the price", "role"] == "likert"
    resp = result.respondents.set_index("respondent_id")
    # dd/mm/yyyy read day first and stored ISO; money read as a number
    first = planted_survey()[0].iloc[0]
    iso = pd.to_datetime(first["Last purchase date"], dayfirst=True).strftime("%Y-%m-%d")
    assert resp.at[first["Respondent ID"], "Last purchase date"] == iso
    assert resp.at[first["Respondent ID"], "Total spend"] == pytest.approx(
        float(first["Total spend"].strip("£").replace(",", ""))
    )


def test_study_behaviour_recovers_planted_cells(survey_study):
    from insight.segment.behaviour import study_behaviour

    result, truth = survey_study
    res = study_behaviour(result.respondents, result.columns, as_of=AS_OF)
    assert res is not None
    cells = res.table.set_index("respondent_id")["rfm_cell"]
    assert len(cells) == 500
    assert all(cells[rid] == g for rid, (g, _s) in truth.items())
    assert res.columns["recency"] == "Last purchase date"
    assert res.columns["frequency"] == "Number of orders"


def test_survey_without_behaviour_gets_no_rfm():
    from insight.segment.behaviour import study_behaviour

    df = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(20)], "Spend": range(20)})
    cols = pd.DataFrame({"column": ["Spend"], "role": ["behaviour"], "question": ["Spend"]})
    assert study_behaviour(df, cols) is None  # one measure: no RFM cells to give


def test_personas_show_planted_behaviour_beside_attitudes(survey_study):
    from insight import schema as S
    from insight.personas import StudyTables, build_personas
    from insight.segment.behaviour import study_behaviour

    result, truth = survey_study
    behaviour = study_behaviour(result.respondents, result.columns, as_of=AS_OF)
    segs = pd.DataFrame(
        {
            S.RESPONDENT_ID: list(truth),
            S.SEGMENT: [s for _g, s in truth.values()],
            S.PROBABILITY: 0.9,
        }
    )
    tables = StudyTables(
        units=result.units,
        respondents=result.respondents,
        columns=result.columns,
        segments=segs,
        behaviour_segments=behaviour.table,
    )
    personas = build_personas(tables)
    assert [p.size for p in personas] == [300, 200]
    expected = [
        {"at risk": 100, "promising": 100, "hibernating": 100},
        {"champions": 100, "loyal": 100},
    ]
    for p, cells in zip(personas, expected, strict=True):
        rfm = {c.stats["category"]: c for c in p.behaviour if c.stats.get("column") == "RFM cell"}
        assert {k: c.n for k, c in rfm.items()} == cells
        for cell, c in rfm.items():
            assert p.size == c.N
            members = sorted(r for r, (g, _s) in truth.items() if g == cell)
            assert sorted(c.stats["respondent_ids"]) == members
            assert set(c.unit_ids) == set(
                result.units.loc[result.units[S.RESPONDENT_ID].isin(members), S.UNIT_ID]
            )
        assert all(c.id for c in p.behaviour)
    best = personas[1]
    life = next(c for c in best.behaviour if c.stats.get("column") == "Lifecycle stage")
    assert (life.label, life.n, life.N) == ("Lifecycle stage: customer", 200, 200)
    recency = next(c for c in best.behaviour if c.stats.get("column") == "Days since last activity")
    assert recency.stats["median"] < recency.stats["rest_median"]
    # a date is never a category claim; the plan is
    assert not any(c.stats.get("column") == "Last purchase date" for c in best.behaviour)
    plan = next(c for c in best.behaviour if c.stats.get("column") == "Plan")
    assert (plan.stats["category"], plan.n) == ("Pro", 200)


def test_a_schema_file_makes_a_column_behaviour(tmp_path):
    """An unnamed date column is a date; set role: behaviour and it is read as one (ISO)."""
    from insight.ingest.readers import read_file

    p = tmp_path / "crm.csv"
    pd.DataFrame(
        {
            "id": [f"C{i}" for i in range(12)],
            "d1": [f"{1 + i:02d}/02/2026" for i in range(12)],
            "comment": ["The app logs me out every single day, it is annoying."] * 12,
        }
    ).to_csv(p, index=False)
    assert read_file(p).schema.columns["d1"].role == "date"
    res = read_file(p, overrides={"d1": {"role": "behaviour"}})
    info = res.schema.columns["d1"]
    assert (info.role, info.kind, info.overridden) == ("behaviour", "date", True)
    assert res.respondents[0]["d1"] == "2026-02-01"
    assert info.to_dict()["kind"] == "date"
