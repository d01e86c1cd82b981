"""The diff gate's buildspec, run as CodeBuild runs it: its build commands in one bash shell,
with the pipeline's variables, a stand-in `aws` that answers describe-stacks and get-template
from a prepared stack, the build's packaged template, and the real formwork binary.

The gate compares the packaged template (code in S3, as `sam package` writes it) with the
deployed one. The unchanged stack passes with nothing to report; new code alone passes, with
the functions' code shown as updated. A deployed template that prod's would replace with data
loss stops the gate, unless the approval decides (then the verdict is exported for it) or
ALLOW_DATA_LOSS=true; a stack not deployed yet passes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
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


def gate_spec() -> dict:
    return yaml.safe_load((REPO / "output/pipeline/buildspec-diff.yml").read_text(encoding="utf-8"))


def gate_commands() -> list[str]:
    return gate_spec()["phases"]["build"]["commands"]


def exported_variables() -> list[str]:
    return gate_spec()["env"]["exported-variables"]


def exported(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.removeprefix("EXPORTED ").split("=", 1) for line in result.stdout.splitlines() if line.startswith("EXPORTED "))


def with_data_loss(template: str) -> str:
    """The deployed stack with the tasks table named otherwise and without Retain: prod replaces it."""
    deployed = template.replace("TableName: taskmgmt-prod-tasks", "TableName: taskmgmt-prod-work")
    deployed = deployed.replace("  TasksTable:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n",
                                "  TasksTable:\n    Type: AWS::DynamoDB::Table\n")
    assert deployed.count("taskmgmt-prod-work") == 1 and "  TasksTable:\n    Type: AWS::DynamoDB::Table\n    Properties" in deployed
    return deployed


def packaged(template: str, build: str = "1") -> str:
    """What `sam package` makes of a template: each local CodeUri becomes the S3 object its zip
    was uploaded to, named by the zip's MD5 (here, of the path and a build number standing for
    the zip's bytes)."""
    def upload(match: re.Match[str]) -> str:
        digest = hashlib.md5(f"{match.group(2)}#{build}".encode()).hexdigest()
        return f"{match.group(1)}s3://taskmanagement-artifacts/taskmanagement-prod/{digest}"
    result, count = re.subn(r"^(\s+CodeUri: )(\S+\.zip)$", upload, template, flags=re.M)
    assert count == 4, count
    return result


def run_gate(
    tmp_path: Path, deployed: str | None, allow_data_loss: str = "false", status: str = "UPDATE_COMPLETE",
    approval_decides: str = "false", new: str | None = None,
) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "work"
    (work / ".venv-aws/bin").mkdir(parents=True)
    (work / "bin").mkdir()
    (work / "packaged").mkdir()
    (work / "packaged/prod.yaml").write_text(new or packaged(prod_template()), encoding="utf-8")
    aws = work / ".venv-aws/bin/aws"
    aws.write_text(STAND_IN_AWS, encoding="utf-8")
    aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
    shutil.copy(BINARY, work / "bin/formwork")
    if deployed is not None:
        (work / ".venv-aws/bin/deployed.yaml").write_text(deployed, encoding="utf-8")
        (work / ".venv-aws/bin/status").write_text(status + "\n", encoding="utf-8")
    env = dict(os.environ, ENVIRONMENT="prod", STACK_NAME="taskmanagement-prod", FAIL_ON="data-loss", ALLOW_DATA_LOSS=allow_data_loss,
               APPROVAL_DECIDES=approval_decides, AWS_REGION="eu-west-1", CODEBUILD_BUILD_ID="taskmanagement-pipeline-diff-gate:0b1c-42")
    # CodeBuild runs a phase's commands in one shell, stopping at the first that fails, and
    # publishes the exported variables the buildspec names: read here from a child's environment.
    names = "|".join(exported_variables())
    script = "set -e\n" + "\n".join(gate_commands()) + f"\nenv | grep -E '^({names})=' | sed 's/^/EXPORTED /'\n"
    return subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=120)


def prod_template() -> str:
    return (REPO / "output/prod/template.yaml").read_text(encoding="utf-8")


