"""Cognito user pool parity: the same boto3 `cognito-idp` scenarios against `formwork simulate`
and against moto.

What this proves: an application written against boto3's Cognito Identity Provider client gets
the answers from Formwork's simulated user pool (the dev blueprint's `taskmgmt-dev-users`) that
Cognito gives: an administrator invites a user (AdminCreateUser, groups), the user signs in with
the temporary password, answers the NEW_PASSWORD_REQUIRED challenge and gets ID, access and
refresh tokens; refreshing, signing out everywhere (after which the refresh token is refused),
wrong passwords, the pool's password policy, the admin-only sign-up, disabling and enabling
users, group membership in the tokens' `cognito:groups`, ListUsers filters, attribute updates
and deletes, and the error codes (and, where the contract or Cognito's documentation fixes
them, the messages) of what Cognito refuses.

Each parity scenario is a function that takes a `UserPool` (conftest.py: a server's pool id,
app client id and boto3 client) and returns its normalized answers (a dict from a step's label
to what that step returned), so each test is `scenario(formwork) == scenario(moto)` and a
failure shows the steps that differ. The moto server's pool is made like Formwork's from what
Formwork's DescribeUserPool, DescribeUserPoolClient and ListGroups answer. Normalizing keeps
what an application relies on: users' attributes, status and enabled flag with the generated
`sub` (also the Username of an e-mail-as-username pool) replaced by "<sub>"; which tokens came
back, their type and lifetime; the claims of decoded tokens; an error's code. It drops dates,
request ids, sessions (only their presence counts) and ChallengeParameters.

Where moto is known to differ from Cognito, the test asserts Cognito's documented behaviour for
Formwork, says so in a comment (`moto_deviates`), and does not assert moto's answer. Some tests
check Formwork alone, where moto has nothing to compare: the pool's settings against the
blueprint, the simulator's outbox (the invitation e-mail with its temporary password, the
ForgotPassword code), the tokens verified with PyJWT against the JWKS that Formwork serves
(iss, aud, token_use, and exp against the simulator's clock), access-token expiry after moving
the simulator's clock (POST /_formwork/clock; every test that moves it puts it back, so no test
depends on another's clock), `formwork simulate --users FILE` (and its refusal of a malformed
file, naming the line), state kept across a restart with `--state DIR`, and the wire format of
errors.

Every test uses its own users (e-mail addresses with a random part), so tests do not depend on
each other or on their order, though they share one pool per server.

Run it (after `swift build`), from the repository root:

    FORMWORK_BIN=.build/debug/formwork python3 -m pytest tests/sdk/test_cognito_parity.py -q

The servers and fixtures are in conftest.py beside this file.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

import parity
from parity import both, moto_deviates

REGION = "us-east-1"
POOL_NAME = "taskmgmt-dev-users"
#: Passwords that satisfy the pool's policy (12 characters or more, lower and upper case,
#: a number and a symbol).
PASSWORD = "Correct-Horse-42-Battery"
TEMPORARY_PASSWORD = "Temporary-Pass-1234"
NEW_PASSWORD = "Another-Secret-5678"
#: Passwords that break exactly one rule of the policy, and a word the message should contain.
#: All are 8 characters or more and have no spaces, so no API length or pattern constraint
#: (which Cognito answers with InvalidParameterException) gets in the way of the policy.
WEAK_PASSWORDS = {
    "too short": ("Abc-12345x", "long"),
    "no symbol": ("Abcdefgh12345", "symbol"),
    "no number": ("Abcdefgh-ijklm", "numeric"),
    "no upper case": ("abcdefgh-12345", "uppercase"),
    "no lower case": ("ABCDEFGH-12345", "lowercase"),
}
POLICY_MESSAGE = "Password did not conform with policy:"
INVITATION = (
    "Hello, an administrator created your Task Management account. Sign in as {username} with the "
    "temporary password {####} and choose a new password."
)

#: Normalized answers that several scenarios expect.
SIGNED_IN = {"AuthenticationResult": {"tokens": ["AccessToken", "IdToken", "RefreshToken"], "TokenType": "Bearer",
                                      "ExpiresIn": 3600}}
REFRESHED = {"AuthenticationResult": {"tokens": ["AccessToken", "IdToken"], "TokenType": "Bearer", "ExpiresIn": 3600}}
NEW_PASSWORD_REQUIRED = {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": True}


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Normalizing answers
# --------------------------------------------------------------------------------------------


def user_shape(record: dict, attributes_key: str) -> dict:
    """A user as parity compares it: attributes as a dict, the generated sub (and a Username
    equal to it) as "<sub>", status and enabled flag when the answer has them, no dates."""
    attributes = {a["Name"]: a["Value"] for a in record.get(attributes_key, [])}
    sub = attributes.get("sub")
    if sub is not None:
        attributes["sub"] = "<sub>"
    out: dict[str, Any] = {
        "Username": "<sub>" if sub is not None and record.get("Username") == sub else record.get("Username"),
        attributes_key: attributes,
    }
    for key in ("UserStatus", "Enabled"):
        if key in record:
            out[key] = record[key]
    return out


def group_shape(group: dict) -> dict:
    return {k: group.get(k) for k in ("GroupName", "Precedence", "Description")}


def auth_shape(response: dict) -> dict:
    out: dict[str, Any] = {}
    if "ChallengeName" in response:
        out["ChallengeName"] = response["ChallengeName"]
    if response.get("Session"):
        out["Session"] = True
    if "AuthenticationResult" in response:
        result = response["AuthenticationResult"]
        out["AuthenticationResult"] = {
            "tokens": sorted(k for k in ("AccessToken", "IdToken", "RefreshToken") if result.get(k)),
            "TokenType": result.get("TokenType"),
            "ExpiresIn": result.get("ExpiresIn"),
        }
    return out


def normalize(operation: str, response: dict) -> dict:
    response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if operation in ("initiate_auth", "admin_initiate_auth", "respond_to_auth_challenge"):
        return auth_shape(response)
    if operation == "admin_create_user":
        return {"User": user_shape(response["User"], "Attributes")}
    if operation == "admin_get_user":
        return user_shape(response, "UserAttributes")
    if operation == "get_user":
        # GetUser answers the Username and attributes (moto adds AdminGetUser's fields).
        return {k: v for k, v in user_shape(response, "UserAttributes").items() if k in ("Username", "UserAttributes")}
    if operation in ("list_users", "list_users_in_group"):
        users = [user_shape(u, "Attributes") for u in response.get("Users", [])]
        return {"Users": sorted(users, key=lambda u: (u["Attributes"].get("email", ""), u["Username"] or ""))}
    if operation in ("admin_list_groups_for_user", "list_groups"):
        return {"Groups": sorted((group_shape(g) for g in response.get("Groups", [])), key=lambda g: g["GroupName"])}
    if operation in ("forgot_password", "sign_up"):
        out: dict[str, Any] = {}
        if "CodeDeliveryDetails" in response:
            details = response["CodeDeliveryDetails"]
            out["CodeDeliveryDetails"] = {k: details.get(k) for k in ("DeliveryMedium", "AttributeName")}
        if "UserConfirmed" in response:
            out["UserConfirmed"] = response["UserConfirmed"]
        if "UserSub" in response:
            out["UserSub"] = True
        return out
    return response


def claims_shape(token: str, pool, sub: str | None) -> dict:
    """The claims of a token (decoded without verification) as parity compares them."""
    claims = jwt.decode(token, options={"verify_signature": False})

    def same(value: Any, expected: Any, marker: str) -> Any:
        return marker if expected is not None and value == expected else value

    out: dict[str, Any] = {
        "token_use": claims.get("token_use"),
        "sub": same(claims.get("sub"), sub, "<sub>"),
        # The issuer's base differs (a local endpoint, Cognito's regional one); its last part is
        # the pool id on both.
        "iss ends with the pool id": str(claims.get("iss", "")).endswith("/" + pool.user_pool_id),
        "cognito:groups": sorted(claims["cognito:groups"]) if "cognito:groups" in claims else None,
        "lifetime": claims["exp"] - claims["iat"] if {"exp", "iat"} <= claims.keys() else None,
        "integer times": all(isinstance(claims.get(k), int) for k in ("exp", "iat", "auth_time")),
        "jti": isinstance(claims.get("jti"), str) and bool(claims.get("jti")),
        "origin_jti": isinstance(claims.get("origin_jti"), str) and bool(claims.get("origin_jti")),
    }
    if claims.get("token_use") == "id":
        out["aud"] = same(claims.get("aud"), pool.client_id, "<client>")
        out["cognito:username"] = same(claims.get("cognito:username"), sub, "<sub>")
        out["email"] = claims.get("email")
        out["email_verified"] = claims.get("email_verified")
    else:
        out["client_id"] = same(claims.get("client_id"), pool.client_id, "<client>")
        out["scope"] = claims.get("scope")
        out["username"] = same(claims.get("username"), sub, "<sub>")
        out["aud"] = claims.get("aud")
    return out


def id_claims(email: str, groups: list[str] | None) -> dict:
    """What Cognito puts in an ID token of this pool (normalized by `claims_shape`)."""
    return {
        "token_use": "id", "sub": "<sub>", "iss ends with the pool id": True, "cognito:groups": groups,
        "lifetime": 3600, "integer times": True, "jti": True, "origin_jti": True, "aud": "<client>",
        "cognito:username": "<sub>", "email": email, "email_verified": True,
    }


def access_claims(groups: list[str] | None) -> dict:
    """What Cognito puts in an access token of this pool (normalized by `claims_shape`): no
    `aud`, the client in `client_id`, the user name (the sub, in this pool) in `username`."""
    return {
        "token_use": "access", "sub": "<sub>", "iss ends with the pool id": True, "cognito:groups": groups,
        "lifetime": 3600, "integer times": True, "jti": True, "origin_jti": True, "client_id": "<client>",
        "scope": "aws.cognito.signin.user.admin", "username": "<sub>", "aud": None,
    }


class Run(parity.Run):
    """Runs labelled steps against one user pool and keeps their normalized answers
    (parity.Run).

    `results` maps each label to the normalized response or to `{"error": code}`; `messages`
    maps the labels of failed steps to the error message; `raw` keeps the raw responses.
    """

    def __init__(self, pool):
        super().__init__(pool.client)
        self.pool = pool
        self.raw: dict[str, dict] = {}

    def normalize(self, operation: str, response: dict) -> dict:
        return normalize(operation, response)

    def __call__(self, label: str, operation: str, **request: Any) -> dict | None:
        response = super().__call__(label, operation, **request)
        if response is not None:
            self.raw[label] = response
        return response

    # The pool's operations, with the pool's ids filled in.

    def sign_in(self, label: str, username: str, password: str) -> dict | None:
        return self(label, "initiate_auth", ClientId=self.pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": username, "PASSWORD": password})

    def refresh(self, label: str, refresh_token: str) -> dict | None:
        return self(label, "initiate_auth", ClientId=self.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": refresh_token})

    def admin(self, label: str, operation: str, username: str, **request: Any) -> dict | None:
        return self(label, operation, UserPoolId=self.pool.user_pool_id, Username=username, **request)

    def tokens(self, label: str) -> dict:
        """The AuthenticationResult of step `label`, which must have succeeded."""
        assert label in self.raw, f"step {label!r} failed: {self.results.get(label)} {self.messages.get(label, '')}"
        return self.raw[label]["AuthenticationResult"]

    def note_claims(self, label: str, step: str, sub: str | None) -> None:
        """Notes the claims of the ID and access tokens step `step` returned (None if it failed)."""
        if step not in self.raw:
            self.note(f"{label}: id token", None)
            self.note(f"{label}: access token", None)
            return
        result = self.raw[step]["AuthenticationResult"]
        self.note(f"{label}: id token", claims_shape(result["IdToken"], self.pool, sub))
        self.note(f"{label}: access token", claims_shape(result["AccessToken"], self.pool, sub))


def moto_lacks_email_verified(want: Run, *labels: str) -> None:
    """Cognito's ID token carries `email_verified` as a JSON boolean. moto copies into it only
    the attributes the app client's ReadAttributes lists, as strings ("true"), and none when the
    client has no ReadAttributes (Cognito's default: the client reads every attribute); the
    rest of moto's ID token is compared."""
    for label in labels:
        claims = want.results[label]
        if claims is not None and claims.get("email_verified") is not True:
            moto_deviates(want, label, {**claims, "email_verified": True})


def attributes(email: str, **more: str) -> list[dict]:
    return [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
            *({"Name": k, "Value": v} for k, v in more.items())]


def seed_user(run: Run, email: str, *, password: str | None = PASSWORD, groups: tuple[str, ...] = (),
              **more: str) -> str:
    """Creates a user as an administrator would (no invitation), with a permanent password
    unless `password` is None, in `groups`; its sub."""
    pool = run.pool
    run.quiet("admin_create_user", UserPoolId=pool.user_pool_id, Username=email, MessageAction="SUPPRESS",
              TemporaryPassword=TEMPORARY_PASSWORD, UserAttributes=attributes(email, **more))
    if password is not None:
        run.quiet("admin_set_user_password", UserPoolId=pool.user_pool_id, Username=email, Password=password,
                  Permanent=True)
    for group in groups:
        run.quiet("admin_add_user_to_group", UserPoolId=pool.user_pool_id, Username=email, GroupName=group)
    return user_sub(run, email)


def user_sub(run: Run, username: str) -> str:
    user = run.quiet("admin_get_user", UserPoolId=run.pool.user_pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"]


def all_pages(client, operation: str, key: str, token_key: str = "NextToken", **request: Any) -> list[dict]:
    items: list[dict] = []
    for _ in range(100):
        page = getattr(client, operation)(**request)
        items += page.get(key, [])
        if not page.get(token_key):
            return items
        request[token_key] = page[token_key]
    raise AssertionError(f"{operation}: still a {token_key} after 100 pages")


# --------------------------------------------------------------------------------------------
# The simulator's own endpoints: clock, outbox, JWKS
# --------------------------------------------------------------------------------------------


def simulator_clock(pool) -> datetime:
    status, document = pool.http("GET", "/_formwork/clock")
    assert status == 200, document
    assert document.get("mode") in ("real", "virtual"), document
    return datetime.fromisoformat(document["now"].replace("Z", "+00:00"))


def move_clock(pool, **body: str) -> dict:
    status, document = pool.http("POST", "/_formwork/clock", body)
    assert status == 200, document
    return document


@pytest.fixture
def restore_clock(formwork_idp):
    """For tests that move the simulator's clock: puts it back on the wall clock afterwards."""
    yield
    move_clock(formwork_idp, set=rfc3339(datetime.now(timezone.utc)))


def outbox_messages(pool, address: str, *, wait: float = 5.0, at_least: int = 1) -> list[dict]:
    """The outbox's messages to `address` (waiting up to `wait` seconds for `at_least`)."""
    deadline = time.monotonic() + wait
    while True:
        status, document = pool.http("GET", "/_formwork/outbox")
        assert status == 200, document
        found = [m for m in document["messages"] if address.lower() in (t.lower() for t in m.get("to", []))]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def jwks(pool) -> dict:
    status, document = pool.http("GET", f"/{pool.user_pool_id}/.well-known/jwks.json")
    assert status == 200, document
    return document


def verify(token: str, keys: dict, *, issuer: str | None, audience: str | None = None) -> dict:
    """The claims of `token` after checking its RS256 signature with the key its `kid` names in
    `keys` (a JWKS), its issuer and (for ID tokens) its audience. exp and iat are not checked
    here: the callers check them against the clock of the server that issued the token."""
    header = jwt.get_unverified_header(token)
    assert header.get("alg") == "RS256", header
    matching = [k for k in keys["keys"] if k.get("kid") == header.get("kid")]
    assert len(matching) == 1, f"kid {header.get('kid')!r} is not (once) in the JWKS {keys}"
    return jwt.decode(
        token, jwt.PyJWK(matching[0]).key, algorithms=["RS256"], issuer=issuer, audience=audience,
        options={"verify_exp": False, "verify_iat": False, "verify_aud": audience is not None,
                 "verify_iss": issuer is not None, "require": ["exp", "iat", "sub", "token_use", "iss"]},
    )


# --------------------------------------------------------------------------------------------
# The pool itself
# --------------------------------------------------------------------------------------------


def _seconds(value: int | None, unit: str) -> int | None:
    factor = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[unit]
    return None if value is None else value * factor


def pool_shape(pool, settings: dict | None = None) -> dict:
    """The settings of a pool, its app client and groups that the application relies on."""
    client = pool.client
    described = client.describe_user_pool(UserPoolId=pool.user_pool_id)["UserPool"]
    app = client.describe_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)["UserPoolClient"]
    groups = all_pages(client, "list_groups", "Groups", UserPoolId=pool.user_pool_id)
    units = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days", **app.get("TokenValidityUnits", {})}
    admin_config = described.get("AdminCreateUserConfig", {})
    invitation = admin_config.get("InviteMessageTemplate", {})
    return {
        "Name": described["Name"],
        "UsernameAttributes": sorted(described.get("UsernameAttributes", [])),
        "AutoVerifiedAttributes": sorted(described.get("AutoVerifiedAttributes", [])),
        "UsernameConfiguration": described.get("UsernameConfiguration"),
        "PasswordPolicy": described.get("Policies", {}).get("PasswordPolicy"),
        "AllowAdminCreateUserOnly": admin_config.get("AllowAdminCreateUserOnly"),
        "Invitation": {k: invitation.get(k) for k in ("EmailSubject", "EmailMessage")},
        "MfaConfiguration": described.get("MfaConfiguration"),
        "Client": {
            "secret": "ClientSecret" in app,
            "ExplicitAuthFlows": sorted(app.get("ExplicitAuthFlows", [])),
            "PreventUserExistenceErrors": app.get("PreventUserExistenceErrors"),
            "EnableTokenRevocation": app.get("EnableTokenRevocation"),
            "id token seconds": _seconds(app.get("IdTokenValidity"), units["IdToken"]),
            "access token seconds": _seconds(app.get("AccessTokenValidity"), units["AccessToken"]),
            "refresh token seconds": _seconds(app.get("RefreshTokenValidity"), units["RefreshToken"]),
        },
        "Groups": sorted((group_shape(g) for g in groups), key=lambda g: g["GroupName"]),
    }


#: The dev blueprint's pool (blueprints/TaskManagement.swift, output/dev/template.yaml).
EXPECTED_POOL = {
    "Name": POOL_NAME,
    "UsernameAttributes": ["email"],
    "AutoVerifiedAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": False},
    "PasswordPolicy": {
        "MinimumLength": 12, "RequireLowercase": True, "RequireUppercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
    },
    "AllowAdminCreateUserOnly": True,
    "Invitation": {"EmailSubject": "You are invited to Task Management", "EmailMessage": INVITATION},
    "MfaConfiguration": "OFF",
    "Client": {
        "secret": False,
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "id token seconds": 3600,
        "access token seconds": 3600,
        "refresh token seconds": 30 * 86400,
    },
    "Groups": [
        {"GroupName": "Admin", "Precedence": 1, "Description": "Manage users and tasks; see the dashboard"},
        {"GroupName": "TeamMember", "Precedence": 10, "Description": "Work on assigned tasks"},
    ],
}


