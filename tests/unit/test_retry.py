"""The retry scheduler without a server: delays, jitter, classification,
stops, and the retry loop driven by fake sends."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    IncompleteReadError,
    ParamValidationError,
    ProxyConnectionError,
    ReadTimeoutError,
)
from dynamorm.errors import (
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    ValidationError,
    WriteOutcomeUnknownError,
)
from dynamorm.retry import (
    Deadline,
    Resend,
    RetryPolicy,
    Scheduler,
    Stop,
    error_code,
    is_ambiguous,
    is_retryable,
)


def client_error(code: str, status: int = 400, **extra: Any) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} happened"},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }
    return ClientError(response, "GetItem")


# -- delays ------------------------------------------------------------------


def test_base_delay_grows_by_the_factor_up_to_the_cap() -> None:
    policy = RetryPolicy(initial_delay=0.1, backoff_factor=2.0, max_delay=1.0, jitter=0)
    got = [policy.base_delay(n) for n in range(1, 7)]
    assert got == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    assert [policy.delay(n) for n in range(1, 7)] == pytest.approx(got)


def test_huge_attempt_numbers_stay_at_the_cap() -> None:
    policy = RetryPolicy(initial_delay=0.5, backoff_factor=10.0, max_delay=3.0, jitter=0)
    assert policy.delay(10_000) == 3.0


def test_factor_one_is_a_constant_delay() -> None:
    policy = RetryPolicy(initial_delay=0.3, backoff_factor=1.0, jitter=0)
    assert {policy.delay(n) for n in range(1, 5)} == {0.3}


def test_jitter_stays_within_its_fraction_and_varies() -> None:
    policy = RetryPolicy(initial_delay=1.0, backoff_factor=2.0, max_delay=10.0, jitter=0.25)
    for attempt, base in [(1, 1.0), (2, 2.0), (5, 10.0)]:
        samples = [policy.delay(attempt) for _ in range(500)]
        assert all(base <= s <= base * 1.25 for s in samples)
        assert len(set(samples)) > 400
        # Spread over the whole range, not stuck at one end.
        assert min(samples) < base * 1.05 and max(samples) > base * 1.20


def test_delay_rejects_attempt_zero() -> None:
    with pytest.raises(ValidationError, match="attempt must be >= 1, got 0"):
        RetryPolicy().delay(0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_retries": -1}, "max_retries must be >= 0"),
        ({"initial_delay": -0.1}, "initial_delay must be >= 0"),
        ({"jitter": -1}, "jitter must be >= 0"),
        ({"backoff_factor": 0.5}, "backoff_factor must be >= 1"),
    ],
)
def test_policy_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RetryPolicy(**kwargs)


# -- classification ----------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
        "TransactionConflictException",
    ],
)
def test_retryable_codes(code: str) -> None:
    assert is_retryable(client_error(code))
    assert error_code(client_error(code)) == code


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_any_5xx_is_retryable(status: int) -> None:
    assert is_retryable(client_error("SomethingOdd", status=status))


@pytest.mark.parametrize(
    "code",
    [
        "ValidationException",
        "ConditionalCheckFailedException",
        "ResourceNotFoundException",
        "AccessDeniedException",
        "ItemCollectionSizeLimitExceededException",
        "SerializationException",
    ],
)
def test_final_codes(code: str) -> None:
    assert not is_retryable(client_error(code))


def test_transaction_cancellations_retry_only_when_every_reason_is_transient() -> None:
    def cancelled(*codes: str) -> ClientError:
        reasons = [{"Code": c} for c in codes]
        return client_error("TransactionCanceledException", CancellationReasons=reasons)

    assert is_retryable(cancelled("None", "TransactionConflict"))
    assert is_retryable(cancelled("ThrottlingError", "None"))
    assert not is_retryable(cancelled("None", "ConditionalCheckFailed"))
    assert not is_retryable(cancelled("TransactionConflict", "ConditionalCheckFailed"))
    assert not is_retryable(cancelled("None", "None"))
    assert not is_retryable(client_error("TransactionCanceledException"))


def test_connection_errors_are_retryable() -> None:
    assert is_retryable(EndpointConnectionError(endpoint_url="http://x"))
    assert is_retryable(ConnectionClosedError(endpoint_url="http://x"))
    assert is_retryable(ReadTimeoutError(endpoint_url="http://x"))
    assert is_retryable(ConnectTimeoutError(endpoint_url="http://x"))


def test_other_errors_are_final() -> None:
    assert not is_retryable(ParamValidationError(report="bad"))
    assert not is_retryable(ValueError("x"))
    assert not is_retryable(KeyboardInterrupt())
    assert error_code(ValueError("x")) == ""


# -- Stop --------------------------------------------------------------------


def test_stop_without_deadline_or_cancel_never_stops() -> None:
    stop = Stop()
    stop.check("op", None)
    assert stop.remaining() is None
    start = time.monotonic()
    stop.sleep(0.05, "op", None)
    assert time.monotonic() - start >= 0.05


def test_stop_check_raises_timeout_with_partial() -> None:
    stop = Stop(Deadline(0))
    with pytest.raises(OperationTimeoutError) as info:
        stop.check("User.all()", [1, 2])
    assert isinstance(info.value, TimeoutError) and isinstance(info.value, OperationCancelledError)
    assert info.value.partial == [1, 2]
    assert "User.all()" in str(info.value) and "0s deadline" in str(info.value)


def test_stop_check_raises_cancelled_with_partial() -> None:
    cancel = threading.Event()
    stop = Stop(Deadline(None), cancel)
    stop.check("op", None)
    cancel.set()
    with pytest.raises(OperationCancelledError) as info:
        stop.check("BatchGet", {"done": 3})
    assert not isinstance(info.value, TimeoutError)
    assert info.value.partial == {"done": 3}
    assert "BatchGet: cancelled" in str(info.value)


def test_sleep_never_passes_the_deadline() -> None:
    stop = Stop(Deadline(0.1))
    start = time.monotonic()
    with pytest.raises(OperationTimeoutError):
        stop.sleep(5.0, "op", "so far")
    assert 0.09 <= time.monotonic() - start < 1.0


def test_sleep_wakes_at_once_on_cancel() -> None:
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    start = time.monotonic()
    with pytest.raises(OperationCancelledError) as info:
        Stop(None, cancel).sleep(5.0, "op", "so far")
    assert time.monotonic() - start < 1.0
    assert info.value.partial == "so far"


def test_sleep_within_the_deadline_returns() -> None:
    Stop(Deadline(5), threading.Event()).sleep(0.01, "op", None)


# -- Scheduler ---------------------------------------------------------------


class FakeSend:
    """Raises the given errors in turn, then returns ``"ok"``."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.times: list[float] = []

    def __call__(self) -> str:
        self.calls += 1
        self.times.append(time.monotonic())
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


