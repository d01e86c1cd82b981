"""DynamoDB parity: the same boto3 scenarios against `formwork simulate` and against moto.

What this proves: an application written against boto3's DynamoDB client gets the same answers
from Formwork's simulator as from moto's DynamoDB: items, projections, update expressions and
their ReturnValues, conditional writes, queries on tables and global secondary indexes (key
conditions, order, filters, paging, counts), scans (filters, paging, parallel segments), batch
and transactional reads and writes, DynamoDB's number and string rules, and the error codes
(and, where DynamoDB's wording is well known, the messages) of invalid requests.

Each scenario is a function that takes a client and returns its normalized answers (a dict from
a step's label to what that step returned), so each test is `scenario(formwork) ==
scenario(moto)` and a failure shows the steps that differ. Normalizing drops ResponseMetadata
and ConsumedCapacity, turns attribute values into plain Python values (numbers as Decimal,
sets as frozensets) and sorts what DynamoDB returns in no particular order (Scan results,
BatchGetItem responses).

Where moto is known to differ from DynamoDB, the test asserts DynamoDB's documented behaviour
for Formwork, says so in a comment (`moto_deviates`), and does not assert moto's answer. A few
tests check Formwork alone, against DynamoDB's documented behaviour where moto has none to
compare: number canonical form, LastEvaluatedKey at Limit, the exact 400 KB item limit, and
the wire format (content type, `x-amz-crc32`, `__type` of errors). Two property tests
(hypothesis, derandomized so a run is repeatable) check string order and exact number
arithmetic on generated values; the last test drives the AWS CLI (skipped without `aws`).

Run it (after `swift build`), from the repository root:

    FORMWORK_BIN=.build/debug/formwork python3 -m pytest tests/sdk -q

The servers and fixtures are in conftest.py beside this file.
"""

from __future__ import annotations

import binascii
import decimal
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parity
from parity import both, moto_deviates

REGION = "us-east-1"
#: The tables `formwork simulate --env dev` serves, from the blueprint.
USERS = "taskmgmt-dev-users"
TASKS = "taskmgmt-dev-tasks"
NOTIFICATIONS = "taskmgmt-dev-notifications"
BLUEPRINT_TABLES = (USERS, TASKS, NOTIFICATIONS)

#: Every test here starts with the blueprint's tables empty on both servers (conftest.py).
pytestmark = pytest.mark.usefixtures("empty_tables")

# --------------------------------------------------------------------------------------------
# Attribute values in, plain values out
# --------------------------------------------------------------------------------------------

_serializer = TypeSerializer()


def av(value: Any) -> dict:
    """A Python value as a DynamoDB AttributeValue (ints and Decimals as N, sets as SS/NS/BS)."""
    return _serializer.serialize(value)


def item(**attributes: Any) -> dict:
    return {name: av(value) for name, value in attributes.items()}


def values(**named: Any) -> dict:
    """ExpressionAttributeValues: values(t="x") is {":t": {"S": "x"}}."""
    return {f":{name}": av(value) for name, value in named.items()}


def canon(value: dict) -> Any:
    """An AttributeValue as a plain, comparable value: N as Decimal, sets as frozensets."""
    ((tag, inner),) = value.items()
    if tag == "S":
        return inner
    if tag == "N":
        return Decimal(inner)
    if tag == "B":
        return bytes(inner)
    if tag == "BOOL":
        return bool(inner)
    if tag == "NULL":
        return None
    if tag == "SS":
        return frozenset(inner)
    if tag == "NS":
        return frozenset(Decimal(n) for n in inner)
    if tag == "BS":
        return frozenset(bytes(b) for b in inner)
    if tag == "L":
        return [canon(v) for v in inner]
    if tag == "M":
        return {k: canon(v) for k, v in inner.items()}
    raise AssertionError(f"unknown attribute value type {tag!r} in {value!r}")


def canon_item(attributes: dict) -> dict:
    return {name: canon(value) for name, value in attributes.items()}


def order_key(value: Any) -> tuple:
    """A total order over canonical values, to sort collections DynamoDB returns unordered."""
    if isinstance(value, bool):
        return ("BOOL", value)
    if value is None:
        return ("NULL",)
    if isinstance(value, str):
        return ("S", value)
    if isinstance(value, Decimal):
        return ("N", value)
    if isinstance(value, bytes):
        return ("B", value)
    if isinstance(value, frozenset):
        return ("SET", tuple(sorted(order_key(v) for v in value)))
    if isinstance(value, list):
        return ("L", tuple(order_key(v) for v in value))
    if isinstance(value, dict):
        return ("M", tuple(sorted((k, order_key(v)) for k, v in value.items())))
    raise AssertionError(f"cannot order {value!r}")


def unordered(items: list[dict]) -> list[dict]:
    return sorted(items, key=order_key)


def utf8_order(strings: list[str]) -> list[str]:
    """DynamoDB orders S values by their UTF-8 bytes."""
    return sorted(strings, key=lambda s: s.encode("utf-8"))


_DROPPED = {"ResponseMetadata", "ConsumedCapacity", "ItemCollectionMetrics"}


def normalize(operation: str, response: dict) -> dict:
    out: dict[str, Any] = {}
    for key, value in response.items():
        if key in _DROPPED:
            continue
        if key in ("Item", "Attributes", "LastEvaluatedKey"):
            out[key] = canon_item(value)
        elif key == "Items":
            out[key] = [canon_item(i) for i in value]
        elif key == "Responses" and operation == "batch_get_item":
            out[key] = {table: unordered([canon_item(i) for i in items]) for table, items in value.items()}
        elif key == "Responses" and operation == "transact_get_items":
            out[key] = [canon_item(r["Item"]) if "Item" in r else None for r in value]
        else:
            out[key] = value
    return out


def error_summary(error: ClientError) -> dict:
    """What parity compares of an error: its code, and the data DynamoDB attaches to it."""
    response = error.response
    out: dict[str, Any] = {"error": response["Error"]["Code"]}
    if "Item" in response:  # ReturnValuesOnConditionCheckFailure
        out["Item"] = canon_item(response["Item"])
    if "CancellationReasons" in response:
        out["CancellationReasons"] = [
            {"Code": r.get("Code"), **({"Item": canon_item(r["Item"])} if "Item" in r else {})}
            for r in response["CancellationReasons"]
        ]
    return out


class Run(parity.Run):
    """Runs labelled steps against one DynamoDB client and keeps their normalized answers
    (parity.Run).

    `results` maps each label to the normalized response (`normalize`) or to
    `{"error": code, ...}` (`error_summary`); `messages` maps the labels of failed steps to the
    error message.
    """

    def normalize(self, operation: str, response: dict) -> dict:
        return normalize(operation, response)

    def error_summary(self, error: ClientError) -> dict:
        return error_summary(error)

    def put_all(self, table: str, items: list[dict]) -> None:
        for attributes in items:
            self.client.put_item(TableName=table, Item=item(**attributes))


def error_code(run: Run, label: str) -> str | None:
    result = run.results[label]
    return result.get("error") if isinstance(result, dict) else None


def paged(run: Run, label: str, operation: str, *, record_keys: bool = True, max_pages: int = 50, **request: Any):
    """Pages a Query or Scan with ExclusiveStartKey until LastEvaluatedKey is absent.

    Records each page (items, Count, ScannedCount, LastEvaluatedKey or its presence) under
    `label`, and returns all items of all pages in order.
    """
    pages: list[dict] = []
    everything: list[dict] = []
    start = None
    for _ in range(max_pages):
        kwargs = dict(request)
        if start is not None:
            kwargs["ExclusiveStartKey"] = start
        response = getattr(run.client, operation)(**kwargs)
        page = normalize(operation, response)
        everything += page.get("Items", [])
        if not record_keys:
            page["LastEvaluatedKey"] = "LastEvaluatedKey" in page
            page.pop("Items", None)
        pages.append(page)
        start = response.get("LastEvaluatedKey")
        if start is None:
            break
    else:
        raise AssertionError(f"{label}: still a LastEvaluatedKey after {max_pages} pages")
    run.note(label, pages)
    return everything


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

STATUSES = ("open", "in-progress", "done")


def task_items() -> list[dict]:
    """Tasks for three assignees plus unassigned ones. Every deadline is distinct, so GSI order
    is fully determined (DynamoDB leaves the order of equal index keys unspecified)."""
    tasks: list[dict] = []
    alice_deadlines = [
        "2024-01-05", "2024-01-20", "2024-02-01", "2024-02-14", "2024-02-29", "2024-03-01",
        "2024-03-15", "2024-04-01", "2024-04-30", "2024-05-05", "2024-06-01",
    ]
    for n, deadline in enumerate(alice_deadlines):
        tasks.append({
            "taskId": f"task-a{n:02d}", "assigneeId": "alice", "deadline": deadline,
            "status": STATUSES[n % 3], "title": f"Alice task {n}", "priority": n % 4 - 1,
            "estimate": Decimal(n) / 4, "tags": {"team-a", f"p{n % 4}"},
        })
    for n, deadline in enumerate(["2024-01-06", "2024-02-02", "2024-03-02", "2024-07-07"]):
        tasks.append({
            "taskId": f"task-b{n:02d}", "assigneeId": "bob", "deadline": deadline,
            "status": STATUSES[(n + 1) % 3], "title": f"Bob task {n}", "priority": 10 - n,
        })
    # Sparse: no assigneeId, or no deadline: in neither ByAssignee nor (without deadline) ByStatus.
    tasks.append({"taskId": "task-u00", "deadline": "2024-08-08", "status": "open", "title": "Unassigned"})
    tasks.append({"taskId": "task-u01", "assigneeId": "alice", "status": "open", "title": "No deadline"})
    return tasks


def seed_tasks(run: Run) -> None:
    run.put_all(TASKS, task_items())


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

ALL = {"ProjectionType": "ALL"}


def _key_schema(hash_key: str, range_key: str | None = None) -> list[dict]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


#: The blueprint's dev tables, as DescribeTable reports them (normalized by `table_shape`).
EXPECTED_TABLES = {
    USERS: {
        "KeySchema": _key_schema("userId"),
        "AttributeDefinitions": {"email": "S", "userId": "S"},
        "GlobalSecondaryIndexes": {"ByEmail": {"KeySchema": _key_schema("email"), "Projection": ALL}},
        "BillingMode": "PAY_PER_REQUEST",
        "TableStatus": "ACTIVE",
    },
    TASKS: {
        "KeySchema": _key_schema("taskId"),
        "AttributeDefinitions": {"assigneeId": "S", "deadline": "S", "kind": "S", "status": "S", "taskId": "S"},
        "GlobalSecondaryIndexes": {
            "ByAssignee": {"KeySchema": _key_schema("assigneeId", "deadline"), "Projection": ALL},
            "ByStatus": {"KeySchema": _key_schema("status", "deadline"), "Projection": ALL},
            # Every task has kind = "task", so this lists all tasks in deadline order.
            "ByDeadline": {"KeySchema": _key_schema("kind", "deadline"), "Projection": ALL},
        },
        "BillingMode": "PAY_PER_REQUEST",
        "TableStatus": "ACTIVE",
    },
    NOTIFICATIONS: {
        "KeySchema": _key_schema("notificationId"),
        "AttributeDefinitions": {"createdAt": "S", "notificationId": "S", "userId": "S"},
        "GlobalSecondaryIndexes": {"ByUser": {"KeySchema": _key_schema("userId", "createdAt"), "Projection": ALL}},
        "BillingMode": "PAY_PER_REQUEST",
        "TableStatus": "ACTIVE",
    },
}