def test_pool_comes_from_the_blueprint(formwork_idp, moto_idp):
    assert pool_shape(formwork_idp) == EXPECTED_POOL
    # moto's pool was made from Formwork's descriptions: a check that it got every setting.
    assert pool_shape(moto_idp) == pool_shape(formwork_idp)


def test_pool_and_client_ids(formwork_idp):
    """Ids shaped like Cognito's (`us-east-1_` and 9 letters or digits; 26 lower-case letters and
    digits), listed by ListUserPools and ListUserPoolClients, and named by /_formwork/endpoints.
    (moto's pool ids have 32 hexadecimal digits after the region; not compared.)"""
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", formwork_idp.user_pool_id), formwork_idp.user_pool_id
    assert re.fullmatch(r"[0-9a-z]{26}", formwork_idp.client_id), formwork_idp.client_id
    client = formwork_idp.client
    pools = all_pages(client, "list_user_pools", "UserPools", MaxResults=60)
    assert [(p["Id"], p["Name"]) for p in pools if p["Name"] == POOL_NAME] == [(formwork_idp.user_pool_id, POOL_NAME)]
    clients = all_pages(client, "list_user_pool_clients", "UserPoolClients", UserPoolId=formwork_idp.user_pool_id,
                        MaxResults=60)
    assert formwork_idp.client_id in [c["ClientId"] for c in clients]
    status, endpoints = formwork_idp.http("GET", "/_formwork/endpoints")
    assert status == 200
    assert endpoints["region"] == REGION
    assert endpoints["cognitoEndpoint"] == formwork_idp.endpoint
    with pytest.raises(ClientError) as raised:
        client.describe_user_pool(UserPoolId="us-east-1_Nope12345")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --------------------------------------------------------------------------------------------
