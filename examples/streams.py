"""A Lambda handler reading DynamoDB stream records into models.

The records are built here from items written to the table, the way Lambda
delivers them (JSON, binary values as base64), so the example runs anywhere.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from _connect import connect, table_name
from dynamorm import Model, field, unmarshal_stream_record


class Document(Model, table=table_name("documents")):
    id: str = field(pk=True)
    title: str = ""
    price: Decimal | None = None
    thumbnail: bytes | None = None


def handler(event: dict[str, Any], context: object) -> list[str]:
    seen = []
    for record in event["Records"]:
        new = unmarshal_stream_record(record, Document)  # None for REMOVE
        old = unmarshal_stream_record(record, Document, image="OldImage")
        line = f"{record['eventName']}: {old and old.title} -> {new and new.title}"
        print(line)
        seen.append(line)
    return seen


def as_lambda_json(value: Any) -> Any:
    def default(obj: Any) -> str:
        if isinstance(obj, bytes):
            return base64.b64encode(obj).decode()
        raise TypeError(obj)

    return json.loads(json.dumps(value, default=default))


def main() -> None:
    with connect() as db:
        db.create_table(Document)
        try:
            doc = Document(id="d1", title="Draft", price=Decimal("9.50"), thumbnail=b"\x89PNG")
            db.model(doc).create()
            old = db.client.get_item(TableName=Document.__dynamorm__.table, Key={"id": {"S": "d1"}})
            doc.title = "Final"
            db.model(doc).update("title")
            new = db.client.get_item(TableName=Document.__dynamorm__.table, Key={"id": {"S": "d1"}})
            keys = {"id": {"S": "d1"}}
            event = as_lambda_json(
                {
                    "Records": [
                        {
                            "eventName": "MODIFY",
                            "dynamodb": {
                                "Keys": keys,
                                "OldImage": old["Item"],
                                "NewImage": new["Item"],
                            },
                        },
                        {
                            "eventName": "REMOVE",
                            "dynamodb": {"Keys": keys, "OldImage": new["Item"]},
                        },
                    ]
                }
            )
            assert handler(event, None) == ["MODIFY: Draft -> Final", "REMOVE: Final -> None"]
            read = unmarshal_stream_record(event["Records"][0], Document)
            assert read is not None and read.thumbnail == b"\x89PNG"
        finally:
            db.delete_table(Document)


if __name__ == "__main__":
    main()
