"""The differential suite (SPEC §18): generated sequences of puts,
conditional updates, deletes, gets, queries, scans, batches and (where two
implementations have them) transactions, sent to every implementation of
``implementations.IMPLEMENTATIONS``; their answers and their tables'
contents agree, but for the known divergences of ``divergences``.

``DYNAMORM_DIFF_EXAMPLES`` sets how many sequences run (default
``EXAMPLES``, sized for the test command); ``DYNAMORM_DIFF_STEPS`` how long
each is."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.differential.implementations import Endpoints, groups
from tests.differential.machine import machine_for

EXAMPLES = 25
STEPS = 25

SETTINGS = settings(
    max_examples=int(os.environ.get("DYNAMORM_DIFF_EXAMPLES", EXAMPLES)),
    stateful_step_count=int(os.environ.get("DYNAMORM_DIFF_STEPS", STEPS)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

GROUPS = groups()


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_implementations_answer_generated_operations_alike(
    group: str, endpoints: Endpoints
) -> None:
    implementations = GROUPS[group]
    clients = {i.name: i.client(endpoints) for i in implementations}
    machine = machine_for(clients, transactions=all(i.transactions for i in implementations))
    run_state_machine_as_test(machine, settings=SETTINGS)