# First sign-in of an invited administrator
# --------------------------------------------------------------------------------------------


def scenario_first_sign_in(pool, email: str) -> Run:
    run = Run(pool)
    run("create", "admin_create_user", UserPoolId=pool.user_pool_id, Username=email, MessageAction="SUPPRESS",
        TemporaryPassword=TEMPORARY_PASSWORD, UserAttributes=attributes(email, name="First Admin"))
    sub = user_sub(run, email)
    run.admin("add to Admin", "admin_add_user_to_group", email, GroupName="Admin")
    run.admin("groups", "admin_list_groups_for_user", email)
    run.admin("status before", "admin_get_user", email)
    first = run.sign_in("sign in with the temporary password", email, TEMPORARY_PASSWORD)
    run("answer with a weak password", "respond_to_auth_challenge", ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED", Session=(first or {}).get("Session", "none"),
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": "weak-password"})
    second = run.sign_in("sign in with the temporary password again", email, TEMPORARY_PASSWORD)
    run("answer with a new password", "respond_to_auth_challenge", ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED", Session=(second or {}).get("Session", "none"),
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": PASSWORD})
    run.note_claims("after the challenge", "answer with a new password", sub)
    run.admin("status after", "admin_get_user", email)
    run.sign_in("sign in with the temporary password after the change", email, TEMPORARY_PASSWORD)
    run.sign_in("sign in", email, PASSWORD)
    run.note_claims("sign in", "sign in", sub)
    if "sign in" in run.raw:
        run("get user", "get_user", AccessToken=run.tokens("sign in")["AccessToken"])
    run.sign_in("wrong password", email, "Wrong-Password-123")
    run.sign_in("unknown user", unique_email("nobody"), PASSWORD)
    run.sign_in("sign in with the e-mail in capitals", email.upper(), PASSWORD)
    run.admin("admin get user by the e-mail in capitals", "admin_get_user", email.upper())
    run("admin sign in (flow not enabled for the client)", "admin_initiate_auth", UserPoolId=pool.user_pool_id,
        ClientId=pool.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})
    return run


def test_first_sign_in_of_an_invited_admin(formwork_idp, moto_idp):
    email = unique_email("first-admin")
    got, want = both(scenario_first_sign_in, formwork_idp, moto_idp, email)
    user = {"email": email, "email_verified": "true", "name": "First Admin", "sub": "<sub>"}
    confirmed = {"Username": "<sub>", "UserAttributes": user, "UserStatus": "CONFIRMED", "Enabled": True}
    # PreventUserExistenceErrors is ENABLED: an unknown user is answered like a wrong password
    # (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html).
    # moto ignores the setting and answers UserNotFoundException "User does not exist.".
    moto_deviates(want, "unknown user", {"error": "NotAuthorizedException"})
    # The pool's user names are case-insensitive (UsernameConfiguration CaseSensitive false):
    # any capitalization of the e-mail address names the user. moto compares the address
    # exactly and answers UserNotFoundException.
    moto_deviates(want, "sign in with the e-mail in capitals", SIGNED_IN)
    moto_deviates(want, "admin get user by the e-mail in capitals", confirmed)
    # The app client allows USER_PASSWORD_AUTH, USER_SRP_AUTH and REFRESH_TOKEN_AUTH only;
    # Cognito refuses ADMIN_USER_PASSWORD_AUTH with InvalidParameterException "Auth flow not
    # enabled for this client". moto does not check a client's ExplicitAuthFlows and signs in.
    moto_deviates(want, "admin sign in (flow not enabled for the client)", {"error": "InvalidParameterException"})
    moto_lacks_email_verified(want, "after the challenge: id token", "sign in: id token")

    r = got.results
    assert r["create"] == {"User": {"Username": "<sub>", "Attributes": user, "UserStatus": "FORCE_CHANGE_PASSWORD",
                                    "Enabled": True}}
    assert r["groups"] == {"Groups": [EXPECTED_POOL["Groups"][0]]}
    assert r["sign in with the temporary password"] == NEW_PASSWORD_REQUIRED
    # Cognito names the attributes a NEW_PASSWORD_REQUIRED answer must supply (none here) and
    # the user's current attributes, both as JSON strings. (moto sends only USERNAME.)
    parameters = got.raw["sign in with the temporary password"]["ChallengeParameters"]
    assert json.loads(parameters["requiredAttributes"]) == []
    assert json.loads(parameters["userAttributes"])["email"] == email
    assert r["answer with a weak password"] == {"error": "InvalidPasswordException"}
    assert got.messages["answer with a weak password"].startswith(POLICY_MESSAGE)
    assert r["answer with a new password"] == SIGNED_IN
    assert r["status after"] == confirmed
    assert r["sign in with the temporary password after the change"] == {"error": "NotAuthorizedException"}
    assert r["sign in"] == SIGNED_IN
    assert r["sign in: id token"] == id_claims(email, ["Admin"])
    assert r["sign in: access token"] == access_claims(["Admin"])
    assert r["get user"] == {"Username": "<sub>", "UserAttributes": user}
    assert r["wrong password"] == {"error": "NotAuthorizedException"}
    assert got.messages["wrong password"] == "Incorrect username or password."
    assert got.messages["unknown user"] == "Incorrect username or password."
    assert got.messages["admin sign in (flow not enabled for the client)"] == "Auth flow not enabled for this client"
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Refresh, sign-out everywhere
# --------------------------------------------------------------------------------------------


def scenario_refresh_and_sign_out(pool, email: str) -> Run:
    run = Run(pool)
    sub = seed_user(run, email, groups=("TeamMember",))
    run.sign_in("sign in", email, PASSWORD)
    first = run.tokens("sign in")
    run.refresh("refresh", first["RefreshToken"])
    run.note_claims("refresh", "refresh", sub)
    if "refresh" in run.raw:
        refreshed = run.tokens("refresh")
        origin = jwt.decode(first["AccessToken"], options={"verify_signature": False})["origin_jti"]
        run.note("refreshed tokens keep the refresh token's origin_jti", [
            jwt.decode(refreshed[k], options={"verify_signature": False}).get("origin_jti") == origin
            for k in ("IdToken", "AccessToken")])
        run("get user with the refreshed access token", "get_user", AccessToken=refreshed["AccessToken"])
        run("sign out everywhere", "global_sign_out", AccessToken=refreshed["AccessToken"])
        run("get user with the signed-out access token", "get_user", AccessToken=refreshed["AccessToken"])
    run("get user with the first access token", "get_user", AccessToken=first["AccessToken"])
    run.refresh("refresh after signing out", first["RefreshToken"])
    run.refresh("refresh with a made-up token", "not-a-refresh-token-" + uuid.uuid4().hex)
    run.sign_in("sign in again", email, PASSWORD)
    run("get user after signing in again", "get_user", AccessToken=run.tokens("sign in again")["AccessToken"])
    return run


def test_refresh_and_global_sign_out(formwork_idp, moto_idp):
    email = unique_email("refresh")
    got, want = both(scenario_refresh_and_sign_out, formwork_idp, moto_idp, email)
    moto_lacks_email_verified(want, "refresh: id token")
    r = got.results
    assert r["refresh"] == REFRESHED  # no new refresh token: rotation is not enabled
    assert r["refresh: id token"] == id_claims(email, ["TeamMember"])
    assert r["refresh: access token"] == access_claims(["TeamMember"])
    assert r["refreshed tokens keep the refresh token's origin_jti"] == [True, True]
    assert r["sign out everywhere"] == {}
    # GlobalSignOut revokes the user's access and refresh tokens.
    for label in ("get user with the signed-out access token", "get user with the first access token",
                  "refresh after signing out", "refresh with a made-up token"):
        assert r[label] == {"error": "NotAuthorizedException"}, label
    assert r["sign in again"] == SIGNED_IN
    assert r["get user after signing in again"]["Username"] == "<sub>"
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# The password policy
# --------------------------------------------------------------------------------------------


def scenario_password_policy(pool, email: str) -> Run:
    run = Run(pool)
    seed_user(run, email, password=None)
    for label, (password, _) in WEAK_PASSWORDS.items():
        run.admin(f"set a password: {label}", "admin_set_user_password", email, Password=password, Permanent=True)
    run("create with a weak temporary password", "admin_create_user", UserPoolId=pool.user_pool_id,
        Username="weak-" + email, MessageAction="SUPPRESS", TemporaryPassword="Short-1a",
        UserAttributes=attributes("weak-" + email))
    run.admin("status while the password is temporary", "admin_get_user", email)
    run.admin("set a valid password", "admin_set_user_password", email, Password=PASSWORD, Permanent=True)
    run.admin("status with a permanent password", "admin_get_user", email)
    run.sign_in("sign in", email, PASSWORD)
    access = run.tokens("sign in")["AccessToken"]
    run("change to a weak password", "change_password", AccessToken=access, PreviousPassword=PASSWORD,
        ProposedPassword=WEAK_PASSWORDS["no upper case"][0])
    run("change with a wrong previous password", "change_password", AccessToken=access,
        PreviousPassword="Wrong-Password-000", ProposedPassword=NEW_PASSWORD)
    run("change the password", "change_password", AccessToken=access, PreviousPassword=PASSWORD,
        ProposedPassword=NEW_PASSWORD)
    run.sign_in("sign in with the old password", email, PASSWORD)
    run.sign_in("sign in with the new password", email, NEW_PASSWORD)
    return run


def test_password_policy(formwork_idp, moto_idp):
    email = unique_email("policy")
    got, want = both(scenario_password_policy, formwork_idp, moto_idp, email)
    # Cognito checks a TemporaryPassword against the policy too; moto creates the user.
    moto_deviates(want, "create with a weak temporary password", {"error": "InvalidPasswordException"})
    r = got.results
    for label, (_, word) in WEAK_PASSWORDS.items():
        step = f"set a password: {label}"
        assert r[step] == {"error": "InvalidPasswordException"}, step
        # Cognito: "Password did not conform with policy: Password not long enough", "... must
        # have symbol characters", and so on. moto's message is always "The provided password
        # does not confirm to the configured password policy"; only codes are compared with moto.
        assert got.messages[step].startswith(POLICY_MESSAGE), got.messages[step]
        assert word in got.messages[step].lower(), (step, got.messages[step])
    assert r["status while the password is temporary"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert r["set a valid password"] == {}
    assert r["status with a permanent password"]["UserStatus"] == "CONFIRMED"
    assert r["change to a weak password"] == {"error": "InvalidPasswordException"}
    assert r["change with a wrong previous password"] == {"error": "NotAuthorizedException"}
    assert r["change the password"] == {}
    assert r["sign in with the old password"] == {"error": "NotAuthorizedException"}
    assert r["sign in with the new password"] == SIGNED_IN
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Sign-up is for administrators only
# --------------------------------------------------------------------------------------------


def scenario_sign_up(pool, email: str) -> Run:
    run = Run(pool)
    run("sign up", "sign_up", ClientId=pool.client_id, Username=email, Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}])
    run.admin("the user after the refused sign-up", "admin_get_user", email)
    run.sign_in("sign in after the refused sign-up", email, PASSWORD)
    confirmed = "confirmed-" + email
    seed_user(run, confirmed)
    run("confirm the sign-up of a confirmed user", "confirm_sign_up", ClientId=pool.client_id, Username=confirmed,
        ConfirmationCode="123456")
    run("confirm the sign-up of an unknown user", "confirm_sign_up", ClientId=pool.client_id,
        Username=unique_email("nobody"), ConfirmationCode="123456")
    return run


