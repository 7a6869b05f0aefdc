"""Type stubs for the native module ``dynamorm._core`` (built from rust/dynamorm-py)."""

import collections.abc as _abc
import typing as _t
from typing import Any

__version__: str
"""The package's version (``dynamorm.__version__``), from its Cargo manifest."""

class Fallback(Exception):
    """Private: input a fast path of the core does not take, which botocore's
    own code handles (the library catches it and takes botocore's path)."""

# --- marshal (rust/dynamorm-py/src/marshal/) ---

def serialize(value: object) -> dict[str, Any]: ...
def deserialize(av: Any) -> Any: ...
def serialize_item(item: Any) -> dict[str, dict[str, Any]]: ...
def deserialize_item(item: Any) -> dict[str, Any]: ...

# --- expr (rust/dynamorm-py/src/expr/) ---

RESERVED_WORDS: tuple[str, ...]

def compile_condition(clauses: Any, *, names: Any = None, values: Any = None) -> Compiled: ...
def compile_key_condition(clauses: Any, *, names: Any = None, values: Any = None) -> Compiled: ...
def compile_update(
    actions: Any,
    names: Any = None,
    values: Any = None,
    key_attributes: list[str] | None = None,
) -> Compiled: ...
def compile_projection(paths: Any, names: Any = None) -> Compiled: ...

@_t.final
class Encoded:
    """An attribute value dict the expression compiler takes as it is."""

    def __new__(cls, av: dict[str, Any]) -> Encoded: ...
    @property
    def av(self) -> dict[str, Any]: ...
    def value(self) -> Any: ...

@_t.final
class Compiled:
    """One compiled expression with its placeholders (values in DynamoDB JSON).

    ``expression`` is the text, ``names`` the ``ExpressionAttributeNames``
    and ``values`` the ``ExpressionAttributeValues`` it needs."""
    def __new__(
        cls,
        expression: str,
        names: dict[str, str] | None = None,
        values: dict[str, dict[str, Any]] | None = None,
    ) -> Compiled: ...
    __match_args__ = ("expression", "names", "values")
    @property
    def expression(self) -> str:
        """The expression text; it holds only placeholders for names and values."""
    @property
    def names(self) -> dict[str, str]:
        """``{"#n0": "status", ...}``."""
    @property
    def values(self) -> dict[str, dict[str, Any]]:
        """``{":v0": {"S": "x"}, ...}``."""

def compile_request_object(
    key_condition: Any,
    filter: Any,
    condition: Any,
    update: Any,
    projection: Any,
    names: Any,
    values: Any,
    key_attributes: list[str] | None,
) -> CompiledRequest: ...

@_t.final
class CompiledRequest:
    """The expressions of one request, sharing ``names`` and ``values``."""
    def __new__(
        cls,
        key_condition: str | None = None,
        filter: str | None = None,
        condition: str | None = None,
        update: str | None = None,
        projection: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, dict[str, Any]] | None = None,
    ) -> CompiledRequest: ...
    __match_args__ = (
        "key_condition",
        "filter",
        "condition",
        "update",
        "projection",
        "names",
        "values",
    )
    @property
    def key_condition(self) -> str | None:
        """``KeyConditionExpression`` text, if any."""
    @property
    def filter(self) -> str | None:
        """``FilterExpression`` text, if any."""
    @property
    def condition(self) -> str | None:
        """``ConditionExpression`` text, if any."""
    @property
    def update(self) -> str | None:
        """``UpdateExpression`` text, if any."""
    @property
    def projection(self) -> str | None:
        """``ProjectionExpression`` text, if any."""
    @property
    def names(self) -> dict[str, str]:
        """``ExpressionAttributeNames`` of every part."""
    @property
    def values(self) -> dict[str, dict[str, Any]]:
        """``ExpressionAttributeValues`` of every part (DynamoDB JSON)."""
    def to_params(self) -> dict[str, Any]:
        """The request parameters for a boto3 client call (empty parts left out)."""

def validate_expression(
    text: str,
    *,
    names: Any = None,
    values: Any = None,
    kind: str | None = None,
    key_attributes: list[str] | None = None,
) -> None: ...
def parse_expression(text: str, kind: str | None = None) -> dict[str, Any]: ...
def is_reserved(word: str) -> bool: ...

# --- batch keys (rust/dynamorm-py/src/keys.rs) ---

_KeyDict = dict[str, dict[str, Any]]
_Dicts = _abc.Iterable[_abc.Mapping[str, Any]]

