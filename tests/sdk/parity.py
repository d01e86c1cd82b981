"""What the parity tests share: a recorder of labelled steps, and the helpers that compare two runs.

A parity scenario is a function that takes a client (or what wraps one) and returns a `Run`:
the normalized answers of its steps, by label. A test runs the scenario against Formwork and
against moto (`both`) and compares the two runs' `results`; where moto is known to differ from
the service it stands in for, the test puts the service's documented answer in moto's place
(`moto_deviates`) and says why in a comment.

Each service's test module subclasses `Run` with what parity compares of that service's
answers (`normalize`) and errors (`error_summary`).
"""

from __future__ import annotations

from typing import Any, Callable

from botocore.exceptions import ClientError


class Run:
    """Runs labelled steps against one client and keeps their normalized answers.

    `results` maps each label to the normalized response (`normalize`) or, for a failed step,
    to what parity compares of the error (`error_summary`); `messages` maps the labels of
    failed steps to the error message.
    """

    def __init__(self, client):
        self.client = client
        self.results: dict[str, Any] = {}
        self.messages: dict[str, str] = {}

    def normalize(self, operation: str, response: dict) -> Any:
        """What parity compares of a successful step's response; by default all of it but
        ResponseMetadata. A subclass says what its service's answers come down to."""
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}

    def error_summary(self, error: ClientError) -> dict:
        """What parity compares of a failed step: by default `{"error": code}`."""
        return {"error": error.response["Error"]["Code"]}

    def __call__(self, label: str, operation: str, **request: Any) -> dict | None:
        """Runs step `label` (the client's `operation` with `request`) and records its answer;
        the raw response, or None if the step failed."""
        assert label not in self.results, f"duplicate step label {label!r}"
        try:
            response = getattr(self.client, operation)(**request)
        except ClientError as error:
            self.results[label] = self.error_summary(error)
            self.messages[label] = error.response["Error"].get("Message", "")
            return None
        self.results[label] = self.normalize(operation, response)
        return response

    def note(self, label: str, value: Any) -> None:
        """Records `value` as the answer of step `label` (a step the scenario computed itself)."""
        assert label not in self.results, f"duplicate step label {label!r}"
        self.results[label] = value

    def quiet(self, operation: str, **request: Any) -> dict:
        """A set-up step whose answer is not compared (it must succeed)."""
        return getattr(self.client, operation)(**request)


def both(scenario: Callable[..., Run], formwork, moto, *args: Any) -> tuple[Run, Run]:
    """Runs a scenario against Formwork, then against moto."""
    return scenario(formwork, *args), scenario(moto, *args)


def moto_deviates(want: Run, label: str, service_answer: Any) -> None:
    """moto's answer to step `label` is known to differ from the real service's (DynamoDB's,
    Cognito's; the reason is in a comment at the call): parity compares Formwork's answer with
    the service's instead."""
    assert label in want.results, f"no step {label!r}"
    want.results[label] = service_answer
