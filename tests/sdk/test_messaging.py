"""SNS and SES through `formwork simulate`: boto3's `sns`, `ses` and `sesv2` clients against the
simulator's messaging, with the outbox the control API shows, compared with moto where moto
has the same thing.

What this proves: that an application written against boto3 can publish to the blueprint's
topics and send e-mail from its declared identity on the simulator's one port, and gets AWS's
answers: a MessageId for Publish and SendEmail (v1 query protocol and v2 REST JSON); the
blueprint's topics from ListTopics and CreateTopic (the simulator creates no other topic:
CreateTopic of any other name is InvalidParameter); NotFound (404, "Topic does not exist") for a
topic that does not exist; InvalidParameter (400) for an empty message; the topics'
subscriptions from ListSubscriptionsByTopic: the NotificationsTopic's one (lambda, to the
NotificationFunction) and the AlarmsTopic's one (email, to on-call); and MessageRejected (400,
with SES's text) for a sender that is not a declared identity, as the SES sandbox answers.
The blueprint no longer sends notifications to shared addresses: the NotificationsTopic's former
e-mail, SMS and HTTPS subscriptions (which sent every user's notifications to the same team
address, phone number and hook) are gone, and nothing published there leaves the simulator.
And that what was "sent" can be read back: GET /_formwork/outbox holds the publish record (with
its subject and message attributes) and one delivery per subscription that leaves the simulator
(the AlarmsTopic's e-mail to on-call, with the subject and attributes), each SES e-mail as sent,
filtered by `to` and `since`; DELETE /_formwork/outbox empties it. The NotificationsTopic's
lambda subscription reaches the NotificationFunction through the function host's asynchronous
queue (its log says so, and a notification published there is stored and e-mailed to its user
with its text unchanged), and POST /_formwork/functions/{function}/invoke runs the function
directly with an SNS or a scheduled event.

How it works:
  * The module's server is a `formwork simulate --in-memory --env dev --clock virtual` of its
    own (conftest's launcher), not the session's shared server, because the outbox tests empty
    the outbox, which the Cognito tests read. The virtual clock stands still, so every message
    of a test has the time the control API's clock shows, and `since` can be tested at times
    strictly between messages.
  * ARNs and names come from GET /_formwork/resources (only the first test spells out what the
    dev environment's names are).
  * moto (the session's moto server) gets the same topics, their subscriptions as Formwork
    lists them (the NotificationsTopic's lambda, the AlarmsTopic's e-mail to on-call) and the
    declared identity (verified, since moto's SES refuses unverified senders too). Parity
    compares the shape of the answers (which keys; error code and HTTP status), not ids or ARNs
    (moto's account is 123456789012, Formwork's 000000000000). moto is never asked to publish to
    its copy of the NotificationsTopic: it would invoke a function it does not have; its
    publishes go to its AlarmsTopic.
  * Known moto differences, where the test asserts what AWS documents for Formwork alone: moto
    answers a publish to an unknown topic with "Endpoint does not exist" (AWS: "Topic does not
    exist"), accepts an empty message (AWS: InvalidParameter "Invalid parameter: Empty message"),
    accepts any ConfirmSubscription token, and words MessageRejected differently ("Email address
    not verified ADDRESS").

Run it (after `swift build`), from the repository root:

    FORMWORK_BIN=.build/debug/formwork python3 -m pytest tests/sdk/test_messaging.py -q

The servers and fixtures are in conftest.py beside this file.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError

from conftest import FormworkLauncher, ServerProcess, http_json, make_client

#: Where the module's virtual clock starts.
VIRTUAL_START = "2026-12-01T00:00:00Z"
#: What the dev environment's blueprint declares.
ACCOUNT = "000000000000"
SENDER = "notifications@taskmgmt.example.com"
ONCALL_EMAIL = "oncall@taskmgmt.example.com"
#: The shared places the NotificationsTopic used to deliver every user's notifications to (its
#: former e-mail, SMS and HTTPS subscriptions), which the blueprint no longer has.
FORMER_SHARED_RECIPIENTS = ("team@taskmgmt.example.com", "+14155550100", "https://hooks.taskmgmt.example.com/notifications")
#: SES's MessageRejected text for a sender that is not a verified identity.
NOT_VERIFIED = "Email address is not verified. The following identities failed the check in region US-EAST-1: {}"
MESSAGE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: The fields of an outbox message.
OUTBOX_FIELDS = {"id", "service", "kind", "from", "to", "subject", "body", "attributes", "createdAt"}


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def answer(response: dict) -> dict:
    """A response without its ResponseMetadata."""
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def masked(arn: str) -> str:
    """An ARN with its account replaced, so Formwork's and moto's can be compared."""
    return re.sub(r":\d{12}:", ":<account>:", arn)


def failure(call, *args: Any, **request: Any) -> tuple[str, int, str]:
    """Calls `call` expecting a ClientError; its code, HTTP status and message."""
    with pytest.raises(ClientError) as raised:
        call(*args, **request)
    error = raised.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"].get("Message", "")


# --------------------------------------------------------------------------------------------
# Fixtures: the module's simulator, and moto made like it
# --------------------------------------------------------------------------------------------


@dataclass
class Messaging:
    """One `formwork simulate` server: boto3 `sns`, `ses`, `sesv2` and `dynamodb` clients, its
    resources (GET /_formwork/resources, by logical id) and its control API."""

    server: ServerProcess
    resources: dict[str, dict]

    def __post_init__(self) -> None:
        self.sns = make_client(self.server.endpoint, "sns")
        self.ses = make_client(self.server.endpoint, "ses")
        self.sesv2 = make_client(self.server.endpoint, "sesv2")
        self.dynamodb = make_client(self.server.endpoint)

    def arn(self, logical_id: str) -> str:
        return self.resources[logical_id]["arn"]

    def name(self, logical_id: str) -> str:
        return self.resources[logical_id]["name"]

    def control(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        return http_json(method, f"{self.server.endpoint}/_formwork/{path}", body)

    def outbox(self, to: str | None = None, since: str | None = None) -> list[dict]:
        query = urllib.parse.urlencode({k: v for k, v in (("to", to), ("since", since)) if v is not None})
        status, document = self.control("GET", "outbox" + (f"?{query}" if query else ""))
        assert status == 200, (status, document)
        for message in document["messages"]:
            assert set(message) <= OUTBOX_FIELDS and {"id", "service", "kind", "to", "body", "createdAt"} <= set(message), message
        return document["messages"]

    def now(self) -> datetime:
        status, document = self.control("GET", "clock")
        assert status == 200, document
        return parse_time(document["now"])

    def advance(self, duration: str) -> None:
        status, document = self.control("POST", "clock", {"advance": duration})
        assert status == 200, document

    def log_lines(self, function: str) -> list[str]:
        status, document = self.control("GET", f"logs/{function}")
        assert status == 200, document
        return [event["message"] for event in document["events"]]


@pytest.fixture(scope="module")
def messaging(log_dir: Path) -> Iterator[Messaging]:
    """The module's own `formwork simulate --in-memory --clock virtual`."""
    launcher = FormworkLauncher(log_dir, "messaging")
    try:
        server = launcher.start("--in-memory", "--clock", "virtual", "--start", VIRTUAL_START)
        status, document = http_json("GET", f"{server.endpoint}/_formwork/resources")
        assert status == 200, document
        yield Messaging(server, {r["logicalId"]: r for r in document["resources"]})
    finally:
        launcher.stop_all()


