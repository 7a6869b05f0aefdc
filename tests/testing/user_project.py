"""A user's tiny project whose test suite uses the ``dynamorm.testing``
fixtures (no tests here): written into a directory by ``write_project`` and
run with ``pytest -p dynamorm.testing`` by the plugin's tests."""

from __future__ import annotations

from pathlib import Path

APP = """
from dynamorm import DB, Model, field


class Order(Model, table="app-orders"):
    id: str = field(pk=True)
    total: int = 0


def place(db: DB, order_id: str, total: int) -> Order:
    return db.model(Order(id=order_id, total=total)).if_not_exists().create()
"""

TESTS = """
import asyncio

from dynamorm import RetryPolicy

from app import Order, place


def test_a_placed_order_is_read_back(dynamo_db, dynamo_tables):
    dynamo_tables(Order)
    place(dynamo_db, "o1", 5)
    assert dynamo_db.model(Order).where("id", "=", "o1").first().total == 5


def test_each_test_starts_without_the_last_tests_items(dynamo_db, dynamo_tables):
    dynamo_tables(Order)
    assert dynamo_db.model(Order).scan() == []


def test_a_throttled_write_is_retried(dynamo_db, dynamo_tables, dynamo_faults):
    dynamo_tables(Order)
    dynamo_db.retry_policy = RetryPolicy(max_retries=3, initial_delay=0.001)
    dynamo_faults.throttle("PutItem", times=2)
    place(dynamo_db, "o2", 1)
    assert dynamo_faults.count("throttle") == 2
    assert dynamo_db.model(Order).where("id", "=", "o2").first().total == 1


def test_the_async_db_sees_the_same_tables(dynamo_db, async_dynamo_db, dynamo_tables):
    dynamo_tables(Order)
    place(dynamo_db, "o3", 3)

    async def read():
        return await async_dynamo_db.model(Order).where("id", "=", "o3").first()

    assert asyncio.run(read()).total == 3
"""


def write_project(root: Path) -> Path:
    """Writes the project into ``root`` (``app.py``, ``tests/test_app.py``,
    no pyproject) and returns ``root``."""
    (root / "tests").mkdir(parents=True)
    (root / "app.py").write_text(APP)
    (root / "tests" / "test_app.py").write_text(TESTS)
    return root
