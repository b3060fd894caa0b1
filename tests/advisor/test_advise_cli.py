"""``modelcat advise``: flags, answers files, questions on a terminal, output formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.cli.main import app
from catalog.errors import ExitCode

runner = CliRunner()
MACHINE = ["--memory", "16GB", "--gpu-memory", "24GB"]


def run(*args: str, **kwargs: Any) -> Any:
    return runner.invoke(app, ["advise", *args], **kwargs)


def run_json(*args: str) -> dict[str, Any]:
    result = run(*args, *MACHINE, "--format", "json")
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def test_flags_give_a_plan_in_json(configured: Path) -> None:
    doc = run_json("--task", "classification", "--examples", "50K", "--on-prem", "--top", "3")
    assert doc["approach"] in ("lora", "qlora")
    assert doc["inputs"]["examples"] == 50_000 and doc["inputs"]["on_prem"] is True
    assert len(doc["shortlist"]) == 3
    for entry in doc["shortlist"]:
        assert entry["access"] != "api" and entry["license_verdict"] != "forbidden"
        assert entry["fit"]["level"] in ("fits", "tight") and entry["fit"]["device"] == "gpu:0"
    assert doc["intended_use"]["modify"] is True
    assert [a["approach"] for a in doc["alternatives"]].count(doc["approach"]) == 0


def test_documents_flip_the_plan_to_retrieval(configured: Path) -> None:
    assert run_json("--task", "domain-qa", "--examples", "0", "--documents")["approach"] == "rag"
    assert run_json("--task", "domain-qa", "--examples", "0")["approach"] == "prompt-engineering"


def test_an_answers_file_is_read_and_flags_win(tmp_path: Path, configured: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "task: classification\nexamples: 20\non-prem: true\nbudget: 40h\n", encoding="utf-8"
    )
    doc = run_json("--answers", str(answers))
    assert doc["approach"] == "few-shot" and doc["inputs"]["budget"] == "medium"
    assert all(entry["access"] != "api" for entry in doc["shortlist"])
    assert run_json("--answers", str(answers), "--examples", "50000")["approach"] in (
        "lora",
        "qlora",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("task: chat\nexamples: many\n", "field 'examples' must be a whole number"),
        ("task: chat\nexample: 5\n", "unknown field 'example'"),
        ("task: chat\nexamples: 5\non_prem: maybe\n", "field 'on_prem' must be true or false"),
        ("task: chat\nexamples: 5\nbudget: lots\n", "field 'budget'"),
        ("- task\n- chat\n", "must be a mapping"),
        ("task: [chat\n", "is not valid YAML"),
    ],
)
def test_a_bad_answers_file_exits_2_naming_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(text, encoding="utf-8")
    result = run("--answers", str(answers), *MACHINE)
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_answers_without_a_terminal_name_the_flag() -> None:
    result = run("--examples", "3", *MACHINE)
    assert result.exit_code == ExitCode.USAGE
    assert "missing --task" in result.stderr
    result = run("--task", "chat", *MACHINE)
    assert "missing --examples" in result.stderr


def test_bad_flags_exit_2() -> None:
    result = run("--task", "chat", "--examples", "5", "--budget", "lots", *MACHINE)
    assert result.exit_code == ExitCode.USAGE and "--budget must be" in result.stderr
    result = run("--task", "chat", "--examples", "-5", *MACHINE)
    assert result.exit_code == ExitCode.USAGE and "--examples" in result.stderr
    result = run("--task", "chat", "--examples", "5", "--gpu-memory", "lots")
    assert result.exit_code == ExitCode.USAGE and "invalid --gpu-memory" in result.stderr


def test_questions_are_asked_for_what_is_missing(configured: Path) -> None:
    answers = "classify support emails by product\n5000\nn\ny\n40h\n"
    result = run("--interactive", *MACHINE, "--format", "json", input=answers)
    assert result.exit_code == 0, result.output
    # the test runner echoes typed answers to stdout, where a terminal would echo them itself
    doc = json.loads(result.stdout[result.stdout.index("{") :])
    assert doc["inputs"]["task"] == "classification"
    assert doc["inputs"]["examples"] == 5000 and doc["inputs"]["on_prem"] is True
    assert doc["approach"] in ("lora", "qlora")
    assert "How many labelled examples" in result.stderr


def test_the_card_shows_reasons_alternatives_and_shortlist(configured: Path) -> None:
    result = run("--task", "classification", "--examples", "50000", "--on-prem", *MACHINE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Recommended: ")
    for text in (
        "Why, step by step:",
        "1. use case:",
        "Pros:",
        "Cons:",
        "alternatives",
        "shortlist for",
    ):
        assert text in out
    md = run("--task", "chat", "--examples", "20", *MACHINE, "--format", "md").stdout
    assert md.startswith("## Recommended: few-shot") and "| model | score |" in md
    csv = run("--task", "chat", "--examples", "20", *MACHINE, "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("model,score,trainable")


def test_vendor_routes_show_their_prices(configured: Path) -> None:
    result = run(
        "--task", "summarization", "--examples", "5000", "--memory", "8GB", "--gpu-memory", "0"
    )
    assert result.exit_code == 0, result.output
    assert "Recommended: vendor-finetune" in result.stdout
    assert any(text in result.stdout for text in ("to train", "/M in", "price unknown"))
