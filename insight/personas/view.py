"""Frozen views of a study for the claim builders: the study, and one segment against the rest.

A :class:`SegmentView` holds a segment's members, their customer units (``mine``) and the
other segments' units (``rest``); builders read it and never change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.extract.pain_themes import PainThemes, group_pain_points
from insight.personas.evidence import _Evidence
from insight.personas.model import StudyTables
from insight.personas.naming import _strip_shared_prefix
from insight.personas.template import TemplateSources, study_sources
from insight.personas.words import _stems

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class StudyView:
    """What every segment's claims share: tables, evidence, respondents, item wordings."""

    t: StudyTables
    seg: pd.DataFrame
    ev: _Evidence
    total: int
    resp: pd.DataFrame
    cols: pd.DataFrame
    item_text: Mapping[str, str]
    item_stems: Mapping[str, set[str]]
    pain_themes: PainThemes | None = None
    who: str = "respondents"  # "participants" when every segment member is an interviewee
    #: the columns and self-descriptions that fill the persona template fields
    template: TemplateSources = field(default_factory=TemplateSources)

    @property
    def pain_theme_of(self) -> dict[str, int]:
        """unit_id -> pain theme of every pain unit."""
        if self.pain_themes is None:
            return {}
        a = self.pain_themes.assignments
        return dict(zip(a[S.UNIT_ID].astype(str), a["pain_theme"].astype(int), strict=False))

    @property
    def pain_theme_info(self) -> dict[int, dict[str, Any]]:
        """pain theme -> its row of the themes table (label, terms, tag ...)."""
        if self.pain_themes is None:
            return {}
        return {int(r["pain_theme"]): r for r in self.pain_themes.themes.to_dict("records")}


def population(t: StudyTables, seg: pd.DataFrame) -> int:
    """The true N: survey respondents and interviewees of the study (reviewers are never
    segment members), and at least everyone segmented."""
    resp = t.respondents
    members = set(seg[S.RESPONDENT_ID].astype(str))
    if resp is None or not len(resp) or S.SOURCE_TYPE not in resp:
        return len(members)
    eligible = resp[resp[S.SOURCE_TYPE].isin([S.SOURCE_SURVEY, S.SOURCE_TRANSCRIPT])]
    return len(set(eligible[S.RESPONDENT_ID].astype(str)) | members)


def _who(t: StudyTables, seg: pd.DataFrame) -> str:
    resp = t.respondents
    if resp is None or not len(resp) or S.SOURCE_TYPE not in resp:
        return "respondents"
    types = resp.loc[
        resp[S.RESPONDENT_ID].astype(str).isin(set(seg[S.RESPONDENT_ID].astype(str))),
        S.SOURCE_TYPE,
    ]
    return "participants" if len(types) and (types == S.SOURCE_TRANSCRIPT).all() else "respondents"


def study_view(t: StudyTables, seg: pd.DataFrame, ev: _Evidence) -> StudyView:
    """The study-wide view (respondents indexed by id, item wordings without matrix stems)."""
    import pandas as pd

    resp = t.respondents
    if resp is not None and len(resp):
        resp = resp.copy()
        resp[S.RESPONDENT_ID] = resp[S.RESPONDENT_ID].astype(str)
        resp = resp.drop_duplicates(S.RESPONDENT_ID).set_index(S.RESPONDENT_ID)
    else:
        resp = pd.DataFrame()
    cols = t.columns if t.columns is not None else pd.DataFrame()
    item_text: dict[str, str] = {}
    if len(cols) and S.COL_NAME in cols:
        for _, r in cols.iterrows():
            q = r.get(S.COL_QUESTION)
            if q is not None and str(q) not in ("", "nan", "None"):
                item_text.setdefault(str(r[S.COL_NAME]), str(q))
    item_text = _strip_shared_prefix(item_text)
    return StudyView(
        t=t,
        seg=seg,
        ev=ev,
        total=population(t, seg),
        who=_who(t, seg),
        resp=resp,
        cols=cols,
        item_text=item_text,
        item_stems={k: _stems(txt) for k, txt in item_text.items()},
        pain_themes=group_pain_points(ev.df.reset_index(drop=True), ev._emb),
        template=study_sources(resp, cols, ev.df),
    )


@dataclass(frozen=True)
class SegmentView:
    """One segment against the rest: its members, their units (``mine``) and the others'."""

    study: StudyView
    segment: Any
    pid: str
    members: list[str]
    member_set: frozenset[str]
    mine: pd.DataFrame
    rest: pd.DataFrame
    n_text: int
    rest_text: int
    centre: Mapping[str, float] = field(default_factory=dict)
    archetype: bool = False  # grouped from fewer than 15 participants (segment policy)

    # study-wide tables, read through the view
    @property
    def t(self) -> StudyTables:
        return self.study.t

    @property
    def ev(self) -> _Evidence:
        return self.study.ev

    @property
    def resp(self) -> pd.DataFrame:
        return self.study.resp

    @property
    def cols(self) -> pd.DataFrame:
        return self.study.cols

    @property
    def item_text(self) -> Mapping[str, str]:
        return self.study.item_text

    @property
    def item_stems(self) -> Mapping[str, set[str]]:
        return self.study.item_stems

    @property
    def total(self) -> int:
        return self.study.total


def segment_view(study: StudyView, pid: str, segment: Any) -> SegmentView:
    """The frozen view of ``segment``: members, their customer units and the rest's."""
    seg = study.seg
    members = seg.loc[seg[S.SEGMENT] == segment, S.RESPONDENT_ID].tolist()
    member_set = frozenset(members)
    df = study.ev.df
    mine = df[df[S.RESPONDENT_ID].isin(member_set)]
    rest = df[~df[S.RESPONDENT_ID].isin(member_set) & df[S.SEGMENT].notna()]
    return SegmentView(
        study=study,
        segment=segment,
        pid=pid,
        members=members,
        member_set=member_set,
        mine=mine,
        rest=rest,
        n_text=int(mine[S.RESPONDENT_ID].nunique()),
        rest_text=int(rest[S.RESPONDENT_ID].nunique()),
        centre=study.ev.typicality(mine.index.tolist()),
        archetype=bool(
            "segment_source" in seg
            and (seg.loc[seg[S.SEGMENT] == segment, "segment_source"] == "archetype").any()
        ),
    )