def test_the_deployed_stack_unchanged_passes_with_nothing_to_report(tmp_path: Path) -> None:
    result = run_gate(tmp_path, packaged(prod_template()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Resources" not in result.stdout and "CodeUri" not in result.stdout
    assert exported(result) == {
        "VERDICT": "passes at data-loss: no difference",
        "REPORT_URL": "https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/projects/taskmanagement-pipeline-diff-gate/build/"
                      "taskmanagement-pipeline-diff-gate%3A0b1c-42/?region=eu-west-1"}


def test_new_code_alone_shows_as_the_functions_code_and_passes(tmp_path: Path) -> None:
    result = run_gate(tmp_path, packaged(prod_template(), build="1"), new=packaged(prod_template(), build="2"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("CodeUri") == 4 and "DATA LOSS" not in result.stdout
    assert exported(result)["VERDICT"].startswith("passes at data-loss: 0 added, 0 removed, 4 modified; 0 replaced, 0 with data loss")


def test_the_unpackaged_synth_is_not_what_the_gate_compares(tmp_path: Path) -> None:
    # The gate reads the build's packaged template: a local CodeUri in it would show here.
    result = run_gate(tmp_path, packaged(prod_template()))
    assert ".zip" not in result.stdout
    assert any("--template \"packaged/$ENVIRONMENT.yaml\"" in command for command in gate_commands())


def test_data_loss_stops_the_gate_and_says_why(tmp_path: Path) -> None:
    result = run_gate(tmp_path, with_data_loss(packaged(prod_template())))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DATA LOSS" in result.stdout and "TasksTable" in result.stdout
    assert "EXPORTED" not in result.stdout


def test_when_the_approval_decides_the_gate_hands_it_the_verdict(tmp_path: Path) -> None:
    result = run_gate(tmp_path, with_data_loss(packaged(prod_template())), approval_decides="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DATA LOSS" in result.stdout and "TasksTable" in result.stdout
    verdict = exported(result)["VERDICT"]
    assert verdict.startswith("STOPS at data-loss, the approval decides: ") and "1 with data loss" in verdict, verdict


def test_when_the_approval_decides_an_error_still_stops(tmp_path: Path) -> None:
    result = run_gate(tmp_path, packaged(prod_template()), approval_decides="true", new="Resources: [not, a, map")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "EXPORTED" not in result.stdout


def test_allow_data_loss_lets_it_pass_with_the_report(tmp_path: Path) -> None:
    result = run_gate(tmp_path, with_data_loss(packaged(prod_template())), allow_data_loss="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DATA LOSS" in result.stdout
    assert exported(result)["VERDICT"].startswith("passes at none: ")


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
                         "ALLOW_DATA_LOSS": "#{variables.AllowDataLoss}", "APPROVAL_DECIDES": "true"}
    referenced = " ".join(gate_commands())
    for name in variables:
        assert f"${name}" in referenced or f'"${name}"' in referenced
    # The approval after the gate reads exactly the variables the gate exports, in its namespace.
    approval = next(a for s in stages for a in s["Actions"] if a["Name"] == "Approval")
    assert gate["RunOrder"] < approval["RunOrder"]
    used = re.findall(r"#\{([^.}]+)\.([^}]+)\}", json.dumps(approval["Configuration"]))
    assert {namespace for namespace, _ in used} == {gate["Namespace"]}
    assert {name for _, name in used} == set(exported_variables())
    for value in approval["Configuration"].values():
        assert len(json.dumps(value)) <= 1000, "CodePipeline's limit for a configuration field"


def test_the_build_zips_the_bootstrap_the_bootstrap_project_built() -> None:
    template = json.loads(subprocess.run(
        [sys_python(), "-c", "import json,sys; from cfnlint.decode import decode; t,_=decode(sys.argv[1]); print(json.dumps(t))",
         str(REPO / "output/pipeline/template.yaml")], capture_output=True, text=True, check=True).stdout)
    resources = template["Resources"]
    build_stage = next(s for s in resources["TaskManagementDelivery"]["Properties"]["Stages"] if s["Name"] == "Build")
    bootstrap, build = build_stage["Actions"]
    artifact = bootstrap["OutputArtifacts"][0]["Name"]
    assert bootstrap["RunOrder"] < build["RunOrder"] and {"Name": artifact} in build["InputArtifacts"]
    assert build["Configuration"]["PrimarySource"] == "SourceOutput"
    project = resources[bootstrap["Configuration"]["ProjectName"]["Ref"]]["Properties"]
    assert project["Environment"]["Image"] == {"Ref": "BootstrapImage"} and project["Environment"]["Type"] == "ARM_CONTAINER"
    assert "amazonlinux2" in template["Parameters"]["BootstrapImage"]["Default"]
    spec = yaml.safe_load((REPO / project["Source"]["BuildSpec"]).read_text(encoding="utf-8"))
    [made] = spec["artifacts"]["files"]
    build_spec = yaml.safe_load((REPO / "output/pipeline/buildspec-build.yml").read_text(encoding="utf-8"))
    package = next(c for c in build_spec["phases"]["build"]["commands"] if "formwork package" in c)
    assert f'--bootstrap "$CODEBUILD_SRC_DIR_{artifact}/{made}"' in package


def sys_python() -> str:
    import sys
    return sys.executable


def test_a_long_verdict_is_cut_to_fit_the_approval_message() -> None:
    # The approval's CustomData, once resolved, must stay under CodePipeline's 1,000 characters.
    [cut] = [c for c in gate_commands() if c.startswith("export VERDICT=")]
    script = f'VERDICT="{"x" * 700}"\n{cut}\nprintf %s "$VERDICT" | wc -c\n'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert int(result.stdout.strip()) == 300