@dataclass
class MotoMessaging:
    """The moto server's SNS and SES, holding what Formwork's blueprint declares."""

    sns: Any
    ses: Any
    sesv2: Any
    notifications_arn: str
    alarms_arn: str


@pytest.fixture(scope="module")
def moto_messaging(moto_server: ServerProcess, messaging: Messaging) -> MotoMessaging:
    """moto with Formwork's topics (by name), the NotificationsTopic's and AlarmsTopic's
    subscriptions as Formwork lists them, and Formwork's identities, verified."""
    sns = make_client(moto_server.endpoint, "sns")
    ses = make_client(moto_server.endpoint, "ses")
    arns = {}
    for logical_id in ("NotificationsTopic", "AlarmsTopic"):
        arns[logical_id] = sns.create_topic(Name=messaging.name(logical_id))["TopicArn"]
        listed = {(s["Protocol"], s["Endpoint"]) for s in sns.list_subscriptions_by_topic(TopicArn=arns[logical_id])["Subscriptions"]}
        for subscription in messaging.sns.list_subscriptions_by_topic(TopicArn=messaging.arn(logical_id))["Subscriptions"]:
            endpoint = re.sub(r":\d{12}:", f":{arns[logical_id].split(':')[4]}:", subscription["Endpoint"])
            if (subscription["Protocol"], endpoint) not in listed:
                sns.subscribe(TopicArn=arns[logical_id], Protocol=subscription["Protocol"], Endpoint=endpoint)
    for identity in messaging.ses.list_identities()["Identities"]:
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
    return MotoMessaging(sns, ses, make_client(moto_server.endpoint, "sesv2"), arns["NotificationsTopic"],
                         arns["AlarmsTopic"])


