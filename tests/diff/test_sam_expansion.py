"""formwork diff's SAM expansion, checked against the real SAM translator.

When both templates carry `Transform: AWS::Serverless-2016-10-31`, `formwork diff` predicts the
CloudFormation resources SAM's transform generates (per AWS::Serverless::Api the RestApi, the
stage `<Api><StageName>Stage` and a deployment `<Api>Deployment<hash>`; per Api event of a
function a Lambda permission `<Function><Event>Permission<StageName>`; Globals merged into each
function) and rates what happens to them. This suite proves those predictions.

For every scenario (a mutation of the committed output/prod/template.yaml):

  1. the old (committed) and new (mutated) SAM templates are written as JSON;
  2. prediction: `formwork diff old.json new.json --format json --fail-on none`;
  3. truth: both templates go through aws-sam-translator as `sam package` + `sam deploy` feed
     them to CloudFormation (scripts/validate_templates.py's `package`, then
     `samtranslator.translator.transform.transform` with an offline policy loader); the
     transformed templates are plain CloudFormation, so `formwork diff` on them applies only
     its ordinary rules and replacement cascades;
  4. both diffs become sets of facts (logical id, created|deleted|replaced|updated); a
     predicted entry with `replacesLogicalId X` stands for X deleted and its own id created,
     which is how the transformed diff shows a renamed logical id. Deployment ids lose their
     hash (`ApiDeployment*`): SAM's hash is not formwork's, but whether a new deployment is
     created and the old one deleted must agree. The sets must be equal, and facts on both
     sides must agree on `data` (data loss);
  5. the fields the expansion adds are checked too: `generatedBy` names the SAM resource that
     generates an entry (the function for a permission, the API for its stage and deployment),
     `replacesLogicalId` entries are modified with impact replacement, the Api entry has a
     change at Properties.Body exactly when the translated RestApi's Body changes, and a stage
     rename carries a note about the invoke URL.

Run it from the repository root (after `swift build`):

    python3 -m pytest tests/diff/test_sam_expansion.py -q -p no:cacheprovider

FORMWORK_BIN names the binary (default .build/debug/formwork; a relative path is taken from the
repository root). Requires cfn-lint and aws-sam-translator (scripts/install-test-deps.sh); the
suite is skipped without them unless FORMWORK_REQUIRE_SAM=1, which makes their absence a failure.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE_TEMPLATE = REPO_ROOT / "output" / "prod" / "template.yaml"
ENVIRONMENT = "prod"
REGION = "us-east-1"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
DEPLOYMENT_ID = re.compile(r"^(?P<prefix>.*)Deployment[0-9a-f]{10}$")

Fact = tuple[str, str]
Template = dict[str, Any]


# --------------------------------------------------------------------------- environment


def sam_required() -> bool:
    return os.environ.get("FORMWORK_REQUIRE_SAM", "").strip() not in ("", "0")


def formwork_bin() -> Path:
    configured = os.environ.get("FORMWORK_BIN", ".build/debug/formwork")
    path = Path(configured)
    return path if path.is_absolute() else REPO_ROOT / path


@pytest.fixture(scope="module")
def translator() -> Callable[[Template], Template]:
    """Translates a SAM template (plain JSON types) the way `sam package` + `sam deploy` do."""
    try:
        import cfnlint.decode  # noqa: F401 - needed by the `base` fixture
        from samtranslator.translator.transform import transform
    except ImportError as error:
        message = f"aws-sam-translator and cfn-lint are needed (scripts/install-test-deps.sh): {error}"
        if sam_required():
            pytest.fail(message)
        pytest.skip(message)

    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    try:
        from validate_templates import package
    finally:
        sys.path.remove(str(REPO_ROOT / "scripts"))

    class OfflinePolicyLoader:
        """Managed policy names resolve from SAM's bundled map; nothing is fetched from IAM."""

        def load(self) -> dict[str, str]:
            return {}

    def translate(template: Template) -> Template:
        previous = os.environ.get("AWS_DEFAULT_REGION")
        os.environ["AWS_DEFAULT_REGION"] = REGION
        try:
            return transform(package(copy.deepcopy(template), ENVIRONMENT), {}, OfflinePolicyLoader())
        finally:
            if previous is None:
                os.environ.pop("AWS_DEFAULT_REGION", None)
            else:
                os.environ["AWS_DEFAULT_REGION"] = previous

    return translate


