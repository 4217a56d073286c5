"""Helpers shared by the CLI modules: turning library errors into one clean line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from insight.errors import InsightError

T = TypeVar("T")


def run_library(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a library function; an InsightError becomes a one-line ClickException."""
    try:
        return fn(*args, **kwargs)
    except InsightError as exc:
        raise click.ClickException(exc.format()) from None


def echo_table(df: Any, max_rows: int = 60) -> None:
    """Print a DataFrame as an aligned text table."""
    import pandas as pd

    with pd.option_context("display.max_rows", max_rows, "display.width", 160):
        click.echo(df.to_string(index=False))


#: Options shared by the commands that read study files.
schema_option = click.option(
    "--schema",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Column roles from `insight inspect`, edited.",
)


def interviewer_option_to(dest: str = "interviewer") -> Any:
    """``--interviewer NAME`` (repeatable), passed to the command as ``dest``."""
    return click.option(
        "--interviewer",
        dest,
        multiple=True,
        help="Speaker name marking interviewer turns (repeatable; 're:PATTERN' for a regex).",
    )


interviewer_option = interviewer_option_to()
#: Embedding model choice (commands that embed texts).
exact_embeddings_option = click.option(
    "--exact-embeddings",
    is_flag=True,
    help="Embed with the fp32 sentence-transformers MiniLM instead of its shipped int8 "
    "ONNX copy (default: ~3x faster on CPU, vectors within 0.999 cosine).",
)
#: Table files without a header row (commands that read one text column).
no_header_option = click.option(
    "--no-header",
    is_flag=True,
    help="The file has no header row: every row is data and columns are numbered "
    "1, 2, 3 ... (e.g. --no-header --text-column 1).",
)
#: The study folder written by `insight run` (or its study.duckdb).
study_argument = click.argument("study", type=click.Path(exists=True, path_type=Path))


def study_command(name: str, *examples: str) -> Callable[[Callable[..., Any]], click.Command]:
    """``@click.command(name)`` whose help ends with the example calls, one per line."""
    epilog = "\b\nExamples:\n" + "\n".join(f"  {e}" for e in examples)
    return click.command(name, epilog=epilog)


def out_option(help: str, *, required: bool = False, dir_okay: bool = True) -> Any:
    """``--out/-o PATH``: where a command writes (``dir_okay=False``: a file only)."""
    return click.option(
        "--out",
        "-o",
        type=click.Path(dir_okay=dir_okay, path_type=Path),
        default=None,
        required=required,
        help=help,
    )


def seed_option(what: str) -> Any:
    """``--seed N`` (default 0): the same seed gives the same ``what``."""
    return click.option(
        "--seed",
        default=0,
        show_default=True,
        type=int,
        help=f"Random seed: the same seed gives the same {what}.",
    )


def auto_int_option(name: str, help: str) -> Any:
    """``name`` taking "auto" (the default) or a whole number of at least 1, read by
    :func:`insight.config.parse_auto_int`, the one parser of such options (a bad value
    fails with its message and fix)."""

    def parse(_ctx: click.Context, _param: click.Parameter, value: str) -> int | str:
        from insight.config import parse_auto_int

        return run_library(parse_auto_int, value, name=name.lstrip("-"))

    return click.option(name, default="auto", show_default=True, callback=parse, help=help)


def choice_option(name: str, choices: Sequence[str], help: str) -> Any:
    """``name`` taking one of ``choices``; the first is the default, shown in --help."""
    return click.option(
        name, type=click.Choice(list(choices)), default=choices[0], show_default=True, help=help
    )