FAST = RetryPolicy(max_retries=3, initial_delay=0.02, max_delay=0.5, jitter=0)


def test_retries_then_succeeds_with_growing_pauses() -> None:
    send = FakeSend(client_error("ThrottlingException"), client_error("InternalServerError", 500))
    assert Scheduler(FAST).call(send, what="op") == "ok"
    assert send.calls == 3
    first, second = (b - a for a, b in zip(send.times, send.times[1:], strict=False))
    assert first >= 0.02 and second >= 0.04


def test_exhausted_retries_raise_with_the_last_error_as_cause() -> None:
    last = client_error("ProvisionedThroughputExceededException")
    send = FakeSend(client_error("ThrottlingException"), *[last] * 3)
    with pytest.raises(RetryExhaustedError) as info:
        Scheduler(FAST).call(send, what="GetItem on User")
    assert info.value.attempts == 4 and send.calls == 4
    assert info.value.__cause__ is last
    message = str(info.value)
    assert "GetItem on User" in message and "ProvisionedThroughputExceededException" in message
    assert "4 attempts" in message


def test_final_errors_propagate_unchanged_after_one_attempt() -> None:
    error = client_error("ConditionalCheckFailedException")
    send = FakeSend(error)
    with pytest.raises(ClientError) as info:
        Scheduler(FAST).call(send, what="op")
    assert info.value is error and send.calls == 1


@pytest.mark.parametrize("policy", [None, RetryPolicy(max_retries=0)])
def test_no_retries_raises_the_original_error(policy: RetryPolicy | None) -> None:
    error = client_error("ThrottlingException")
    send = FakeSend(error)
    with pytest.raises(ClientError) as info:
        Scheduler(policy).call(send, what="op")
    assert info.value is error and send.calls == 1


def test_stop_is_checked_before_the_first_send() -> None:
    cancel = threading.Event()
    cancel.set()
    send = FakeSend()
    with pytest.raises(OperationCancelledError):
        Scheduler(FAST, Stop(None, cancel)).call(send, what="op", partial=[])
    assert send.calls == 0
    # check_first=False: the first request goes out anyway; only retries stop.
    assert Scheduler(FAST, Stop(None, cancel)).call(send, what="op", check_first=False) == "ok"
    send = FakeSend(client_error("ThrottlingException"))
    with pytest.raises(OperationCancelledError):
        Scheduler(FAST, Stop(None, cancel)).call(send, what="op", check_first=False)
    assert send.calls == 1