def test_sign_up_is_refused(formwork_idp, moto_idp):
    email = unique_email("signup")
    got, want = both(scenario_sign_up, formwork_idp, moto_idp, email)
    # AllowAdminCreateUserOnly: Cognito answers NotAuthorizedException "SignUp is not permitted
    # for this user pool" and creates nobody. moto ignores the setting: it signs the user up
    # (UNCONFIRMED), so the user exists and signing in says UserNotConfirmedException.
    moto_deviates(want, "sign up", {"error": "NotAuthorizedException"})
    moto_deviates(want, "the user after the refused sign-up", {"error": "UserNotFoundException"})
    moto_deviates(want, "sign in after the refused sign-up", {"error": "NotAuthorizedException"})
    # ConfirmSignUp of a user who is already confirmed: Cognito answers NotAuthorizedException
    # "User cannot be confirmed. Current status is CONFIRMED"; moto confirms again.
    moto_deviates(want, "confirm the sign-up of a confirmed user", {"error": "NotAuthorizedException"})
    # With PreventUserExistenceErrors ENABLED, account confirmation does not reveal that a user
    # does not exist (API reference, UserPoolClientType.PreventUserExistenceErrors: "When set
    # to LEGACY, those APIs return a UserNotFoundException"). The documentation names no code
    # for ConfirmSignUp, so this checks "an error, but not UserNotFoundException" on Formwork
    # and does not compare the step with moto (which answers UserNotFoundException).
    unknown = got.results.pop("confirm the sign-up of an unknown user")
    want.results.pop("confirm the sign-up of an unknown user")
    assert "error" in unknown and unknown["error"] != "UserNotFoundException", unknown
    assert got.messages["sign up"] == "SignUp is not permitted for this user pool"
    assert got.messages["confirm the sign-up of a confirmed user"] == "User cannot be confirmed. Current status is CONFIRMED"
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Disabling and enabling a user
# --------------------------------------------------------------------------------------------