def send_email(client, to: list[str], subject: str, text: str | None = None, html: str | None = None,
               source: str = SENDER) -> dict:
    """SES v1 SendEmail."""
    body = {}
    if text is not None:
        body["Text"] = {"Data": text}
    if html is not None:
        body["Html"] = {"Data": html}
    return client.send_email(Source=source, Destination={"ToAddresses": to},
                             Message={"Subject": {"Data": subject}, "Body": body})


def send_email_v2(client, to: list[str], subject: str, text: str | None = None, html: str | None = None,
                  source: str = SENDER) -> dict:
    """SES v2 SendEmail (simple content)."""
    body = {}
    if text is not None:
        body["Text"] = {"Data": text}
    if html is not None:
        body["Html"] = {"Data": html}
    return client.send_email(FromEmailAddress=source, Destination={"ToAddresses": to},
                             Content={"Simple": {"Subject": {"Data": subject}, "Body": body}})


# --------------------------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------------------------


def test_resources_name_the_topics_and_the_sender(messaging):
    """GET /_formwork/resources gives the dev environment's topics their physical names and AWS's
    ARN form in the simulator's account, and names the declared sender identity."""
    for logical_id, name in (("NotificationsTopic", "taskmgmt-dev-notifications"), ("AlarmsTopic", "taskmgmt-dev-alarms")):
        topic = messaging.resources[logical_id]
        assert (topic["kind"], topic["name"], topic["arn"]) == (
            "topic", name, f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}"), topic
    assert messaging.resources["SenderIdentity"]["name"] == SENDER, messaging.resources["SenderIdentity"]
    assert messaging.resources["NotificationFunction"]["name"] == "taskmgmt-dev-notification"


def test_list_topics_shows_the_blueprint_topics(messaging, moto_messaging):
    """ListTopics lists exactly the blueprint's two topics, in the answer's shape moto gives for
    the same topics."""
    formwork = messaging.sns.list_topics()
    assert sorted(t["TopicArn"] for t in formwork["Topics"]) == sorted(
        [messaging.arn("NotificationsTopic"), messaging.arn("AlarmsTopic")]), formwork
    moto = moto_messaging.sns.list_topics()
    moto_topics = [t for t in moto["Topics"] if t["TopicArn"] in (moto_messaging.notifications_arn, moto_messaging.alarms_arn)]

    def shape(topics: list[dict]) -> list[dict]:
        return sorted(({k: masked(v) for k, v in t.items()} for t in topics), key=lambda t: t["TopicArn"])

    assert shape(formwork["Topics"]) == shape(moto_topics)
    assert set(answer(formwork)) == {"Topics"}, formwork


def test_create_topic_answers_only_for_the_blueprint_topics(messaging, moto_messaging):
    """CreateTopic of a topic the blueprint declares (by its physical name) answers its ARN, as
    AWS's idempotent CreateTopic does (moto answers its ARN the same way). Any other name is
    InvalidParameter (400): the simulator's topics come from the blueprint (AWS and moto would
    create the topic); nothing is created."""
    name = messaging.name("NotificationsTopic")
    created = messaging.sns.create_topic(Name=name)
    assert answer(created) == {"TopicArn": messaging.arn("NotificationsTopic")}, created
    moto = moto_messaging.sns.create_topic(Name=name)
    assert {k: masked(v) for k, v in answer(created).items()} == {k: masked(v) for k, v in answer(moto).items()}

    code, status, _ = failure(messaging.sns.create_topic, Name="not-in-the-blueprint")
    assert (code, status) == ("InvalidParameter", 400)
    assert len(messaging.sns.list_topics()["Topics"]) == 2


