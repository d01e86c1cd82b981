#!/usr/bin/env python3
"""Validate emitted CloudFormation/SAM templates with the real AWS validators.

For every environment found under DIR (either DIR/<env>/template.yaml, as
`formwork synth` writes them, or DIR/<env>.yaml, as in scripts/reference/):

  1. cfn-lint on the template                 -> 0 errors and 0 warnings
                                                 (informational findings are ignored)
  2. SAM transform, the way `sam package` + `sam deploy` feed it to
     CloudFormation: every local CodeUri/ContentUri/DefinitionUri becomes an
     s3:// URI first; no AWS credentials are needed
  3. cfn-lint on the transformed template     -> 0 errors
  4. tags: every taggable resource of the transformed template carries
     Project, Environment (= the environment name), Owner and CostCenter
  5. checkov on the template, and 6. on the transformed template
     (only for the environments in --checkov-env, prod by default) -> 0 failed

One line per check, then a last line "N passed, M failed". Exit status 0 when
nothing failed, 1 when a check failed, 2 when there was nothing to check.

Requires cfn-lint and aws-sam-translator in the running interpreter
(scripts/install-test-deps.sh installs the pinned versions) and a checkov
executable (default: .venv-checkov/bin/checkov in the repository).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REQUIRED_TAGS = ("Project", "Environment", "Owner", "CostCenter")
# Tag properties by name, in the order they are looked up in a resource schema.
TAG_PROPERTIES = ("Tags", "UserPoolTags", "IdentityPoolTags", "ResourceTags")
# Properties that `sam package` uploads and replaces with an s3:// URI.
PACKAGED_PROPERTIES = {
    "AWS::Serverless::Function": ["CodeUri"],
    "AWS::Serverless::LayerVersion": ["ContentUri"],
    "AWS::Serverless::Api": ["DefinitionUri"],
    "AWS::Serverless::HttpApi": ["DefinitionUri"],
    "AWS::Serverless::StateMachine": ["DefinitionUri"],
    "AWS::Serverless::GraphQLApi": ["SchemaUri"],
}
ARTIFACT_BUCKET = "formwork-artifacts"
# cfn-lint has no `python -m` entry point; run its console-script main in this interpreter.
CFN_LINT_MAIN = "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())"


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def record(self, ok: bool, env: str, name: str, detail: str, findings: list[str] | None = None) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {env}: {name}: {detail}", flush=True)
        if findings:
            limit = 40
            for line in findings[:limit]:
                print(f"    {line}")
            if len(findings) > limit:
                print(f"    ... and {len(findings) - limit} more")
        return ok


def discover(directory: Path) -> dict[str, Path]:
    """DIR/<env>/template.yaml when there is any, else DIR/<env>.yaml."""
    children = sorted(directory.iterdir())
    nested = {c.name: c / "template.yaml" for c in children if c.is_dir() and (c / "template.yaml").is_file()}
    if nested:
        return nested
    return {c.stem: c for c in children if c.is_file() and c.suffix == ".yaml"}


def run_cfn_lint(path: Path, region: str) -> tuple[list[dict[str, Any]], str]:
    """Runs cfn-lint in this interpreter; returns its findings (JSON) and stderr."""
    proc = subprocess.run(
        [sys.executable, "-c", CFN_LINT_MAIN, "--format", "json", "--regions", region, "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        return [{"Level": "Error", "Rule": {"Id": "cfn-lint"}, "Message": proc.stdout.strip() or proc.stderr.strip()}], proc.stderr
    if proc.returncode not in (0, 2, 4, 6, 8, 10, 12, 14):
        findings.append({"Level": "Error", "Rule": {"Id": "cfn-lint"}, "Message": f"exit status {proc.returncode}: {proc.stderr.strip()}"})
    return findings, proc.stderr


def describe(finding: dict[str, Any]) -> str:
    rule = finding.get("Rule", {}).get("Id", "?")
    loc = finding.get("Location", {})
    path = "/".join(str(p) for p in loc.get("Path", []) or [])
    line = loc.get("Start", {}).get("LineNumber")
    where = f"line {line} " if line else ""
    return f"{rule} {where}{path}: {finding.get('Message', '').strip()}"


def by_level(findings: list[dict[str, Any]], level: str) -> list[dict[str, Any]]:
    return [f for f in findings if f.get("Level") == level]


def package(template: dict[str, Any], env: str) -> dict[str, Any]:
    """Rewrites local artefact paths to s3:// URIs, as `sam package` does."""
    packaged = copy.deepcopy(template)

    def rewrite(props: dict[str, Any], names: list[str]) -> None:
        for name in names:
            value = props.get(name)
            if isinstance(value, str) and not value.startswith("s3://"):
                props[name] = f"s3://{ARTIFACT_BUCKET}/{env}/{posixpath.basename(value.rstrip('/')) or 'artifact'}"

    for resource in (packaged.get("Resources") or {}).values():
        if isinstance(resource, dict) and isinstance(resource.get("Properties"), dict):
            rewrite(resource["Properties"], PACKAGED_PROPERTIES.get(resource.get("Type", ""), []))
    globals_section = packaged.get("Globals") or {}
    if isinstance(globals_section.get("Function"), dict):
        rewrite(globals_section["Function"], ["CodeUri"])
    return packaged


