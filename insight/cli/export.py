"""`insight export`: a study's contacts as CRM / email-tool import files, or a REFI-QDA project."""

from __future__ import annotations

from pathlib import Path

import click

from insight.cli._common import out_option, run_library, study_argument, study_command

#: Audience targets (insight.audiences.TOOLS) plus the REFI-QDA project.
TARGETS = [
    "hubspot",
    "salesforce",
    "mailchimp",
    "mailerlite",
    "brevo",
    "getresponse",
    "aweber",
    "omnisend",
    "convertkit",
    "agilecrm",
    "csv",
    "qdpx",
]


@study_command(
    "export",
    "insight export out/study --to mailchimp            # out/study/mailchimp_contacts.csv",
    "insight export out/study --to hubspot --persona P2 --out p2_hubspot.csv",
    "insight export out/study --to qdpx --out study.qdpx  # NVivo, ATLAS.ti, MAXQDA, QualCoder",
)
@study_argument
@click.option(
    "--to",
    "target",
    type=click.Choice(TARGETS, case_sensitive=False),
    required=True,
    help="The tool whose import file to write (qdpx = REFI-QDA project).",
)
@out_option("File or folder to write (default: the study folder).")
@click.option(
    "--persona",
    "personas",
    multiple=True,
    help="Only contacts of this persona id (repeatable). Audience targets only.",
)
def export_cmd(study: Path, target: str, out: Path | None, personas: tuple[str, ...]) -> None:
    """Write STUDY's contacts in the import format of a CRM or email tool, or the whole
    coded study as a REFI-QDA project (.qdpx).

    STUDY is the folder written by `insight run` (or its study.duckdb). Audience files
    hold one row per respondent with an email address: the tool's own columns for email
    and name, plus a tag or custom-field column with the persona and segment. Nothing is
    sent anywhere: upload the file in the tool's contact import.
    """
    from insight.store import Store
    from insight.study import store_path

    target = target.lower()
    db = store_path(study)
    folder = db.parent
    with run_library(Store, db, read_only=True) as store:
        if target == "qdpx":
            from insight.qdpx import write_qdpx

            if personas:
                raise click.UsageError("--persona applies to audience exports, not qdpx")
            path = out or folder / "study.qdpx"
            if path.suffix.lower() != ".qdpx":
                path = path / "study.qdpx"
            res = run_library(write_qdpx, store, path)
            click.echo(
                f"wrote {res.path}: {res.sources} sources, {res.codes} codes, "
                f"{res.selections} coded selections, {res.cases} cases (personas)"
            )
            for w in res.warnings:
                click.echo(f"warning: {w}", err=True)
            return
        from insight.audiences import TOOLS, export_audience

        res_a = run_library(
            export_audience, store, target, out or folder, personas=list(personas) or None
        )
    fmt = TOOLS[res_a.tool]
    cc = res_a.contact_columns
    names = ", ".join(c for c in (cc.first_name, cc.last_name, cc.full_name) if c) or "none"
    click.echo(f"contact columns: email {cc.email}; names {names}")
    click.echo(
        f"wrote {res_a.rows} contacts for {fmt.label} to {res_a.path} "
        f"(columns: {', '.join(fmt.columns())})"
    )
    left = res_a.respondents - res_a.rows
    if left:
        click.echo(
            f"left out {left} of {res_a.respondents} respondents: {res_a.without_email} without "
            f"an email, {res_a.invalid_email} not a valid address, "
            f"{res_a.duplicate_email} repeated address"
            + (
                f", {left - res_a.without_email - res_a.invalid_email - res_a.duplicate_email}"
                " not in the chosen personas"
                if personas
                else ""
            )
        )
    for w in res_a.warnings:
        click.echo(f"warning: {w}", err=True)
    if fmt.notes:
        click.echo(f"import: {fmt.notes}")


@study_command(
    "codes",
    "insight codes out/study coded_in_nvivo.qdpx",
    "insight codes out/study project.qdpx --out code_vs_theme.csv",
)
@study_argument
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@out_option("Also write the per-code table as CSV.", dir_okay=False)
def codes_cmd(study: Path, project: Path, out: Path | None) -> None:
    """Compare the researchers' codes in PROJECT (a REFI-QDA .qdpx from NVivo, ATLAS.ti,
    MAXQDA or QualCoder, or a .qdc codebook) with STUDY's themes and pain points.

    Each coded selection is matched to the study's customer statements (by unit id for a
    project `insight export --to qdpx` wrote, else by text); per code it prints how many
    statements matched, the theme holding most of them (and its share) and the share
    flagged as pain points, plus the agreement of codes and themes (adjusted mutual
    information) over statements with one code.
    """
    from insight.qdpx import compare_codes
    from insight.report.safe import write_csv_safe
    from insight.store import Store
    from insight.study import store_path

    with run_library(Store, store_path(study), read_only=True) as store:
        table, summary = run_library(compare_codes, store, project)
    click.echo(
        f"{summary['codes']} codes, {summary['coded_selections']} coded selections; "
        f"{summary['units_matched']} of {summary['customer_units']} customer statements matched"
    )
    if "ami_code_vs_theme" in summary:
        click.echo(
            f"code vs theme agreement (adjusted mutual information, "
            f"{summary['units_with_one_code']} statements with one code): "
            f"{summary['ami_code_vs_theme']:.3f}"
        )
    if len(table):
        from insight.cli._common import echo_table

        echo_table(table)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv_safe(table, out)
        click.echo(f"wrote {len(table)} rows to {out}")


COMMANDS = [export_cmd, codes_cmd]