def test_get_topic_attributes(messaging, moto_messaging):
    """GetTopicAttributes names each topic, the NotificationsTopic's display name and the owner,
    and counts each topic's one subscription as confirmed: the NotificationsTopic's lambda (the
    blueprint no longer sends notifications to shared addresses, so its former e-mail, SMS and
    HTTPS subscriptions are not counted) and the AlarmsTopic's e-mail to on-call, which the
    blueprint declares, so its deliveries are kept in the outbox rather than waiting for a
    confirmation. An unknown topic is NotFound (404, "Topic does not exist"), as in moto."""
    arn = messaging.arn("NotificationsTopic")
    attributes = messaging.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn and attributes["Owner"] == ACCOUNT, attributes
    assert attributes["DisplayName"] == "Task Management", attributes
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"]) == ("1", "0"), attributes

    alarms = messaging.arn("AlarmsTopic")
    attributes = messaging.sns.get_topic_attributes(TopicArn=alarms)["Attributes"]
    assert attributes["TopicArn"] == alarms and attributes["Owner"] == ACCOUNT, attributes
    assert attributes.get("DisplayName", "") == "", attributes
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"]) == ("1", "0"), attributes

    unknown = f"arn:aws:sns:us-east-1:{ACCOUNT}:no-such-topic"
    formwork = failure(messaging.sns.get_topic_attributes, TopicArn=unknown)
    moto = failure(moto_messaging.sns.get_topic_attributes, TopicArn=moto_messaging.notifications_arn + "-nope")
    assert formwork == moto == ("NotFound", 404, "Topic does not exist")


def test_list_subscriptions_by_topic(messaging, moto_messaging):
    """The NotificationsTopic has the blueprint's one subscription, the NotificationFunction (its
    Lambda ARN): the blueprint no longer sends notifications to shared addresses (its former
    e-mail to the team, SMS and HTTPS hook are gone). The AlarmsTopic has its one e-mail to
    on-call. Each answer has the keys moto's has, and moto's copies list the same protocols and
    endpoints. Each subscription's ARN is its topic's ARN and a UUID, and no two are the same.
    ListSubscriptions lists exactly these two, with the same ARNs; an unknown topic is NotFound
    (404), as in moto."""
    arn, alarms = messaging.arn("NotificationsTopic"), messaging.arn("AlarmsTopic")
    subscriptions = messaging.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [
        ("lambda", messaging.arn("NotificationFunction"))], subscriptions
    alarm_subscriptions = messaging.sns.list_subscriptions_by_topic(TopicArn=alarms)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in alarm_subscriptions] == [("email", ONCALL_EMAIL)], alarm_subscriptions
    for topic, listed in ((arn, subscriptions), (alarms, alarm_subscriptions)):
        for subscription in listed:
            assert subscription["TopicArn"] == topic and subscription["Owner"] == ACCOUNT, subscription
            assert subscription["SubscriptionArn"].startswith(topic + ":"), subscription
            assert MESSAGE_ID.match(subscription["SubscriptionArn"][len(topic) + 1:]), subscription
    assert len({s["SubscriptionArn"] for s in subscriptions + alarm_subscriptions}) == 2, (subscriptions, alarm_subscriptions)

    for topic, moto_topic, listed in ((arn, moto_messaging.notifications_arn, subscriptions),
                                      (alarms, moto_messaging.alarms_arn, alarm_subscriptions)):
        moto = moto_messaging.sns.list_subscriptions_by_topic(TopicArn=moto_topic)["Subscriptions"]
        assert moto and all(set(s) == set(moto[0]) for s in listed), (topic, listed, moto)
        assert sorted((s["Protocol"], masked(s["Endpoint"])) for s in listed) == sorted(
            (s["Protocol"], masked(s["Endpoint"])) for s in moto), (topic, listed, moto)

    everything = messaging.sns.list_subscriptions()["Subscriptions"]

    def described(listed: list[dict]) -> list[tuple]:
        return sorted((s["TopicArn"], s["Protocol"], s["Endpoint"], s["SubscriptionArn"]) for s in listed)

    assert described(everything) == described(subscriptions + alarm_subscriptions), everything
    assert not {s["Endpoint"] for s in everything} & set(FORMER_SHARED_RECIPIENTS), everything

    unknown = f"arn:aws:sns:us-east-1:{ACCOUNT}:no-such-topic"
    formwork = failure(messaging.sns.list_subscriptions_by_topic, TopicArn=unknown)
    moto_error = failure(moto_messaging.sns.list_subscriptions_by_topic, TopicArn=moto_messaging.notifications_arn + "-nope")
    assert formwork[:2] == moto_error[:2] == ("NotFound", 404), (formwork, moto_error)