def scenario_disable_enable(pool, email: str) -> Run:
    run = Run(pool)
    seed_user(run, email)
    run.sign_in("sign in", email, PASSWORD)
    before = run.tokens("sign in")
    run.admin("disable", "admin_disable_user", email)
    run.admin("the disabled user", "admin_get_user", email)
    run.sign_in("sign in while disabled", email, PASSWORD)
    run.sign_in("wrong password while disabled", email, "Wrong-Password-123")
    run.refresh("refresh while disabled", before["RefreshToken"])
    run("get user while disabled", "get_user", AccessToken=before["AccessToken"])
    run.admin("enable", "admin_enable_user", email)
    run.admin("the enabled user", "admin_get_user", email)
    run.sign_in("sign in after enabling", email, PASSWORD)
    run("get user after enabling", "get_user", AccessToken=run.tokens("sign in after enabling")["AccessToken"])
    run.admin("disable an unknown user", "admin_disable_user", unique_email("nobody"))
    return run


def test_disable_and_enable(formwork_idp, moto_idp):
    email = unique_email("disable")
    got, want = both(scenario_disable_enable, formwork_idp, moto_idp, email)
    # AdminDisableUser "deactivates a user profile and revokes all access tokens for the user";
    # a disabled user's refresh token gets no new tokens. moto refreshes them.
    moto_deviates(want, "refresh while disabled", {"error": "NotAuthorizedException"})
    r = got.results
    assert r["the disabled user"]["Enabled"] is False
    assert r["sign in while disabled"] == {"error": "NotAuthorizedException"}
    assert got.messages["sign in while disabled"] == "User is disabled."
    assert r["wrong password while disabled"] == {"error": "NotAuthorizedException"}
    assert r["get user while disabled"] == {"error": "NotAuthorizedException"}
    assert r["the enabled user"]["Enabled"] is True
    assert r["sign in after enabling"] == SIGNED_IN
    assert r["disable an unknown user"] == {"error": "UserNotFoundException"}
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Groups, and the groups in the tokens
# --------------------------------------------------------------------------------------------


def group_members(run: Run, group: str, emails: set[str]) -> list[str]:
    users = all_pages(run.client, "list_users_in_group", "Users", UserPoolId=run.pool.user_pool_id, GroupName=group)
    found = [{a["Name"]: a["Value"] for a in u["Attributes"]}.get("email") for u in users]
    return sorted(e for e in found if e in emails)


def scenario_groups(pool, email: str) -> Run:
    run = Run(pool)
    sub = seed_user(run, email)
    run.sign_in("sign in without groups", email, PASSWORD)
    run.note_claims("without groups", "sign in without groups", sub)
    run.admin("add to TeamMember", "admin_add_user_to_group", email, GroupName="TeamMember")
    run.admin("add to Admin", "admin_add_user_to_group", email, GroupName="Admin")
    run.admin("add to Admin again", "admin_add_user_to_group", email, GroupName="Admin")
    run.admin("groups of the user", "admin_list_groups_for_user", email)
    run.note("Admin members", group_members(run, "Admin", {email}))
    run.note("TeamMember members", group_members(run, "TeamMember", {email}))
    run.admin("add to an unknown group", "admin_add_user_to_group", email, GroupName="Nope")
    run.admin("add an unknown user", "admin_add_user_to_group", unique_email("nobody"), GroupName="Admin")
    run("members of an unknown group", "list_users_in_group", UserPoolId=pool.user_pool_id, GroupName="Nope")
    run.sign_in("sign in as a member of both", email, PASSWORD)
    run.note_claims("both groups", "sign in as a member of both", sub)
    run.admin("remove from Admin", "admin_remove_user_from_group", email, GroupName="Admin")
    run.admin("groups after leaving Admin", "admin_list_groups_for_user", email)
    run.note("Admin members after", group_members(run, "Admin", {email}))
    run.refresh("refresh after leaving Admin", run.tokens("sign in as a member of both")["RefreshToken"])
    run.note_claims("after leaving Admin", "refresh after leaving Admin", sub)
    return run