def table_shape(table: dict) -> dict:
    return {
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]},
        "GlobalSecondaryIndexes": {
            g["IndexName"]: {"KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in table.get("GlobalSecondaryIndexes", [])
        },
        "BillingMode": table.get("BillingModeSummary", {}).get("BillingMode"),
        "TableStatus": table["TableStatus"],
    }


def scenario_tables(client) -> Run:
    run = Run(client)
    names = client.list_tables()["TableNames"]
    run.note("ListTables", sorted(names))
    run.note("ListTables Limit 2", normalize("list_tables", client.list_tables(Limit=2)))
    for name in sorted(names):
        run.note(f"DescribeTable {name}", table_shape(client.describe_table(TableName=name)["Table"]))
    run("DescribeTable unknown", "describe_table", TableName="taskmgmt-dev-nope")
    return run


def test_tables_come_from_the_blueprint(formwork, moto):
    got, want = both(scenario_tables, formwork, moto)
    assert got.results["ListTables"] == sorted(BLUEPRINT_TABLES)
    for name, expected in EXPECTED_TABLES.items():
        assert got.results[f"DescribeTable {name}"] == expected, name
    assert got.results["DescribeTable unknown"] == {"error": "ResourceNotFoundException"}
    assert got.results == want.results


def test_describe_table_arns(formwork):
    for name in BLUEPRINT_TABLES:
        table = formwork.describe_table(TableName=name)["Table"]
        assert table["TableName"] == name
        assert re.fullmatch(rf"arn:aws:dynamodb:{REGION}:\d{{12}}:table/{re.escape(name)}", table["TableArn"]), table
        for index in table.get("GlobalSecondaryIndexes", []):
            assert index.get("IndexStatus", "ACTIVE") == "ACTIVE", index
            if "IndexArn" in index:
                assert index["IndexArn"] == f"{table['TableArn']}/index/{index['IndexName']}"


# --------------------------------------------------------------------------------------------
# PutItem and GetItem
# --------------------------------------------------------------------------------------------


def scenario_put_get(client) -> Run:
    run = Run(client)
    full = item(
        taskId="t1", title="Write the report", status="open", priority=2, done=False, archived=None,
        estimate=Decimal("1.5"), tags={"docs", "q1"}, scores={1, 2, Decimal("3.25")}, blob=b"\x00\x01\xff",
        blobs={b"a", b"\xff"}, subtasks=["outline", "draft", {"step": "review", "by": ["bob"]}],
        details={"owner": "alice", "links": {"spec": "s3://bucket/spec"}, "history": []}, empty="",
        nothing={}, none=[],
    )
    run("put t1", "put_item", TableName=TASKS, Item=full)
    run("put t2", "put_item", TableName=TASKS, Item=item(taskId="t2", title="Second"))
    run("get t1", "get_item", TableName=TASKS, Key=item(taskId="t1"))
    run("get t1 consistent", "get_item", TableName=TASKS, Key=item(taskId="t1"), ConsistentRead=True)
    run(
        "get t1 projection",
        "get_item",
        TableName=TASKS,
        Key=item(taskId="t1"),
        ProjectionExpression="title, #s, details.#o, subtasks[2].#by, tags",
        ExpressionAttributeNames={"#s": "status", "#by": "by", "#o": "owner"},
    )
    run(
        "get t1 projection of two elements of a list",
        "get_item",
        TableName=TASKS,
        Key=item(taskId="t1"),
        ProjectionExpression="subtasks[2].step, subtasks[0]",
    )
    run(
        "get t1 projection #name[index]",
        "get_item",
        TableName=TASKS,
        Key=item(taskId="t1"),
        ProjectionExpression="#st[2].#by[0], #st[0]",
        ExpressionAttributeNames={"#st": "subtasks", "#by": "by"},
    )
    run(
        "get t1 projection of a nested map",
        "get_item",
        TableName=TASKS,
        Key=item(taskId="t1"),
        ProjectionExpression="details.links, details.nope, nope",
    )
    run("get t1 projection of missing attributes", "get_item", TableName=TASKS, Key=item(taskId="t1"),
        ProjectionExpression="nope, alsoNope")
    run("get missing", "get_item", TableName=TASKS, Key=item(taskId="missing"))
    run("put t2 ALL_OLD", "put_item", TableName=TASKS, Item=item(taskId="t2", title="Replaced", n=1),
        ReturnValues="ALL_OLD")
    run("put t3 ALL_OLD (new)", "put_item", TableName=TASKS, Item=item(taskId="t3"), ReturnValues="ALL_OLD")
    run("put t3 NONE", "put_item", TableName=TASKS, Item=item(taskId="t3", x=1), ReturnValues="NONE")
    run("get t2", "get_item", TableName=TASKS, Key=item(taskId="t2"))
    run("get t3", "get_item", TableName=TASKS, Key=item(taskId="t3"))
    # Users and notifications tables.
    run("put user", "put_item", TableName=USERS, Item=item(userId="u1", email="u1@example.com", name="Ü"))
    run("get user", "get_item", TableName=USERS, Key=item(userId="u1"))
    run("put notification", "put_item", TableName=NOTIFICATIONS,
        Item=item(notificationId="n1", userId="u1", createdAt="2024-01-01T00:00:00Z", expiresAt=4102444800))
    run("get notification", "get_item", TableName=NOTIFICATIONS, Key=item(notificationId="n1"))
    return run


def test_put_and_get(formwork, moto):
    got, want = both(scenario_put_get, formwork, moto)
    # moto does not resolve a name placeholder followed by a list index (`#st[0]`) in a
    # ProjectionExpression and answers "Value provided in ExpressionAttributeNames unused in
    # expressions". DynamoDB accepts it; list elements come back in list order.
    moto_deviates(want, "get t1 projection #name[index]", {"Item": {"subtasks": ["outline", {"by": ["bob"]}]}})
    # Projected paths are merged into one document: two elements of one list come back as a list
    # of both, in list order. moto keeps only one of them.
    moto_deviates(want, "get t1 projection of two elements of a list",
                  {"Item": {"subtasks": ["outline", {"step": "review"}]}})
    r = got.results
    assert r["get t1"]["Item"]["scores"] == frozenset({1, 2, Decimal("3.25")})
    assert r["get t1 projection"]["Item"] == {
        "title": "Write the report", "status": "open", "details": {"owner": "alice"},
        "subtasks": [{"by": ["bob"]}], "tags": frozenset({"docs", "q1"}),
    }
    # DynamoDB returns an empty Item when the item exists but none of the projected attributes do.
    assert r["get t1 projection of missing attributes"] == {"Item": {}}
    assert r["get missing"] == {}
    assert r["put t3 ALL_OLD (new)"] == {}
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Conditional writes
# --------------------------------------------------------------------------------------------


def scenario_conditional_put(client) -> Run:
    run = Run(client)
    task = item(taskId="c1", status="open", priority=3, title="Conditional", tags={"x", "y"})
    run("put new", "put_item", TableName=TASKS, Item=task, ConditionExpression="attribute_not_exists(taskId)")
    run("put again", "put_item", TableName=TASKS, Item=item(taskId="c1", title="Overwritten"),
        ConditionExpression="attribute_not_exists(taskId)")
    run("put again ALL_OLD on failure", "put_item", TableName=TASKS, Item=item(taskId="c1", title="Overwritten"),
        ConditionExpression="attribute_not_exists(taskId)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    run("put requiring existence of missing", "put_item", TableName=TASKS, Item=item(taskId="c2"),
        ConditionExpression="attribute_exists(taskId)")
    conditions = {
        "equals": ("#s = :v", {"#s": "status"}, values(v="open")),
        "not equals": ("#s <> :v", {"#s": "status"}, values(v="open")),
        "less than": ("priority < :v", None, values(v=10)),
        "numeric not string order": ("priority < :v", None, values(v=20)),
        "between": ("priority BETWEEN :lo AND :hi", None, values(lo=3, hi=3)),
        "in": ("#s IN (:a, :b)", {"#s": "status"}, values(a="done", b="open")),
        "size": ("size(title) = :v", None, values(v=11)),
        "size of set": ("size(tags) > :v", None, values(v=1)),
        "contains set": ("contains(tags, :v)", None, values(v="x")),
        "contains string": ("contains(title, :v)", None, values(v="dition")),
        "begins_with": ("begins_with(title, :v)", None, values(v="Cond")),
        "attribute_type": ("attribute_type(priority, :v)", None, values(v="N")),
        "attribute_type wrong": ("attribute_type(priority, :v)", None, values(v="S")),
        "not and or": ("NOT (#s = :a) OR (priority >= :p AND attribute_exists(title))", {"#s": "status"},
                       values(a="open", p=3)),
        "missing attribute compares false": ("nope < :v", None, values(v=1)),
        "type mismatch compares false": ("priority < :v", None, values(v="9")),
    }
    for name, (expression, names, vals) in conditions.items():
        request: dict[str, Any] = {
            "TableName": TASKS, "Key": item(taskId="c1"), "UpdateExpression": "SET checks = list_append(if_not_exists(checks, :e), :c)",
            "ConditionExpression": expression,
            "ExpressionAttributeValues": {**vals, ":e": av([]), ":c": av([name])},
        }
        if names:
            request["ExpressionAttributeNames"] = names
        run(f"condition {name}", "update_item", **request)
    run("get", "get_item", TableName=TASKS, Key=item(taskId="c1"))
    run("get c2", "get_item", TableName=TASKS, Key=item(taskId="c2"))
    return run


def test_conditional_put(formwork, moto):
    got, want = both(scenario_conditional_put, formwork, moto)
    assert got.results["put again"] == {"error": "ConditionalCheckFailedException"}
    assert got.messages["put again"] == "The conditional request failed"
    assert got.results["put again ALL_OLD on failure"] == {
        "error": "ConditionalCheckFailedException",
        "Item": {"taskId": "c1", "status": "open", "priority": 3, "title": "Conditional", "tags": frozenset({"x", "y"})},
    }
    assert got.results["get"]["Item"]["checks"] == [
        "equals", "less than", "numeric not string order", "between", "in", "size", "size of set",
        "contains set", "contains string", "begins_with", "attribute_type", "not and or",
    ]
    # moto compares a number with a string in Python and answers HTTP 500; DynamoDB compares
    # values of different types as false, so the condition fails.
    moto_deviates(want, "condition type mismatch compares false", {"error": "ConditionalCheckFailedException"})
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# UpdateItem
# --------------------------------------------------------------------------------------------