def test_confirm_subscription_with_an_unknown_token_is_refused(messaging):
    """ConfirmSubscription with a token SNS never sent is InvalidParameter (400), as AWS answers
    (moto confirms any token, so it is not compared)."""
    code, status, _ = failure(messaging.sns.confirm_subscription, TopicArn=messaging.arn("NotificationsTopic"),
                              Token="0123456789abcdef")
    assert (code, status) == ("InvalidParameter", 400)


# --------------------------------------------------------------------------------------------
# Publish
# --------------------------------------------------------------------------------------------


def test_publish_with_subject_and_message_attributes(messaging, moto_messaging):
    """Publish with a subject and two message attributes (String, Number) answers a MessageId
    (moto's answer, from its AlarmsTopic, has the same keys). The outbox then holds the publish
    record (to the topic, with subject, body and attributes) and, for the AlarmsTopic, one
    delivery to the subscription that leaves the simulator: the e-mail to on-call (the message
    as published, with the subject and attributes), at the simulator's clock time, once.

    The blueprint no longer sends notifications to shared addresses: a publish to the
    NotificationsTopic (with its subject and attributes kept in the publish record) delivers
    nothing that leaves the simulator, and nothing reaches its former team e-mail, SMS number or
    HTTPS hook; its one subscription hands the message to the NotificationFunction, which
    stores the notification and e-mails its user with the notification's text unchanged (the
    function's log says so once it has run; the test polls it, 15 s at most). Non-ASCII text and
    the characters that form encoding, XML and JSON treat specially (& < > + % ") arrive
    unchanged."""
    topic = messaging.arn("AlarmsTopic")
    # Characters that the form encoding and the XML answer must carry through unchanged.
    message = f"Task {uuid.uuid4().hex[:8]}: “Q4 report” & <notes> moved to done, über 100% (a+b=c)"
    subject = "Task changed: ü & <b>"
    attributes = {"type": {"DataType": "String", "StringValue": "task_updated & <more>"},
                  "priority": {"DataType": "Number", "StringValue": "3"}}
    published = messaging.sns.publish(TopicArn=topic, Message=message, Subject=subject, MessageAttributes=attributes)
    assert set(answer(published)) == {"MessageId"}, published
    message_id = published["MessageId"]
    assert MESSAGE_ID.match(message_id), published
    moto = moto_messaging.sns.publish(TopicArn=moto_messaging.alarms_arn, Message=message, Subject=subject,
                                      MessageAttributes=attributes)
    assert set(answer(moto)) == set(answer(published))

    now = messaging.now()
    kept_attributes = {"type": {"Type": "String", "Value": "task_updated & <more>"},
                       "priority": {"Type": "Number", "Value": "3"}}

    [record] = [m for m in messaging.outbox(topic) if m["id"] == message_id]
    assert (record["service"], record["kind"], record["to"]) == ("sns", "publish", [topic]), record
    assert (record["subject"], record["body"], record.get("attributes")) == (subject, message, kept_attributes), record
    assert parse_time(record["createdAt"]) == now, record

    deliveries = [m for m in messaging.outbox(ONCALL_EMAIL) if m["body"] == message]
    assert len(deliveries) == 1, deliveries
    [delivery] = deliveries
    assert (delivery["service"], delivery["kind"], delivery.get("from"), delivery["to"]) == (
        "sns", "email", topic, [ONCALL_EMAIL]), delivery
    assert (delivery.get("subject"), delivery.get("attributes")) == (subject, kept_attributes), delivery
    assert parse_time(delivery["createdAt"]) == now, delivery
    assert [m for m in messaging.outbox() if m.get("from") == topic and message in m["body"]] == [delivery]

    # The NotificationsTopic: a notification for a user of the users table, whose text has the
    # same characters (and a JSON-escaped quote).
    notifications = messaging.arn("NotificationsTopic")
    user_id, email = f"user-{uuid.uuid4().hex[:12]}", unique_email("notified")
    messaging.dynamodb.put_item(TableName=messaging.name("UsersTable"), Item={
        "userId": {"S": user_id}, "email": {"S": email}, "name": {"S": "Ünal"}, "role": {"S": "member"},
        "enabled": {"BOOL": True}, "createdAt": {"S": rfc3339(now)}})
    notification_id, task_id = str(uuid.uuid4()), str(uuid.uuid4())
    text = message + ' "quoted"'
    notification = json.dumps({"notificationId": notification_id, "userId": user_id, "type": "task_updated",
                               "taskId": task_id, "message": text, "createdAt": rfc3339(now), "read": False},
                              ensure_ascii=False)
    published = messaging.sns.publish(TopicArn=notifications, Message=notification, Subject=subject,
                                      MessageAttributes=attributes)
    assert set(answer(published)) == {"MessageId"} and MESSAGE_ID.match(published["MessageId"]), published
    [record] = [m for m in messaging.outbox(notifications) if m["id"] == published["MessageId"]]
    assert (record["service"], record["kind"], record["to"]) == ("sns", "publish", [notifications]), record
    assert (record["subject"], record["body"], record.get("attributes")) == (subject, notification, kept_attributes), record
    assert parse_time(record["createdAt"]) == now, record

    function = messaging.name("NotificationFunction")
    expected = f"Notification {notification_id} (task_updated) stored and e-mailed"
    deadline = time.monotonic() + 15
    while not any(expected in line for line in messaging.log_lines(function)):
        assert time.monotonic() < deadline, (expected, messaging.log_lines(function)[-20:])
        time.sleep(0.2)
    [mail] = messaging.outbox(email)
    assert (mail["service"], mail["kind"], mail.get("from"), mail["to"]) == ("ses", "email", SENDER, [email]), mail
    assert mail["body"].startswith(text) and task_id in mail["body"], mail

    assert [m for m in messaging.outbox() if m.get("from") == notifications] == []
    for recipient in FORMER_SHARED_RECIPIENTS:
        assert messaging.outbox(recipient) == [], recipient


