"""DynamoDB stream records to model instances.

A Lambda function subscribed to a table's stream receives records whose
images (``NewImage``, ``OldImage``, ``Keys``) are items in DynamoDB JSON, as
JSON text: numbers are strings (as always) and binary values are base64 text.
These functions decode the binary values and read each image with the
model's item codec, so a stream handler gets the same objects a query would.
Images that already hold ``bytes`` (from boto3's ``dynamodbstreams`` client)
are accepted as they are.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from dynamorm.entities import is_foreign
from dynamorm.errors import ValidationError
from dynamorm.model.base import Model

__all__ = ["IMAGES", "unmarshal_item", "unmarshal_items", "unmarshal_stream_record"]

M = TypeVar("M", bound=Model)

IMAGES = ("NewImage", "OldImage", "Keys")
"""The images a stream record can carry."""


def _bytes(value: Any, path: str) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValidationError(f"{path}: not valid base64 binary: {value!r}") from None
    raise ValidationError(f"{path}: binary value must be base64 text or bytes, not {value!r}")


def _decode(av: Any, path: str) -> Any:
    """``av`` with every ``B``/``BS`` value (at any depth) turned into bytes."""
    if not isinstance(av, Mapping) or len(av) != 1:
        raise ValidationError(f"{path}: not a DynamoDB attribute value: {av!r}")
    ((tag, value),) = av.items()
    if tag == "B":
        return {"B": _bytes(value, path)}
    if tag == "BS":
        return {"BS": [_bytes(v, f"{path}[{i}]") for i, v in enumerate(value)]}
    if tag == "M":
        return {"M": {k: _decode(v, f"{path}.{k}") for k, v in value.items()}}
    if tag == "L":
        return {"L": [_decode(v, f"{path}[{i}]") for i, v in enumerate(value)]}
    return av


def _item(image: Mapping[str, Any], model: type[M]) -> dict[str, Any]:
    if not isinstance(image, Mapping):
        raise ValidationError(f"{model.__name__}: a stream image must be a mapping, not {image!r}")
    return {attr: _decode(av, f"{model.__name__}.{attr}") for attr, av in image.items()}


def unmarshal_item(image: Mapping[str, Any], model: type[M]) -> M:
    """Reads one stream image (an item in DynamoDB JSON, binary values as
    base64 text or bytes) as an instance of ``model``. For a model declared
    with ``entity=``, an image of another type (or without the type
    attribute) is a ``ValidationError``: a single-table stream carries every
    type's changes."""
    item = _item(image, model)
    meta = model.__dynamorm__
    if is_foreign(meta, item):
        found = item.get(meta.entity_attr)
        raise ValidationError(
            f"{model.__name__}: the stream image holds {meta.entity_attr}={found!r}, "
            f"not this model's {meta.entity!r}"
        )
    return model.from_item(item)


def unmarshal_items(images: Iterable[Mapping[str, Any]], model: type[M]) -> list[M]:
    """The images of ``model``'s items, in order, each read as
    ``unmarshal_item`` does; for a model declared with ``entity=``, the
    images of other types are left out."""
    items = [_item(image, model) for image in images]
    meta = model.__dynamorm__
    return [model.from_item(item) for item in items if not is_foreign(meta, item)]


def unmarshal_stream_record(
    record: Mapping[str, Any], model: type[M], image: str = "NewImage"
) -> M | None:
    """The ``image`` (``NewImage``, ``OldImage`` or ``Keys``) of one stream
    record as an instance of ``model``; ``None`` when the record does not
    carry that image (a ``REMOVE`` has no ``NewImage``; a ``KEYS_ONLY``
    stream has neither image), and, for a model declared with ``entity=``,
    when the image is another type's (the ``Keys`` image, which carries no
    type, is read as the model).

    ``record`` is one entry of a Lambda event's ``Records`` (the images under
    its ``dynamodb`` key), or that ``dynamodb`` mapping itself.
    """
    if image not in IMAGES:
        raise ValidationError(f"image must be one of {', '.join(IMAGES)}, not {image!r}")
    change = record.get("dynamodb", record)
    if not isinstance(change, Mapping):
        raise ValidationError(f"{model.__name__}: stream record has no 'dynamodb' mapping")
    found = change.get(image)
    if found is None:
        return None
    item = _item(found, model)
    if image != "Keys" and is_foreign(model.__dynamorm__, item):
        return None
    return model.from_item(item)