def sam_transform(path: Path, env: str, region: str) -> tuple[dict[str, Any] | None, list[str]]:
    os.environ["AWS_DEFAULT_REGION"] = region
    from cfnlint.decode import decode
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    class OfflinePolicyLoader:
        """Managed policy names resolve from SAM's bundled map; nothing is fetched from IAM."""

        def load(self) -> dict[str, str]:
            return {}

    template, matches = decode(str(path))
    if matches or template is None:
        return None, [str(m) for m in matches] or ["template could not be parsed"]
    # decode() returns str/dict subclasses carrying line marks; plain JSON types from here on.
    plain = json.loads(json.dumps(template))
    try:
        return transform(package(plain, env), {}, OfflinePolicyLoader()), []
    except InvalidDocumentException as error:
        return None, [cause.message for cause in error.causes]
    except Exception as error:  # noqa: BLE001 - any translator failure is a failed check
        return None, [f"{type(error).__name__}: {error}"]


def tag_findings(transformed: dict[str, Any], env: str, region: str) -> tuple[int, list[str]]:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    checked = 0
    problems: list[str] = []
    for logical_id, resource in sorted((transformed.get("Resources") or {}).items()):
        rtype = resource.get("Type", "")
        try:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, rtype).schema
        except Exception:  # noqa: BLE001 - custom or unknown types have no schema
            continue
        prop = next((p for p in TAG_PROPERTIES if p in schema.get("properties", {})), None)
        if prop is None:
            continue
        checked += 1
        value = (resource.get("Properties") or {}).get(prop)
        if isinstance(value, dict):
            tags = dict(value)
        elif isinstance(value, list):
            tags = {t.get("Key"): t.get("Value") for t in value if isinstance(t, dict)}
        else:
            tags = {}
        missing = [key for key in REQUIRED_TAGS if key not in tags]
        if missing:
            problems.append(f"{logical_id} ({rtype}): {prop} lacks {', '.join(missing)}")
        elif tags.get("Environment") != env:
            problems.append(f"{logical_id} ({rtype}): Environment tag is {tags.get('Environment')!r}, not {env!r}")
    return checked, problems