def test_publish_reaches_the_notification_function(messaging):
    """The lambda subscription: a publish is handed to the NotificationFunction through the
    function host's asynchronous queue (after Publish has answered, so the test polls its log,
    15 s at most). The message is not a notification record, so the handler logs that it
    ignored it, and the delivery does not fail."""
    function = messaging.name("NotificationFunction")
    published = messaging.sns.publish(TopicArn=messaging.arn("NotificationsTopic"), Message="plain text, not JSON")
    expected = f"Message {published['MessageId']} is not a notification; ignored"
    deadline = time.monotonic() + 15
    while not any(expected in line for line in messaging.log_lines(function)):
        assert time.monotonic() < deadline, (expected, messaging.log_lines(function)[-20:])
        time.sleep(0.2)
    status, document = messaging.control("GET", "failures")
    assert status == 200, document
    assert [f for f in document["failures"] if f["eventId"] == published["MessageId"] or published["MessageId"] in f["event"]] == []


def test_publish_to_an_unknown_topic_is_not_found(messaging, moto_messaging):
    """Publish to a topic ARN that does not exist is NotFound with HTTP 404, as on moto; the
    message is AWS's "Topic does not exist" (moto says "Endpoint does not exist"). Nothing
    reaches the outbox."""
    unknown = f"arn:aws:sns:us-east-1:{ACCOUNT}:no-such-topic"
    code, status, message = failure(messaging.sns.publish, TopicArn=unknown, Message="lost")
    assert (code, status, message) == ("NotFound", 404, "Topic does not exist")
    moto_code, moto_status, _ = failure(moto_messaging.sns.publish, TopicArn=moto_messaging.alarms_arn + "-nope",
                                        Message="lost")
    assert (moto_code, moto_status) == (code, status)
    assert messaging.outbox(unknown) == []


def test_empty_message_is_invalid_parameter(messaging):
    """Publish with an empty message is InvalidParameter (400, "Invalid parameter: Empty
    message"), as AWS answers (moto accepts it, so it is not compared); nothing is published."""
    topic = messaging.arn("NotificationsTopic")
    before = len(messaging.outbox(topic))
    code, status, message = failure(messaging.sns.publish, TopicArn=topic, Message="")
    assert (code, status, message) == ("InvalidParameter", 400, "Invalid parameter: Empty message")
    assert len(messaging.outbox(topic)) == before