@_t.final
class KeyPlan:
    def __new__(cls, key_attributes: _abc.Sequence[str], chunk_size: int = 100) -> KeyPlan: ...
    @property
    def key_attributes(self) -> tuple[str, ...]: ...
    @property
    def chunk_size(self) -> int: ...
    @property
    def input_count(self) -> int: ...
    @property
    def unique_count(self) -> int: ...
    @property
    def found_count(self) -> int: ...
    def add_keys(self, keys: _Dicts) -> list[list[_KeyDict]]: ...
    def add_user_keys(
        self,
        schema: ItemSchema,
        keys: list[Any],
        pk_name: str,
        sk_name: str | None,
        key_pair: type,
        other_forms: tuple[type, ...],
        careful: _abc.Callable[[int, Any], _KeyDict],
    ) -> list[list[_KeyDict]]: ...
    def first_positions(self, keys: _Dicts) -> list[int | None]: ...
    def missing_positions(self, keys: _Dicts) -> list[int]: ...
    def first_duplicate(self) -> tuple[int, int] | None: ...
    def add_items(self, items: _Dicts) -> int: ...
    def add_items_positions(self, items: _Dicts) -> list[int | None]: ...
    def add_canonical_positions(self, keys: list[bytes]) -> list[int | None]: ...
    def ordered_items(self) -> list[Any]: ...
    def missing_keys(self) -> list[_KeyDict]: ...
    def unique_keys(self) -> list[_KeyDict]: ...
    def positions(self) -> list[int]: ...
    def rechunk(self, unprocessed: _Dicts) -> list[list[_KeyDict]]: ...

# --- cursor (rust/dynamorm-py/src/cursor.rs) ---

def encode_cursor(
    last_key: _abc.Mapping[str, Any], index: str | None = None, sort: str | None = None
) -> str: ...
def decode_cursor(
    text: str,
) -> tuple[_KeyDict, str | None, _t.Literal["ASC", "DESC"] | None]: ...

# --- schema (rust/dynamorm-py/src/schema/) ---

@_t.final
class ItemSchema:
    def __new__(
        cls,
        model_name: str,
        model_cls: type,
        fields: _abc.Sequence[_abc.Mapping[str, Any]],
        entity: tuple[str, str] | None = None,
        fill: _abc.Callable[[Any, list[str]], object] | None = None,
    ) -> ItemSchema: ...
    @property
    def model_name(self) -> str: ...
    @property
    def entity(self) -> tuple[str, str] | None: ...
    @property
    def field_names(self) -> list[str]: ...
    def to_item(self, obj: object) -> dict[str, dict[str, Any]]: ...
    def from_item(self, item: _abc.Mapping[str, _abc.Mapping[str, Any]]) -> Any: ...
    def encode_field(self, name: str, value: object) -> dict[str, Any] | None: ...
    def encode_value(self, name: str, value: object) -> Encoded | None: ...
    def encode_path(
        self, name: str, path: _abc.Sequence[str | int], value: object, element: bool = False
    ) -> Encoded | None: ...
    def decode_field(self, name: str, av: _abc.Mapping[str, Any]) -> Any: ...
    def key_of(self, obj: object) -> dict[str, dict[str, Any]]: ...
    def plain_key_dicts(
        self,
        keys: list[Any],
        pk_name: str,
        sk_name: str | None,
        key_pair: type,
        other_forms: tuple[type, ...],
    ) -> list[dict[str, dict[str, Any]]]: ...

ITEM_READS: tuple[str, ...]
"""The operations ``decode_response`` reads: the item-bearing reads."""

def decode_response(
    body: bytes, operation: str, schemas: ItemSchema | _abc.Sequence[ItemSchema]
) -> tuple[dict[str, Any], bytes]: ...
def encode_request(params: dict[str, Any]) -> bytes: ...

# --- signing (rust/dynamorm-py/src/sigv4.rs) ---
def sigv4_authorization(
    method: str,
    path: str,
    query: str,
    headers: _abc.Sequence[tuple[str, str]],
    host: str,
    body: bytes | None,
    payload_hash: str | None,
    timestamp: str,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
) -> str: ...

# --- answer shapes (rust/dynamorm-py/src/shape.rs) ---
@_t.final
class ResponseShape:
    def __new__(
        cls, nodes: list[tuple[str, list[tuple[str, int]], bool]], root: int
    ) -> ResponseShape: ...
    def check(self, body: bytes) -> None: ...

# --- memory (rust/dynamorm-py/src/memory.rs) ---

@_t.final
class MemoryStore:
    def __new__(cls) -> MemoryStore: ...
    def handle(self, operation: str, body: bytes) -> tuple[int, bytes]: ...
    def expire(self, now: float) -> int: ...
    def stream_records(self, table: str) -> bytes: ...
    def set_clock(self, now: float | None) -> None: ...