def scenario_update(client) -> Run:
    run = Run(client)
    key = item(taskId="u1")

    def update(label: str, expression: str, return_values: str = "NONE", names: dict | None = None, **vals: Any):
        request: dict[str, Any] = {"TableName": TASKS, "Key": key, "UpdateExpression": expression,
                                   "ReturnValues": return_values}
        if vals:
            request["ExpressionAttributeValues"] = values(**vals)
        if names:
            request["ExpressionAttributeNames"] = names
        run(label, "update_item", **request)

    run.quiet("put_item", TableName=TASKS, Item=item(
        taskId="u1", title="draft", visits=1, price=Decimal("10.5"), tags={"a", "b"}, comments=["c1"],
        details={"owner": "alice", "note": "x"}, description="to remove",
    ))
    update("SET ALL_NEW", "SET title = :t", "ALL_NEW", t="final")
    update("if_not_exists UPDATED_NEW", "SET #c = if_not_exists(#c, :zero) + :one", "UPDATED_NEW",
           {"#c": "counter"}, zero=0, one=1)
    update("if_not_exists again UPDATED_OLD", "SET #c = if_not_exists(#c, :zero) + :one", "UPDATED_OLD",
           {"#c": "counter"}, zero=0, one=1)
    update("list_append ALL_OLD", "SET comments = list_append(comments, :more)", "ALL_OLD", more=["c2", "c3"])
    update("list_append front UPDATED_NEW", "SET comments = list_append(:front, comments)", "UPDATED_NEW",
           front=["c0"])
    update("ADD UPDATED_OLD", "ADD tags :new, visits :five", "UPDATED_OLD", new={"c", "a"}, five=5)
    update("DELETE NONE", "DELETE tags :rm", "NONE", rm={"b", "zz"})
    update("REMOVE UPDATED_OLD", "REMOVE description, details.note", "UPDATED_OLD")
    update("minus UPDATED_NEW", "SET price = price - :d", "UPDATED_NEW", d=Decimal("0.75"))
    update("plus", "SET price = :a + price", "UPDATED_NEW", a=Decimal("100.25"))
    update("set two", "SET a = :x, b = :y", "UPDATED_NEW", x="A", y="B")
    update("swap reads the old item", "SET a = b, b = a", "ALL_NEW")
    update("nested and indexed", "SET details.priority = :p, comments[0] = :c0 REMOVE comments[1]", "ALL_NEW",
           p=7, c0="first")
    update("list index past the end appends", "SET comments[10] = :v", "ALL_NEW", v="last")
    update("ADD to missing number", "ADD missingCount :n", "UPDATED_NEW", n=Decimal("-2.5"))
    update("ADD to missing set", "ADD newSet :s", "UPDATED_NEW", s={3, 1})
    update("DELETE every element removes the set", "DELETE newSet :s", "ALL_NEW", s={1, 3})
    update("names with dots", "SET #m = :m", "UPDATED_NEW", {"#m": "a.b"}, m={"k": "v"})
    update("map key through names", "SET #m.#k = :v", "UPDATED_NEW", {"#m": "a.b", "#k": "k.2"}, v=1)
    update("same value still returned", "SET title = :t", "UPDATED_NEW", t="final")
    update("multiple clauses", "SET z = :z REMOVE a ADD visits :one DELETE tags :c", "ALL_NEW",
           z=Decimal("0.000"), one=1, c={"c"})
    run("upsert ALL_NEW", "update_item", TableName=TASKS, Key=item(taskId="u2"), UpdateExpression="SET title = :t",
        ExpressionAttributeValues=values(t="created by update"), ReturnValues="ALL_NEW")
    run("upsert with failed condition", "update_item", TableName=TASKS, Key=item(taskId="u3"),
        UpdateExpression="SET title = :t", ConditionExpression="attribute_exists(taskId)",
        ExpressionAttributeValues=values(t="never"), ReturnValues="ALL_NEW")
    # A SET value has at most one + or - ("value ::= operand | operand '+' operand | operand '-'
    # operand"): a second one is a syntax error. Another item, so that u1 is the same either way.
    run("two operators in one value", "update_item", TableName=TASKS, Key=item(taskId="u5"),
        UpdateExpression="SET n = :a + :b - :c", ExpressionAttributeValues=values(a=1, b=2, c=3))
    run("get u1", "get_item", TableName=TASKS, Key=key)
    run("get u2", "get_item", TableName=TASKS, Key=item(taskId="u2"))
    run("get u3", "get_item", TableName=TASKS, Key=item(taskId="u3"))
    run("get u5", "get_item", TableName=TASKS, Key=item(taskId="u5"))
    return run


def test_update_item(formwork, moto):
    got, want = both(scenario_update, formwork, moto)
    # UPDATED_NEW returns every attribute the expression updates, with its new value, whether or
    # not the value changed; moto returns only the attributes whose value changed.
    moto_deviates(want, "same value still returned", {"Attributes": {"title": "final"}})
    # UPDATED_OLD and UPDATED_NEW hold only the updated document paths, each inside its parents (a
    # removed map entry comes back inside its map, without the map's other entries, as for
    # "map key through names" below); for REMOVE moto returns the whole top-level map.
    moto_deviates(want, "REMOVE UPDATED_OLD", {"Attributes": {"description": "to remove", "details": {"note": "x"}}})
    # moto evaluates any number of + and - in a SET value, and writes the item.
    moto_deviates(want, "two operators in one value", {"error": "ValidationException"})
    moto_deviates(want, "get u5", {})
    r = got.results
    assert r["if_not_exists UPDATED_NEW"] == {"Attributes": {"counter": 1}}
    assert r["if_not_exists again UPDATED_OLD"] == {"Attributes": {"counter": 1}}
    assert r["ADD UPDATED_OLD"] == {"Attributes": {"tags": frozenset({"a", "b"}), "visits": 1}}
    assert r["DELETE NONE"] == {}
    assert r["minus UPDATED_NEW"] == {"Attributes": {"price": Decimal("9.75")}}
    assert r["map key through names"] == {"Attributes": {"a.b": {"k.2": 1}}}
    assert r["swap reads the old item"]["Attributes"]["a"] == "B"
    assert r["swap reads the old item"]["Attributes"]["b"] == "A"
    assert r["upsert with failed condition"] == {"error": "ConditionalCheckFailedException"}
    assert r["get u3"] == {}
    assert r["plus"] == {"Attributes": {"price": Decimal("110.00")}}
    assert r["get u1"]["Item"]["comments"] == ["first", "c2", "c3", "last"]
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# DeleteItem
# --------------------------------------------------------------------------------------------


def scenario_delete(client) -> Run:
    run = Run(client)
    run.put_all(TASKS, [
        {"taskId": "d1", "status": "open", "n": 1},
        {"taskId": "d2", "status": "done"},
        {"taskId": "d3", "status": "open"},
    ])
    run("delete ALL_OLD", "delete_item", TableName=TASKS, Key=item(taskId="d1"), ReturnValues="ALL_OLD")
    run("delete NONE", "delete_item", TableName=TASKS, Key=item(taskId="d2"), ReturnValues="NONE")
    run("delete missing ALL_OLD", "delete_item", TableName=TASKS, Key=item(taskId="nope"), ReturnValues="ALL_OLD")
    run("conditional delete fails", "delete_item", TableName=TASKS, Key=item(taskId="d3"),
        ConditionExpression="#s = :v", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=values(v="done"), ReturnValues="ALL_OLD")
    run("conditional delete of missing fails", "delete_item", TableName=TASKS, Key=item(taskId="nope"),
        ConditionExpression="attribute_exists(taskId)")
    run("get d3 after failed delete", "get_item", TableName=TASKS, Key=item(taskId="d3"))
    run("conditional delete succeeds", "delete_item", TableName=TASKS, Key=item(taskId="d3"),
        ConditionExpression="#s = :v", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=values(v="open"), ReturnValues="ALL_OLD")
    run("scan after", "scan", TableName=TASKS)
    return run


def test_delete_item(formwork, moto):
    got, want = both(scenario_delete, formwork, moto)
    assert got.results["delete ALL_OLD"] == {"Attributes": {"taskId": "d1", "status": "open", "n": 1}}
    assert got.results["delete NONE"] == {}
    assert got.results["delete missing ALL_OLD"] == {}
    assert got.results["conditional delete fails"] == {"error": "ConditionalCheckFailedException"}
    assert got.results["scan after"]["Items"] == []
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

BIG = "12345678901234567890123456789012345678"  # 38 significant digits
EXACT_NUMBERS = {
    "big": BIG,
    "negativeBig": "-" + BIG,
    "fraction38": "1234567890123456789.0123456789012345678",
    "tiny": "0.00000000000000000000000000000000000001",
    "largest": "9.9999999999999999999999999999999999999E+125",
    "smallest": "1E-130",
    "negativeSmallest": "-1E-130",
    "trailingZeros": "1.500",
    "exponent": "12e3",
    "zero": "-0",
}


