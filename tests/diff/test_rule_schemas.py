"""The diff's replacement rules against the pinned cfn-lint's resource provider schemas.

What this proves: that `formwork diff` rates every create-only property of every resource type
the emitter writes as a replacement (or a failing update), and that every rule claiming more than
an in-place update is backed either by the provider schema (the property is create-only) or by a
cited line of the AWS documentation.

How it works:
  * The rules come from `formwork diff --rules` (the binary named by FORMWORK_BIN, default
    `.build/debug/formwork`; a relative path is taken from the repository root), which prints
    `{"rules": [{"type", "property", "impact", "citation"}, ...]}`. `property` is a dotted path
    below `Properties` (`Budget.BudgetName`); a rule on `A` covers `A` and everything below it,
    as `ReplacementRules.impact` matches them.
  * The resource types the emitter writes are every `Type` of `output/<env>/template.yaml` for
    dev, staging and prod, plus every `Type` of the same templates after the SAM transform
    (scripts/validate_templates.py's `package` and the SAM translator's `transform`, offline,
    region us-east-1), so the resources SAM generates (Lambda::Function, ApiGateway::RestApi,
    Stage, Deployment, Lambda::Permission) are checked under their own types.
  * The schemas are cfn-lint's bundled provider schemas (us-east-1) of the pinned cfn-lint
    (scripts/install-test-deps.sh pins it); another version has another schema set, so the
    tests refuse to run against it.
  * Missing rules: for each emitted type with a provider schema, each `createOnlyProperties`
    pointer (`/properties/A/B` -> `A.B`) needs a rule on it or on a parent of it with impact
    `replacement` or `update-fails`. SAM types have no provider schema; they are checked through
    the resources they generate, and besides, each create-only property of the generated resource
    that SAM passes through under the same name (AWS::Serverless::Function's FunctionName,
    PackageType, ... for AWS::Lambda::Function) needs a rule on the SAM type as well.
  * Unsupported rules: a `replacement` or `update-fails` rule needs its property, or a parent
    of it, to be create-only in the type's schema (for AWS::Serverless::Function and
    AWS::Serverless::SimpleTable: the same-named property of the generated type). A rule on `A`
    where only `A.B` is create-only claims more than the schema does. Otherwise the rule needs a
    citation: a https://docs.aws.amazon.com/ URL and the quoted line. A `some-interruption` rule
    is documentation-only by nature and always needs a citation.
  * Every problem is collected and reported in one assertion, so all of them can be fixed at once.
  * A self-check runs the same checks on a doctored copy of the rules (one real rule dropped, a
    `AWS::SNS::Topic DisplayName replacement` rule without a citation added) and requires both
    problems to be found, so the checks are known to be able to fail.

Run it (after `swift build`), from the repository root:

    FORMWORK_BIN=.build/debug/formwork python3 -m pytest tests/diff/test_rule_schemas.py -q -p no:cacheprovider

`python3 tests/diff/test_rule_schemas.py` prints the emitted types and their create-only
properties, without the binary.

Requirements: cfn-lint and aws-sam-translator at the versions scripts/install-test-deps.sh pins.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The cfn-lint whose bundled provider schemas the rules are checked against.
PINNED_CFN_LINT = "1.51.0"
REGION = "us-east-1"
ENVIRONMENTS = ("dev", "staging", "prod")
IMPACTS = ("no-interruption", "some-interruption", "replacement", "update-fails")
#: Impacts that claim more than an in-place update.
REPLACING = frozenset({"replacement", "update-fails"})
DOCS_URL = "https://docs.aws.amazon.com/"
#: SAM types whose rules may mirror the generated CloudFormation type's create-only properties
#: (same property name), with the SAM translator class that lists the SAM type's properties.
SAM_GENERATED = {
    "AWS::Serverless::Function": ("AWS::Lambda::Function", "SamFunction"),
    "AWS::Serverless::SimpleTable": ("AWS::DynamoDB::Table", "SamSimpleTable"),
}
#: How long `formwork diff --rules` (or `--help`) may take.
BINARY_TIMEOUT = 60


# --- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    type: str
    property: str
    impact: str
    citation: str | None

    def __str__(self) -> str:
        return f"{self.type} {self.property} ({self.impact})"


def formwork_binary() -> Path:
    path = Path(os.environ.get("FORMWORK_BIN", ".build/debug/formwork"))
    return path if path.is_absolute() else REPO_ROOT / path


def parse_rules(document: Any) -> tuple[list[Rule], list[str]]:
    """The rules of `formwork diff --rules` output, and what is malformed in it."""
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        return [], [f'expected {{"rules": [...]}}, got {json.dumps(document)[:200]}']
    rules: list[Rule] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(document["rules"]):
        if not isinstance(entry, dict):
            problems.append(f"rules[{index}] is not an object: {entry!r}")
            continue
        rtype, prop, impact, citation = (entry.get(k) for k in ("type", "property", "impact", "citation"))
        if not (isinstance(rtype, str) and rtype.count("::") == 2):
            problems.append(f"rules[{index}]: type {rtype!r} is not a resource type")
            continue
        if not (isinstance(prop, str) and prop and all(prop.split("."))):
            problems.append(f"rules[{index}] ({rtype}): property {prop!r} is not a dotted path")
            continue
        if impact not in IMPACTS:
            problems.append(f"rules[{index}] ({rtype} {prop}): impact {impact!r} is not one of {', '.join(IMPACTS)}")
            continue
        if "citation" not in entry or not (citation is None or isinstance(citation, str)):
            problems.append(f"rules[{index}] ({rtype} {prop}): citation must be present, a string or null, got {citation!r}")
            continue
        if (rtype, prop) in seen:
            problems.append(f"rules[{index}]: {rtype} {prop} appears more than once")
        seen.add((rtype, prop))
        rules.append(Rule(rtype, prop, impact, citation))
    return rules, problems


def is_cited(rule: Rule) -> bool:
    """A documentation URL and the quoted line: `<url> — <quoted line>`."""
    if not isinstance(rule.citation, str) or DOCS_URL not in rule.citation:
        return False
    quoted = re.sub(r"https?://\S+", "", rule.citation)
    return bool(re.search(r"\w", quoted))


# --- the schemas ------------------------------------------------------------------------------


def cfn_lint_version() -> str:
    from cfnlint.version import __version__

    return __version__


def pointer_to_path(pointer: str) -> tuple[str, bool]:
    """`/properties/A/B` -> (`A.B`, False). A pointer through an array (`*` or an index) is cut
    before its first array part, (`A`, True): only a rule on the whole array can cover it, since a
    rule's path cannot name "every element"."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    if len(parts) < 2 or parts[0] != "properties":
        raise ValueError(f"create-only pointer {pointer!r} is not below /properties")
    names: list[str] = []
    for part in parts[1:]:
        if part == "*" or part.isdigit():
            return ".".join(names), True
        names.append(part)
    return ".".join(names), False


