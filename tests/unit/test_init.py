"""``import dynamorm`` does not import boto3 or botocore (SPEC §15): they are
imported when a ``DB`` needs its client, so a process that imports the
library and never talks to DynamoDB (a CLI, a Lambda cold start before the
first request) does not pay for them. Nor does it import aiohttp (the
asyncio transport's, imported by its first request), nor a request
opentelemetry while no tracer provider is configured (``dynamorm.tracing``)."""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


def test_import_dynamorm_imports_neither_boto3_nor_botocore() -> None:
    loaded = _loaded_after("import dynamorm")
    assert "dynamorm" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("boto3", "botocore", "urllib3")}


def test_import_dynamorm_imports_no_aiohttp() -> None:
    loaded = _loaded_after("import dynamorm")
    assert not {m for m in loaded if m.split(".")[0] in ("aiohttp", "yarl", "multidict")}


def test_declaring_models_and_building_requests_imports_no_botocore() -> None:
    loaded = _loaded_after(
        "from dynamorm import Model, field, expr\n"
        "class User(Model, table='users'):\n"
        "    id: str = field(pk=True)\n"
        "    n: int = 0\n"
        "User(id='u1').to_item()\n"
        "expr.compile_condition([('n', '>', 1)])"
    )
    assert not {m for m in loaded if m.split(".")[0] in ("boto3", "botocore")}


def test_a_db_imports_botocore_but_not_boto3_when_it_makes_its_client() -> None:
    # boto3 adds nothing to a DynamoDB client; importing it (s3transfer,
    # multiprocessing) costs a tenth of a cold start.
    loaded = _loaded_after(
        "import dynamorm\ndynamorm.DB(region_name='us-east-1', endpoint_url='http://127.0.0.1:9')"
    )
    assert "botocore" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("boto3", "s3transfer")}
    # nor do the modules of operations it has not used
    assert not {"dynamorm.batch", "dynamorm.transact", "dynamorm.tables"} & loaded


def test_a_db_made_after_boto3_set_up_its_default_session_uses_that_session() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import boto3, dynamorm\n"
            "boto3.setup_default_session(aws_access_key_id='AKIDDEFAULT',\n"
            "    aws_secret_access_key='s', region_name='eu-west-3')\n"
            "db = dynamorm.DB(endpoint_url='http://127.0.0.1:9')\n"
            "c = db.client._request_signer._credentials\n"
            "print(c.access_key, db.client.meta.region_name)",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "AWS_CONFIG_FILE": "/nonexistent"},
    ).stdout.split()
    assert out == ["AKIDDEFAULT", "eu-west-3"]


def test_dbs_share_one_botocore_session_without_boto3() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import dynamorm\n"
            "a = dynamorm.DB(region_name='us-east-1', endpoint_url='http://127.0.0.1:9')\n"
            "b = dynamorm.DB(region_name='eu-west-1', endpoint_url='http://127.0.0.1:9')\n"
            "print(a.client._loader is b.client._loader, b.client.meta.region_name)",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out == ["True", "eu-west-1"]


def test_every_public_name_resolves_to_what_its_module_defines() -> None:
    import importlib

    import dynamorm

    for name in dynamorm.__all__:
        value = getattr(dynamorm, name)
        where = dynamorm._EXPORTS[name]
        module = importlib.import_module(where)
        assert value is (module if where == f"dynamorm.{name}" else getattr(module, name))
    assert set(dynamorm.__all__) == set(dynamorm._EXPORTS)
    assert set(dynamorm.__all__) <= set(dir(dynamorm))


def test_an_unknown_name_is_an_attribute_error() -> None:
    import dynamorm

    try:
        dynamorm.NotAThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NotAThing" in str(exc)
    else:
        raise AssertionError("dynamorm.NotAThing resolved")


def test_a_request_without_a_tracer_provider_imports_no_opentelemetry() -> None:
    loaded = _loaded_after(
        "import dynamorm\n"
        "from dynamorm import DB, Model, RetryPolicy, field\n"
        "from dynamorm.errors import RequestError\n"
        "class Note(Model, table='notes'):\n"
        "    pk: str = field(pk=True)\n"
        "db = DB(region_name='us-east-1', endpoint_url='http://127.0.0.1:9',\n"
        "        retry_policy=RetryPolicy(max_retries=0))\n"
        "try:\n"
        "    db.model(Note).where('pk', '=', 'a').first()\n"
        "except RequestError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('the request to a closed port succeeded')"
    )
    assert "dynamorm.tracing" in loaded
    assert not {m for m in loaded if m.split(".")[0] == "opentelemetry"}