def scenario_numbers(client) -> Run:
    run = Run(client)
    run("put exact numbers", "put_item", TableName=TASKS,
        Item={"taskId": {"S": "n1"}, **{k: {"N": v} for k, v in EXACT_NUMBERS.items()}, "x": {"N": "0.1"}})
    run("ADD 0.2 to 0.1", "update_item", TableName=TASKS, Key=item(taskId="n1"), UpdateExpression="ADD x :v",
        ExpressionAttributeValues={":v": {"N": "0.2"}}, ReturnValues="UPDATED_NEW")
    run("ADD 1 to 38 digits", "update_item", TableName=TASKS, Key=item(taskId="n1"), UpdateExpression="ADD big :one",
        ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
    run("SET 1.1 - 2.2", "update_item", TableName=TASKS, Key=item(taskId="n1"), UpdateExpression="SET y = :a - :b",
        ExpressionAttributeValues={":a": {"N": "1.1"}, ":b": {"N": "2.2"}}, ReturnValues="UPDATED_NEW")
    run("SET tiny + tiny", "update_item", TableName=TASKS, Key=item(taskId="n1"),
        UpdateExpression="SET tiny2 = tiny + tiny", ReturnValues="UPDATED_NEW")
    run("get n1", "get_item", TableName=TASKS, Key=item(taskId="n1"))
    # Numeric order (not string order) in conditions, with negatives and decimals.
    scores = ["-100", "-2.5", "-0.1", "0", "0.1", "2", "10", "100", "1E+10", "-1E-5"]
    for n, score in enumerate(scores):
        client.put_item(TableName=TASKS, Item={"taskId": {"S": f"s{n:02d}"}, "score": {"N": score}, "label": {"S": score}})

    def matching(label: str, expression: str, **vals: Any) -> None:
        request = {"TableName": TASKS, "FilterExpression": expression,
                   "ExpressionAttributeValues": {f":{k}": v for k, v in vals.items()}}
        found = paged(run, label + " (pages)", "scan", record_keys=False, **request)
        run.note(label, sorted(i["label"] for i in found))

    matching("score BETWEEN -3 AND 2", "score BETWEEN :lo AND :hi", lo={"N": "-3"}, hi={"N": "2"})
    matching("score > -1", "score > :v", v={"N": "-1"})
    matching("score < -0.01", "score < :v", v={"N": "-0.01"})
    matching("score = 1E+10 written as 10000000000", "score = :v", v={"N": "10000000000"})
    matching("score IN (0.10, 2.0)", "score IN (:a, :b)", a={"N": "0.10"}, b={"N": "2.0"})
    matching("label < '1' (string order)", "label < :v", v={"S": "1"})
    matching("label BETWEEN '-1' AND '10'", "label BETWEEN :lo AND :hi", lo={"S": "-1"}, hi={"S": "10"})
    return run


def test_numbers_are_exact_and_ordered_numerically(formwork, moto):
    got, want = both(scenario_numbers, formwork, moto)
    # moto's BETWEEN is false when the attribute's value is 0 (it tests the value for truth).
    moto_deviates(want, "score BETWEEN -3 AND 2", ["-0.1", "-1E-5", "-2.5", "0", "0.1", "2"])
    moto_deviates(want, "score BETWEEN -3 AND 2 (pages)", [{"Count": 6, "ScannedCount": 11, "LastEvaluatedKey": False}])
    r = got.results
    assert r["ADD 0.2 to 0.1"] == {"Attributes": {"x": Decimal("0.3")}}
    assert r["ADD 1 to 38 digits"] == {"Attributes": {"big": Decimal("12345678901234567890123456789012345679")}}
    assert r["SET 1.1 - 2.2"] == {"Attributes": {"y": Decimal("-1.1")}}
    assert r["SET tiny + tiny"] == {"Attributes": {"tiny2": Decimal("2E-38")}}
    stored = r["get n1"]["Item"]
    for name, text in EXACT_NUMBERS.items():
        if name != "big":
            assert stored[name] == Decimal(text), name
    assert r["score > -1"] == ["-0.1", "-1E-5", "0", "0.1", "10", "100", "1E+10", "2"]
    assert r["score < -0.01"] == ["-0.1", "-100", "-2.5"]
    assert r["score = 1E+10 written as 10000000000"] == ["1E+10"]
    assert r["score IN (0.10, 2.0)"] == ["0.1", "2"]
    assert r["label < '1' (string order)"] == ["-0.1", "-100", "-1E-5", "-2.5", "0", "0.1"]
    assert got.results == want.results


def test_numbers_come_back_in_dynamodb_canonical_form(formwork):
    """DynamoDB stores numbers, not their text: it answers "1.5" for "1.500", "12000" for "12e3"
    and "0" for "-0". (moto keeps the text it was given, so this is asserted on Formwork only.)"""
    formwork.put_item(TableName=TASKS, Item={"taskId": {"S": "canonical"}, **{k: {"N": v} for k, v in EXACT_NUMBERS.items()}})
    stored = formwork.get_item(TableName=TASKS, Key=item(taskId="canonical"))["Item"]
    assert {k: stored[k]["N"] for k in ("trailingZeros", "exponent", "zero", "big")} == {
        "trailingZeros": "1.5", "exponent": "12000", "zero": "0", "big": BIG,
    }


# --------------------------------------------------------------------------------------------
# Query
# --------------------------------------------------------------------------------------------


def scenario_query_by_assignee(client) -> Run:
    run = Run(client)
    seed_tasks(run)
    base = {"TableName": TASKS, "IndexName": "ByAssignee"}

    def query(label: str, condition: str, names: dict | None = None, **rest: Any) -> None:
        vals = rest.pop("vals")
        request = {**base, "KeyConditionExpression": condition, "ExpressionAttributeValues": values(**vals), **rest}
        if names:
            request["ExpressionAttributeNames"] = names
        run(label, "query", **request)

    query("all of alice", "assigneeId = :a", vals={"a": "alice"})
    query("begins_with", "assigneeId = :a AND begins_with(deadline, :m)", vals={"a": "alice", "m": "2024-02"})
    query("BETWEEN inclusive", "assigneeId = :a AND deadline BETWEEN :lo AND :hi",
          vals={"a": "alice", "lo": "2024-02-01", "hi": "2024-04-01"})
    query("less than", "assigneeId = :a AND deadline < :d", vals={"a": "alice", "d": "2024-02-14"})
    query("at most", "assigneeId = :a AND deadline <= :d", vals={"a": "alice", "d": "2024-02-14"})
    query("greater than", "assigneeId = :a AND deadline > :d", vals={"a": "alice", "d": "2024-04-30"})
    query("at least", "assigneeId = :a AND deadline >= :d", vals={"a": "alice", "d": "2024-04-30"})
    query("backwards", "assigneeId = :a", vals={"a": "alice"}, ScanIndexForward=False)
    query("filter", "assigneeId = :a", {"#s": "status"}, vals={"a": "alice", "s": "open"},
          FilterExpression="#s = :s")
    query("filter and projection", "assigneeId = :a AND deadline > :d", {"#s": "status"},
          vals={"a": "alice", "d": "2024-02-01", "p": 0}, FilterExpression="priority > :p",
          ProjectionExpression="taskId, #s, deadline")
    query("Select COUNT", "assigneeId = :a", vals={"a": "alice"}, Select="COUNT")
    query("Select COUNT with filter", "assigneeId = :a", {"#s": "status"}, vals={"a": "alice", "s": "done"},
          Select="COUNT", FilterExpression="#s = :s")
    query("Select SPECIFIC_ATTRIBUTES", "assigneeId = :a", vals={"a": "bob"}, Select="SPECIFIC_ATTRIBUTES",
          ProjectionExpression="title")
    query("nobody", "assigneeId = :a", vals={"a": "nobody"})
    query("Limit larger than the result", "assigneeId = :a", vals={"a": "bob"}, Limit=100)
    # Paging: 11 tasks of alice, pages of 3 and 4 (not exact multiples: see the test below).
    for limit, forward in ((3, True), (4, False)):
        paged(run, f"pages of {limit}, forward={forward}", "query", **base, Limit=limit, ScanIndexForward=forward,
              KeyConditionExpression="assigneeId = :a", ExpressionAttributeValues=values(a="alice"))
    paged(run, "pages of 4 with a filter", "query", **base, Limit=4, KeyConditionExpression="assigneeId = :a",
          FilterExpression="#s <> :s", ExpressionAttributeNames={"#s": "status"},
          ExpressionAttributeValues=values(a="alice", s="open"))
    paged(run, "pages of 5 with a range condition, backwards", "query", **base, Limit=5, ScanIndexForward=False,
          KeyConditionExpression="assigneeId = :a AND deadline >= :d",
          ExpressionAttributeValues=values(a="alice", d="2024-01-21"))
    paged(run, "COUNT in pages of 3", "query", **base, Limit=3, Select="COUNT",
          KeyConditionExpression="assigneeId = :a", ExpressionAttributeValues=values(a="alice"))
    return run


def test_query_by_assignee(formwork, moto):
    got, want = both(scenario_query_by_assignee, formwork, moto)
    r = got.results
    alice = [t for t in task_items() if t.get("assigneeId") == "alice" and "deadline" in t]
    alice_ids = [t["taskId"] for t in sorted(alice, key=lambda t: t["deadline"])]
    assert [i["taskId"] for i in r["all of alice"]["Items"]] == alice_ids
    assert [i["taskId"] for i in r["backwards"]["Items"]] == alice_ids[::-1]
    assert [i["deadline"] for i in r["BETWEEN inclusive"]["Items"]][0] == "2024-02-01"
    assert [i["deadline"] for i in r["BETWEEN inclusive"]["Items"]][-1] == "2024-04-01"
    assert r["Select COUNT"] == {"Count": 11, "ScannedCount": 11}
    pages = r["pages of 3, forward=True"]
    assert [len(p["Items"]) for p in pages] == [3, 3, 3, 2]
    assert ["LastEvaluatedKey" in p for p in pages] == [True, True, True, False]
    # A GSI's LastEvaluatedKey holds the index key and the table key.
    assert set(pages[0]["LastEvaluatedKey"]) == {"assigneeId", "deadline", "taskId"}
    assert [i["taskId"] for p in pages for i in p["Items"]] == alice_ids
    assert got.results == want.results


def test_query_stops_at_limit_even_at_the_end(formwork, moto):
    """DynamoDB stops when it has evaluated Limit items and returns LastEvaluatedKey, even when
    no item is left: the next page is then empty and has no LastEvaluatedKey ("If DynamoDB
    processes the number of items up to the limit while processing the results, it stops the
    operation and returns the matching values up to that point, and a key in LastEvaluatedKey",
    Query API reference, Limit). moto looks ahead and omits LastEvaluatedKey on the last full
    page, so only the items are compared with moto; the page shape is asserted on Formwork."""

    def scenario(client) -> Run:
        run = Run(client)
        run.put_all(TASKS, [{"taskId": f"m{n}", "assigneeId": "carol", "deadline": f"2024-09-0{n}"} for n in range(1, 7)])
        paged(run, "pages of 3", "query", TableName=TASKS, IndexName="ByAssignee", Limit=3,
              KeyConditionExpression="assigneeId = :a", ExpressionAttributeValues=values(a="carol"))
        return run

    got, want = both(scenario, formwork, moto)

    def items(run: Run) -> dict:
        return {label: [i for p in pages for i in p.get("Items", [])] for label, pages in run.results.items()}

    assert items(got) == items(want)
    shape = {label: [(p["Count"], "LastEvaluatedKey" in p) for p in pages] for label, pages in got.results.items()}
    assert shape == {"pages of 3": [(3, True), (3, True), (0, False)]}


def scenario_query_by_status_and_table(client) -> Run:
    run = Run(client)
    seed_tasks(run)
    names = {"#s": "status"}
    run("open before March, newest first", "query", TableName=TASKS, IndexName="ByStatus",
        KeyConditionExpression="#s = :s AND deadline < :d", ExpressionAttributeNames=names,
        ExpressionAttributeValues=values(s="open", d="2024-03-01"), ScanIndexForward=False)
    run("done, projected", "query", TableName=TASKS, IndexName="ByStatus", KeyConditionExpression="#s = :s",
        ExpressionAttributeNames=names, ExpressionAttributeValues=values(s="done"),
        ProjectionExpression="taskId, assigneeId")
    paged(run, "in-progress in pages of 4", "query", TableName=TASKS, IndexName="ByStatus", Limit=4,
          KeyConditionExpression="#s = :s", ExpressionAttributeNames=names, ExpressionAttributeValues=values(s="in-progress"))
    run("table query", "query", TableName=TASKS, KeyConditionExpression="taskId = :t",
        ExpressionAttributeValues=values(t="task-a03"))
    run("table query filtered out", "query", TableName=TASKS, KeyConditionExpression="taskId = :t",
        FilterExpression="priority > :p", ExpressionAttributeValues=values(t="task-a03", p=100))
    run("table query COUNT", "query", TableName=TASKS, KeyConditionExpression="taskId = :t", Select="COUNT",
        ExpressionAttributeValues=values(t="task-a03"))
    run("table query missing", "query", TableName=TASKS, KeyConditionExpression="taskId = :t",
        ExpressionAttributeValues=values(t="nope"))
    run("user by email", "query", TableName=USERS, IndexName="ByEmail", KeyConditionExpression="email = :e",
        ExpressionAttributeValues=values(e="nobody@example.com"))
    client.put_item(TableName=USERS, Item=item(userId="u1", email="a@example.com", name="A"))
    client.put_item(TableName=USERS, Item=item(userId="u2", email="b@example.com", name="B"))
    run("user by email after puts", "query", TableName=USERS, IndexName="ByEmail",
        KeyConditionExpression="email = :e", ExpressionAttributeValues=values(e="b@example.com"))
    client.put_item(TableName=NOTIFICATIONS, Item=item(notificationId="n2", userId="u1", createdAt="2024-01-02"))
    client.put_item(TableName=NOTIFICATIONS, Item=item(notificationId="n1", userId="u1", createdAt="2024-01-01"))
    client.put_item(TableName=NOTIFICATIONS, Item=item(notificationId="n3", userId="u2", createdAt="2024-01-03"))
    run("notifications of u1", "query", TableName=NOTIFICATIONS, IndexName="ByUser",
        KeyConditionExpression="userId = :u", ExpressionAttributeValues=values(u="u1"))
    return run


def test_query_by_status_and_on_tables(formwork, moto):
    got, want = both(scenario_query_by_status_and_table, formwork, moto)
    r = got.results
    assert r["table query filtered out"] == {"Items": [], "Count": 0, "ScannedCount": 1}
    assert r["table query COUNT"] == {"Count": 1, "ScannedCount": 1}
    assert [i["notificationId"] for i in r["notifications of u1"]["Items"]] == ["n1", "n2"]
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Sparse indexes
# --------------------------------------------------------------------------------------------


def scenario_sparse_index(client) -> Run:
    run = Run(client)
    run.put_all(TASKS, [
        {"taskId": "sp-both", "assigneeId": "sparse", "deadline": "2024-01-01", "status": "open"},
        {"taskId": "sp-no-assignee", "deadline": "2024-01-02", "status": "open"},
        {"taskId": "sp-no-deadline", "assigneeId": "sparse", "status": "open"},
        {"taskId": "sp-both-2", "assigneeId": "sparse", "deadline": "2024-01-04"},
    ])
    by_assignee = {"TableName": TASKS, "IndexName": "ByAssignee", "KeyConditionExpression": "assigneeId = :a",
                   "ExpressionAttributeValues": values(a="sparse")}
    run("ByAssignee", "query", **by_assignee)
    run("scan ByAssignee", "scan", TableName=TASKS, IndexName="ByAssignee")
    run("scan ByStatus", "scan", TableName=TASKS, IndexName="ByStatus")
    run.quiet("update_item", TableName=TASKS, Key=item(taskId="sp-no-assignee"), UpdateExpression="SET assigneeId = :a",
              ExpressionAttributeValues=values(a="sparse"))
    run.quiet("update_item", TableName=TASKS, Key=item(taskId="sp-both"), UpdateExpression="REMOVE deadline")
    run.quiet("update_item", TableName=TASKS, Key=item(taskId="sp-both-2"), UpdateExpression="SET assigneeId = :a",
              ExpressionAttributeValues=values(a="elsewhere"))
    run("ByAssignee after updates", "query", **by_assignee)
    run("elsewhere", "query", TableName=TASKS, IndexName="ByAssignee", KeyConditionExpression="assigneeId = :a",
        ExpressionAttributeValues=values(a="elsewhere"))
    run.quiet("delete_item", TableName=TASKS, Key=item(taskId="sp-no-assignee"))
    run("ByAssignee after delete", "query", **by_assignee)
    return run


def test_sparse_index(formwork, moto):
    got, want = both(scenario_sparse_index, formwork, moto)
    r = got.results
    assert [i["taskId"] for i in r["ByAssignee"]["Items"]] == ["sp-both", "sp-both-2"]
    assert [i["taskId"] for i in r["ByAssignee after updates"]["Items"]] == ["sp-no-assignee"]
    assert r["ByAssignee after delete"]["Items"] == []
    for label in ("scan ByAssignee", "scan ByStatus"):
        r[label]["Items"] = unordered(r[label]["Items"])
        want.results[label]["Items"] = unordered(want.results[label]["Items"])
    assert {i["taskId"] for i in r["scan ByAssignee"]["Items"]} == {"sp-both", "sp-both-2"}
    assert {i["taskId"] for i in r["scan ByStatus"]["Items"]} == {"sp-both", "sp-no-assignee"}
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# String order
# --------------------------------------------------------------------------------------------

NFC_E = unicodedata.normalize("NFC", "é")  # U+00E9, UTF-8 C3 A9
NFD_E = unicodedata.normalize("NFD", "é")  # e + U+0301, UTF-8 65 CC 81
# UTF-8 byte order differs from UTF-16 order for U+E000–U+FFFF against astral characters, and
# from case-insensitive or locale order for upper and lower case letters.
UNICODE_KEYS = [
    "a", "B", "Z", "z", "0", " ", "~", "\u007f", "\u0080", "ÿ", NFC_E, NFD_E, "e", "ä", "Ω", "中",
    "\uff5e", "\U0001f600", "\U00010000", "\ue000", "aa", "ab", "A", "Å", "Ä",
]


def scenario_utf8(client) -> Run:
    run = Run(client)
    run.put_all(TASKS, [{"taskId": f"str-{n:02d}", "assigneeId": "utf8", "deadline": k} for n, k in enumerate(UNICODE_KEYS)])
    run.put_all(TASKS, [{"taskId": NFC_E, "form": "NFC"}, {"taskId": NFD_E, "form": "NFD"}])
    query = {"TableName": TASKS, "IndexName": "ByAssignee"}
    run("forward", "query", **query, KeyConditionExpression="assigneeId = :a", ExpressionAttributeValues=values(a="utf8"))
    run("backward", "query", **query, KeyConditionExpression="assigneeId = :a", ScanIndexForward=False,
        ExpressionAttributeValues=values(a="utf8"))
    run("between Z and é", "query", **query, KeyConditionExpression="assigneeId = :a AND deadline BETWEEN :lo AND :hi",
        ExpressionAttributeValues=values(a="utf8", lo="Z", hi=NFC_E))
    run("begins_with e", "query", **query, KeyConditionExpression="assigneeId = :a AND begins_with(deadline, :p)",
        ExpressionAttributeValues=values(a="utf8", p="e"))
    run("greater than U+FF5E", "query", **query, KeyConditionExpression="assigneeId = :a AND deadline > :d",
        ExpressionAttributeValues=values(a="utf8", d="\uff5e"))
    paged(run, "pages of 4", "query", **query, Limit=4, KeyConditionExpression="assigneeId = :a",
          ExpressionAttributeValues=values(a="utf8"))
    found = paged(run, "filter > 'a' (pages)", "scan", record_keys=False, TableName=TASKS,
                  FilterExpression="deadline > :d", ExpressionAttributeValues=values(d="a"))
    run.note("filter > 'a'", utf8_order([i["deadline"] for i in found]))
    run("get NFC", "get_item", TableName=TASKS, Key=item(taskId=NFC_E))
    run("get NFD", "get_item", TableName=TASKS, Key=item(taskId=NFD_E))
    return run


def test_strings_are_ordered_by_utf8_bytes(formwork, moto):
    got, want = both(scenario_utf8, formwork, moto)
    r = got.results
    expected = utf8_order(UNICODE_KEYS)
    assert [i["deadline"] for i in r["forward"]["Items"]] == expected
    assert [i["deadline"] for i in r["backward"]["Items"]] == expected[::-1]
    # Canonically equivalent strings are still different keys.
    assert r["get NFC"] == {"Item": {"taskId": NFC_E, "form": "NFC"}}
    assert r["get NFD"] == {"Item": {"taskId": NFD_E, "form": "NFD"}}
    assert got.results == want.results


# Derandomized and without an example database: each run tries the same examples, and writes
# nothing to the work tree. The function-scoped fixture (emptying the tables) runs once per
# test, not per example; the examples do not depend on it.
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(keys=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6),
                     min_size=1, max_size=8, unique=True))
