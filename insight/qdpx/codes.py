"""Comparing researchers' codes with the study's themes, ``--seed-codes`` and the
``codes_stage`` of ``insight run``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.qdpx.read import QdaProject, read_qdpx
from insight.qdpx.write import _nn

if TYPE_CHECKING:
    import pandas as pd

    from insight.store import Store


# -- comparing researchers' codes with the study's themes ------------------------------


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def match_selections(
    project: QdaProject, units: pd.DataFrame, spans: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per (coded selection, study unit) it covers: selection, code, unit_id.

    A selection named by a unit id (a project this module wrote) maps to that unit. When
    the study read the project itself (``spans``: unit_id, source guid, start, end from
    :func:`insight.ingest.documents.qdpx_unit_spans`), a selection covers the units of its
    source that lie at least half inside it. Otherwise a unit matches when its text (3+
    words) lies inside the selection's text or the selection's text (15+ characters)
    inside it, case and spacing ignored, preferring units of a source with the same file
    stem when there is one.
    """
    import pandas as pd

    ids = set(units[S.UNIT_ID].astype(str))
    at: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    if spans is not None:
        for u, g, a, b in spans[[S.UNIT_ID, "source", "start", "end"]].itertuples(index=False):
            if str(u) in ids:
                at[str(g)].append((int(a), int(b), str(u)))
    texts = [
        (_norm(t), str(u), Path(str(src)).stem.lower())
        for t, u, src in zip(units[S.TEXT], units[S.UNIT_ID], units[S.SOURCE], strict=False)
    ]
    rows = []
    for sel in project.selections:
        if sel["code"] is None:
            continue
        if sel["name"] in ids:
            rows.append(
                {"selection": sel["selection"], "code": sel["code"], S.UNIT_ID: sel["name"]}
            )
            continue
        if sel["source"] in at:
            a, b = sel["start"], sel["end"]
            for ua, ub, u in at[sel["source"]]:
                if 2 * (min(b, ub) - max(a, ua)) >= ub - ua > 0:
                    rows.append({"selection": sel["selection"], "code": sel["code"], S.UNIT_ID: u})
            continue
        st = _norm(sel["text"])
        if len(st) < 3:
            continue
        src_stem = Path(project.sources.get(sel["source"], {}).get("name", "")).stem.lower()
        # a short statement ("okay.", "yes") lies inside many highlights: only statements
        # of 3+ words count as covered by one
        hits = [
            (u, stem)
            for t, u, stem in texts
            if t and ((t in st and t.count(" ") >= 2) or (len(st) >= 15 and st in t))
        ]
        same = [u for u, stem in hits if src_stem and (stem in src_stem or src_stem in stem)]
        for u in same or [u for u, _ in hits]:
            rows.append({"selection": sel["selection"], "code": sel["code"], S.UNIT_ID: u})
    return pd.DataFrame(rows, columns=["selection", "code", S.UNIT_ID])