def test_deadline_during_backoff_stops_fast_with_partial() -> None:
    slow = RetryPolicy(max_retries=5, initial_delay=10.0, max_delay=10.0, jitter=0)
    send = FakeSend(*[client_error("ThrottlingException")] * 5)
    start = time.monotonic()
    with pytest.raises(OperationTimeoutError) as info:
        Scheduler(slow, Stop(Deadline(0.2))).call(send, what="op", partial=["a"])
    assert time.monotonic() - start < 1.0
    assert info.value.partial == ["a"] and send.calls == 1


def test_cancel_during_backoff() -> None:
    slow = RetryPolicy(max_retries=5, initial_delay=10.0, max_delay=10.0, jitter=0)
    cancel = threading.Event()
    send = FakeSend(*[client_error("ThrottlingException")] * 5)
    threading.Timer(0.1, cancel.set).start()
    start = time.monotonic()
    with pytest.raises(OperationCancelledError) as info:
        Scheduler(slow, Stop(None, cancel)).call(send, what="op", partial=7)
    assert not isinstance(info.value, OperationTimeoutError)
    assert time.monotonic() - start < 1.0 and info.value.partial == 7


def test_logs_each_retry_and_the_give_up(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="dynamorm")
    send = FakeSend(*[client_error("ThrottlingException")] * 4)
    with pytest.raises(RetryExhaustedError):
        Scheduler(FAST).call(send, what="Query on User")
    records = [r for r in caplog.records if r.name == "dynamorm"]
    assert [r.levelno for r in records] == [logging.INFO] * 3 + [logging.WARNING]
    assert all("Query on User" in r.getMessage() for r in records)
    assert (
        "attempt 1 failed with ThrottlingException; retrying in 0.020s" in records[0].getMessage()
    )
    assert "giving up after 4 attempts" in records[-1].getMessage()


def test_scheduler_is_shareable_between_threads() -> None:
    scheduler = Scheduler(FAST)
    results: list[str] = []

    def run() -> None:
        results.append(scheduler.call(FakeSend(client_error("ThrottlingException")), what="op"))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 8


# -- lost answers (writes) -------------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        client_error("InternalServerError", 500),
        client_error("ServiceUnavailable", 503),
        client_error("SomethingOdd", 502),
        ConnectionClosedError(endpoint_url="http://x"),
        ReadTimeoutError(endpoint_url="http://x"),
        IncompleteReadError(actual_bytes=1, expected_bytes=2),
    ],
    ids=lambda e: type(e).__name__ + ":" + error_code(e),
)
def test_failures_after_sending_are_ambiguous(exc: Exception) -> None:
    assert is_retryable(exc) and is_ambiguous(exc)


@pytest.mark.parametrize(
    "exc",
    [
        client_error("ProvisionedThroughputExceededException"),
        client_error("ThrottlingException"),
        client_error("TransactionConflictException"),
        client_error("ConditionalCheckFailedException"),
        EndpointConnectionError(endpoint_url="http://x"),
        ConnectTimeoutError(endpoint_url="http://x"),
        ProxyConnectionError(proxy_url="http://p", error="refused"),
    ],
    ids=lambda e: type(e).__name__ + ":" + error_code(e),
)
def test_refusals_and_failures_to_connect_are_not_ambiguous(exc: Exception) -> None:
    assert not is_ambiguous(exc)


LOST = client_error("InternalServerError", 500)


def condition_failed(item: dict[str, Any] | None = None) -> ClientError:
    extra = {} if item is None else {"Item": item}
    return client_error("ConditionalCheckFailedException", **extra)


def test_a_write_not_safe_to_resend_stops_at_its_lost_answer() -> None:
    send = FakeSend(LOST)
    write = Resend(allowed=False, reason="it adds to a number")
    with pytest.raises(WriteOutcomeUnknownError) as info:
        Scheduler(FAST).call(send, what="UpdateItem on User", write=write)
    assert send.calls == 1 and info.value.attempts == 1
    assert info.value.__cause__ is LOST
    message = str(info.value)
    assert "UpdateItem on User" in message and "InternalServerError" in message
    assert "not sent again because it adds to a number" in message


def test_a_write_not_safe_to_resend_is_still_retried_after_a_refusal() -> None:
    send = FakeSend(client_error("ThrottlingException"))
    write = Resend(allowed=False, reason="r")
    assert Scheduler(FAST).call(send, what="op", write=write) == "ok"
    assert send.calls == 2


def test_a_resend_goes_out_as_the_guarded_request_when_given() -> None:
    send = FakeSend(LOST)
    resent = FakeSend()
    got = Scheduler(FAST).call(send, what="op", write=Resend(), resend=resent)
    assert got == "ok" and (send.calls, resent.calls) == (1, 1)


