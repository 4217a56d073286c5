"""`insight evidence`: the verbatim quotes behind any persona, claim, pain point, term or topic."""

from __future__ import annotations

import click

from insight.cli._common import run_library


@click.command(
    "evidence",
    epilog=(
        "\b\nExamples:\n"
        "  insight evidence out/study --persona P1\n"
        "  insight evidence out/study --claim P2.pain_point.reliability-quality\n"
        '  insight evidence out/study/study.duckdb --term "descaling" --persona P3 --limit 5'
    ),
)
@click.argument("store", type=click.Path(exists=True))
@click.option("--persona", default=None, help="Persona id, e.g. P1.")
@click.option("--claim", default=None, help="Any claim id shown in report.html / personas.json.")
@click.option(
    "--pain-point", default=None, help="Pain-point claim id, or a pain type (price/value)."
)
@click.option("--term", default=None, help="A vocabulary term or any word or phrase.")
@click.option("--topic", default=None, help="Topic id.")
@click.option("--respondent", default=None, help="Respondent id.")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(min=0), help="Quotes to print."
)
@click.option(
    "--no-redact",
    is_flag=True,
    help="Show quotes verbatim (by default e-mails, phones, card/NHS numbers, addresses, "
    "postcodes and names are masked).",
)
def evidence_cmd(
    store: str,
    persona: str | None,
    claim: str | None,
    pain_point: str | None,
    term: str | None,
    topic: str | None,
    respondent: str | None,
    limit: int,
    no_redact: bool,
) -> None:
    """Print the customer quotes in STORE matching all given filters.

    STORE is the study.duckdb written by `insight run`, or the output folder
    holding it. Each quote shows its source file, respondent and location, so
    it can be found in the original data.
    """
    from insight.personas import find_evidence
    from insight.pii import pseudonymise, redact_many, redaction
    from insight.store import Store
    from insight.study import store_path

    # one switch for everything shown, the quote selection's own masking included
    with redaction(not no_redact):
        with run_library(Store, store_path(store), read_only=True) as st:
            res = run_library(
                find_evidence,
                st,
                persona=persona,
                claim=claim,
                pain_point=pain_point,
                term=term,
                topic=topic,
                respondent=respondent,
                limit=limit,
            )
        header = redact_many(res.header)
        texts = redact_many([q.text for q in res.quotes])
        ids = [pseudonymise(q.respondent_id) for q in res.quotes]
    for line in header:
        click.echo(line)
    shown = len(res.quotes)
    click.echo(
        f"{res.total} matching customer statement{'s' if res.total != 1 else ''}"
        + (f" (showing {shown})" if shown < res.total else "")
    )
    for q, text, rid in zip(res.quotes, texts, ids, strict=True):
        click.echo("")
        click.echo(f"  “{text}”")
        click.echo(f"      {q.source} · respondent {rid} · {q.location} · unit {q.unit_id}")


COMMANDS = [evidence_cmd]