def test_any_strings_are_ordered_by_utf8_bytes(formwork, moto, keys):
    # Each example uses its own partition, so examples need no clean-up between them.
    partition = "hyp-" + hashlib.sha256(json.dumps(keys).encode()).hexdigest()[:24]

    def scenario(client) -> list[str]:
        for n, key in enumerate(keys):
            client.put_item(TableName=TASKS, Item=item(taskId=f"{partition}-{n}", assigneeId=partition, deadline=key))
        response = client.query(TableName=TASKS, IndexName="ByAssignee", KeyConditionExpression="assigneeId = :a",
                                ExpressionAttributeValues=values(a=partition))
        return [i["deadline"]["S"] for i in response["Items"]]

    got = scenario(formwork)
    assert got == utf8_order(keys)
    assert got == scenario(moto)


def _decimals(max_digits: int, min_exponent: int, max_exponent: int):
    return st.builds(
        lambda sign, digits, exponent: Decimal((sign, digits, exponent)),
        st.integers(0, 1), st.lists(st.integers(0, 9), min_size=1, max_size=max_digits).map(tuple),
        st.integers(min_exponent, max_exponent),
    )


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(a=_decimals(18, -10, 2), b=_decimals(18, -10, 2))
def test_any_numbers_round_trip_and_add_exactly(formwork, moto, a, b):
    # |a|, |b| < 1E+20 with no digit below 1E-10: the sum has at most 31 digits, so it is exact.
    key = item(taskId="hyp-number")

    def scenario(client) -> tuple:
        # Plain notation: moto fails (HTTP 500) on exponent forms of zero such as "0E+1".
        client.put_item(TableName=TASKS, Item={**key, "a": {"N": f"{a:f}"}, "b": {"N": f"{b:f}"}})
        stored = client.get_item(TableName=TASKS, Key=key)["Item"]
        added = client.update_item(TableName=TASKS, Key=key, UpdateExpression="ADD a :b",
                                   ExpressionAttributeValues={":b": {"N": f"{b:f}"}}, ReturnValues="ALL_NEW")
        return Decimal(stored["a"]["N"]), Decimal(stored["b"]["N"]), Decimal(added["Attributes"]["a"]["N"])

    with decimal.localcontext(decimal.Context(prec=100)):
        exact_sum = a + b
    got = scenario(formwork)
    assert got == (a, b, exact_sum)
    assert got == scenario(moto)


