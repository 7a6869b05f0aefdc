"""What ``AioTransport`` is without a server: the sync transport's
``client``, ``takes_body`` and ``fast``, and no aiohttp import until it first
sends directly (the thread path does not need it). Sending is tested against
servers in ``tests/integration/aio/``."""

from __future__ import annotations

import subprocess
import sys

from dynamorm import DB
from dynamorm.aio.transport import AioTransport
from dynamorm.transport.botocore import BotocoreTransport
from dynamorm.transport.direct import DirectTransport


def test_it_is_what_its_sync_transport_is() -> None:
    direct = DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")._executor.transport
    assert isinstance(direct, DirectTransport)
    transport = AioTransport(direct)
    assert transport.sync is direct and transport.client is direct.client
    assert transport.takes_body is True and transport.fast is True
    db = DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9", fast_path=False)
    botocore = db._executor.transport
    assert isinstance(botocore, BotocoreTransport)
    transport = AioTransport(botocore)
    assert transport.client is db.client
    assert transport.takes_body is False and transport.fast is False


def test_neither_making_it_nor_a_send_in_a_thread_imports_aiohttp() -> None:
    code = (
        "import asyncio, sys\n"
        "from botocore.exceptions import EndpointConnectionError\n"
        "from dynamorm import DB\n"
        "from dynamorm.aio.transport import AioTransport\n"
        "from dynamorm.transport.base import Target\n"
        "for fast_path in (True, False):\n"
        "    db = DB(region_name='us-east-1', endpoint_url='http://127.0.0.1:9',\n"
        "            fast_path=fast_path)\n"
        "    transport = AioTransport(db._executor.transport)\n"
        "assert 'aiohttp' not in sys.modules\n"
        "request = db._executor.request('GetItem', {'TableName': 't', 'Key': {}},\n"
        "    Target(None, 't'))\n"
        "try:\n"
        "    asyncio.run(transport.send(request))\n"
        "except EndpointConnectionError:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"},
    ).stdout.split()
    assert "botocore" in out  # the request went out (through botocore's pipeline)
    assert not {m for m in out if m.split(".")[0] in ("aiohttp", "yarl")}
