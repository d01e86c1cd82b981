#!/usr/bin/env python3
"""Audit every IAM policy document of the emitted templates with parliament.

For every environment found under DIR (DIR/<env>/template.yaml, or DIR/<env>.yaml,
as scripts/validate_templates.py finds them), the template goes through the SAM
transform first (the same offline transform as scripts/validate_templates.py), so
that what SAM generates is audited too: the roles of functions with `Policies`
(policy templates expanded), API Gateway resource policies (`Auth.ResourcePolicy`)
and the Lambda permissions of events. Then every policy document is collected:

  - identity policies: `Policies` of AWS::IAM::Role/User/Group, the
    `PolicyDocument` of AWS::IAM::Policy and AWS::IAM::ManagedPolicy;
  - resource policies: `KeyPolicy` of KMS keys, the `PolicyDocument` of S3
    bucket, SNS topic and SQS queue policies, the policy of an API Gateway
    REST API (`Policy` or `x-amazon-apigateway-policy` in its body), and
    anything else holding a policy document (any object with a `Statement`,
    also when given as a JSON string);
  - role trust policies (`AssumeRolePolicyDocument`): the role's own ARN is
    added as their Resource, which they imply, so parliament can check them;
  - function policies: the AWS::Lambda::Permission resources of each function,
    as the one-statement-per-permission policy Lambda builds from them.

CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select,
Fn::Split, Fn::FindInMap, Fn::ImportValue, pseudo parameters) are resolved to
realistic values in account 123456789012, region us-east-1, partition aws: a
table's Arn is arn:aws:dynamodb:us-east-1:123456789012:table/<name>, a topic's Ref
is its ARN, a log group's Arn ends in ":*", and so on. Fn::If keeps both branches
inside a list and the true branch elsewhere. API Gateway resource policies name
resources as "execute-api:/<stage>/<method>/<path>", which API Gateway expands to
the full execute-api ARN of the API; they are expanded the same way here.

Each finding of parliament (at or above --minimum-severity, LOW by default, as
in parliament's CLI) is printed with its policy and the statement that causes it.
A finding is explained when the allowlist (scripts/audit_policies_allow.json by
default) maps its key to a one-line reason. The key is

    "<ISSUE> <LogicalId>/<Policy>/<Sid>"

where <Policy> is the PolicyName of an entry of `Policies`, else the property
holding the document (KeyPolicy, PolicyDocument, AssumeRolePolicyDocument,
Policy, ...; FunctionPolicy for Lambda permissions) and <Sid> is the statement's
Sid, "#<index>" for a statement without one, or "(policy)" for a finding about
the whole document. A statement a function adds beyond its grants
(`.allowing(..., because:)`) is explained by the reason the blueprint gives, which
the template keeps in the role's Metadata.Formwork.StatementsBeyondGrants. Allowlist keys may use shell wildcards (fnmatch), e.g.
"RESOURCE_STAR DataKey/KeyPolicy/*". Example file:

    {
      "RESOURCE_STAR DataKey/KeyPolicy/*": "In a key policy, Resource '*' means this key."
    }

Exit status 0 when every finding is explained, 1 when one is not (or a policy
could not be resolved), 2 when there was nothing to audit.

Requires parliament and cfn-lint/aws-sam-translator in the running interpreter
(scripts/install-test-deps.sh installs the pinned versions).
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import hashlib
import json
import os
import re
import sys
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# parliament 1.6.4 imports pkg_resources, which setuptools 80 and 81 flag as deprecated on import.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_templates import sam_transform, select_templates  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"
DEFAULT_ALLOWLIST = Path(__file__).resolve().parent / "audit_policies_allow.json"
SEVERITIES = ["MUTE", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
# Properties holding a document that is not an entry of `Policies`; anything else with a
# `Statement` is found too, under the name of the property that holds it.
TRUST_POLICY = "AssumeRolePolicyDocument"


class Unresolvable(Exception):
    """An intrinsic this script cannot turn into a value."""


class NoValue:
    """AWS::NoValue: the property or list element is dropped."""


NO_VALUE = NoValue()


# --- intrinsics ------------------------------------------------------------------------------


def arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"


# Values for parameters that have no default, shaped as their AllowedPattern asks.
SAMPLE_PARAMETERS = {
    "ConnectionArn": f"arn:{PARTITION}:codeconnections:{REGION}:{ACCOUNT}:connection/6b1d4c1e-0a5d-4d0e-9f4e-2f6c9c0b1a2d",
}


# The property naming a resource, by type; a generated name is used when it is absent.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": "PolicyName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudTrail::Trail": "TrailName",
    "AWS::Events::Rule": "Name",
    "AWS::Events::EventBus": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::SSM::Parameter": "Name",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::WAFv2::WebACL": "Name",
    "AWS::WAFv2::IPSet": "Name",
    "AWS::SES::EmailIdentity": "EmailIdentity",
}


class Resolver:
    """Turns the intrinsics of one template into realistic literal values."""

    def __init__(self, template: dict[str, Any], env: str, stack_name: str) -> None:
        self.template = template
        self.env = env
        self.stack = stack_name
        self.resources: dict[str, Any] = template.get("Resources") or {}
        self.parameters: dict[str, Any] = template.get("Parameters") or {}
        self.mappings: dict[str, Any] = template.get("Mappings") or {}
        self._names: dict[str, str] = {}
        self._resolving: set[str] = set()

    # -- names and identifiers -----------------------------------------------------------------

    def _digest(self, logical_id: str, length: int = 12) -> str:
        return hashlib.sha256(f"{self.stack}/{logical_id}".encode()).hexdigest()[:length].upper()

    def _uuid(self, logical_id: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"formwork:{self.stack}/{logical_id}"))

    def _resource(self, logical_id: str) -> dict[str, Any]:
        resource = self.resources.get(logical_id)
        if not isinstance(resource, dict):
            raise Unresolvable(f"no resource or parameter {logical_id!r}")
        return resource

    def _props(self, logical_id: str) -> dict[str, Any]:
        return self._resource(logical_id).get("Properties") or {}

    def name(self, logical_id: str) -> str:
        """The physical name: its name property when it has one, else a generated one."""
        if logical_id in self._names:
            return self._names[logical_id]
        if logical_id in self._resolving:
            raise Unresolvable(f"circular reference through {logical_id}")
        self._resolving.add(logical_id)
        try:
            rtype = self._resource(logical_id).get("Type", "")
            prop = NAME_PROPERTIES.get(rtype)
            value = self._props(logical_id).get(prop) if prop else None
            if value is not None:
                name = self.resolve(value)
                if not isinstance(name, str):
                    raise Unresolvable(f"{logical_id}.{prop} does not resolve to a string")
            elif rtype == "AWS::S3::Bucket":
                name = f"{self.stack}-{logical_id}-{self._digest(logical_id)}".lower()[:63]
            elif rtype == "AWS::SQS::Queue" and self._props(logical_id).get("FifoQueue") is True:
                name = f"{self.stack}-{logical_id}-{self._digest(logical_id)}.fifo"
            else:
                name = f"{self.stack}-{logical_id}-{self._digest(logical_id)}"
        finally:
            self._resolving.discard(logical_id)
        self._names[logical_id] = name
        return name

    def ref(self, logical_id: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackName": self.stack,
            "AWS::StackId": arn("cloudformation", f"stack/{self.stack}/{self._uuid('AWS::StackId')}"),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if logical_id in pseudo:
            return pseudo[logical_id]
        if logical_id in self.parameters:
            parameter = self.parameters[logical_id] or {}
            if "Default" not in parameter:
                # Parameters the operator must give (a connection's ARN) get a value of the right shape.
                if logical_id in SAMPLE_PARAMETERS:
                    return SAMPLE_PARAMETERS[logical_id]
                raise Unresolvable(f"parameter {logical_id} has no Default")
            value = parameter["Default"]
            if str(parameter.get("Type", "")).startswith("List<") or parameter.get("Type") == "CommaDelimitedList":
                return [v.strip() for v in str(value).split(",")] if isinstance(value, str) else value
            return value
        rtype = self._resource(logical_id).get("Type", "")
        props = self._props(logical_id)
        if rtype == "AWS::SNS::Topic":
            return arn("sns", self.name(logical_id))
        if rtype == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.{URL_SUFFIX}/{ACCOUNT}/{self.name(logical_id)}"
        if rtype == "AWS::KMS::Key":
            return self._uuid(logical_id)
        if rtype in ("AWS::IAM::ManagedPolicy", "AWS::StepFunctions::StateMachine", "AWS::SecretsManager::Secret",
                     "AWS::CloudFormation::Stack", "AWS::SNS::Subscription"):
            return self.get_att(logical_id, "Arn")
        if rtype == "AWS::Cognito::UserPool":
            return f"{REGION}_{self._digest(logical_id, 9)}"
        if rtype == "AWS::Cognito::IdentityPool":
            return f"{REGION}:{self._uuid(logical_id)}"
        if rtype == "AWS::Cognito::UserPoolClient":
            return self._digest(logical_id, 26).lower()
        if rtype in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
            return self._digest(logical_id, 10).lower()
        if rtype == "AWS::ApiGateway::Stage":
            return self.resolve(props.get("StageName", logical_id))
        if rtype == "AWS::CloudFront::Distribution":
            return "E" + self._digest(logical_id, 13)
        if rtype == "AWS::WAFv2::WebACL" or rtype == "AWS::WAFv2::IPSet":
            return f"{self.name(logical_id)}|{self._uuid(logical_id)}|{props.get('Scope', 'REGIONAL')}"
        if rtype == "AWS::SES::EmailIdentity":
            return self.name(logical_id)
        return self.name(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        rtype = self._resource(logical_id).get("Type", "")
        props = self._props(logical_id)
        name = lambda: self.name(logical_id)  # noqa: E731 - only some attributes need the name
        table = {
            ("AWS::DynamoDB::Table", "Arn"): lambda: arn("dynamodb", f"table/{name()}"),
            ("AWS::DynamoDB::Table", "StreamArn"): lambda: arn("dynamodb", f"table/{name()}/stream/2024-01-01T00:00:00.000"),
            ("AWS::SQS::Queue", "Arn"): lambda: arn("sqs", name()),
            ("AWS::SQS::Queue", "QueueName"): name,
            ("AWS::SQS::Queue", "QueueUrl"): lambda: self.ref(logical_id),
            ("AWS::SNS::Topic", "TopicArn"): lambda: arn("sns", name()),
            ("AWS::SNS::Topic", "TopicName"): name,
            ("AWS::S3::Bucket", "Arn"): lambda: f"arn:{PARTITION}:s3:::{name()}",
            ("AWS::S3::Bucket", "DomainName"): lambda: f"{name()}.s3.{URL_SUFFIX}",
            ("AWS::S3::Bucket", "RegionalDomainName"): lambda: f"{name()}.s3.{REGION}.{URL_SUFFIX}",
            ("AWS::KMS::Key", "Arn"): lambda: arn("kms", f"key/{self._uuid(logical_id)}"),
            ("AWS::KMS::Key", "KeyId"): lambda: self._uuid(logical_id),
            ("AWS::Logs::LogGroup", "Arn"): lambda: arn("logs", f"log-group:{name()}:*"),
            ("AWS::Lambda::Function", "Arn"): lambda: arn("lambda", f"function:{name()}"),
            ("AWS::IAM::Role", "Arn"): lambda: f"arn:{PARTITION}:iam::{ACCOUNT}:role{props.get('Path', '/')}{name()}",
            ("AWS::IAM::Role", "RoleId"): lambda: "AROA" + self._digest(logical_id, 17),
            ("AWS::IAM::User", "Arn"): lambda: f"arn:{PARTITION}:iam::{ACCOUNT}:user{props.get('Path', '/')}{name()}",
            ("AWS::IAM::Group", "Arn"): lambda: f"arn:{PARTITION}:iam::{ACCOUNT}:group{props.get('Path', '/')}{name()}",
            ("AWS::IAM::ManagedPolicy", "Arn"): lambda: f"arn:{PARTITION}:iam::{ACCOUNT}:policy{props.get('Path', '/')}{name()}",
            ("AWS::IAM::ManagedPolicy", "PolicyArn"): lambda: f"arn:{PARTITION}:iam::{ACCOUNT}:policy{props.get('Path', '/')}{name()}",
            ("AWS::IAM::InstanceProfile", "Arn"): lambda: f"arn:{PARTITION}:iam::{ACCOUNT}:instance-profile/{name()}",
            ("AWS::Cognito::UserPool", "Arn"): lambda: arn("cognito-idp", f"userpool/{self.ref(logical_id)}"),
            ("AWS::Cognito::UserPool", "ProviderName"): lambda: f"cognito-idp.{REGION}.{URL_SUFFIX}/{self.ref(logical_id)}",
            ("AWS::Cognito::UserPool", "ProviderURL"): lambda: f"https://cognito-idp.{REGION}.{URL_SUFFIX}/{self.ref(logical_id)}",
            ("AWS::Cognito::UserPool", "UserPoolId"): lambda: self.ref(logical_id),
            ("AWS::Cognito::IdentityPool", "Id"): lambda: self.ref(logical_id),
            ("AWS::Events::Rule", "Arn"): lambda: arn("events", f"rule/{name()}"),
            ("AWS::Events::EventBus", "Arn"): lambda: arn("events", f"event-bus/{name()}"),
            ("AWS::StepFunctions::StateMachine", "Arn"): lambda: arn("states", f"stateMachine:{name()}"),
            ("AWS::StepFunctions::StateMachine", "Name"): name,
            ("AWS::CloudTrail::Trail", "Arn"): lambda: arn("cloudtrail", f"trail/{name()}"),
            ("AWS::CloudFront::Distribution", "DomainName"): lambda: f"d{self._digest(logical_id, 13).lower()}.cloudfront.net",
            ("AWS::CloudFront::Distribution", "Id"): lambda: self.ref(logical_id),
            ("AWS::WAFv2::WebACL", "Arn"): lambda: arn("wafv2", f"regional/webacl/{name()}/{self._uuid(logical_id)}"),
            ("AWS::WAFv2::WebACL", "Id"): lambda: self._uuid(logical_id),
            ("AWS::WAFv2::IPSet", "Arn"): lambda: arn("wafv2", f"regional/ipset/{name()}/{self._uuid(logical_id)}"),
            ("AWS::ApiGateway::RestApi", "RootResourceId"): lambda: self._digest(logical_id, 10).lower(),
            ("AWS::SSM::Parameter", "Value"): lambda: self.resolve(props.get("Value", "")),
            ("AWS::SSM::Parameter", "Type"): lambda: self.resolve(props.get("Type", "String")),
            ("AWS::SecretsManager::Secret", "Arn"): lambda: arn("secretsmanager", f"secret:{name()}-AbCdEf"),
            ("AWS::Kinesis::Stream", "Arn"): lambda: arn("kinesis", f"stream/{name()}"),
            ("AWS::ECR::Repository", "Arn"): lambda: arn("ecr", f"repository/{name()}"),
            ("AWS::CodeBuild::Project", "Arn"): lambda: arn("codebuild", f"project/{name()}"),
            ("AWS::SNS::Subscription", "Arn"): lambda: arn("sns", f"{self.name(logical_id)}:{self._uuid(logical_id)}"),
        }
        builder = table.get((rtype, attribute))
        if builder is None:
            raise Unresolvable(f"Fn::GetAtt {logical_id}.{attribute} ({rtype})")
        return builder()

    # -- the intrinsic functions -----------------------------------------------------------------

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            token = match.group(1)
            if token.startswith("!"):
                return "${" + token[1:] + "}"
            if token in variables:
                value = self.resolve(variables[token])
            elif "." in token and not token.startswith("AWS::"):
                logical_id, attribute = token.split(".", 1)
                value = self.get_att(logical_id, attribute)
            else:
                value = self.ref(token)
            if isinstance(value, (list, dict, NoValue)):
                raise Unresolvable(f"Fn::Sub ${{{token}}} is not a string")
            return str(value)

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            out: list[Any] = []
            for item in value:
                if isinstance(item, dict) and set(item) == {"Fn::If"}:
                    _, when_true, when_false = item["Fn::If"]
                    for branch in (when_true, when_false):
                        resolved = self.resolve(branch)
                        if isinstance(resolved, NoValue):
                            continue
                        if isinstance(resolved, list):
                            out.extend(resolved)
                        else:
                            out.append(resolved)
                    continue
                resolved = self.resolve(item)
                if not isinstance(resolved, NoValue):
                    out.append(resolved)
            # Both branches of an Fn::If may give the same value.
            deduped: list[Any] = []
            for item in out:
                if item not in deduped:
                    deduped.append(item)
            return deduped
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.get_att(logical_id, self.resolve(attribute))
            if key == "Fn::Sub":
                if isinstance(arg, str):
                    return self._sub(arg, {})
                text, variables = arg
                return self._sub(text, variables)
            if key == "Fn::Join":
                delimiter, items = arg
                parts = self.resolve(items)
                if not isinstance(parts, list):
                    raise Unresolvable("Fn::Join of something that is not a list")
                return self.resolve(delimiter).join(str(p) for p in parts)
            if key == "Fn::If":
                # Outside a list only one value fits: the true branch, unless it is AWS::NoValue.
                _, when_true, when_false = arg
                chosen = self.resolve(when_true)
                if isinstance(chosen, NoValue):
                    chosen = self.resolve(when_false)
                return chosen
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                delimiter, text = arg
                return str(self.resolve(text)).split(self.resolve(delimiter))
            if key == "Fn::FindInMap":
                map_name, top, second = (self.resolve(a) for a in arg[:3])
                try:
                    return self.resolve(self.mappings[map_name][top][second])
                except KeyError as error:
                    raise Unresolvable(f"Fn::FindInMap {map_name}/{top}/{second}") from error
            if key == "Fn::ImportValue":
                return f"imported-{self.resolve(arg)}"
            if key == "Fn::GetAZs":
                return [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
            if key == "Fn::Base64":
                return self.resolve(arg)
            if key.startswith("Fn::") or key == "Condition":
                raise Unresolvable(f"{key} is not supported here")
        out_dict: dict[str, Any] = {}
        for k, v in value.items():
            resolved = self.resolve(v)
            if not isinstance(resolved, NoValue):
                out_dict[k] = resolved
        return out_dict


# --- collecting the policy documents --------------------------------------------------------------


@dataclass
class PolicyDoc:
    env: str
    logical_id: str
    rtype: str
    label: str  # PolicyName of a `Policies` entry, else the property holding the document
    kind: str  # identity, resource, trust or function
    document: Any  # as in the template, intrinsics unresolved
    implied_resource: Any = None  # for trust policies: the role's ARN (an intrinsic)
    origin: str = ""  # the resource of the untransformed template it comes from, when SAM generated it
    resolved: dict[str, Any] | None = None
    error: str | None = None
    statements: int = 0
    findings: list["FindingRecord"] = field(default_factory=list)
    # Sid -> reason, for statements the blueprint adds beyond its grants (`.allowing(..., because:)`),
    # from the resource's Metadata.Formwork.StatementsBeyondGrants.
    justifications: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.logical_id}/{self.label}"


@dataclass
class FindingRecord:
    env: str
    policy: PolicyDoc
    issue: str
    severity: str
    title: str
    detail: Any
    sid: str
    statement: Any
    reason: str | None = None

    @property
    def key(self) -> str:
        return f"{self.issue} {self.policy.where}/{self.sid}"


IDENTITY_TYPES = {"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}


def is_policy_document(value: Any) -> bool:
    if isinstance(value, str) and '"Statement"' in value:
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return False
    return isinstance(value, dict) and "Statement" in value and set(value) <= {"Version", "Statement", "Id"}


def as_document(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def collect(template: dict[str, Any], env: str, origins: dict[str, str]) -> list[PolicyDoc]:
    docs: list[PolicyDoc] = []
    resources = template.get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        rtype = resource.get("Type", "")
        props = resource.get("Properties") or {}
        origin = origins.get(logical_id, "")
        kind = "identity" if rtype in IDENTITY_TYPES else "resource"
        if rtype == "AWS::Lambda::Permission":
            continue  # gathered per function below

        def walk(value: Any, path: list[str]) -> None:
            if isinstance(value, dict):
                for key, child in value.items():
                    if key == "Policies" and isinstance(child, list) and rtype in IDENTITY_TYPES:
                        for index, entry in enumerate(child):
                            if isinstance(entry, dict) and is_policy_document(entry.get("PolicyDocument")):
                                label = entry.get("PolicyName")
                                label = label if isinstance(label, str) else f"Policies[{index}]"
                                justified = ((resource.get("Metadata") or {}).get("Formwork") or {}).get("StatementsBeyondGrants") or {}
                                docs.append(PolicyDoc(env, logical_id, rtype, label, "identity",
                                                      as_document(entry["PolicyDocument"]), origin=origin,
                                                      justifications={k: v for k, v in justified.items() if isinstance(v, str)}))
                        continue
                    if is_policy_document(child):
                        if key == TRUST_POLICY:
                            docs.append(PolicyDoc(env, logical_id, rtype, key, "trust", as_document(child),
                                                  implied_resource={"Fn::GetAtt": [logical_id, "Arn"]}, origin=origin))
                        else:
                            docs.append(PolicyDoc(env, logical_id, rtype, key, kind, as_document(child), origin=origin))
                        continue
                    walk(child, path + [key])
            elif isinstance(value, list):
                for index, child in enumerate(value):
                    walk(child, path + [str(index)])

        walk(props, [])
    docs.extend(function_policies(resources, env, origins))
    return docs


def function_policies(resources: dict[str, Any], env: str, origins: dict[str, str]) -> list[PolicyDoc]:
    """Lambda keeps one resource policy per function, one statement per AWS::Lambda::Permission."""
    by_function: dict[str, list[dict[str, Any]]] = {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Lambda::Permission":
            continue
        props = resource.get("Properties") or {}
        target = props.get("FunctionName")
        if isinstance(target, dict) and "Ref" in target:
            function = target["Ref"]
        elif isinstance(target, dict) and "Fn::GetAtt" in target:
            att = target["Fn::GetAtt"]
            function = (att.split(".", 1) if isinstance(att, str) else att)[0]
        else:
            function = str(target)
        principal = props.get("Principal")
        if isinstance(principal, str) and (principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn")):
            principal_element: Any = {"Service": principal}
        elif principal == "*":
            principal_element = "*"
        else:
            principal_element = {"AWS": principal}
        statement: dict[str, Any] = {
            "Sid": logical_id,
            "Effect": "Allow",
            "Principal": principal_element,
            "Action": props.get("Action"),
            "Resource": {"Fn::GetAtt": [function, "Arn"]} if function in resources else target,
        }
        condition: dict[str, dict[str, Any]] = {}
        if "SourceArn" in props:
            condition.setdefault("ArnLike", {})["AWS:SourceArn"] = props["SourceArn"]
        if "SourceAccount" in props:
            condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = props["SourceAccount"]
        if "PrincipalOrgID" in props:
            condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = props["PrincipalOrgID"]
        if "FunctionUrlAuthType" in props:
            condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = props["FunctionUrlAuthType"]
        if condition:
            statement["Condition"] = condition
        by_function.setdefault(function, []).append(statement)
    return [
        PolicyDoc(env, function, "AWS::Lambda::Function", "FunctionPolicy", "function",
                  {"Version": "2012-10-17", "Statement": statements}, origin=origins.get(function, ""))
        for function, statements in by_function.items()
    ]


def expand_execute_api(document: dict[str, Any], api_id: str) -> dict[str, Any]:
    """API Gateway stores "execute-api:/stage/METHOD/path" as the full ARN of this API."""
    prefix = f"arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT}:{api_id}/"

    def expand(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("execute-api:/"):
            return prefix + value[len("execute-api:/"):]
        if isinstance(value, list):
            return [expand(v) for v in value]
        return value

    out = copy.deepcopy(document)
    statements = out.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict):
            for key in ("Resource", "NotResource"):
                if key in statement:
                    statement[key] = expand(statement[key])
    return out


def resolve_document(doc: PolicyDoc, resolver: Resolver) -> None:
    try:
        resolved = resolver.resolve(doc.document)
        if doc.kind == "trust":
            role_arn = resolver.resolve(doc.implied_resource)
            statements = resolved.get("Statement")
            for statement in statements if isinstance(statements, list) else [statements]:
                if isinstance(statement, dict) and "Resource" not in statement and "NotResource" not in statement:
                    statement["Resource"] = role_arn
        if doc.rtype == "AWS::ApiGateway::RestApi":
            resolved = expand_execute_api(resolved, resolver.ref(doc.logical_id))
        json.dumps(resolved)
        doc.resolved = resolved
        statements = resolved.get("Statement")
        doc.statements = len(statements) if isinstance(statements, list) else 1
    except (Unresolvable, ValueError, TypeError, IndexError, KeyError) as error:
        doc.error = f"{type(error).__name__}: {error}" if not isinstance(error, Unresolvable) else str(error)


# --- parliament --------------------------------------------------------------------------------------


def audit(doc: PolicyDoc, minimum_severity: str, community: bool) -> None:
    from parliament import analyze_policy_string, config, enhance_finding

    policy = analyze_policy_string(
        json.dumps(doc.resolved, indent=2),
        doc.where,
        include_community_auditors=community,
        config=config,
    )
    statements = doc.resolved.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]

    def record(finding: Any, sid: str, statement: Any) -> None:
        finding = enhance_finding(finding)
        if SEVERITIES.index(finding.severity) < SEVERITIES.index(minimum_severity):
            return
        doc.findings.append(FindingRecord(doc.env, doc, finding.issue, finding.severity, finding.title,
                                          finding.detail, sid, statement))

    for finding in policy._findings:  # about the whole document
        record(finding, "(policy)", None)
    for index, stmt in enumerate(policy.statements):
        raw = statements[index] if index < len(statements) else None
        sid = raw.get("Sid") if isinstance(raw, dict) and isinstance(raw.get("Sid"), str) and raw.get("Sid") else f"#{index}"
        for finding in stmt.findings:
            record(finding, sid, raw)


def load_allowlist(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8") or "{}")
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()):
        raise SystemExit(f"error: {path}: expected an object mapping \"ISSUE LogicalId/Policy/Sid\" to a non-empty reason")
    return data


def origins_of(source: dict[str, Any], transformed: dict[str, Any]) -> dict[str, str]:
    """Which resource of the SAM template each generated resource comes from."""
    origins: dict[str, str] = {}
    source_resources = source.get("Resources") or {}
    for logical_id, resource in (transformed.get("Resources") or {}).items():
        if logical_id in source_resources:
            source_type = source_resources[logical_id].get("Type", "")
            if source_type.startswith("AWS::Serverless::"):
                origins[logical_id] = f"{logical_id} ({source_type})"
            continue
        # SAM names what it generates after the resource it comes from: <Function>Role, <Api>Deployment...
        candidates = [s for s in source_resources if logical_id.startswith(s)]
        if candidates:
            parent = max(candidates, key=len)
            origins[logical_id] = f"{parent} ({source_resources[parent].get('Type', '')})"
    return origins


def stack_names(directory: Path) -> dict[str, str]:
    config = directory / "samconfig.toml"
    if not config.is_file():
        return {}
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return {}
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    return {
        env: section["deploy"]["parameters"]["stack_name"]
        for env, section in data.items()
        if isinstance(section, dict) and isinstance(section.get("deploy", {}).get("parameters", {}).get("stack_name"), str)
    }


def compact(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default="output", help="directory holding <env>/template.yaml (default: output)")
    parser.add_argument("--env", action="append", dest="envs", metavar="ENV", help="audit only this environment (repeatable)")
    parser.add_argument("--allowlist", default=str(DEFAULT_ALLOWLIST), metavar="FILE",
                        help=f"explained findings (default: {DEFAULT_ALLOWLIST.relative_to(DEFAULT_ALLOWLIST.parent.parent)})")
    parser.add_argument("--minimum-severity", default="LOW", choices=SEVERITIES[1:],
                        help="ignore findings below this severity (default: LOW, as parliament's CLI)")
    parser.add_argument("--include-community-auditors", action="store_true", help="also run parliament's community auditors")
    parser.add_argument("--show-policies", action="store_true", help="print every resolved policy document")
    args = parser.parse_args()

    directory = Path(args.directory)
    templates = select_templates(directory, args.envs)
    if templates is None:
        return 2
    allowlist = load_allowlist(Path(args.allowlist))
    stacks = stack_names(directory)
    if args.include_community_auditors:
        # As parliament's CLI does: the community auditors' issues need their own settings.
        import parliament
        from parliament import override_config

        override_config(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml")

    from cfnlint.decode import decode

    docs: list[PolicyDoc] = []
    failures: list[str] = []
    for env, path in templates.items():
        source, matches = decode(str(path))
        if matches or source is None:
            failures.append(f"{env}: {path} could not be parsed: {'; '.join(str(m) for m in matches)}")
            continue
        source = json.loads(json.dumps(source))
        if source.get("Transform"):
            transformed, problems = sam_transform(path, env, REGION)
            if transformed is None:
                failures.append(f"{env}: SAM transform failed: {'; '.join(problems)}")
                continue
        else:
            transformed = source
        resolver = Resolver(transformed, env, stacks.get(env, f"formwork-{env}"))
        kind_order = ["identity", "trust", "resource", "function"]
        env_docs = sorted(collect(transformed, env, origins_of(source, transformed)),
                          key=lambda d: (kind_order.index(d.kind), d.logical_id, d.label))
        for doc in env_docs:
            resolve_document(doc, resolver)
            if doc.error:
                failures.append(f"{env}: {doc.where}: cannot resolve: {doc.error}")
                continue
            audit(doc, args.minimum_severity, args.include_community_auditors)
        docs.extend(env_docs)
        audited = [d for d in env_docs if d.resolved is not None]
        kinds: dict[str, int] = {}
        for d in audited:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
        breakdown = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        print(f"== {env}: {path}: {sum(d.statements for d in audited)} statements in {len(audited)} policies"
              + (f" ({breakdown})" if breakdown else ""), flush=True)
        for d in audited:
            origin = f"  [from {d.origin}]" if d.origin and not d.origin.startswith(f"{d.logical_id} ") else ""
            print(f"   {d.kind:<8} {d.where} ({d.rtype}): {d.statements} statements, "
                  f"{len(d.findings)} findings{origin}")
            if args.show_policies:
                for line in json.dumps(d.resolved, indent=2).splitlines():
                    print(f"      {line}")

    findings = [f for d in docs for f in d.findings]
    used: set[str] = set()
    for finding in findings:
        if finding.sid in finding.policy.justifications:
            finding.reason = f"stated in the blueprint (.allowing(..., because:)): {finding.policy.justifications[finding.sid]}"
            continue
        for pattern, reason in allowlist.items():
            if fnmatch.fnmatchcase(finding.key, pattern):
                finding.reason = reason
                used.add(pattern)
                break

    # One entry per finding and place, with the environments it occurs in.
    groups: dict[tuple[str, str, str], list[FindingRecord]] = {}
    for finding in findings:
        groups.setdefault((finding.key, compact(finding.detail), finding.severity), []).append(finding)

    unexplained = [g for g in groups.values() if g[0].reason is None]
    explained = [g for g in groups.values() if g[0].reason is not None]
    for title, selection in (("UNEXPLAINED FINDINGS", unexplained), ("EXPLAINED FINDINGS", explained)):
        if not selection:
            continue
        print(f"\n{title} ({len(selection)})")
        for group in sorted(selection, key=lambda g: (g[0].issue, g[0].key)):
            first = group[0]
            envs = ", ".join(f.env for f in group)
            print(f"[{first.severity}] {first.key}  ({envs})")
            print(f"    {first.title.strip()}")
            if first.detail:
                print(f"    detail: {compact(first.detail)}")
            if first.policy.origin and not first.policy.origin.startswith(f"{first.policy.logical_id} "):
                print(f"    generated from: {first.policy.origin}")
            if first.statement is not None:
                print(f"    statement ({first.env}): {compact(first.statement)}")
            if first.reason:
                print(f"    explained: {first.reason}")
    for pattern in sorted(set(allowlist) - used):
        print(f"note: allowlist entry matches no finding: {pattern!r}")
    for failure in failures:
        print(f"ERROR {failure}")

    audited = [d for d in docs if d.resolved is not None]
    n_explained = sum(1 for f in findings if f.reason is not None)
    allowlist_shown = os.path.relpath(args.allowlist) if Path(args.allowlist).is_absolute() else args.allowlist
    print(f"\n{len(groups)} distinct findings ({len(unexplained)} unexplained); allowlist: {allowlist_shown}")
    print(f"policies audited: {sum(d.statements for d in audited)} statements in {len(audited)} policies "
          f"across {len(templates)} environment{'' if len(templates) == 1 else 's'}; findings: {len(findings)} (explained: {n_explained})")
    return 1 if failures or any(f.reason is None for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