def compare_codes(
    store: Store, path: str | Path, matched: list[pd.DataFrame] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Researchers' codes (a .qdpx) against the study's themes and pain points.

    Per code: selections, study units matched, the theme holding most of them and its
    share (purity), and the share of matched units flagged as pain points. Summary:
    units matched, and the adjusted mutual information between code and theme over
    units that carry exactly one code (1 = the same partition, 0 = unrelated). A .qdc
    codebook has no coded text: its codes are listed with no matches. ``matched``, when
    given, gets the (selection, code name, unit_id) matches appended.
    """
    import pandas as pd

    project = read_qdpx(path)
    units = store.read_table("units")
    customer = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    spans = None
    if Path(path).suffix.lower() == ".qdpx" and S.RECORD_ID in customer:
        from insight.ingest.documents import qdpx_unit_spans

        spans = qdpx_unit_spans(Path(path), customer)  # a study read from this project
    matches = match_selections(
        project, customer, spans if spans is not None and len(spans) else None
    )
    if matched is not None:
        names = {g: str(c.get("name") or g) for g, c in project.codes.items()}
        matched.append(matches.assign(code=matches["code"].map(lambda g: names.get(g, g))))
    topics = store.read_or_empty("topic_assignments")
    tlabels = store.read_or_empty("topics")
    label_of = {}
    if len(tlabels):
        lab = "label" if "label" in tlabels.columns else S.TOPIC_LABEL
        label_of = dict(zip(tlabels[S.TOPIC].astype(int), tlabels[lab].astype(str), strict=False))
    topic_of = (
        dict(zip(topics[S.UNIT_ID].astype(str), topics[S.TOPIC].astype(int), strict=False))
        if len(topics)
        else {}
    )
    ann = store.read_or_empty("annotations")
    pain_of = (
        dict(zip(ann[S.UNIT_ID].astype(str), ann[S.PAIN_POINT].fillna(0).astype(int), strict=False))
        if len(ann) and S.PAIN_POINT in ann.columns
        else {}
    )
    rows = []
    n_sel: dict[str, int] = defaultdict(int)
    for sel in project.selections:
        if sel["code"]:
            n_sel[sel["code"]] += 1
    for guid, info in project.codes.items():
        if not info["codable"] and not n_sel.get(guid):
            continue  # a folder of codes (e.g. "Themes"), never applied itself
        m = matches[matches["code"] == guid]
        uids = list(dict.fromkeys(m[S.UNIT_ID]))
        tops = pd.Series([topic_of[u] for u in uids if u in topic_of], dtype=int)
        tops = tops[tops != S.UNASSIGNED_TOPIC]
        best, share = None, None
        if len(tops):
            vc = tops.value_counts()
            best, share = int(vc.index[0]), float(vc.iloc[0] / len(tops))
        pains = [pain_of[u] for u in uids if u in pain_of]
        rows.append(
            {
                "code": project.code_path(guid),
                "selections": n_sel.get(guid, 0),
                "units_matched": len(uids),
                "top_theme": f"T{best} {label_of.get(best, '')}".strip()
                if best is not None
                else None,
                "theme_share": round(share, 3) if share is not None else None,
                "pain_point_share": round(sum(pains) / len(pains), 3) if pains else None,
            }
        )
    table = pd.DataFrame(rows)
    summary: dict[str, Any] = {
        "codes": len(project.codes),
        "coded_selections": sum(n_sel.values()),
        "units_matched": int(matches[S.UNIT_ID].nunique()) if len(matches) else 0,
        "customer_units": len(customer),
    }
    if len(matches) and topic_of:
        from sklearn.metrics import adjusted_mutual_info_score

        per_unit = matches.groupby(S.UNIT_ID)["code"].agg(lambda c: sorted(set(c)))
        single = per_unit[per_unit.map(len) == 1]
        pairs = [(c[0], topic_of[u]) for u, c in single.items() if u in topic_of]
        pairs = [(c, t) for c, t in pairs if t != S.UNASSIGNED_TOPIC]
        if len(pairs) >= 2:
            codes_, topics_ = zip(*pairs, strict=True)
            summary["ami_code_vs_theme"] = round(
                float(adjusted_mutual_info_score(codes_, topics_)), 3
            )
            summary["units_with_one_code"] = len(pairs)
    return table, summary


# -- --seed-codes: themes named after the researchers' codes -----------------------------

#: a theme takes a code's name when the code covers at least this share of its statements
SEED_MIN_SHARE = 0.5
SEED_MIN_UNITS = 3


def seed_theme_labels(store: Store, matches: pd.DataFrame) -> list[dict[str, Any]]:
    """Name each theme after the researchers' code covering most of its statements (at
    least :data:`SEED_MIN_SHARE` of them and :data:`SEED_MIN_UNITS`); the model's label is
    kept as ``model_label`` and ``label_source`` says which code and how many statements.
    Rewrites the labels of ``topics``, ``topic_assignments`` and the top level of
    ``topic_hierarchy``. Returns one row per renamed theme."""
    topics = store.read_or_empty("topics")
    assigned = store.read_or_empty("topic_assignments")
    if topics.empty or assigned.empty or matches.empty or "label" not in topics:
        return []
    topic_of = dict(zip(assigned[S.UNIT_ID].astype(str), assigned[S.TOPIC], strict=False))
    size = assigned[S.TOPIC].value_counts()
    m = matches.drop_duplicates([S.UNIT_ID, "code"])
    m = m.assign(topic=m[S.UNIT_ID].astype(str).map(topic_of)).dropna(subset=["topic"])
    renamed: dict[int, tuple[str, int, int]] = {}
    for t, grp in m.groupby("topic"):
        t = int(t)
        if t == S.UNASSIGNED_TOPIC:
            continue
        counts = grp["code"].value_counts()
        code, k = str(counts.index[0]), int(counts.iloc[0])
        n = int(size.get(t, 0))
        if k >= SEED_MIN_UNITS and n and k / n >= SEED_MIN_SHARE:
            renamed[t] = (code, k, n)
    if not renamed:
        return []
    topics = topics.copy()
    if "model_label" not in topics:
        topics["model_label"] = topics["label"]
    topics["label_source"] = None
    for t, (code, k, n) in renamed.items():
        row = topics[S.TOPIC] == t
        topics.loc[row, "label"] = code
        topics.loc[row, "label_source"] = f"your code {code!r}: {k} of {n} statements"
    store.write_table("topics", topics)
    if S.TOPIC_LABEL in assigned:
        assigned = assigned.copy()
        new = assigned[S.TOPIC].map(lambda t: renamed.get(int(t), (None,))[0])
        assigned[S.TOPIC_LABEL] = new.where(new.notna(), assigned[S.TOPIC_LABEL])
        store.write_table("topic_assignments", assigned)
    hier = store.read_or_empty("topic_hierarchy")
    if len(hier) and {"level", S.TOPIC, "label"} <= set(hier.columns):
        top = hier["level"] == hier["level"].min()
        for t, (code, _k, _n) in renamed.items():
            hier.loc[top & (hier[S.TOPIC] == t), "label"] = code
        store.write_table("topic_hierarchy", hier)
    return [
        {S.TOPIC: t, "label": code, "statements": k, "of": n}
        for t, (code, k, n) in sorted(renamed.items())
    ]


# -- `insight run` with a .qdpx / .qdc among its inputs ---------------------------------

#: run.json / store meta key of the researchers' codes compared with the themes
CODES_META = "codes_vs_themes"


def qda_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """The REFI-QDA projects (.qdpx) and codebooks (.qdc) among a run's inputs."""
    from insight.ingest import expand_paths

    files, _notes = expand_paths(inputs)
    return [f for f in files if f.suffix.lower() in (".qdpx", ".qdc")]


