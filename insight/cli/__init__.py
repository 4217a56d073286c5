"""The `insight` command line: a thin click layer over the library.

Each feature's commands live in their own module under ``insight.cli`` and
import heavy libraries only inside the command body, so `insight --help`
answers at once.
"""

from __future__ import annotations

import click

from insight import __version__
from insight.cli._common import run_library


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example:  insight run samples/ --out out/study",
)
@click.version_option(__version__, prog_name="insight")
def main() -> None:
    """insight: evidence-backed personas from surveys, interviews and reviews - offline.

    Every number it shows can be traced to the verbatim quotes behind it.
    """


# One module per feature under insight.cli, each exposing COMMANDS.
_FEATURES = (
    "run",
    "ingest",
    "annotate",
    "segment",
    "topics",
    "vocabulary",
    "evidence",
    "export",
    "score",
)


def _register() -> None:
    import importlib

    for name in _FEATURES:
        module = importlib.import_module(f"insight.cli.{name}")
        for cmd in module.COMMANDS:
            main.add_command(cmd)


_register()

__all__ = ["main", "run_library"]
