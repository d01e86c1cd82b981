"""The diff gate's buildspec, run as CodeBuild runs it: its build commands in one bash shell,
with the pipeline's variables, a stand-in `aws` that answers describe-stacks and get-template
from a prepared stack, and the real formwork binary.

A deployed template that a fresh synth of prod would replace with data loss stops the gate;
ALLOW_DATA_LOSS=true lets it pass; a stack not deployed yet passes; the unchanged stack passes.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("FORMWORK_BIN", REPO / ".build/debug/formwork"))
if not BINARY.is_absolute():
    BINARY = REPO / BINARY

STAND_IN_AWS = """#!/usr/bin/env bash
# describe-stacks and get-template of one stack, from files beside this script.
here="$(cd "$(dirname "$0")" && pwd)"
case "$1 $2" in
  "cloudformation describe-stacks") [ -f "$here/status" ] || { echo "Stack does not exist" >&2; exit 254; }; cat "$here/status" ;;
  "cloudformation get-template") python3 -c 'import json,sys; print(json.dumps({"TemplateBody": open(sys.argv[1]).read(), "StagesAvailable": ["Original", "Processed"]}))' "$here/deployed.yaml" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
"""


def gate_commands() -> list[str]:
    spec = yaml.safe_load((REPO / "output/pipeline/buildspec-diff.yml").read_text(encoding="utf-8"))
    return spec["phases"]["build"]["commands"]


def run_gate(
    tmp_path: Path, deployed: str | None, allow_data_loss: str = "false", status: str = "UPDATE_COMPLETE"
) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "work"
    (work / ".venv-aws/bin").mkdir(parents=True)
    (work / "bin").mkdir()
    aws = work / ".venv-aws/bin/aws"
    aws.write_text(STAND_IN_AWS, encoding="utf-8")
    aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
    shutil.copy(BINARY, work / "bin/formwork")
    if deployed is not None:
        (work / ".venv-aws/bin/deployed.yaml").write_text(deployed, encoding="utf-8")
        (work / ".venv-aws/bin/status").write_text(status + "\n", encoding="utf-8")
    env = dict(os.environ, ENVIRONMENT="prod", STACK_NAME="taskmanagement-prod", FAIL_ON="data-loss", ALLOW_DATA_LOSS=allow_data_loss)
    # CodeBuild runs a phase's commands in one shell, stopping at the first that fails.
    script = "set -e\n" + "\n".join(gate_commands()) + "\n"
    return subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=120)


def prod_template() -> str:
    return (REPO / "output/prod/template.yaml").read_text(encoding="utf-8")


def test_the_deployed_stack_unchanged_passes(tmp_path: Path) -> None:
    result = run_gate(tmp_path, prod_template())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_data_loss_stops_the_gate_and_says_why(tmp_path: Path) -> None:
    # Deployed with a table named otherwise and no Retain policy: the fresh synth replaces it.
    deployed = prod_template().replace("TableName: taskmgmt-prod-tasks", "TableName: taskmgmt-prod-work")
    deployed = deployed.replace("  TasksTable:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n",
                                "  TasksTable:\n    Type: AWS::DynamoDB::Table\n")
    assert deployed.count("taskmgmt-prod-work") == 1 and "  TasksTable:\n    Type: AWS::DynamoDB::Table\n    Properties" in deployed
    result = run_gate(tmp_path, deployed)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DATA LOSS" in result.stdout and "TasksTable" in result.stdout


def test_allow_data_loss_lets_it_pass_with_the_report(tmp_path: Path) -> None:
    deployed = prod_template().replace("TableName: taskmgmt-prod-tasks", "TableName: taskmgmt-prod-work")
    deployed = deployed.replace("  TasksTable:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n",
                                "  TasksTable:\n    Type: AWS::DynamoDB::Table\n")
    result = run_gate(tmp_path, deployed, allow_data_loss="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DATA LOSS" in result.stdout


def test_a_stack_not_deployed_yet_passes(tmp_path: Path) -> None:
    result = run_gate(tmp_path, None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "added" in result.stdout


def test_a_first_change_set_under_review_counts_as_not_deployed(tmp_path: Path) -> None:
    # CloudFormation creates the stack in REVIEW_IN_PROGRESS with a first change set; its
    # template is empty until the change set runs.
    result = run_gate(tmp_path, "", status="REVIEW_IN_PROGRESS")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "added" in result.stdout


def test_the_pipeline_passes_the_variables_the_gate_reads() -> None:
    template = json.loads(subprocess.run(
        [sys_python(), "-c", "import json,sys; from cfnlint.decode import decode; t,_=decode(sys.argv[1]); print(json.dumps(t))",
         str(REPO / "output/pipeline/template.yaml")], capture_output=True, text=True, check=True).stdout)
    stages = template["Resources"]["TaskManagementDelivery"]["Properties"]["Stages"]
    gate = next(a for s in stages for a in s["Actions"] if a["Name"] == "DiffGate")
    variables = {v["name"]: v["value"] for v in json.loads(gate["Configuration"]["EnvironmentVariables"])}
    assert variables == {"ENVIRONMENT": "prod", "STACK_NAME": "taskmanagement-prod", "FAIL_ON": "data-loss",
                         "ALLOW_DATA_LOSS": "#{variables.AllowDataLoss}"}
    referenced = " ".join(gate_commands())
    for name in variables:
        assert f"${name}" in referenced or f'"${name}"' in referenced


def sys_python() -> str:
    import sys
    return sys.executable