def test_a_resend_failing_its_condition_on_its_own_item_is_the_write_applied() -> None:
    mine = {"pk": {"S": "a"}}
    send = FakeSend(LOST, condition_failed(mine))

    def recognise(item: Any) -> dict[str, Any] | None:
        return {"Attributes": item} if item == mine else None

    got = Scheduler(FAST).call(send, what="op", write=Resend(recognise=recognise))
    assert got == {"Attributes": mine} and send.calls == 2


def test_a_resend_failing_its_condition_on_another_item_is_an_unknown_outcome() -> None:
    other = {"pk": {"S": "b"}}
    send = FakeSend(LOST, condition_failed(other))
    write = Resend(recognise=lambda item: None)
    with pytest.raises(WriteOutcomeUnknownError) as info:
        Scheduler(FAST).call(send, what="op", write=write)
    assert info.value.item == other and info.value.__cause__ is LOST


def test_a_condition_failing_without_a_lost_answer_is_a_plain_failure() -> None:
    failed = condition_failed({"pk": {"S": "a"}})
    send = FakeSend(failed)
    with pytest.raises(ClientError) as info:
        Scheduler(FAST).call(send, what="op", write=Resend(recognise=lambda item: {}))
    assert info.value is failed


def test_a_write_out_of_retries_after_a_lost_answer_is_an_unknown_outcome() -> None:
    send = FakeSend(LOST, *[client_error("ThrottlingException")] * 3)
    with pytest.raises(WriteOutcomeUnknownError) as info:
        Scheduler(FAST).call(send, what="op", write=Resend())
    assert info.value.attempts == 4 and info.value.__cause__ is LOST


def test_a_read_out_of_retries_after_5xx_is_still_exhausted() -> None:
    send = FakeSend(*[LOST] * 4)
    with pytest.raises(RetryExhaustedError):
        Scheduler(FAST).call(send, what="op")


def test_a_deadline_stopping_a_write_after_a_lost_answer_is_an_unknown_outcome() -> None:
    slow = RetryPolicy(max_retries=5, initial_delay=10.0, max_delay=10.0, jitter=0)
    send = FakeSend(LOST)
    with pytest.raises(WriteOutcomeUnknownError, match="deadline") as info:
        Scheduler(slow, Stop(Deadline(0.1))).call(send, what="op", write=Resend())
    assert info.value.__cause__ is LOST and send.calls == 1


# -- the deadline names the last failure --------------------------------------------


def test_a_deadline_stop_chains_and_names_the_last_failure() -> None:
    slow = RetryPolicy(max_retries=5, initial_delay=10.0, max_delay=10.0, jitter=0)
    throttle = client_error("ProvisionedThroughputExceededException")
    send = FakeSend(*[throttle] * 5)
    with pytest.raises(OperationTimeoutError) as info:
        Scheduler(slow, Stop(Deadline(0.1))).call(send, what="GetItem on User", partial=[])
    assert info.value.__cause__ is throttle
    assert "the last attempt failed with ProvisionedThroughputExceededException" in str(info.value)


def test_a_cancel_stop_chains_the_last_failure() -> None:
    cancel = threading.Event()
    throttle = client_error("ThrottlingException")
    send = FakeSend(*[throttle] * 5)
    slow = RetryPolicy(max_retries=5, initial_delay=10.0, max_delay=10.0, jitter=0)
    threading.Timer(0.05, cancel.set).start()
    with pytest.raises(OperationCancelledError) as info:
        Scheduler(slow, Stop(None, cancel)).call(send, what="op")
    assert info.value.__cause__ is throttle and "ThrottlingException" in str(info.value)


def test_given_reads_a_policy_a_number_of_retries_or_none() -> None:
    policy = RetryPolicy(max_retries=7)
    assert RetryPolicy.given(policy, None, "M.query()") is policy
    assert RetryPolicy.given(4, None, "M.query()") == RetryPolicy(max_retries=4)
    assert RetryPolicy.given(4, 0.5, "M.query()") == RetryPolicy(max_retries=4, initial_delay=0.5)
    assert RetryPolicy.given(None, None, "M.query()") is None
    for wrong in ("3", 2.5, True):
        with pytest.raises(ValidationError, match=r"M\.query\(\)\.with_retry\(\): expected"):
            RetryPolicy.given(wrong, None, "M.query()")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="initial_delay goes into the RetryPolicy"):
        RetryPolicy.given(policy, 0.5, "M.query()")
    with pytest.raises(ValidationError, match="max_retries must be >= 0"):
        RetryPolicy.given(-1, None, "M.query()")


def test_an_answer_damaged_on_the_way_is_retried_and_may_have_been_applied() -> None:
    from botocore.exceptions import ChecksumError

    damaged = ChecksumError(checksum_type="crc32", expected_checksum="1", actual_checksum="2")
    assert is_retryable(damaged) and is_ambiguous(damaged)