def test_groups_and_cognito_groups_claim(formwork_idp, moto_idp):
    email = unique_email("groups")
    got, want = both(scenario_groups, formwork_idp, moto_idp, email)
    moto_lacks_email_verified(want, "without groups: id token", "both groups: id token", "after leaving Admin: id token")
    r = got.results
    # No cognito:groups claim for a user in no group.
    assert r["without groups: id token"] == id_claims(email, None)
    assert r["without groups: access token"] == access_claims(None)
    assert r["groups of the user"] == {"Groups": EXPECTED_POOL["Groups"]}
    assert r["Admin members"] == r["TeamMember members"] == [email]
    assert r["add to an unknown group"] == {"error": "ResourceNotFoundException"}
    assert r["add an unknown user"] == {"error": "UserNotFoundException"}
    assert r["members of an unknown group"] == {"error": "ResourceNotFoundException"}
    assert r["both groups: id token"]["cognito:groups"] == ["Admin", "TeamMember"]
    assert r["both groups: access token"]["cognito:groups"] == ["Admin", "TeamMember"]
    assert r["Admin members after"] == []
    # Tokens from a refresh carry the groups of that moment.
    assert r["refresh after leaving Admin"] == REFRESHED
    assert r["after leaving Admin: id token"]["cognito:groups"] == ["TeamMember"]
    assert r["after leaving Admin: access token"]["cognito:groups"] == ["TeamMember"]
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# ListUsers, attribute updates, duplicates, deletes
# --------------------------------------------------------------------------------------------


def scenario_users(pool, prefix: str) -> Run:
    run = Run(pool)
    emails = [f"{prefix}-{n}@example.com" for n in (1, 2, 3)]
    for n, email in enumerate(emails, start=1):
        seed_user(run, email, name=f"{prefix} user {n}")

    def list_users(label: str, filter_: str) -> None:
        run(label, "list_users", UserPoolId=pool.user_pool_id, Filter=filter_)

    list_users("filter by e-mail", f'email = "{emails[1]}"')
    list_users("filter by e-mail prefix", f'email ^= "{prefix}"')
    list_users("filter by name", f'name = "{prefix} user 3"')
    list_users("filter by sub", f'sub = "{user_sub(run, emails[0])}"')
    list_users("filter matching nobody", f'email = "nobody-{prefix}@example.com"')
    list_users("filter on a custom attribute", 'custom:team = "x"')
    list_users("filter with bad syntax", f'email == "{emails[0]}"')
    run.admin("update the name", "admin_update_user_attributes", emails[0],
              UserAttributes=[{"Name": "name", "Value": f"{prefix} renamed"}])
    run.admin("after the update", "admin_get_user", emails[0])
    list_users("filter by the new name", f'name = "{prefix} renamed"')
    run.admin("update an unknown user", "admin_update_user_attributes", unique_email("nobody"),
              UserAttributes=[{"Name": "name", "Value": "x"}])
    run("create a duplicate", "admin_create_user", UserPoolId=pool.user_pool_id, Username=emails[2],
        MessageAction="SUPPRESS", TemporaryPassword=TEMPORARY_PASSWORD, UserAttributes=attributes(emails[2]))
    run.admin("delete", "admin_delete_user", emails[0])
    run.admin("the deleted user", "admin_get_user", emails[0])
    run.sign_in("sign in as the deleted user", emails[0], PASSWORD)
    list_users("filter by e-mail prefix after the delete", f'email ^= "{prefix}"')
    run.admin("delete again", "admin_delete_user", emails[0])
    # Last, as moto creates this user (see the test).
    run("create a duplicate in capitals", "admin_create_user", UserPoolId=pool.user_pool_id,
        Username=emails[2].upper(), MessageAction="SUPPRESS", TemporaryPassword=TEMPORARY_PASSWORD,
        UserAttributes=attributes(emails[2].upper()))
    return run


def test_list_users_update_and_delete(formwork_idp, moto_idp):
    prefix = f"users-{uuid.uuid4().hex[:10]}"
    got, want = both(scenario_users, formwork_idp, moto_idp, prefix)
    # User names are case-insensitive in this pool, so the address in capitals is the same user.
    # moto compares exactly and creates a second user.
    moto_deviates(want, "create a duplicate in capitals", {"error": "UsernameExistsException"})
    # PreventUserExistenceErrors: a deleted user signing in gets NotAuthorizedException; moto
    # answers UserNotFoundException.
    moto_deviates(want, "sign in as the deleted user", {"error": "NotAuthorizedException"})
    r = got.results

    def user(n: int, name: str | None = None) -> dict:
        return {"Username": "<sub>", "UserStatus": "CONFIRMED", "Enabled": True,
                "Attributes": {"email": f"{prefix}-{n}@example.com", "email_verified": "true",
                               "name": name or f"{prefix} user {n}", "sub": "<sub>"}}

    assert r["filter by e-mail"] == {"Users": [user(2)]}
    assert r["filter by e-mail prefix"] == {"Users": [user(1), user(2), user(3)]}
    assert r["filter by name"] == {"Users": [user(3)]}
    assert r["filter by sub"] == {"Users": [user(1)]}
    assert r["filter matching nobody"] == {"Users": []}
    assert r["filter on a custom attribute"] == {"error": "InvalidParameterException"}
    assert r["filter with bad syntax"] == {"error": "InvalidParameterException"}
    assert r["update the name"] == {}
    assert r["after the update"]["UserAttributes"]["name"] == f"{prefix} renamed"
    assert r["filter by the new name"] == {"Users": [user(1, f"{prefix} renamed")]}
    assert r["update an unknown user"] == {"error": "UserNotFoundException"}
    assert r["create a duplicate"] == {"error": "UsernameExistsException"}
    assert r["delete"] == {}
    assert r["the deleted user"] == {"error": "UserNotFoundException"}
    assert r["filter by e-mail prefix after the delete"] == {"Users": [user(2), user(3)]}
    assert r["delete again"] == {"error": "UserNotFoundException"}
    assert got.results == want.results


# --------------------------------------------------------------------------------------------
# Tokens verified against the JWKS
# --------------------------------------------------------------------------------------------


def signed_in_tokens(pool, email: str, groups: tuple[str, ...]) -> dict:
    run = Run(pool)
    seed_user(run, email, groups=groups)
    run.sign_in("sign in", email, PASSWORD)
    return run.tokens("sign in")