@functools.lru_cache(maxsize=None)
def create_only(rtype: str) -> tuple[tuple[str, bool, str], ...] | None:
    """The create-only properties of `rtype` as (dotted path, cut at an array, pointer), or None
    when cfn-lint has no provider schema for it."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    from cfnlint.schema.manager import ResourceNotFoundError

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, rtype).schema
    except ResourceNotFoundError:
        return None
    return tuple((*pointer_to_path(p), p) for p in schema.get("createOnlyProperties", []))


def sam_properties(sam_type: str) -> frozenset[str]:
    from samtranslator.model import sam_resources

    return frozenset(getattr(sam_resources, SAM_GENERATED[sam_type][1]).property_types)


def load_validator() -> Any:
    """scripts/validate_templates.py, for its `package` (what `sam package` does to local paths)."""
    spec = importlib.util.spec_from_file_location("formwork_validate_templates", REPO_ROOT / "scripts" / "validate_templates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def emitted_types() -> tuple[dict[str, set[str]], list[str]]:
    """Each resource type of the committed templates, before and after the SAM transform, with
    where it was seen; and what could not be read or transformed."""
    os.environ["AWS_DEFAULT_REGION"] = REGION
    from cfnlint.decode import decode
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    class OfflinePolicyLoader:
        """Managed policy names resolve from SAM's bundled map; nothing is fetched from IAM."""

        def load(self) -> dict[str, str]:
            return {}

    validator = load_validator()
    types: dict[str, set[str]] = {}
    problems: list[str] = []
    for env in ENVIRONMENTS:
        path = REPO_ROOT / "output" / env / "template.yaml"
        if not path.is_file():
            problems.append(f"{path.relative_to(REPO_ROOT)}: missing")
            continue
        template, matches = decode(str(path))
        if matches or template is None:
            problems.append(f"{path.relative_to(REPO_ROOT)}: {[str(m) for m in matches] or 'not parsed'}")
            continue
        plain = json.loads(json.dumps(template))
        for resource in (plain.get("Resources") or {}).values():
            types.setdefault(resource["Type"], set()).add(env)
        try:
            transformed = transform(validator.package(plain, env), {}, OfflinePolicyLoader())
        except InvalidDocumentException as error:
            problems.append(f"{env}: SAM transform: {[cause.message for cause in error.causes]}")
            continue
        for resource in (transformed.get("Resources") or {}).values():
            types.setdefault(resource["Type"], set()).add(f"{env} (transformed)")
    return types, problems