def test_invoke_the_notification_function_directly(messaging):
    """POST /_formwork/functions/{function}/invoke runs the function with the event given, picked
    by its shape: an SNS event as Lambda delivers it (the handler ignores a message that is not a
    notification), and EventBridge's scheduled event (a deadline sweep with nothing due). The
    answer names the function and its request id and carries the invocation's log; an event of
    no known shape is 400."""
    function = messaging.name("NotificationFunction")
    topic = messaging.arn("NotificationsTopic")
    now = rfc3339(messaging.now())
    message_id = str(uuid.uuid4())
    sns_event = {"Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": f"{topic}:{uuid.uuid4()}",
        "Sns": {"Type": "Notification", "MessageId": message_id, "TopicArn": topic, "Subject": None,
                "Message": "hello", "Timestamp": now, "SignatureVersion": "1", "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe", "MessageAttributes": {}},
    }]}
    status, invoked = messaging.control("POST", f"functions/{function}/invoke", sns_event)
    assert status == 200, invoked
    assert (invoked["functionName"], invoked["status"]) == (function, "succeeded"), invoked
    assert invoked["requestId"] and "error" not in invoked, invoked
    assert any(f"Message {message_id} is not a notification; ignored" in e["message"] for e in invoked["log"]), invoked

    scheduled = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
                 "account": ACCOUNT, "time": now, "region": "us-east-1",
                 "resources": [messaging.arn("DeadlineReminders")], "detail": {}}
    status, invoked = messaging.control("POST", f"functions/{function}/invoke", scheduled)
    assert status == 200, invoked
    assert invoked["status"] == "succeeded", invoked
    assert any("Deadline sweep: 0 reminder(s), 0 overdue task(s), 0 failure(s)" in e["message"] for e in invoked["log"]), invoked

    status, refused = messaging.control("POST", f"functions/{function}/invoke", {"hello": "world"})
    assert status == 400, refused


# --------------------------------------------------------------------------------------------
# SES
# --------------------------------------------------------------------------------------------


def test_ses_lists_the_declared_identity(messaging, moto_messaging):
    """ListIdentities lists the blueprint's one identity, the sender address (moto, where the
    fixture verified it, lists the same)."""
    identities = messaging.ses.list_identities()
    assert answer(identities) == {"Identities": [SENDER]}, identities
    assert SENDER in moto_messaging.ses.list_identities()["Identities"]


def test_ses_send_email_from_the_declared_identity(messaging, moto_messaging):
    """SES v1 SendEmail from the declared identity answers a MessageId (moto's answer has the same
    keys) and lands in the outbox once, addressed to both recipients: service ses, kind email,
    from, to, subject as sent and the text part as the body, at the simulator's clock time. A
    sender written with a display name ("Name <address>") is the same identity."""
    first, second = unique_email("ses-first"), unique_email("ses-second")
    text, html = "Your weekly summary.\nThree tasks are open: “Q4” & <notes>, 100% über.", "<p>Your weekly summary.</p>"
    subject = "Weekly summary: ü & <3"
    sent = send_email(messaging.ses, [first, second], subject, text=text, html=html)
    assert set(answer(sent)) == {"MessageId"} and sent["MessageId"], sent
    moto = send_email(moto_messaging.ses, [first, second], subject, text=text, html=html)
    assert set(answer(moto)) == set(answer(sent))

    [mail] = messaging.outbox(first)
    assert {k: v for k, v in mail.items() if k != "createdAt"} == {
        "id": sent["MessageId"], "service": "ses", "kind": "email", "from": SENDER, "to": [first, second],
        "subject": subject, "body": text}, mail
    assert parse_time(mail["createdAt"]) == messaging.now(), mail
    assert messaging.outbox(second) == [mail]

    named = f"Task Management <{SENDER}>"
    third = unique_email("ses-named")
    sent = send_email(messaging.ses, [third], "From a display name", text="Hello")
    sent_named = send_email(messaging.ses, [third], "From a display name", text="Hello again", source=named)
    mails = messaging.outbox(third)
    assert [(m["id"], m["from"], m["body"]) for m in mails] == [
        (sent["MessageId"], SENDER, "Hello"), (sent_named["MessageId"], named, "Hello again")], mails


def test_ses_send_email_from_an_undeclared_sender_is_rejected(messaging, moto_messaging):
    """SendEmail from an address that is not a declared identity is MessageRejected (400) with
    SES's text naming the sender and the region, as in the SES sandbox; moto answers the same
    code and status (with other words). The declared identity is an address, so another address
    of its domain is refused too. Nothing reaches the outbox."""
    recipient = unique_email("ses-refused")
    for sender in ("someone@elsewhere.example.com", "other@taskmgmt.example.com"):
        formwork = failure(send_email, messaging.ses, [recipient], "Hi", text="Hi", source=sender)
        assert formwork == ("MessageRejected", 400, NOT_VERIFIED.format(sender)), formwork
        moto = failure(send_email, moto_messaging.ses, [recipient], "Hi", text="Hi", source=sender)
        assert moto[:2] == formwork[:2], moto
    assert messaging.outbox(recipient) == []


