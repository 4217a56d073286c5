"""REFI-QDA project export (.qdpx), the exchange standard of NVivo, ATLAS.ti, MAXQDA and
QualCoder, and a reader for the projects it writes (and other tools' .qdpx / .qdc codes).

A ``.qdpx`` is a zip holding ``project.qde`` (XML in the ``urn:QDA-XML:project:1.0``
namespace, REFI-QDA Project.xsd of 18 March 2019) and ``Sources/<guid>.txt``, the plain
text of each source. :func:`write_qdpx` writes:

* **sources**: one text document per transcript file (every turn, interviewer turns
  included as context, each line led by its speaker label) and one per survey or review
  respondent (each answer led by its question); the study's records in their order;
* **code system**: ``Themes`` (one code per topic, outliers left out), ``Pain points``
  (one code per pain type of the units flagged as pain points) and, when the study has a
  ``pain_themes`` table, ``Pain themes``;
* **coded selections**: every customer evidence unit as a ``PlainTextSelection`` with its
  character offsets in the source text (Unicode code points, end exclusive, the unit's
  ``unit_id`` as its name) coded with its theme, pain type and pain theme;
* **cases**: one per persona, with its summary, references to the sources of its members
  and to the selections of their units.

GUIDs are derived from the study content (uuid5), so the same study gives the same file.
"""

from insight.qdpx.codes import (
    CODES_META,
    SEED_MIN_SHARE,
    SEED_MIN_UNITS,
    codes_stage,
    compare_codes,
    match_selections,
    qda_inputs,
    seed_theme_labels,
)
from insight.qdpx.read import QdaProject, read_codes_csv, read_qdpx, validate_qde
from insight.qdpx.write import CODEBOOK_NS, NS, QdpxResult, write_qdpx

__all__ = [
    "CODEBOOK_NS",
    "CODES_META",
    "NS",
    "SEED_MIN_SHARE",
    "SEED_MIN_UNITS",
    "QdaProject",
    "QdpxResult",
    "codes_stage",
    "compare_codes",
    "match_selections",
    "qda_inputs",
    "read_codes_csv",
    "read_qdpx",
    "seed_theme_labels",
    "validate_qde",
    "write_qdpx",
]
