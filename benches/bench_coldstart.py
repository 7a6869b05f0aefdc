"""Cold start: a whole process that imports the library, makes its client
and sends one GetItem, against the same with boto3 alone.

A dynalite server holds one item. Each row is a fresh interpreter
(``python -c``), timed from outside as user + system CPU
(``RUSAGE_CHILDREN``), the two processes of a pair run one after the other,
``repeat`` pairs after one untimed run of each (which writes the bytecode
caches a user's installation has), medians:

* dynamorm: ``import dynamorm``, a model declared, ``DB(...)``, then
  ``.where(pk).where(sk).first()``;
* boto3: ``import boto3``, ``boto3.client("dynamodb", ...)``, ``get_item``
  and ``TypeDeserializer`` over the item (what a boto3 user does to read it).

``ratio`` = boto3 / dynamorm (above 1: the library's process is cheaper; the
issue's target is ≥ 1). The interpreter alone is timed too, to read what the
imports cost on top of it.

    .venv/bin/python benches/run.py --only coldstart --repeat 15
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import uuid
from typing import Any

from _timing import create_pk_sk_table
from bench_fastpath import _client, _dynalite

_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

DYNAMORM = """
from dynamorm import DB, Model, field
class Item(Model, table={table!r}):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    n: int = 0
    name: str = ""
db = DB(region_name="us-east-1", endpoint_url={url!r})
item = db.model(Item).where("pk", "=", "p").where("sk", "=", "s").first()
assert item is not None and item.n == 7, item
"""

BOTO3 = """
import boto3
from boto3.dynamodb.types import TypeDeserializer
client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url={url!r})
raw = client.get_item(TableName={table!r}, Key={{"pk": {{"S": "p"}}, "sk": {{"S": "s"}}}})["Item"]
d = TypeDeserializer()
item = {{k: d.deserialize(v) for k, v in raw.items()}}
assert item["n"] == 7, item
"""


def _cpu(code: str) -> float:
    """User + system CPU seconds of one ``python -c code`` process."""
    env = {**os.environ, **_CREDENTIALS}
    env.pop("AWS_PROFILE", None)
    # A user's installation has its bytecode cached: so does this one
    # (written by the first, untimed, run of each).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def coldstart_rows(repeat: int) -> list[dict[str, Any]]:
    """Medians of ``repeat`` pairs of whole processes (seconds)."""
    with _dynalite() as url:
        client = _client(url)
        table = f"coldstart-{uuid.uuid4().hex[:8]}"
        create_pk_sk_table(client, table)
        client.put_item(
            TableName=table,
            Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "n": {"N": "7"}, "name": {"S": "x"}},
        )
        ours_code = DYNAMORM.format(table=table, url=url)
        theirs_code = BOTO3.format(table=table, url=url)
        _cpu(ours_code), _cpu(theirs_code)  # bytecode written, files in the page cache
        ours, theirs, bare = [], [], []
        for _ in range(max(repeat, 3)):
            ours.append(_cpu(ours_code))
            theirs.append(_cpu(theirs_code))
            bare.append(_cpu("pass"))
    o, t, b = statistics.median(ours), statistics.median(theirs), statistics.median(bare)
    return [
        {
            "name": "import + client + first GetItem: dynamorm vs boto3 (whole process)",
            "ours": o,
            "competitor": t,
            "ratio": t / o,
        },
        {
            "name": "the same, less the bare interpreter's start",
            "ours": o - b,
            "competitor": t - b,
            "ratio": (t - b) / (o - b),
        },
    ]


def run(repeat: int = 9) -> list[dict[str, Any]]:
    """The suite's rows (``benches/run.py``), printed as they come."""
    rows = coldstart_rows(repeat)
    for r in rows:
        print(
            f"{r['name']:<72} {r['ours'] * 1e3:8.1f} ms {r['competitor'] * 1e3:8.1f} ms "
            f"{r['ratio']:5.2f}x"
        )
    return rows


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