@pytest.fixture(scope="module")
def base(translator: Callable[[Template], Template]) -> Template:
    """The committed prod template as plain JSON types."""
    from cfnlint.decode import decode

    template, matches = decode(str(BASE_TEMPLATE))
    assert not matches and template is not None, f"{BASE_TEMPLATE} does not parse: {[str(m) for m in matches]}"
    plain = json.loads(json.dumps(template))
    assert plain.get("Transform") == SAM_TRANSFORM, "the base template is expected to be a SAM template"
    return plain


@pytest.fixture(scope="module")
def base_translated(base: Template, translator: Callable[[Template], Template]) -> Template:
    """The base template translated once for the whole module."""
    return translator(base)


@pytest.fixture(scope="module")
def formwork() -> Path:
    binary = formwork_bin()
    if not binary.is_file():
        pytest.fail(f"no formwork binary at {binary} (run `swift build`, or set FORMWORK_BIN)")
    return binary


# --------------------------------------------------------------------------- diff and facts


def run_diff(binary: Path, old: Path, new: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [str(binary), "diff", str(old), str(new), "--format", "json", "--fail-on", "none"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, f"formwork diff {old.name} {new.name} exited {proc.returncode}:\n{proc.stderr}{proc.stdout}"
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"formwork diff {old.name} {new.name} printed no JSON ({error}):\n{proc.stdout[:2000]}") from error


def normalized_id(logical_id: str) -> str:
    """`ApiDeployment0123456789` -> `ApiDeployment*`: the deployment hash is SAM's own."""
    match = DEPLOYMENT_ID.match(logical_id)
    return f"{match.group('prefix')}Deployment*" if match else logical_id


def outcome(entry: dict[str, Any]) -> str:
    change = entry["change"]
    if change == "added":
        return "created"
    if change == "removed":
        return "deleted"
    return "replaced" if entry.get("impact") == "replacement" else "updated"


def facts_of(diff: dict[str, Any], *, predicted: bool) -> dict[Fact, str]:
    """The diff's resource entries as facts, each with its `data` rating."""
    facts: dict[Fact, str] = {}

    def add(fact: Fact, data: str) -> None:
        # Two hashed deployment ids can meet in one fact; the stronger data rating wins.
        if facts.get(fact, "none") == "none":
            facts[fact] = data

    for entry in diff.get("resources", []):
        data = entry.get("data", "none")
        if predicted and entry.get("generatedOnly"):
            # A SAM resource whose changes reach only what SAM generates from it: the resource
            # under its own logical id does not change; its generated resources are entries of their own.
            continue
        if predicted and entry.get("replacesLogicalId"):
            add((normalized_id(entry["replacesLogicalId"]), "deleted"), data)
            add((normalized_id(entry["logicalId"]), "created"), data)
        else:
            add((normalized_id(entry["logicalId"]), outcome(entry)), data)
    return facts


def show(facts: set[Fact] | list[Fact]) -> str:
    return "\n".join(f"    {logical_id}: {what}" for logical_id, what in sorted(facts)) or "    (none)"


def entry(diff: dict[str, Any], logical_id: str) -> dict[str, Any] | None:
    return next((e for e in diff.get("resources", []) if e["logicalId"] == logical_id), None)


def owner_in_translation(resource: dict[str, Any]) -> str | None:
    """The SAM resource a generated resource belongs to, read from the translated template."""
    props = resource.get("Properties") or {}
    if resource.get("Type") == "AWS::Lambda::Permission":
        ref = props.get("FunctionName")
    elif resource.get("Type") in ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"):
        ref = props.get("RestApiId")
    else:
        return None
    if isinstance(ref, dict):
        if "Ref" in ref:
            return ref["Ref"]
        if "Fn::GetAtt" in ref:
            target = ref["Fn::GetAtt"]
            return target[0] if isinstance(target, list) else str(target).split(".")[0]
    return None


# --------------------------------------------------------------------------- scenarios


def function_props(template: Template, name: str) -> dict[str, Any]:
    return template["Resources"][name]["Properties"]


def api_props(template: Template) -> dict[str, Any]:
    return template["Resources"]["Api"]["Properties"]


def stage_rename(t: Template) -> None:
    api_props(t)["StageName"] = "live"


def event_path_change(t: Template) -> None:
    function_props(t, "AdminDashboardFunction")["Events"]["GetHealth"]["Properties"]["Path"] = "/healthz"


def event_method_change(t: Template) -> None:
    function_props(t, "AdminDashboardFunction")["Events"]["GetHealth"]["Properties"]["Method"] = "post"


def event_renamed(t: Template) -> None:
    events = function_props(t, "AdminDashboardFunction")["Events"]
    events["Health2"] = events.pop("GetHealth")


def stage_rename_hyphenated(t: Template) -> None:
    # Not alphanumeric: SAM names the stage and the permissions with a hash of the name.
    api_props(t)["StageName"] = "my-stage"


def access_log_group_named(t: Template) -> None:
    # Naming the API's access log group replaces it; the generated stage refers to it
    # (AccessLogSetting, updatable), so the cascade must reach a resource only SAM's transform has.
    t["Resources"]["ApiAccessLogs"]["Properties"]["LogGroupName"] = "/aws/apigateway/taskmgmt-prod-access"


def globals_tenancy(t: Template) -> None:
    # Create-only on every function, set in Globals: each function is replaced, and so is what
    # refers to one by a create-only property (subscriptions, permissions) anywhere in the stack.
    t["Globals"]["Function"]["TenancyConfig"] = {"TenancyIsolationMode": "PER_TENANT"}


def api_tags(t: Template) -> None:
    # SAM writes an API's tags on the RestApi and on its stage.
    api_props(t)["Tags"] = {"Team": "platform"}


def api_disable_execute_endpoint(t: Template) -> None:
    # Part of the OpenAPI body SAM writes: a new deployment.
    api_props(t)["DisableExecuteApiEndpoint"] = True


def api_minimum_compression(t: Template) -> None:
    # The RestApi's own: no new deployment.
    api_props(t)["MinimumCompressionSize"] = 1024


def event_removed(t: Template) -> None:
    del function_props(t, "AdminDashboardFunction")["Events"]["GetAdminReportsProxy"]


def event_added(t: Template) -> None:
    events = function_props(t, "AdminDashboardFunction")["Events"]
    added = copy.deepcopy(events["GetHealth"])
    added["Properties"]["Path"] = "/status"
    events["GetStatus"] = added


def function_rename(t: Template) -> None:
    function_props(t, "AdminDashboardFunction")["FunctionName"] = "taskmgmt-prod-admin-console"


def globals_runtime(t: Template) -> None:
    t["Globals"]["Function"]["Runtime"] = "provided.al2"


def globals_key_added(t: Template) -> None:
    # No function sets EphemeralStorage, so every function inherits it.
    t["Globals"]["Function"]["EphemeralStorage"] = {"Size": 1024}


def globals_overridden_key_added(t: Template) -> None:
    # Every function sets its own Timeout, which wins over Globals: nothing changes.
    t["Globals"]["Function"]["Timeout"] = 30


def api_tracing_off(t: Template) -> None:
    api_props(t)["TracingEnabled"] = False


def api_throttling(t: Template) -> None:
    settings = api_props(t)["MethodSettings"][0]
    settings["ThrottlingRateLimit"] = 100
    settings["ThrottlingBurstLimit"] = 150


def api_name(t: Template) -> None:
    api_props(t)["Name"] = {"Fn::Sub": "${AWS::StackName}-PublicApi"}


def function_memory(t: Template) -> None:
    function_props(t, "AdminDashboardFunction")["MemorySize"] = 1024


@dataclass(frozen=True)
class Scenario:
    name: str
    mutate: Callable[[Template], None]
    #: Facts the translator's side must show, so that the scenario means what its name says.
    truth_includes: frozenset[Fact] = frozenset()
    #: True when the translator's side must show no change at all.
    truth_empty: bool = False
    #: Notes (substrings) the prediction's entry for a logical id must carry.
    notes: dict[str, str] = field(default_factory=dict)


API_EVENTS = [
    ("UserManagementFunction", ["GetMe", "PostUsers", "GetUsers", "GetUsersUserId", "PatchUsersUserId"]),
    (
        "TaskManagementFunction",
        ["PostTasks", "GetTasks", "GetTasksTaskId", "PatchTasksTaskId", "DeleteTasksTaskId", "GetNotifications", "PostNotificationsNotificationIdRead"],
    ),
    ("AdminDashboardFunction", ["GetHealth", "GetAdminDashboard", "GetAdminReportsProxy"]),
]
FUNCTIONS = ["UserManagementFunction", "TaskManagementFunction", "NotificationFunction", "AdminDashboardFunction"]


def permissions(stage: str, what: str) -> frozenset[Fact]:
    return frozenset((f"{fn}{event}Permission{stage}", what) for fn, events in API_EVENTS for event in events)


SCENARIOS = [
    Scenario(
        "stage-rename",
        stage_rename,
        truth_includes=frozenset(
            {
                ("ApiprodStage", "deleted"),
                ("ApiliveStage", "created"),
                ("ApiWebACLAssociation", "replaced"),
                ("ApiDeployment*", "created"),
                ("ApiDeployment*", "deleted"),
            }
        )
        | permissions("prod", "deleted")
        | permissions("live", "created"),
        notes={"Api": "invoke URL"},
    ),
    Scenario(
        "stage-rename-hyphenated",
        stage_rename_hyphenated,
        truth_includes=frozenset({("ApiprodStage", "deleted"), ("ApiStagea9d64949ee", "created")})
        | permissions("prod", "deleted")
        | permissions("a9d64949ee", "created"),
        notes={"Api": "invoke URL"},
    ),
    Scenario(
        "access-log-group-named",
        access_log_group_named,
        truth_includes=frozenset({("ApiAccessLogs", "replaced"), ("ApiprodStage", "updated")}),
    ),
    Scenario(
        "event-path-change",
        event_path_change,
        truth_includes=frozenset({("Api", "updated"), ("AdminDashboardFunctionGetHealthPermissionprod", "replaced")}),
    ),
    Scenario(
        "event-method-change",
        event_method_change,
        truth_includes=frozenset({("Api", "updated"), ("AdminDashboardFunctionGetHealthPermissionprod", "replaced")}),
    ),
    Scenario(
        "event-renamed",
        event_renamed,
        truth_includes=frozenset(
            {("AdminDashboardFunctionGetHealthPermissionprod", "deleted"), ("AdminDashboardFunctionHealth2Permissionprod", "created")}
        ),
    ),
    Scenario(
        "event-removed",
        event_removed,
        truth_includes=frozenset({("Api", "updated"), ("AdminDashboardFunctionGetAdminReportsProxyPermissionprod", "deleted")}),
    ),
    Scenario(
        "event-added",
        event_added,
        truth_includes=frozenset({("Api", "updated"), ("AdminDashboardFunctionGetStatusPermissionprod", "created")}),
    ),
    Scenario(
        "globals-tenancy",
        globals_tenancy,
        truth_includes=frozenset((fn, "replaced") for fn in FUNCTIONS) | frozenset({("DeadlineRemindersPermission", "replaced")}),
    ),
    Scenario("api-tags", api_tags, truth_includes=frozenset({("Api", "updated"), ("ApiprodStage", "updated")})),
    Scenario("api-disable-execute-endpoint", api_disable_execute_endpoint, truth_includes=frozenset({("ApiDeployment*", "created")})),
    Scenario("api-minimum-compression", api_minimum_compression, truth_includes=frozenset({("Api", "updated")})),
    Scenario("function-rename", function_rename, truth_includes=frozenset({("AdminDashboardFunction", "replaced")})),
    Scenario("globals-runtime", globals_runtime, truth_includes=frozenset((fn, "updated") for fn in FUNCTIONS)),
    Scenario("globals-key-added", globals_key_added, truth_includes=frozenset((fn, "updated") for fn in FUNCTIONS)),
    Scenario("globals-overridden-key-added", globals_overridden_key_added, truth_empty=True),
    Scenario("api-tracing-off", api_tracing_off, truth_includes=frozenset({("ApiprodStage", "updated")})),
    Scenario("api-throttling", api_throttling, truth_includes=frozenset({("ApiprodStage", "updated")})),
    Scenario("api-name", api_name, truth_includes=frozenset({("Api", "updated")})),
    Scenario("function-memory", function_memory, truth_includes=frozenset({("AdminDashboardFunction", "updated")})),
]


# --------------------------------------------------------------------------- the test


def write_json(path: Path, document: Template) -> Path:
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def sam_resources(*templates: Template) -> dict[str, str]:
    found: dict[str, str] = {}
    for template in templates:
        for logical_id, resource in (template.get("Resources") or {}).items():
            found.setdefault(logical_id, resource.get("Type", ""))
    return found


def has_change_at(diff_entry: dict[str, Any] | None, path: str) -> bool:
    if diff_entry is None:
        return False
    return any(c.get("path") == path or c.get("path", "").startswith(path + ".") for c in diff_entry.get("changes", []))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_prediction_matches_translator(
    scenario: Scenario,
    base: Template,
    base_translated: Template,
    translator: Callable[[Template], Template],
    formwork: Path,
    tmp_path: Path,
) -> None:
    new = copy.deepcopy(base)
    scenario.mutate(new)
    assert new != base, f"{scenario.name}: the mutation changed nothing"
    new_translated = translator(new)

    old_sam = write_json(tmp_path / "old.json", base)
    new_sam = write_json(tmp_path / "new.json", new)
    old_cfn = write_json(tmp_path / "old.transformed.json", base_translated)
    new_cfn = write_json(tmp_path / "new.transformed.json", new_translated)

    truth_diff = run_diff(formwork, old_cfn, new_cfn)
    prediction_diff = run_diff(formwork, old_sam, new_sam)
    truth = facts_of(truth_diff, predicted=False)
    prediction = facts_of(prediction_diff, predicted=True)

    # The scenario means what its name says (a check of the oracle, not of formwork).
    if scenario.truth_empty and truth:
        pytest.fail(f"{scenario.name}: the translator's side was expected to show no change:\n{show(set(truth))}", pytrace=False)
    missing_truth = scenario.truth_includes - set(truth)
    if missing_truth:
        pytest.fail(
            f"{scenario.name}: the translator's side lacks facts the scenario is about:\n{show(missing_truth)}\n"
            f"  it shows:\n{show(set(truth))}",
            pytrace=False,
        )

    problems: list[str] = []

    # 1. The same facts.
    only_predicted = set(prediction) - set(truth)
    only_translated = set(truth) - set(prediction)
    if only_predicted or only_translated:
        problems.append(
            "facts differ\n"
            f"  predicted by formwork but not in the translated diff:\n{show(only_predicted)}\n"
            f"  in the translated diff but not predicted by formwork:\n{show(only_translated)}\n"
            f"  agreed:\n{show(set(truth) & set(prediction))}"
        )

    # 2. The same data rating for the facts both sides show.
    data_differences = [
        f"    {fact[0]}: {fact[1]}: predicted data {prediction[fact]!r}, translated {truth[fact]!r}"
        for fact in sorted(set(truth) & set(prediction))
        if truth[fact] != prediction[fact]
    ]
    if data_differences:
        problems.append("data ratings differ\n" + "\n".join(data_differences))

    # 3. generatedBy: the SAM resource that generates each generated entry, and only those.
    declared = sam_resources(base, new)
    translated = {**base_translated.get("Resources", {}), **new_translated.get("Resources", {})}
    for e in prediction_diff.get("resources", []):
        logical_id, generated_by = e["logicalId"], e.get("generatedBy")
        if logical_id in declared:
            # A declared resource is generated by nothing else (a SAM resource may name itself).
            if generated_by is not None and generated_by != logical_id:
                problems.append(f"{logical_id} is declared in the template, yet its entry says generatedBy {generated_by!r}")
            continue
        expected_owner = owner_in_translation(translated.get(logical_id) or {})
        if generated_by is None:
            problems.append(f"{logical_id} is not declared in the template, yet its entry has no generatedBy")
        elif not declared.get(generated_by, "").startswith("AWS::Serverless::"):
            problems.append(f"{logical_id}: generatedBy {generated_by!r} is no SAM resource of the templates")
        elif expected_owner is not None and generated_by != expected_owner:
            problems.append(f"{logical_id}: generatedBy {generated_by!r}, but the translator makes it for {expected_owner!r}")

    # 4. replacesLogicalId: one modified entry rated replacement.
    for e in prediction_diff.get("resources", []):
        if e.get("replacesLogicalId") and (e.get("change") != "modified" or e.get("impact") != "replacement"):
            problems.append(
                f"{e['logicalId']} replaces {e['replacesLogicalId']} but is {e.get('change')} with impact {e.get('impact')},"
                " not modified with impact replacement"
            )

    # 5. The Api's OpenAPI body: predicted to change exactly when the translator's Body changes.
    for logical_id, rtype in declared.items():
        if rtype != "AWS::Serverless::Api":
            continue
        translated_body = has_change_at(entry(truth_diff, logical_id), "Properties.Body")
        predicted_body = has_change_at(entry(prediction_diff, logical_id), "Properties.Body")
        if translated_body != predicted_body:
            problems.append(
                f"{logical_id}: the translated RestApi's Body {'changes' if translated_body else 'does not change'}, "
                f"but the prediction {'has' if predicted_body else 'has no'} change at Properties.Body"
            )

    # 6. Notes the scenario calls for.
    for logical_id, wording in scenario.notes.items():
        e = entry(prediction_diff, logical_id)
        notes = (e or {}).get("notes") or []
        if not any(wording.lower() in str(note).lower() for note in notes):
            problems.append(f"{logical_id}: no note mentions {wording!r} (notes: {notes!r})")

    if problems:
        pytest.fail(
            f"{scenario.name}: the prediction disagrees with aws-sam-translator\n" + "\n".join(f"- {p}" for p in problems),
            pytrace=False,
        )
