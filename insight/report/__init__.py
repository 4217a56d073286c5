"""The study's outputs: report.html, personas.md / personas.json and flat tables.

``write_outputs`` is what ``insight run`` calls after the personas are built.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from insight.personas import Persona, StudyTables


def write_outputs(
    personas: Sequence[Persona],
    tables: StudyTables,
    out_dir: str | Path,
    run_info: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write every output file of a study into ``out_dir``.

    Args:
        personas: from :func:`insight.personas.build_personas`.
        tables: the tables the personas were built from.
        out_dir: the output folder (created when missing).
        run_info: the run record (row accounting under ``inputs``, ``seed``, ``timings_s``,
            ``counts``, ``models``, ``created``, ``insight_version``); shown in the report.

    Returns:
        Output name -> path: report, personas_md, personas_json, units, pain_points,
        vocabulary, topics, segments.
    """
    from insight.report.exports import write_personas_json, write_personas_md, write_tables
    from insight.report.html import write_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run_info = dict(run_info or {})
    store_hint = str(run_info.get("store_hint") or out)
    paths = {
        "report": write_report(personas, tables, out / "report.html", run_info, store_hint),
        "personas_md": write_personas_md(personas, out / "personas.md", run_info),
        "personas_json": write_personas_json(personas, out / "personas.json", run_info),
    }
    paths.update(write_tables(tables, personas, out))
    return paths


__all__ = ["write_outputs"]