# --------------------------------------------------------------------------------------------
# Scan
# --------------------------------------------------------------------------------------------


def scenario_scan(client) -> Run:
    run = Run(client)
    tasks = task_items()
    tasks += [{"taskId": f"extra-{n:02d}", "status": "open", "priority": n, "deadline": f"2025-01-{n + 1:02d}"} for n in range(8)]
    run.put_all(TASKS, tasks)
    full = run("full", "scan", TableName=TASKS)
    run.results["full"]["Items"] = unordered(run.results["full"]["Items"])
    all_items = unordered([canon_item(i) for i in full["Items"]])
    filtered = paged(run, "filter in pages of 6 (shape)", "scan", record_keys=False, TableName=TASKS, Limit=6,
                     FilterExpression="#s = :s AND priority >= :p", ExpressionAttributeNames={"#s": "status"},
                     ExpressionAttributeValues=values(s="open", p=0))
    run.note("filter in pages of 6 (items)", unordered(filtered))
    # Per-page Count depends on the (unspecified) scan order; ScannedCount per page does not.
    for page in run.results["filter in pages of 6 (shape)"]:
        page.pop("Count")
    plain = paged(run, "pages of 7 (shape)", "scan", record_keys=False, TableName=TASKS, Limit=7)
    run.note("pages of 7 equal the full scan", unordered(plain) == all_items)
    run.note("pages of 7 have no duplicates", len(plain) == len(all_items))
    run("filter", "scan", TableName=TASKS, FilterExpression="assigneeId = :a OR priority > :p",
        ExpressionAttributeValues=values(a="bob", p=5), ProjectionExpression="taskId, priority")
    run.results["filter"]["Items"] = unordered(run.results["filter"]["Items"])
    run("COUNT", "scan", TableName=TASKS, Select="COUNT")
    run("COUNT with filter", "scan", TableName=TASKS, Select="COUNT", FilterExpression="attribute_not_exists(assigneeId)")
    segmented: list[dict] = []
    for segment in range(3):
        segmented += paged(run, f"segment {segment} of 3 (shape)", "scan", record_keys=False, TableName=TASKS,
                           Segment=segment, TotalSegments=3, Limit=4)
        # How items fall into segments is the server's own hashing: compare the union only.
        del run.results[f"segment {segment} of 3 (shape)"]
    run.note("segments: union equals the full scan", unordered(segmented) == all_items)
    run.note("segments: no item twice", len(segmented) == len(all_items))
    single = paged(run, "one segment of 1", "scan", record_keys=False, TableName=TASKS, Segment=0, TotalSegments=1)
    run.note("one segment of 1 is everything", unordered(single) == all_items)
    run("scan ByStatus with filter", "scan", TableName=TASKS, IndexName="ByStatus",
        FilterExpression="begins_with(deadline, :y)", ExpressionAttributeValues=values(y="2025"))
    run.results["scan ByStatus with filter"]["Items"] = unordered(run.results["scan ByStatus with filter"]["Items"])
    run("empty table", "scan", TableName=USERS)
    return run


def test_scan(formwork, moto):
    got, want = both(scenario_scan, formwork, moto)
    # Select COUNT returns the count only; moto's Scan ignores Select and returns the items too.
    moto_deviates(want, "COUNT", {"Count": 25, "ScannedCount": 25})
    moto_deviates(want, "COUNT with filter", {"Count": 9, "ScannedCount": 25})
    r = got.results
    assert r["full"]["Count"] == r["full"]["ScannedCount"] == 25
    assert [p["ScannedCount"] for p in r["pages of 7 (shape)"]] == [7, 7, 7, 4]
    assert [p["LastEvaluatedKey"] for p in r["pages of 7 (shape)"]] == [True, True, True, False]
    assert r["segments: union equals the full scan"] and r["segments: no item twice"]
    assert r["empty table"] == {"Items": [], "Count": 0, "ScannedCount": 0}
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------


def scenario_batch(client) -> Run:
    run = Run(client)
    puts = [{"PutRequest": {"Item": item(taskId=f"b{n:02d}", n=n, status=STATUSES[n % 3])}} for n in range(20)]
    users = [{"PutRequest": {"Item": item(userId=f"bu{n}", email=f"bu{n}@example.com")}} for n in range(3)]
    notes = [{"PutRequest": {"Item": item(notificationId=f"bn{n}", userId="bu0", createdAt=f"2024-01-0{n + 1}")}}
             for n in range(2)]
    run("write 25 across tables", "batch_write_item", RequestItems={TASKS: puts, USERS: users, NOTIFICATIONS: notes})
    run("write: deletes and a replacement", "batch_write_item", RequestItems={
        TASKS: [{"DeleteRequest": {"Key": item(taskId="b00")}}, {"DeleteRequest": {"Key": item(taskId="missing")}},
                {"PutRequest": {"Item": item(taskId="b01", n=100, replaced=True)}}],
        USERS: [{"DeleteRequest": {"Key": item(userId="bu2")}}],
    })
    run("get across tables", "batch_get_item", RequestItems={
        TASKS: {"Keys": [item(taskId=t) for t in ("b00", "b01", "b02", "b19", "missing")]},
        USERS: {"Keys": [item(userId=u) for u in ("bu0", "bu1", "bu2")], "ConsistentRead": True},
    })
    run("get with projection", "batch_get_item", RequestItems={
        TASKS: {"Keys": [item(taskId=t) for t in ("b03", "b04")], "ProjectionExpression": "taskId, #s",
                "ExpressionAttributeNames": {"#s": "status"}},
    })
    run("get nothing found", "batch_get_item", RequestItems={TASKS: {"Keys": [item(taskId="nope")]}})
    run("count tasks", "scan", TableName=TASKS, Select="COUNT")
    # Invalid requests last: moto accepts some of them, and writes.
    too_many = [{"PutRequest": {"Item": item(taskId=f"x{n}")}} for n in range(26)]
    run("write 26", "batch_write_item", RequestItems={TASKS: too_many})
    run("write duplicate keys", "batch_write_item", RequestItems={TASKS: [
        {"PutRequest": {"Item": item(taskId="dup")}}, {"DeleteRequest": {"Key": item(taskId="dup")}}]})
    run("get duplicate keys", "batch_get_item", RequestItems={TASKS: {"Keys": [item(taskId="b02"), item(taskId="b02")]}})
    run("get 101 keys", "batch_get_item", RequestItems={TASKS: {"Keys": [item(taskId=f"k{n}") for n in range(101)]}})
    run("write to unknown table", "batch_write_item",
        RequestItems={"taskmgmt-dev-nope": [{"PutRequest": {"Item": item(taskId="x")}}]})
    run("get from unknown table", "batch_get_item", RequestItems={"taskmgmt-dev-nope": {"Keys": [item(taskId="x")]}})
    return run


def test_batch_write_and_get(formwork, moto):
    got, want = both(scenario_batch, formwork, moto)
    # (Scan's Select COUNT: see test_scan.)
    moto_deviates(want, "count tasks", {"Count": 19, "ScannedCount": 19})
    # BatchWriteItem rejects the whole batch with a ValidationException when it has more than 25
    # requests, or two requests for the same item (BatchWriteItem API reference); moto accepts both.
    moto_deviates(want, "write 26", {"error": "ValidationException"})
    moto_deviates(want, "write duplicate keys", {"error": "ValidationException"})
    r = got.results
    assert r["write 25 across tables"] == {"UnprocessedItems": {}}
    assert r["get across tables"]["UnprocessedKeys"] == {}
    assert sorted(i["taskId"] for i in r["get across tables"]["Responses"][TASKS]) == ["b01", "b02", "b19"]
    assert r["get nothing found"] == {"Responses": {TASKS: []}, "UnprocessedKeys": {}}
    for label in ("get duplicate keys", "get 101 keys"):
        assert r[label] == {"error": "ValidationException"}, label
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Transactions
# --------------------------------------------------------------------------------------------