def test_tokens_verify_against_the_jwks(formwork_idp):
    email = unique_email("jwks")
    tokens = signed_in_tokens(formwork_idp, email, ("Admin",))
    status, endpoints = formwork_idp.http("GET", "/_formwork/endpoints")
    assert status == 200
    issuer = f"{endpoints['cognitoEndpoint']}/{formwork_idp.user_pool_id}"
    jwks_url = f"{issuer}/.well-known/jwks.json"
    keys = jwks(formwork_idp)
    assert keys["keys"], keys
    for key in keys["keys"]:
        assert key.get("kty") == "RSA" and key.get("alg") == "RS256" and key.get("use") == "sig", key
        assert key.get("kid") and key.get("n") and key.get("e") == "AQAB", key
        assert "d" not in key, "a private key in the JWKS"

    # What an application does: PyJWKClient fetches the JWKS and picks the key by kid.
    signing_key = jwt.PyJWKClient(jwks_url, cache_keys=False).get_signing_key_from_jwt(tokens["IdToken"])
    claims = jwt.decode(tokens["IdToken"], signing_key.key, algorithms=["RS256"], audience=formwork_idp.client_id,
                        issuer=issuer, options={"verify_exp": False, "verify_iat": False})
    assert claims["token_use"] == "id"
    assert claims["email"] == email and claims["email_verified"] is True
    assert claims["cognito:groups"] == ["Admin"]
    assert claims["cognito:username"] == claims["sub"]
    # exp against the simulator's clock (which a test may have moved), not the wall clock.
    now = simulator_clock(formwork_idp).timestamp()
    assert claims["iat"] <= now + 5, (claims["iat"], now)
    assert claims["exp"] == claims["iat"] + 3600
    assert claims["exp"] > now
    assert abs(claims["auth_time"] - claims["iat"]) <= 5

    access = verify(tokens["AccessToken"], keys, issuer=issuer)
    assert access["token_use"] == "access"
    assert access["client_id"] == formwork_idp.client_id and "aud" not in access
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["sub"] == claims["sub"] and access["cognito:groups"] == ["Admin"]
    assert access["exp"] == access["iat"] + 3600 and access["exp"] > now
    assert access["origin_jti"] == claims["origin_jti"] and access["jti"] != claims["jti"]

    # A token signed with another key, or changed, does not verify.
    with pytest.raises(jwt.InvalidSignatureError):
        header, payload, signature = tokens["IdToken"].split(".")
        tampered = json.loads(jwt.utils.base64url_decode(payload))
        tampered["cognito:groups"] = ["Admin", "Root"]
        forged = ".".join([header, jwt.utils.base64url_encode(json.dumps(tampered).encode()).decode(), signature])
        verify(forged, keys, issuer=issuer, audience=formwork_idp.client_id)

    # OpenID discovery names the same issuer and JWKS.
    status, discovery = formwork_idp.http("GET", f"/{formwork_idp.user_pool_id}/.well-known/openid-configuration")
    assert status == 200, discovery
    assert discovery["issuer"] == issuer
    assert discovery["jwks_uri"] == jwks_url
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]


def test_moto_tokens_verify_against_its_jwks(moto_idp):
    """The same check of moto's tokens, against the JWKS moto serves and Cognito's issuer form
    (https://cognito-idp.REGION.amazonaws.com/POOL): the verification above is not specific to
    Formwork."""
    email = unique_email("jwks")
    tokens = signed_in_tokens(moto_idp, email, ("Admin",))
    keys = jwks(moto_idp)
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{moto_idp.user_pool_id}"
    claims = verify(tokens["IdToken"], keys, issuer=issuer, audience=moto_idp.client_id)
    assert claims["token_use"] == "id" and claims["cognito:groups"] == ["Admin"] and claims["email"] == email
    assert claims["exp"] == claims["iat"] + 3600 and claims["exp"] > time.time()
    access = verify(tokens["AccessToken"], keys, issuer=issuer)
    assert access["token_use"] == "access" and access["client_id"] == moto_idp.client_id


# --------------------------------------------------------------------------------------------
# The simulator's clock: token expiry
# --------------------------------------------------------------------------------------------


def test_clock_endpoint(formwork_idp, restore_clock):
    before = simulator_clock(formwork_idp)
    moved = move_clock(formwork_idp, advance="PT2H")
    moved_to = datetime.fromisoformat(moved["now"].replace("Z", "+00:00"))
    assert timedelta(hours=2) <= moved_to - before < timedelta(hours=2, minutes=1), (before, moved)
    assert simulator_clock(formwork_idp) >= moved_to
    target = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    document = move_clock(formwork_idp, set=rfc3339(target))
    assert document["mode"] in ("real", "virtual")
    now = datetime.fromisoformat(document["now"].replace("Z", "+00:00"))
    assert target <= now < target + timedelta(minutes=1), document
    move_clock(formwork_idp, set=rfc3339(datetime.now(timezone.utc)))
    assert abs(simulator_clock(formwork_idp) - datetime.now(timezone.utc)) < timedelta(seconds=30)


