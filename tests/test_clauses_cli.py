"""``consortium clauses`` and ``consortium redline`` (agreements.cli.clauses)."""

import copy
from decimal import Decimal
from pathlib import Path

import docx
import pandas as pd
import yaml

from agreements.cli import main
from agreements.scenario.loader import safe_load

BAOSHAN = Path(__file__).resolve().parent.parent / "scenarios" / "baoshan_medical_devices.yaml"


def test_clauses_docx_bilingual(tmp_path, capsys):
    out = tmp_path / "clauses.docx"
    assert main(["clauses", str(BAOSHAN), "--lang", "zh+en", "-o", str(out)]) == 0
    doc = docx.Document(str(out))
    assert len(doc.tables) == 10 + 5
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert "条款内容" in header and "Rule" in header
    assert "wrote" in capsys.readouterr().err


def test_clauses_jurisdiction_option(capsys):
    assert main(["clauses", str(BAOSHAN), "--jurisdiction", "eu", "--format", "md"]) == 0
    assert "Horizon Europe" in capsys.readouterr().out


def test_clauses_csv_to_stdout_round_trips(tmp_path, capsys):
    assert main(["clauses", str(BAOSHAN), "--format", "csv", "--lang", "zh"]) == 0
    text = capsys.readouterr().out
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    back = pd.read_csv(tmp_path / "t.csv", index_col=0, dtype=str, keep_default_na=False)
    assert back.index.name == "条款" and back.loc["9.1", "标题"] == "分配规则"


def test_clauses_single_schedule_with_total(capsys):
    assert main(["clauses", str(BAOSHAN), "--table", "revenue_shares", "--total", "999.99",
                 "--format", "md"]) == 0
    out = capsys.readouterr().out
    # 55/20/15/10 of 999.99 to the cent: 549.99 + 200.00 + 150.00 + 100.00 = 999.99
    for amount in ("CNY 549.99", "CNY 200.00", "CNY 150.00", "CNY 100.00", "CNY 999.99"):
        assert f"| {amount} |" in out


def test_clauses_usage_and_input_errors(tmp_path, capsys):
    assert main(["clauses", str(BAOSHAN), "--format", "docx"]) == 2
    assert "give -o OUT" in capsys.readouterr().err
    assert main(["clauses", str(BAOSHAN), "-o", str(tmp_path / "x.pdf")]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: x\n", encoding="utf-8")
    assert main(["clauses", str(bad)]) == 1
    assert "bad.yaml" in capsys.readouterr().err


def test_redline_between_versions(tmp_path, capsys):
    data = safe_load(BAOSHAN.read_text("utf-8"))
    new = copy.deepcopy(data)
    new["default"]["forfeit_share"] = 0.25
    path = tmp_path / "v2.yaml"
    path.write_text(yaml.safe_dump(new, allow_unicode=True), encoding="utf-8")
    assert main(["redline", str(BAOSHAN), str(path), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert "<del>50%</del><ins>25%</ins>" in out  # the forfeit clause, tracked
    assert main(["redline", str(BAOSHAN), str(BAOSHAN), "--format", "md"]) == 0
    assert "agree clause for clause" in capsys.readouterr().err


def test_clauses_with_a_computed_rule(capsys):
    """--method states the shares of a computed rule (here Shapley on the Lingang EDA
    scenario), summing to exactly 100.00%."""
    path = BAOSHAN.parent / "lingang_eda.yaml"
    assert main(["clauses", str(path), "--method", "shapley", "--table", "revenue_shares",
                 "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = [line.split(",") for line in out.strip().splitlines()[1:]]
    shares = [r[-1] for r in rows]
    assert shares[-1] == "100.00%"
    assert sum(Decimal(x.rstrip("%")) for x in shares[:-1]) == Decimal("100.00")