# --- the checks -------------------------------------------------------------------------------


def covers(rule_property: str, path: str) -> bool:
    """Whether a rule on `rule_property` matches `path` (the path itself or anything below it)."""
    return path == rule_property or path.startswith(rule_property + ".") or path.startswith(rule_property + "[")


SchemaLookup = Callable[[str], "tuple[tuple[str, bool, str], ...] | None"]


def missing_rules(
    rules: Iterable[Rule], types: Iterable[str], schemas: SchemaLookup = create_only, sam_props: Callable[[str], frozenset[str]] = sam_properties
) -> list[str]:
    """Create-only properties of the emitted types without a replacing rule that covers them."""
    rules = list(rules)
    problems: list[str] = []

    def require(rtype: str, path: str, at_array: bool, pointer: str, why: str) -> None:
        # A pointer through an array was cut before the array: covers() then asks for a rule on
        # the array or above it, never on something inside its elements.
        matching = [r for r in rules if r.type == rtype and covers(r.property, path)]
        if any(r.impact in REPLACING for r in matching):
            return
        rated = f"; rated only {', '.join(str(r) for r in matching)}" if matching else ""
        note = f" (the pointer runs through an array: a rule on {path} or a parent of it is needed)" if at_array else ""
        problems.append(f"{rtype} {path}: {why} {pointer}, no replacement/update-fails rule{rated}{note}")

    for rtype in sorted(set(types)):
        for path, at_array, pointer in schemas(rtype) or ():
            require(rtype, path, at_array, pointer, "create-only in the provider schema")
        if rtype in SAM_GENERATED:
            generated = SAM_GENERATED[rtype][0]
            names = sam_props(rtype)
            for path, at_array, pointer in schemas(generated) or ():
                if path.split(".")[0] in names:
                    require(rtype, path, at_array, pointer, f"passed through to {generated}, create-only there as")
    return problems


def unsupported_rules(rules: Iterable[Rule], schemas: SchemaLookup = create_only, sam_props: Callable[[str], frozenset[str]] = sam_properties) -> list[str]:
    """Replacing rules that neither the provider schema nor a cited documentation line supports."""
    problems: list[str] = []
    for rule in sorted(rules, key=lambda r: (r.type, r.property)):
        if rule.impact not in REPLACING or is_cited(rule):
            continue
        schema = schemas(rule.type)
        source = f"{rule.type}'s provider schema"
        if schema is None and rule.type in SAM_GENERATED:
            generated = SAM_GENERATED[rule.type][0]
            names = sam_props(rule.type)
            schema = tuple(entry for entry in schemas(generated) or () if entry[0].split(".")[0] in names)
            source = f"{generated}'s provider schema (the same-named properties SAM passes through)"
        if schema is None:
            problems.append(f"{rule}: no provider schema for {rule.type}, and no documentation citation")
            continue
        if any(covers(path, rule.property) for path, _, _ in schema):
            continue
        narrower = [path for path, _, _ in schema if covers(rule.property, path)]
        if narrower:
            problems.append(
                f"{rule}: only {', '.join(narrower)} below it is create-only in {source}; "
                f"the rule claims more (narrow it, or cite the documentation)"
            )
        else:
            problems.append(f"{rule}: not create-only in {source}, and no documentation citation")
    return problems


def uncited_interruptions(rules: Iterable[Rule]) -> list[str]:
    """`some-interruption` rules without a documentation citation (schemas cannot say this)."""
    return [f"{rule}: no documentation citation" for rule in sorted(rules, key=lambda r: (r.type, r.property)) if rule.impact == "some-interruption" and not is_cited(rule)]