def test_access_token_expires_with_the_simulated_clock(formwork_idp, restore_clock):
    email = unique_email("expiry")
    tokens = signed_in_tokens(formwork_idp, email, ())
    client = formwork_idp.client
    assert client.get_user(AccessToken=tokens["AccessToken"])["Username"]
    before = simulator_clock(formwork_idp)
    move_clock(formwork_idp, advance="PT2H")
    with pytest.raises(ClientError) as raised:
        client.get_user(AccessToken=tokens["AccessToken"])
    assert raised.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert raised.value.response["Error"]["Message"] == "Access Token has expired"
    # The refresh token (30 days) still works, and the new tokens date from the moved clock.
    refreshed = client.initiate_auth(ClientId=formwork_idp.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                     AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    iat = jwt.decode(refreshed["AccessToken"], options={"verify_signature": False})["iat"]
    assert iat >= (before + timedelta(hours=2)).timestamp() - 5, (iat, before)
    assert client.get_user(AccessToken=refreshed["AccessToken"])["Username"]


# --------------------------------------------------------------------------------------------
# The outbox: invitation and password reset (Formwork only: moto sends nothing anywhere)
# --------------------------------------------------------------------------------------------


def test_invitation_email(formwork_idp):
    email = unique_email("invited")
    client = formwork_idp.client
    created = client.admin_create_user(UserPoolId=formwork_idp.user_pool_id, Username=email,
                                       UserAttributes=attributes(email), DesiredDeliveryMediums=["EMAIL"])
    sub = created["User"]["Username"]
    messages = outbox_messages(formwork_idp, email)
    assert len(messages) == 1, messages
    message = messages[0]
    assert message["service"] == "cognito-idp" and message["kind"] == "email", message
    assert message["to"] == [email]
    assert message["from"] and message["id"] and message["createdAt"]
    assert message["subject"] == "You are invited to Task Management"
    pattern = re.escape(INVITATION).replace(re.escape("{username}"), r"(?P<username>\S+)").replace(
        re.escape("{####}"), r"(?P<password>\S+)")
    found = re.search(pattern, message["body"])
    assert found, message["body"]
    assert found["username"] in (email, sub), found["username"]
    temporary = found["password"]
    # A generated temporary password satisfies the pool's policy.
    assert len(temporary) >= 12 and re.search(r"[a-z]", temporary) and re.search(r"[A-Z]", temporary)
    assert re.search(r"[0-9]", temporary) and re.search(r"[^0-9A-Za-z]", temporary), temporary
    # The user signs in as the message says and sets a password.
    challenge = client.initiate_auth(ClientId=formwork_idp.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": found["username"], "PASSWORD": temporary})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answered = client.respond_to_auth_challenge(ClientId=formwork_idp.client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                                Session=challenge["Session"],
                                                ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": PASSWORD})
    assert set(answered["AuthenticationResult"]) >= {"IdToken", "AccessToken", "RefreshToken"}

    # MessageAction SUPPRESS sends nothing.
    quiet = unique_email("suppressed")
    client.admin_create_user(UserPoolId=formwork_idp.user_pool_id, Username=quiet, UserAttributes=attributes(quiet),
                             MessageAction="SUPPRESS", TemporaryPassword=TEMPORARY_PASSWORD)
    assert outbox_messages(formwork_idp, quiet, wait=0.5) == []


def reset_code(pool, email: str, seen: set[str]) -> str:
    """The code in the one outbox message to `email` whose id is not in `seen` (then added)."""
    deadline = time.monotonic() + 5
    while True:
        new = [m for m in outbox_messages(pool, email, wait=0) if m["id"] not in seen]
        if new or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(new) == 1, f"not one new message to {email}: {new}"
    seen.add(new[0]["id"])
    found = re.findall(r"\b\d{6}\b", new[0]["body"])
    assert len(found) == 1, f"no single 6-digit code in {new[0]['body']!r}"
    return found[0]


def test_forgot_password_with_the_code_from_the_outbox(formwork_idp, restore_clock):
    email = unique_email("forgot")
    run = Run(formwork_idp)
    seed_user(run, email)
    client = formwork_idp.client
    sent = client.forgot_password(ClientId=formwork_idp.client_id, Username=email)
    assert normalize("forgot_password", sent) == {
        "CodeDeliveryDetails": {"DeliveryMedium": "EMAIL", "AttributeName": "email"}}
    assert email not in sent["CodeDeliveryDetails"]["Destination"], "the destination is masked"
    # PreventUserExistenceErrors ENABLED: password recovery for an unknown user does not say the
    # user does not exist (a code "sent" to a simulated destination, or InvalidParameterException).
    try:
        client.forgot_password(ClientId=formwork_idp.client_id, Username=unique_email("nobody"))
    except ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidParameterException", error.response["Error"]
    seen: set[str] = set()
    code = reset_code(formwork_idp, email, seen)
    wrong = "000000" if code != "000000" else "111111"

    def confirm(confirmation_code: str, password: str = NEW_PASSWORD) -> str | None:
        try:
            client.confirm_forgot_password(ClientId=formwork_idp.client_id, Username=email,
                                           ConfirmationCode=confirmation_code, Password=password)
        except ClientError as error:
            return error.response["Error"]["Code"]
        return None

    assert confirm(wrong) == "CodeMismatchException"
    assert confirm(code) is None
    assert run.sign_in("old password", email, PASSWORD) is None
    assert run.results["old password"] == {"error": "NotAuthorizedException"}
    assert run.sign_in("new password", email, NEW_PASSWORD) is not None
    # A code is good once.
    assert confirm(code, PASSWORD) in ("ExpiredCodeException", "CodeMismatchException")

    # A code expires (Cognito: after an hour); the simulator's clock decides.
    client.forgot_password(ClientId=formwork_idp.client_id, Username=email)
    late = reset_code(formwork_idp, email, seen)
    move_clock(formwork_idp, advance="PT2H")
    assert confirm(late, PASSWORD) == "ExpiredCodeException"


# --------------------------------------------------------------------------------------------
# formwork simulate --users FILE, --state DIR
# --------------------------------------------------------------------------------------------


def sign_in_claims(pool, username: str, password: str) -> dict:
    result = pool.client.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": username, "PASSWORD": password})
    assert "AuthenticationResult" in result, result
    return jwt.decode(result["AuthenticationResult"]["IdToken"], options={"verify_signature": False})


def test_users_file(formwork_launcher, tmp_path):
    alice, bob, carol = unique_email("alice"), unique_email("bob"), unique_email("carol")
    users_yaml = tmp_path / "users.yaml"
    users_yaml.write_text(
        "# Users for formwork simulate --users\n"
        f"- email: {alice}\n"
        '  password: "Alice-Passw0rd-1!"\n'
        "  groups: [Admin, TeamMember]\n"
        f"- email: {bob}\n"
        "  password: Bob-Passw0rd-22?\n"
        "  groups:\n"
        "    - TeamMember\n"
    )
    server = formwork_launcher.start("--in-memory", "--users", str(users_yaml))
    pool = formwork_launcher.user_pool(server)
    claims = sign_in_claims(pool, alice, "Alice-Passw0rd-1!")
    assert sorted(claims["cognito:groups"]) == ["Admin", "TeamMember"]
    assert claims["email"] == alice and claims["email_verified"] is True
    assert sign_in_claims(pool, bob, "Bob-Passw0rd-22?")["cognito:groups"] == ["TeamMember"]
    user = pool.client.admin_get_user(UserPoolId=pool.user_pool_id, Username=bob)
    assert user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True

    users_json = tmp_path / "users.json"
    users_json.write_text(json.dumps([{"email": carol, "password": "Carol-Passw0rd-3#", "groups": []}]))
    server = formwork_launcher.start("--in-memory", "--users", str(users_json))
    claims = sign_in_claims(formwork_launcher.user_pool(server), carol, "Carol-Passw0rd-3#")
    assert claims["email"] == carol and "cognito:groups" not in claims


def test_malformed_users_file_is_refused(formwork_launcher, tmp_path):
    users = tmp_path / "users.yaml"
    users.write_text(
        "# Users for formwork simulate --users\n"
        "- email: good@example.com\n"
        '  password: "Good-Passw0rd-1!"\n'
        "  groups: [Admin]\n"
        "- email: bad@example.com: oops\n"  # line 5: a YAML syntax error
        '  password: "Bad-Passw0rd-1!"\n'
    )
    code, output = formwork_launcher.run_to_exit("--in-memory", "--users", str(users))
    assert code is not None, f"formwork simulate kept running with a malformed --users file:\n{output}"
    assert code != 0, output
    assert re.search(r"\bline 5\b|:5(?::\d+)?\b", output), f"the message does not name line 5:\n{output}"


def test_state_survives_a_restart(formwork_launcher, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    email = unique_email("persisted")
    first = formwork_launcher.start("--state", str(state))
    pool = formwork_launcher.user_pool(first)
    seed_user(Run(pool), email, groups=("Admin",))
    kids = sorted(k["kid"] for k in jwks(pool)["keys"])
    old_token = pool.client.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]["IdToken"]
    first.stop()

    second = formwork_launcher.start("--state", str(state))
    again = formwork_launcher.user_pool(second)
    assert (again.user_pool_id, again.client_id) == (pool.user_pool_id, pool.client_id)
    keys = jwks(again)
    assert sorted(k["kid"] for k in keys["keys"]) == kids
    # The same key, not only the same key id: a token from before the restart verifies (its
    # issuer names the first run's port).
    assert verify(old_token, keys, issuer=None, audience=pool.client_id)["email"] == email
    claims = sign_in_claims(again, email, PASSWORD)
    assert claims["email"] == email and claims["cognito:groups"] == ["Admin"]


# --------------------------------------------------------------------------------------------
# The wire
# --------------------------------------------------------------------------------------------


def raw_call(endpoint: str, target: str, body: dict) -> tuple[int, dict[str, str], bytes]:
    """One unsigned JSON 1.1 request, as an SDK sends the unauthenticated operations."""
    host, port = endpoint.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/", body=json.dumps(body).encode(), headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}",
        })
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_wire_format_of_errors(formwork_idp):
    status, headers, body = raw_call(formwork_idp.endpoint, "InitiateAuth", {
        "ClientId": formwork_idp.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": unique_email("nobody"), "PASSWORD": PASSWORD}})
    assert status == 400, body
    assert headers.get("content-type", "").split(";")[0].strip() == "application/x-amz-json-1.1"
    error = json.loads(body)
    assert error["__type"].split("#")[-1] == "NotAuthorizedException"
    assert error["message"] == "Incorrect username or password."
    assert headers.get("x-amzn-requestid")

    status, _, body = raw_call(formwork_idp.endpoint, "InitiateAuth", {
        "ClientId": "nosuchclient", "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "a@example.com", "PASSWORD": PASSWORD}})
    assert status == 400, body
    assert json.loads(body)["__type"].split("#")[-1] == "ResourceNotFoundException"

    status, _, body = raw_call(formwork_idp.endpoint, "InitiateAuth", {
        "ClientId": formwork_idp.client_id, "AuthFlow": "NOT_A_FLOW", "AuthParameters": {}})
    assert status == 400, body
    assert json.loads(body)["__type"].split("#")[-1] == "InvalidParameterException"
