"""The smoke test of an installed wheel (run by scripts/build-wheels.sh).

    VENV/bin/python -I scripts/wheel_smoke.py WHEEL ENDPOINT

Run in isolated mode (``-I``) from outside the checkout, in a fresh
virtualenv that has the wheel and nothing else of dynamorm, it checks that
the package imported is the one installed from WHEEL (its files in the
virtualenv's site-packages, its extension byte for byte the one in the wheel),
then a model round trip in memory and one through the DynamoDB-compatible
server at ENDPOINT (127.0.0.1), then the command line. Exits non-zero on the
first failure, saying what failed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path


def check(what: str, ok: bool, detail: object = "") -> None:
    if not ok:
        sys.exit(f"wheel smoke test FAILED: {what}" + (f" ({detail})" if detail else ""))
    print(f"  ok  {what}")


def installed_from(wheel: Path) -> None:
    import dynamorm
    import dynamorm._core

    site = Path(sysconfig.get_paths()["platlib"]).resolve()
    package = Path(dynamorm.__file__).resolve().parent
    check(
        "dynamorm is imported from the virtualenv's site-packages", package.parent == site, package
    )
    core = Path(dynamorm._core.__file__ or "").resolve()
    with zipfile.ZipFile(wheel) as archive:
        inside = [
            n for n in archive.namelist() if n.startswith("dynamorm/_core.") and n.endswith(".so")
        ]
        check("the wheel holds one extension module", len(inside) == 1, inside)
        shipped = hashlib.sha256(archive.read(inside[0])).hexdigest()
    check(
        f"the extension loaded ({core.name}) is the wheel's, byte for byte",
        core.parent == package and hashlib.sha256(core.read_bytes()).hexdigest() == shipped,
        core,
    )
    version = wheel.name.split("-")[1]
    check(f"dynamorm.__version__ is the wheel's ({version})", dynamorm.__version__ == version)


def round_trips(endpoint: str) -> None:
    from dynamorm import DB, Model, field

    class Note(Model, table=f"wheel-smoke-{uuid.uuid4().hex[:8]}"):
        owner: str = field(pk=True)
        note_id: str = field(sk=True)
        body: str = ""
        price: Decimal = Decimal("0")
        tags: set[str] = field(default_factory=set)
        created: datetime = field(created_at=True)

    note = Note(owner="u1", note_id="n1", body="hello", price=Decimal("9.99"), tags={"a", "b"})
    item = note.to_item()
    check("a model round-trips through its item in memory", Note.from_item(item) == note, item)

    db = DB(region_name="us-east-1", endpoint_url=endpoint)
    db.create_table(Note)
    try:
        db.model(note).if_not_exists().create()
        got = db.model(Note).where("owner", "=", "u1").where("note_id", "=", "n1").first()
        check("a model round-trips through the server", got == note, got)
        check(
            "its created_at came back as a UTC datetime",
            got is not None and got.created.tzinfo is not None and got.created <= datetime.now(UTC),
        )
    finally:
        db.delete_table(Note)


def command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-I", "-m", "dynamorm", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    check("python -m dynamorm --help runs", result.returncode == 0, result.stderr)
    check("and lists the demo", "demo" in result.stdout, result.stdout)


def main() -> None:
    wheel, endpoint = Path(sys.argv[1]).resolve(), sys.argv[2]
    # A local server takes any credentials; fixed ones keep the test off the
    # user's AWS configuration.
    os.environ.update(
        AWS_ACCESS_KEY_ID="smoke",
        AWS_SECRET_ACCESS_KEY="smoke",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    print(f"wheel smoke test of {wheel.name} on Python {sys.version.split()[0]}")
    installed_from(wheel)
    round_trips(endpoint)
    command_line()
    print("wheel smoke test passed")


if __name__ == "__main__":
    main()