def codes_stage(
    store: Store,
    inputs: Sequence[str | Path],
    summary: dict[str, Any],
    echo: Any,
    seed_codes: bool = False,
) -> None:
    """Compare the researchers' codes of every .qdpx / .qdc input with the study's themes.

    Writes the per-code table (``codes_vs_themes``, one row per code and project) and the
    store meta of the same name (per project: codes, coded selections, statements
    matched, code vs theme agreement; plus the table's rows), which ``run.json`` and the
    report show. Nothing is written for a run without such inputs. With ``seed_codes``
    the themes are named after the researchers' codes (:func:`seed_theme_labels`).
    """
    import pandas as pd

    projects = qda_inputs(inputs)
    if not projects:
        summary["projects"] = 0
        return
    tables, summaries = [], []
    matched: list[pd.DataFrame] = []
    for path in projects:
        table, info = compare_codes(store, path, matched)
        tables.append(table.assign(project=path.name))
        summaries.append({"project": path.name, **info})
        echo(
            f"  {path.name}: {info['codes']} codes, {info['coded_selections']} coded "
            f"selections; {info['units_matched']} of {info['customer_units']} statements "
            "matched"
            + (
                f"; code vs theme agreement (AMI) {info['ami_code_vs_theme']:.3f}"
                if "ami_code_vs_theme" in info
                else ""
            )
        )
    table = pd.concat(tables, ignore_index=True)
    store.write_table(CODES_META, table)
    rows = [
        {k: (None if _nn(v) is None else v) for k, v in r.items()}
        for r in table.to_dict(orient="records")
    ]
    seeded = seed_theme_labels(store, pd.concat(matched, ignore_index=True)) if seed_codes else []
    for r in seeded:
        echo(
            f"  theme {r[S.TOPIC]} named after your code {r['label']!r} ({r['statements']} of {r['of']} statements)"
        )
    store.put_meta(CODES_META, {"projects": summaries, "codes": rows, "seeded_labels": seeded})
    summary["projects"] = len(projects)
    summary["codes"] = len(table)