def run_checkov(checkov: str, path: Path) -> tuple[dict[str, int] | None, list[str]]:
    proc = subprocess.run(
        [checkov, "-f", str(path), "--framework", "cloudformation", "--skip-download", "--output", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-5:]
        return None, [f"checkov exit status {proc.returncode}, no JSON report"] + tail
    if isinstance(data, list):
        data = next((d for d in data if d.get("check_type") == "cloudformation"), data[0] if data else {})
    summary = data.get("summary") or {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
    failed = [
        f"{c.get('check_id')} {c.get('resource')}: {c.get('check_name')}"
        for c in (data.get("results") or {}).get("failed_checks", [])
    ]
    return summary, failed


def default_checkov() -> str:
    local = REPO / ".venv-checkov" / "bin" / "checkov"
    if local.exists():
        return str(local)
    return shutil.which("checkov") or str(local)


def select_templates(directory: Path, envs: list[str] | None) -> dict[str, Path] | None:
    """The templates of `directory` (only `envs`, when given); None, with a message on stderr,
    when the directory, an environment or every template is missing."""
    if not directory.is_dir():
        print(f"error: {directory} is not a directory", file=sys.stderr)
        return None
    templates = discover(directory)
    if envs:
        unknown = sorted(set(envs) - set(templates))
        if unknown:
            print(f"error: no template for {', '.join(unknown)} in {directory}", file=sys.stderr)
            return None
        templates = {env: path for env, path in templates.items() if env in envs}
    if not templates:
        print(f"error: no <env>/template.yaml or <env>.yaml in {directory}", file=sys.stderr)
        return None
    return templates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default="output", help="directory holding <env>/template.yaml (default: output)")
    parser.add_argument("--env", action="append", dest="envs", metavar="ENV", help="validate only this environment (repeatable)")
    parser.add_argument("--checkov", default=None, metavar="PATH", help="checkov executable (default: .venv-checkov/bin/checkov, else checkov on PATH)")
    parser.add_argument("--checkov-env", action="append", dest="checkov_envs", metavar="ENV", help="environments scanned by checkov (repeatable; default: prod, the pipeline and the account stack)")
    parser.add_argument("--no-checkov", action="store_true", help="do not run checkov at all")
    parser.add_argument("--region", default="us-east-1", help="region cfn-lint and the SAM transform assume (default: us-east-1)")
    parser.add_argument("--keep-transformed", metavar="DIR", help="write each transformed template to DIR/<env>.json")
    args = parser.parse_args()

    directory = Path(args.directory)
    templates = select_templates(directory, args.envs)
    if templates is None:
        return 2
    checkov_envs = set(args.checkov_envs or ["prod", "pipeline", "account"])
    checkov = args.checkov or default_checkov()

    report = Report()
    keep = Path(args.keep_transformed) if args.keep_transformed else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="formwork-validate-") as scratch:
        for env, path in templates.items():
            print(f"== {env}: {path}", flush=True)
            findings, _ = run_cfn_lint(path, args.region)
            errors, warnings = by_level(findings, "Error"), by_level(findings, "Warning")
            report.record(
                not errors and not warnings,
                env,
                "cfn-lint",
                f"{len(errors)} errors, {len(warnings)} warnings",
                [describe(f) for f in errors + warnings],
            )

            transformed, problems = sam_transform(path, env, args.region)
            if transformed is None:
                report.record(False, env, "sam transform", "failed", problems)
                continue
            resources = transformed.get("Resources") or {}
            report.record(True, env, "sam transform", f"{len(resources)} resources after the transform")
            out = (keep or Path(scratch)) / f"{env}.json"
            out.write_text(json.dumps(transformed, indent=2) + "\n", encoding="utf-8")

            findings, _ = run_cfn_lint(out, args.region)
            errors, warnings = by_level(findings, "Error"), by_level(findings, "Warning")
            report.record(
                not errors,
                env,
                "cfn-lint (transformed)",
                f"{len(errors)} errors, {len(warnings)} warnings",
                [describe(f) for f in errors] + [f"(warning, not fatal here) {describe(f)}" for f in warnings],
            )

            checked, problems = tag_findings(transformed, env, args.region)
            report.record(not problems, env, "tags", f"{checked} taggable resources, {len(problems)} without {'/'.join(REQUIRED_TAGS)}", problems)

            if args.no_checkov or env not in checkov_envs:
                continue
            if not (Path(checkov).exists() or shutil.which(checkov)):
                report.record(False, env, "checkov", f"{checkov} not found (scripts/install-test-deps.sh installs it; --no-checkov skips)")
                continue
            for label, target in (("checkov", path), ("checkov (transformed)", out)):
                summary, failed = run_checkov(checkov, target)
                if summary is None:
                    report.record(False, env, label, "did not run", failed)
                    continue
                ok = summary.get("failed", 0) == 0 and summary.get("parsing_errors", 0) == 0
                report.record(
                    ok,
                    env,
                    label,
                    f"{summary.get('passed', 0)} passed, {summary.get('failed', 0)} failed, "
                    f"{summary.get('skipped', 0)} skipped, {summary.get('parsing_errors', 0)} parsing errors",
                    failed,
                )

    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
