"""aiobotocore's ``get_item`` against a running DynamoDB-compatible server,
into a dataclass (boto3's ``TypeDeserializer``), for ``bench_async_http.py``.

aiobotocore pins its own botocore, which the project's does not satisfy, so
this runs in a virtualenv of its own and imports nothing of the project's;
it prints its figures as JSON (client CPU and wall seconds per call, best of
``--repeat``):

    python3.11 -m venv /tmp/abc-venv
    /tmp/abc-venv/bin/pip install aiobotocore==3.10.0 boto3
    .venv/bin/python benches/bench_async_http.py --aiobotocore-python /tmp/abc-venv/bin/python
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from typing import Any

from _async_timing import measure
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from boto3.dynamodb.types import TypeDeserializer

KEY = {"pk": {"S": "u1"}, "sk": {"S": "s00007"}}


@dataclasses.dataclass
class Plain:
    pk: str
    sk: str
    n: Any
    name: str


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    session = get_session()
    de = TypeDeserializer()
    rows = []
    limits = [int(x) for x in args.limits.split(",")]
    for limit, concurrent in [(limit, True) for limit in limits] + [(limits[0], False)]:
        config = AioConfig(max_pool_connections=limit, retries={"total_max_attempts": 1})
        async with session.create_client(
            "dynamodb",
            endpoint_url=args.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        ) as client:

            async def get(client: Any = client) -> Plain:
                got = await client.get_item(TableName=args.table, Key=KEY)
                return Plain(**{k: de.deserialize(v) for k, v in got["Item"].items()})

            n = args.n if concurrent else args.sequential
            cpu, wall = await measure(get, n, concurrent, args.repeat, args.gc_freeze)
            rows.append(
                {
                    "client": "aiobotocore get_item + TypeDeserializer",
                    "mode": f"{n} concurrent" if concurrent else f"{n} sequential",
                    "pool": limit,
                    "cpu": cpu,
                    "wall": wall,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--limits", default="10,50,100")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after warming up")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
