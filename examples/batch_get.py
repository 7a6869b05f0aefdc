"""Write 1,000 items in batches, then read them back in parallel with a
progress bar; the items come back in the order of the keys."""

from __future__ import annotations

from _connect import connect, table_name
from dynamorm import BatchWriteOptions, KeyPair, Model, field


class Reading(Model, table=table_name("readings")):
    sensor: str = field(pk=True)
    seq: int = field(sk=True)
    value: float = 0.0


def progress(retrieved: int, total: int) -> None:
    filled = 20 * retrieved // total
    print(f"[{'#' * filled}{'.' * (20 - filled)}] {retrieved}/{total}")


def main() -> None:
    with connect() as db:
        db.create_table(Reading)
        try:
            readings = [Reading(sensor=f"s{i % 5}", seq=i, value=i / 10) for i in range(1000)]
            db.model(Reading).batch_create(readings, BatchWriteOptions(parallel=True))
            keys = [KeyPair(r.sensor, r.seq) for r in reversed(readings)]
            keys.append(KeyPair("s0", 99_999))  # no such item: skipped, not an error
            got = (
                db.model(Reading)
                .batch_get_builder()
                .keys(keys)
                .parallel(8)
                .on_progress(progress)
                .execute()
            )
            print(f"read {len(got)} of {len(keys)} keys")
            assert got == list(reversed(readings))
        finally:
            db.delete_table(Reading)


if __name__ == "__main__":
    main()