def report(title: str, problems: list[str]) -> str:
    return f"{title} ({len(problems)}):\n" + "\n".join(f"  {p}" for p in problems)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pinned_schemas() -> None:
    version = cfn_lint_version()
    if version != PINNED_CFN_LINT:
        pytest.fail(
            f"cfn-lint {version} is installed, the rules are checked against the provider schemas of cfn-lint "
            f"{PINNED_CFN_LINT} (scripts/install-test-deps.sh installs it); another version has another schema set.",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def emitted(pinned_schemas: None) -> dict[str, set[str]]:
    types, problems = emitted_types()
    if problems:
        pytest.fail(report("The committed templates could not all be read and transformed", problems), pytrace=False)
    return types


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    binary = formwork_binary()
    if not binary.is_file():
        pytest.fail(f"No formwork binary at {binary}. Build it (`swift build`) or point FORMWORK_BIN at it.", pytrace=False)
    help_text = subprocess.run([str(binary), "diff", "--help"], capture_output=True, text=True, timeout=BINARY_TIMEOUT, cwd=REPO_ROOT)
    if "--rules" not in help_text.stdout + help_text.stderr:
        pytest.fail(f"{binary} has no `formwork diff --rules` (not in `formwork diff --help`); rebuild it.", pytrace=False)
    proc = subprocess.run([str(binary), "diff", "--rules"], capture_output=True, text=True, timeout=BINARY_TIMEOUT, cwd=REPO_ROOT)
    if proc.returncode != 0:
        pytest.fail(f"`formwork diff --rules` exited with {proc.returncode}:\n{proc.stderr.strip()}", pytrace=False)
    try:
        document = json.loads(proc.stdout)
    except json.JSONDecodeError as error:
        pytest.fail(f"`formwork diff --rules` did not print JSON ({error}):\n{proc.stdout[:500]}", pytrace=False)
    parsed, problems = parse_rules(document)
    if problems:
        pytest.fail(report("`formwork diff --rules` printed malformed rules", problems), pytrace=False)
    if not parsed:
        pytest.fail("`formwork diff --rules` printed no rules", pytrace=False)
    return parsed


# --- tests ------------------------------------------------------------------------------------


def test_cfn_lint_is_the_pinned_version() -> None:
    assert cfn_lint_version() == PINNED_CFN_LINT, (
        f"cfn-lint {cfn_lint_version()} is installed; the rules are checked against the provider schemas of "
        f"cfn-lint {PINNED_CFN_LINT} (scripts/install-test-deps.sh installs it)"
    )
    assert importlib.metadata.version("cfn-lint") == PINNED_CFN_LINT
    pins = re.search(r"^CFN_LINT_VERSION=(\S+)$", (REPO_ROOT / "scripts" / "install-test-deps.sh").read_text(encoding="utf-8"), re.M)
    assert pins and pins.group(1) == PINNED_CFN_LINT, (
        f"scripts/install-test-deps.sh pins cfn-lint {pins.group(1) if pins else '(nothing)'}, this test {PINNED_CFN_LINT}: keep them together"
    )


def test_emitted_types_include_what_sam_generates(emitted: dict[str, set[str]]) -> None:
    # The SAM types are checked through what they generate; both sides must have been seen.
    for expected in ("AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::Lambda::Function", "AWS::ApiGateway::Stage"):
        assert expected in emitted, f"{expected} not among the emitted types: {sorted(emitted)}"


def test_every_create_only_property_has_a_rule(emitted: dict[str, set[str]], rules: list[Rule]) -> None:
    problems = missing_rules(rules, emitted)
    if problems:
        pytest.fail(report("Create-only properties of emitted types without a replacement/update-fails rule", problems), pytrace=False)


def test_every_replacing_rule_is_supported(pinned_schemas: None, rules: list[Rule]) -> None:
    problems = unsupported_rules(rules)
    if problems:
        pytest.fail(
            report(f"Rules claiming replacement/update-fails that neither the provider schema nor a citation ({DOCS_URL}... — quoted line) supports", problems),
            pytrace=False,
        )


def test_some_interruption_rules_cite_documentation(rules: list[Rule]) -> None:
    problems = uncited_interruptions(rules)
    if problems:
        pytest.fail(report(f"some-interruption rules without a citation ({DOCS_URL}... — quoted line)", problems), pytrace=False)


def test_checks_find_a_dropped_rule_and_an_unsupported_one(emitted: dict[str, set[str]], rules: list[Rule]) -> None:
    # A real rule whose property is itself create-only on an emitted type, and the only rule covering it.
    droppable = [
        rule
        for rule in sorted(rules, key=lambda r: (r.type, r.property))
        if rule.impact in REPLACING
        and rule.type in emitted
        and any(path == rule.property for path, _, _ in create_only(rule.type) or ())
        and sum(1 for r in rules if r.type == rule.type and covers(r.property, rule.property)) == 1
    ]
    assert droppable, "no real rule on a create-only property of an emitted type to drop"
    dropped = droppable[0]
    fake = Rule("AWS::SNS::Topic", "DisplayName", "replacement", None)
    assert not any(path == "DisplayName" for path, _, _ in create_only("AWS::SNS::Topic") or ()), "DisplayName became create-only"
    doctored = [r for r in rules if r != dropped] + [fake]

    missing = missing_rules(doctored, emitted)
    assert any(p.startswith(f"{dropped.type} {dropped.property}:") for p in missing), (
        f"dropping {dropped} was not reported:\n" + "\n".join(missing)
    )
    assert not any(p.startswith(f"{dropped.type} {dropped.property}:") for p in missing_rules(rules, emitted))

    unsupported = unsupported_rules(doctored)
    assert any(p.startswith(str(fake)) for p in unsupported), f"{fake} was not reported:\n" + "\n".join(unsupported)
    assert not any(p.startswith(str(fake)) for p in unsupported_rules(rules))


def test_checks_tell_parents_from_children_and_read_citations() -> None:
    # A made-up schema: only Budget.BudgetName and Name are create-only, Items through an array.
    schema = {
        "AWS::Example::Thing": (("Budget.BudgetName", False, "/properties/Budget/BudgetName"), ("Name", False, "/properties/Name"), ("Items", True, "/properties/Items/*/Key")),
    }
    schemas = schema.get
    cited = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-example-thing.html — Update requires: Replacement"

    def thing(prop: str, impact: str = "replacement", citation: str | None = None) -> Rule:
        return Rule("AWS::Example::Thing", prop, impact, citation)

    # A rule on the parent covers a create-only child; a child rule is covered by a create-only parent.
    assert missing_rules([thing("Budget"), thing("Name"), thing("Items")], ["AWS::Example::Thing"], schemas) == []
    assert unsupported_rules([thing("Budget.BudgetName"), thing("Name.First"), thing("Items")], schemas) == []
    # ... but a rule on the parent claims more than the schema when only the child is create-only.
    [broader] = unsupported_rules([thing("Budget")], schemas)
    assert "only Budget.BudgetName" in broader
    assert unsupported_rules([thing("Budget", citation=cited)], schemas) == []
    # A some-interruption rule on a create-only property does not count; a missing one is named.
    problems = missing_rules([thing("Budget.BudgetName", "some-interruption")], ["AWS::Example::Thing"], schemas)
    assert [p.split(": ")[0] for p in problems] == ["AWS::Example::Thing Budget.BudgetName", "AWS::Example::Thing Name", "AWS::Example::Thing Items"]
    # An array pointer needs a rule on the array (or above), not on something inside it.
    assert any(p.startswith("AWS::Example::Thing Items") for p in missing_rules([thing("Items.Key")], ["AWS::Example::Thing"], schemas))
    # Citations: a docs.aws.amazon.com URL and a quoted line; a bare URL or another site is not one.
    assert is_cited(thing("X", citation=cited))
    assert not is_cited(thing("X", citation="https://docs.aws.amazon.com/AWSCloudFormation/latest/x.html"))
    assert not is_cited(thing("X", citation="https://example.com/x — Update requires: Replacement"))
    assert not is_cited(thing("X", citation=""))
    assert uncited_interruptions([thing("X", "some-interruption"), thing("Y", "some-interruption", cited)]) == ["AWS::Example::Thing X (some-interruption): no documentation citation"]
    # A type with no provider schema needs a citation for a replacing rule.
    assert unsupported_rules([Rule("AWS::Serverless::Api", "StageName", "replacement", None)], schemas)
    assert pointer_to_path("/properties/A~1B/C") == ("A/B.C", False)
    assert pointer_to_path("/properties/A/0/B") == ("A", True)


def main() -> int:
    """Prints the emitted types and their create-only properties (no binary needed)."""
    print(f"cfn-lint {cfn_lint_version()} (pinned: {PINNED_CFN_LINT}), region {REGION}")
    types, problems = emitted_types()
    for problem in problems:
        print(f"problem: {problem}")
    for rtype in sorted(types):
        schema = create_only(rtype)
        where = ", ".join(sorted(types[rtype]))
        if schema is None:
            line = "no provider schema"
            if rtype in SAM_GENERATED:
                generated, _ = SAM_GENERATED[rtype]
                names = sam_properties(rtype)
                passed = [path for path, _, _ in create_only(generated) or () if path.split(".")[0] in names]
                line += f"; passes through {generated}'s create-only {', '.join(passed) or '(none)'}"
            print(f"{rtype}: {line}  [{where}]")
        else:
            paths = [path + (" (through an array)" if at_array else "") for path, at_array, _ in schema]
            print(f"{rtype}: {', '.join(paths) or '(none)'}  [{where}]")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