def test_sesv2_send_email(messaging, moto_messaging):
    """SES v2 SendEmail (POST /v2/email/outbound-emails) from the declared identity answers a
    MessageId (as moto's does) and lands in the outbox like a v1 e-mail; with only an HTML part,
    the body is the HTML."""
    recipient = unique_email("sesv2")
    html = "<h1>Reminder</h1><p>Two tasks are due tomorrow.</p>"
    sent = send_email_v2(messaging.sesv2, [recipient], "Due tomorrow", html=html)
    assert set(answer(sent)) == {"MessageId"} and sent["MessageId"], sent
    moto = send_email_v2(moto_messaging.sesv2, [recipient], "Due tomorrow", html=html)
    assert set(answer(moto)) == set(answer(sent))

    [mail] = messaging.outbox(recipient)
    assert {k: v for k, v in mail.items() if k != "createdAt"} == {
        "id": sent["MessageId"], "service": "ses", "kind": "email", "from": SENDER, "to": [recipient],
        "subject": "Due tomorrow", "body": html}, mail


def test_sesv2_send_email_from_an_undeclared_sender_is_rejected(messaging, moto_messaging):
    """SES v2 refuses an undeclared sender the way v1 does: MessageRejected (400) with SES's text;
    moto's code and status are the same. Nothing reaches the outbox."""
    recipient = unique_email("sesv2-refused")
    sender = "someone@elsewhere.example.com"
    formwork = failure(send_email_v2, messaging.sesv2, [recipient], "Hi", text="Hi", source=sender)
    assert formwork == ("MessageRejected", 400, NOT_VERIFIED.format(sender)), formwork
    moto = failure(send_email_v2, moto_messaging.sesv2, [recipient], "Hi", text="Hi", source=sender)
    assert moto[:2] == formwork[:2], moto
    assert messaging.outbox(recipient) == []


# --------------------------------------------------------------------------------------------
# The outbox
# --------------------------------------------------------------------------------------------


def test_outbox_since_filters(messaging):
    """GET /_formwork/outbox?since=T lists only the messages sent after T, oldest first, with or
    without `to`; the virtual clock puts the two e-mails a minute apart, and `since` is taken
    strictly between and around them. A `since` that is not an RFC 3339 time is 400."""
    address = unique_email("since")
    sent_at = messaging.now()
    first = send_email(messaging.ses, [address], "First", text="one")["MessageId"]
    messaging.advance("PT1M")
    second = send_email(messaging.ses, [address], "Second", text="two")["MessageId"]

    def ids(since: datetime | None, to: str | None = address) -> list[str]:
        return [m["id"] for m in messaging.outbox(to, None if since is None else rfc3339(since))
                if m["id"] in (first, second)]

    assert ids(None) == [first, second]
    assert ids(sent_at - timedelta(seconds=30)) == [first, second]
    assert ids(sent_at + timedelta(seconds=30)) == [second]
    assert ids(sent_at + timedelta(seconds=90)) == []
    assert ids(sent_at + timedelta(seconds=30), to=None) == [second]
    status, document = messaging.control("GET", "outbox?since=yesterday")
    assert status == 400, document


def test_delete_outbox_empties_it(messaging):
    """DELETE /_formwork/outbox deletes every message and says how many; the outbox is then
    empty, a second DELETE deletes nothing, and what is sent afterwards is kept again."""
    address = unique_email("deleted")
    send_email(messaging.ses, [address], "To be deleted", text="gone soon")
    held = len(messaging.outbox())
    assert held >= 1
    status, document = messaging.control("DELETE", "outbox")
    assert (status, document) == (200, {"deleted": held})
    assert messaging.outbox() == []
    assert messaging.outbox(address) == []
    assert messaging.control("DELETE", "outbox") == (200, {"deleted": 0})

    sent = send_email(messaging.ses, [address], "After the delete", text="kept")
    assert [m["id"] for m in messaging.outbox()] == [sent["MessageId"]]