def scenario_transactions(client) -> Run:
    run = Run(client)
    run.put_all(TASKS, [{"taskId": "tx1", "status": "open", "counter": 0, "title": "first"}])
    run.put_all(USERS, [{"userId": "ux1", "email": "ux1@example.com"}])
    run.put_all(NOTIFICATIONS, [{"notificationId": "nx1", "userId": "ux1", "createdAt": "2024-01-01"}])
    run("write succeeds", "transact_write_items", TransactItems=[
        {"Put": {"TableName": TASKS, "Item": item(taskId="tx2", status="open", title="second"),
                 "ConditionExpression": "attribute_not_exists(taskId)"}},
        {"Update": {"TableName": TASKS, "Key": item(taskId="tx1"), "UpdateExpression": "SET #c = #c + :one",
                    "ExpressionAttributeNames": {"#c": "counter"}, "ExpressionAttributeValues": values(one=1)}},
        {"Delete": {"TableName": NOTIFICATIONS, "Key": item(notificationId="nx1")}},
        {"ConditionCheck": {"TableName": USERS, "Key": item(userId="ux1"), "ConditionExpression": "attribute_exists(userId)"}},
    ])
    run("after success", "transact_get_items", TransactItems=[
        {"Get": {"TableName": TASKS, "Key": item(taskId="tx1")}},
        {"Get": {"TableName": TASKS, "Key": item(taskId="tx2")}},
        {"Get": {"TableName": NOTIFICATIONS, "Key": item(notificationId="nx1")}},
        {"Get": {"TableName": USERS, "Key": item(userId="ux1"), "ProjectionExpression": "email"}},
    ])
    run("cancelled: second condition fails", "transact_write_items", TransactItems=[
        {"Update": {"TableName": TASKS, "Key": item(taskId="tx1"), "UpdateExpression": "SET title = :t",
                    "ExpressionAttributeValues": values(t="changed")}},
        {"Put": {"TableName": TASKS, "Item": item(taskId="tx2", title="again"),
                 "ConditionExpression": "attribute_not_exists(taskId)"}},
    ])
    run("cancelled: first condition check fails, item returned", "transact_write_items", TransactItems=[
        {"ConditionCheck": {"TableName": USERS, "Key": item(userId="ux1"), "ConditionExpression": "email = :e",
                            "ExpressionAttributeValues": values(e="other@example.com"),
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Delete": {"TableName": TASKS, "Key": item(taskId="tx1")}},
    ])
    run("two operations on one item", "transact_write_items", TransactItems=[
        {"Update": {"TableName": TASKS, "Key": item(taskId="tx1"), "UpdateExpression": "SET a = :a",
                    "ExpressionAttributeValues": values(a=1)}},
        {"Delete": {"TableName": TASKS, "Key": item(taskId="tx1")}},
    ])
    run("unknown table", "transact_write_items", TransactItems=[
        {"Put": {"TableName": "taskmgmt-dev-nope", "Item": item(taskId="x")}}])
    run("after cancellations", "transact_get_items", TransactItems=[
        {"Get": {"TableName": TASKS, "Key": item(taskId="tx1")}},
        {"Get": {"TableName": TASKS, "Key": item(taskId="tx2")}},
    ])
    run("get missing only", "transact_get_items", TransactItems=[
        {"Get": {"TableName": TASKS, "Key": item(taskId="nope")}}])
    return run


def test_transactions(formwork, moto):
    got, want = both(scenario_transactions, formwork, moto)
    after_success = [
        {"taskId": "tx1", "status": "open", "counter": 1, "title": "first"},
        {"taskId": "tx2", "status": "open", "title": "second"},
        None,
        {"email": "ux1@example.com"},
    ]
    # moto's TransactGetItems ignores ProjectionExpression.
    moto_deviates(want, "after success", {"Responses": after_success})
    r = got.results
    assert r["write succeeds"] == {}
    cancelled = r["cancelled: second condition fails"]
    assert cancelled["error"] == "TransactionCanceledException"
    assert [reason["Code"] for reason in cancelled["CancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert got.messages["cancelled: second condition fails"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
    )
    assert r["cancelled: first condition check fails, item returned"]["CancellationReasons"] == [
        {"Code": "ConditionalCheckFailed", "Item": {"userId": "ux1", "email": "ux1@example.com"}},
        {"Code": "None"},
    ]
    # No partial effect: the first item is unchanged, the cancelled delete did not happen.
    assert r["after cancellations"]["Responses"] == [
        {"taskId": "tx1", "status": "open", "counter": 1, "title": "first"},
        {"taskId": "tx2", "status": "open", "title": "second"},
    ]
    assert r["two operations on one item"] == {"error": "ValidationException"}
    assert r["get missing only"] == {"Responses": [None]}
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

def _sized_item(task_id: str, size: int) -> dict:
    """An item of exactly `size` bytes by DynamoDB's count (names' and values' UTF-8 lengths)."""
    overhead = len("taskId") + len(task_id) + len("payload")
    return item(taskId=task_id, payload="x" * (size - overhead))


ITEM_LIMIT = 400 * 1024
_E1 = item(taskId="e1")
_STATUS_VALUE = values(s="open")
_RESERVED = "Attribute name is a reserved keyword; reserved keyword: status"
_NO_SCHEMA_MATCH = "The provided key element does not match the schema"
_UNKNOWN_TABLE = "taskmgmt-dev-nope"

# Each case: (label, operation, request, DynamoDB's error code, DynamoDB's message where it is
# well known, or None, and why moto answers differently, or None where moto agrees).
ERROR_CASES: list[tuple[str, str, dict, str, str | None, str | None]] = [
    ("reserved word in ProjectionExpression", "get_item",
     {"TableName": TASKS, "Key": _E1, "ProjectionExpression": "status"},
     "ValidationException", f"Invalid ProjectionExpression: {_RESERVED}", None),
    ("reserved word in UpdateExpression", "update_item",
     {"TableName": TASKS, "Key": _E1, "UpdateExpression": "SET status = :s", "ExpressionAttributeValues": _STATUS_VALUE},
     "ValidationException", f"Invalid UpdateExpression: {_RESERVED}", None),
    ("reserved word in ConditionExpression", "put_item",
     {"TableName": TASKS, "Item": _E1, "ConditionExpression": "status = :s", "ExpressionAttributeValues": _STATUS_VALUE},
     "ValidationException", f"Invalid ConditionExpression: {_RESERVED}", None),
    ("reserved word in FilterExpression", "scan",
     {"TableName": TASKS, "FilterExpression": "status = :s", "ExpressionAttributeValues": _STATUS_VALUE},
     "ValidationException", f"Invalid FilterExpression: {_RESERVED}", None),
    ("reserved word in KeyConditionExpression", "query",
     {"TableName": TASKS, "IndexName": "ByStatus", "KeyConditionExpression": "status = :s",
      "ExpressionAttributeValues": _STATUS_VALUE},
     "ValidationException", f"Invalid KeyConditionExpression: {_RESERVED}",
     "moto does not check reserved words in key conditions, and answers the query"),
    ("unused ExpressionAttributeValues", "update_item",
     {"TableName": TASKS, "Key": _E1, "UpdateExpression": "SET title = :t", "ExpressionAttributeValues": values(t="y", unused="z")},
     "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}", None),
    ("unused ExpressionAttributeNames", "get_item",
     {"TableName": TASKS, "Key": _E1, "ProjectionExpression": "title", "ExpressionAttributeNames": {"#unused": "x"}},
     "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}", None),
    ("undefined value", "put_item",
     {"TableName": TASKS, "Item": _E1, "ConditionExpression": "title = :missing"},
     "ValidationException",
     "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing",
     "moto fails with an internal server error (HTTP 500)"),
    ("undefined name", "get_item",
     {"TableName": TASKS, "Key": _E1, "ProjectionExpression": "#missing"},
     "ValidationException",
     "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #missing",
     "moto answers with an empty item"),
    ("values without an expression", "put_item",
     {"TableName": TASKS, "Item": item(taskId="e9"), "ExpressionAttributeValues": values(v=1)},
     "ValidationException", None, "moto ignores the unused ExpressionAttributeValues and writes the item"),
    ("syntax error", "update_item",
     {"TableName": TASKS, "Key": _E1, "UpdateExpression": "SET title = = :t", "ExpressionAttributeValues": values(t="y")},
     "ValidationException", None, None),
    ("GetItem missing key attribute", "get_item", {"TableName": TASKS, "Key": item(title="x")},
     "ValidationException", _NO_SCHEMA_MATCH, None),
    ("GetItem extra key attribute", "get_item", {"TableName": TASKS, "Key": item(taskId="e1", title="x")},
     "ValidationException", _NO_SCHEMA_MATCH, None),
    ("GetItem wrong key type", "get_item", {"TableName": TASKS, "Key": {"taskId": {"N": "1"}}},
     "ValidationException", _NO_SCHEMA_MATCH, "moto does not check the key's type and finds no item"),
    ("PutItem missing key", "put_item", {"TableName": TASKS, "Item": item(title="no key")},
     "ValidationException", "One or more parameter values were invalid: Missing the key taskId in the item", None),
    ("PutItem wrong key type", "put_item", {"TableName": TASKS, "Item": {"taskId": {"N": "1"}}},
     "ValidationException", "One or more parameter values were invalid: Type mismatch for key taskId expected: S actual: N",
     None),
    ("PutItem wrong index key type", "put_item",
     {"TableName": TASKS, "Item": {"taskId": {"S": "e2"}, "assigneeId": {"N": "1"}, "deadline": {"S": "2024"}}},
     "ValidationException",
     "One or more parameter values were invalid: Type mismatch for Index Key assigneeId Expected: S Actual: N "
     "IndexName: ByAssignee",
     "moto does not check the types of index keys, and writes the item"),
    ("PutItem empty string key", "put_item", {"TableName": TASKS, "Item": item(taskId="")},
     "ValidationException", None, None),
    ("PutItem empty string index key", "put_item",
     {"TableName": TASKS, "Item": item(taskId="e3", assigneeId="", deadline="d")},
     "ValidationException", None, None),
    ("update a key attribute", "update_item",
     {"TableName": TASKS, "Key": _E1, "UpdateExpression": "SET taskId = :t", "ExpressionAttributeValues": values(t="x")},
     "ValidationException",
     "One or more parameter values were invalid: Cannot update attribute taskId. This attribute is part of the key", None),
    ("overlapping paths", "update_item",
     {"TableName": TASKS, "Key": _E1, "UpdateExpression": "SET a = :v, a.b = :v", "ExpressionAttributeValues": values(v=1)},
     "ValidationException",
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [a], path two: [a, b]",
     None),
    ("ADD a number to a string", "update_item",
     {"TableName": TASKS, "Key": _E1, "UpdateExpression": "ADD title :n", "ExpressionAttributeValues": values(n=1)},
     "ValidationException", None, "moto replaces the string with the number"),
    ("arithmetic on a string", "update_item",
     {"TableName": TASKS, "Key": _E1, "UpdateExpression": "SET n = title + :n", "ExpressionAttributeValues": values(n=1)},
     "ValidationException", None, "moto computes a result"),
    ("empty string set", "put_item", {"TableName": TASKS, "Item": {"taskId": {"S": "e4"}, "s": {"SS": []}}},
     "ValidationException", "One or more parameter values were invalid: An string set  may not be empty", None),
    ("duplicate in a set", "put_item", {"TableName": TASKS, "Item": {"taskId": {"S": "e4"}, "s": {"SS": ["a", "a"]}}},
     "ValidationException", None, "moto removes the duplicate and writes the item"),
    ("unknown table GetItem", "get_item", {"TableName": _UNKNOWN_TABLE, "Key": _E1},
     "ResourceNotFoundException", None, None),
    ("unknown table PutItem", "put_item", {"TableName": _UNKNOWN_TABLE, "Item": _E1},
     "ResourceNotFoundException", None, None),
    ("unknown table Query", "query",
     {"TableName": _UNKNOWN_TABLE, "KeyConditionExpression": "taskId = :t", "ExpressionAttributeValues": values(t="x")},
     "ResourceNotFoundException", None, None),
    ("unknown index", "query",
     {"TableName": TASKS, "IndexName": "Nope", "KeyConditionExpression": "taskId = :t", "ExpressionAttributeValues": values(t="x")},
     "ValidationException", "The table does not have the specified index: Nope",
     "moto answers ResourceNotFoundException"),
    ("consistent read on a global index", "query",
     {"TableName": TASKS, "IndexName": "ByAssignee", "ConsistentRead": True, "KeyConditionExpression": "assigneeId = :a",
      "ExpressionAttributeValues": values(a="x")},
     "ValidationException", "Consistent reads are not supported on global secondary indexes", None),
    ("query without the partition key", "query",
     {"TableName": TASKS, "IndexName": "ByAssignee", "KeyConditionExpression": "deadline = :d",
      "ExpressionAttributeValues": values(d="x")},
     "ValidationException", "Query condition missed key schema element: assigneeId", None),
    ("query on a non-key attribute", "query",
     {"TableName": TASKS, "KeyConditionExpression": "title = :t", "ExpressionAttributeValues": values(t="x")},
     "ValidationException", None, None),
    ("filter on a key attribute in a query", "query",
     {"TableName": TASKS, "KeyConditionExpression": "taskId = :t", "FilterExpression": "taskId = :t",
      "ExpressionAttributeValues": values(t="e1")},
     "ValidationException", None, "moto accepts a key attribute in a query's FilterExpression"),
    ("item over 400 KB", "put_item", {"TableName": TASKS, "Item": _sized_item("big", ITEM_LIMIT + 1)},
     "ValidationException", "Item size has exceeded the maximum allowed size", None),
    ("update over 400 KB", "update_item",
     {"TableName": TASKS, "Key": item(taskId="near"), "UpdateExpression": "SET more = :m",
      "ExpressionAttributeValues": values(m="y" * 8000)},
     "ValidationException", None, None),
    ("39 significant digits", "put_item",
     {"TableName": TASKS, "Item": {"taskId": {"S": "e5"}, "n": {"N": "123456789012345678901234567890123456789"}}},
     "ValidationException", "Attempting to store more than 38 significant digits in a Number",
     "moto stores the number"),
    ("number too large", "put_item", {"TableName": TASKS, "Item": {"taskId": {"S": "e6"}, "n": {"N": "1E+126"}}},
     "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range",
     "moto stores the number"),
    ("number too small", "put_item", {"TableName": TASKS, "Item": {"taskId": {"S": "e6"}, "n": {"N": "1E-131"}}},
     "ValidationException", "Number underflow. Attempting to store a number with magnitude smaller than supported range",
     None),
    ("not a number", "put_item", {"TableName": TASKS, "Item": {"taskId": {"S": "e6"}, "n": {"N": "twelve"}}},
     "ValidationException", None, None),
    ("Segment without TotalSegments", "scan", {"TableName": TASKS, "Segment": 0}, "ValidationException", None, None),
    ("Segment out of range", "scan", {"TableName": TASKS, "Segment": 3, "TotalSegments": 3}, "ValidationException", None,
     None),
]


def scenario_errors(client) -> Run:
    run = Run(client)
    run.put_all(TASKS, [{"taskId": "e1", "status": "open", "title": "x", "n": 1}])
    # 404,000 bytes: under DynamoDB's 400 KB (409,600 bytes) and under moto's own limit
    # (405,000 bytes; see test_item_size_limit_is_400_kib).
    run("item near 400 KB", "put_item", TableName=TASKS, Item=_sized_item("near", 404_000))
    for label, operation, request, _, _, _ in ERROR_CASES:
        run(label, operation, **request)
    run("e1 is unchanged", "get_item", TableName=TASKS, Key=_E1)
    found = paged(run, "what is left (pages)", "scan", TableName=TASKS)
    run.note("what is left", sorted(i["taskId"] for i in found))
    return run


def test_errors(formwork, moto):
    got, want = both(scenario_errors, formwork, moto)
    for label, _, _, code, _, moto_differs in ERROR_CASES:
        if moto_differs:
            moto_deviates(want, label, {"error": code})
    # moto wrote or changed items for some of the requests above that DynamoDB rejects.
    e1 = {"Item": {"taskId": "e1", "status": "open", "title": "x", "n": 1}}
    moto_deviates(want, "e1 is unchanged", e1)
    moto_deviates(want, "what is left", ["e1", "near"])
    del got.results["what is left (pages)"], want.results["what is left (pages)"]
    expected = {label: {"error": code} for label, _, _, code, _, _ in ERROR_CASES}
    assert {label: got.results[label] for label in expected} == expected
    messages = {label: message for label, _, _, _, message, _ in ERROR_CASES if message is not None}
    assert {label: got.messages.get(label) for label in messages} == messages
    for label in expected:
        if expected[label]["error"] == "ResourceNotFoundException":
            assert got.messages[label].startswith("Requested resource not found"), got.messages[label]
    assert got.results["item near 400 KB"] == {}
    # No invalid request had an effect.
    assert got.results["e1 is unchanged"] == e1
    assert got.results["what is left"] == ["e1", "near"]
    assert got.results == want.results


def test_item_size_limit_is_400_kib(formwork):
    """DynamoDB's item limit is 400 KB = 409,600 bytes, counting attribute names and values by
    their UTF-8 length. moto stops at 405,000 bytes (its own comment says the real limit is
    "between 409 and 410KB"), so the boundary is asserted on Formwork only."""
    formwork.put_item(TableName=TASKS, Item=_sized_item("limit", ITEM_LIMIT))
    with pytest.raises(ClientError) as raised:
        formwork.put_item(TableName=TASKS, Item=_sized_item("over", ITEM_LIMIT + 1))
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    non_ascii = item(taskId="utf8", payload="é" * ((ITEM_LIMIT - len("taskIdutf8payload")) // 2 + 1))
    with pytest.raises(ClientError) as raised:  # "é" is two bytes
        formwork.put_item(TableName=TASKS, Item=non_ascii)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as raised:
        formwork.update_item(TableName=TASKS, Key=item(taskId="limit"), UpdateExpression="SET b = :b",
                             ExpressionAttributeValues=values(b=True))
    assert raised.value.response["Error"]["Message"] == "Item size to update has exceeded the maximum allowed size"


# --------------------------------------------------------------------------------------------
# boto3's resource layer (Table, batch_writer, conditions)
# --------------------------------------------------------------------------------------------


def scenario_resource(client) -> dict:
    session = boto3.session.Session(aws_access_key_id="AKIDFORMWORKTEST", aws_secret_access_key="x", region_name=REGION)
    dynamodb = session.resource("dynamodb", endpoint_url=client.meta.endpoint_url, config=client.meta.config)
    tasks = dynamodb.Table(TASKS)
    out: dict[str, Any] = {}
    with tasks.batch_writer(overwrite_by_pkeys=["taskId"]) as batch:
        for n in range(30):  # more than one BatchWriteItem call
            batch.put_item(Item={"taskId": f"r{n:02d}", "assigneeId": "res", "deadline": f"2024-10-{n + 1:02d}",
                                 "status": STATUSES[n % 3], "points": Decimal(n) / 2, "labels": {"a", f"l{n % 2}"}})
    out["get"] = tasks.get_item(Key={"taskId": "r07"})["Item"]
    out["query"] = tasks.query(IndexName="ByAssignee",
                               KeyConditionExpression=Key("assigneeId").eq("res") & Key("deadline").between("2024-10-05", "2024-10-09"),
                               FilterExpression=Attr("points").gt(Decimal("2.5")) & Attr("labels").contains("l0"))["Items"]
    out["update"] = tasks.update_item(Key={"taskId": "r07"}, UpdateExpression="ADD points :p",
                                      ExpressionAttributeValues={":p": Decimal("0.25")}, ReturnValues="UPDATED_NEW")["Attributes"]
    scanned = tasks.scan(FilterExpression=Attr("status").eq("done") & Attr("points").lt(5))["Items"]
    out["scan"] = sorted(i["taskId"] for i in scanned)
    try:
        tasks.put_item(Item={"taskId": "r07"}, ConditionExpression=Attr("taskId").not_exists())
        out["conditional"] = "written"
    except tasks.meta.client.exceptions.ConditionalCheckFailedException:
        out["conditional"] = "ConditionalCheckFailedException"
    return out


def test_resource_layer(formwork, moto):
    got = scenario_resource(formwork)
    assert [i["taskId"] for i in got["query"]] == ["r06", "r08"]
    assert got["update"] == {"points": Decimal("3.75")}
    assert got["conditional"] == "ConditionalCheckFailedException"
    assert got == scenario_resource(moto)


# --------------------------------------------------------------------------------------------
# The wire: what boto3 and the AWS CLI depend on
# --------------------------------------------------------------------------------------------


def raw_call(endpoint: str, target: str, body: dict) -> tuple[int, dict[str, str], bytes]:
    """One unsigned JSON 1.0 request, as an SDK sends it (minus SigV4, which is not verified)."""
    host, port = endpoint.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/", body=json.dumps(body).encode(), headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{target}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDFORMWORKTEST/20240101/us-east-1/dynamodb/aws4_request, "
                             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64,
            "X-Amz-Date": "20240101T000000Z",
        })
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_wire_format(formwork_server):
    status, headers, body = raw_call(formwork_server.endpoint, "ListTables", {})
    assert status == 200, body
    assert headers.get("content-type", "").split(";")[0].strip() == "application/x-amz-json-1.0"
    assert sorted(json.loads(body)["TableNames"]) == sorted(BLUEPRINT_TABLES)
    if "x-amz-crc32" in headers:  # optional; botocore checks it when present
        assert int(headers["x-amz-crc32"]) == binascii.crc32(body) & 0xFFFFFFFF

    status, headers, body = raw_call(formwork_server.endpoint, "GetItem",
                                     {"TableName": "taskmgmt-dev-nope", "Key": {"taskId": {"S": "x"}}})
    assert status == 400, body
    assert headers.get("content-type", "").split(";")[0].strip() == "application/x-amz-json-1.0"
    error = json.loads(body)
    assert error["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    assert error["message"].startswith("Requested resource not found")
    if "x-amz-crc32" in headers:
        assert int(headers["x-amz-crc32"]) == binascii.crc32(body) & 0xFFFFFFFF

    status, _, body = raw_call(formwork_server.endpoint, "GetItem", {"TableName": TASKS, "Key": {"title": {"S": "x"}}})
    assert status == 400, body
    # DynamoDB itself sends ValidationException from the Coral validation namespace; SDKs keep
    # only the part after "#", so either namespace works for them.
    assert json.loads(body)["__type"] in (
        "com.amazon.coral.validate#ValidationException",
        "com.amazonaws.dynamodb.v20120810#ValidationException",
    )
    assert json.loads(body)["message"] == "The provided key element does not match the schema"


def test_request_ids(formwork):
    response = formwork.list_tables()
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"].get("RequestId"), "x-amzn-RequestId header"


# --------------------------------------------------------------------------------------------
# The AWS CLI
# --------------------------------------------------------------------------------------------


def aws_cli(endpoint: str, *args: str, tmp_path) -> Any:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "AKIDFORMWORKTEST", "AWS_SECRET_ACCESS_KEY": "formwork-test-secret",
        "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_MAX_ATTEMPTS": "1",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
    }
    completed = subprocess.run(["aws", "dynamodb", *args, "--endpoint-url", endpoint, "--output", "json"],
                               env=env, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, f"aws dynamodb {' '.join(args)}: {completed.stderr}"
    return json.loads(completed.stdout) if completed.stdout.strip() else None


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI (`aws`) is not installed")
def test_aws_cli(formwork_server, tmp_path):
    endpoint = formwork_server.endpoint
    assert sorted(aws_cli(endpoint, "list-tables", tmp_path=tmp_path)["TableNames"]) == sorted(BLUEPRINT_TABLES)
    described = aws_cli(endpoint, "describe-table", "--table-name", TASKS, tmp_path=tmp_path)["Table"]
    assert table_shape(described) == EXPECTED_TABLES[TASKS]
    aws_cli(endpoint, "put-item", "--table-name", USERS, "--item",
            json.dumps({"userId": {"S": "cli"}, "email": {"S": "cli@example.com"}}), tmp_path=tmp_path)
    found = aws_cli(endpoint, "query", "--table-name", USERS, "--index-name", "ByEmail",
                    "--key-condition-expression", "email = :e", "--expression-attribute-values",
                    json.dumps({":e": {"S": "cli@example.com"}}), tmp_path=tmp_path)
    assert found["Items"] == [{"userId": {"S": "cli"}, "email": {"S": "cli@example.com"}}]
