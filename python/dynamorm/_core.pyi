"""Type stubs for the native module ``dynamorm._core`` (built from rust/dynamorm-py)."""

import collections.abc as _abc
import typing as _t
from typing import Any

__version__: str

# --- marshal (rust/dynamorm-py/src/marshal.rs) ---

def serialize(value: object) -> dict[str, Any]: ...
def deserialize(av: Any) -> Any: ...
def serialize_item(item: Any) -> dict[str, dict[str, Any]]: ...
def deserialize_item(item: Any) -> dict[str, Any]: ...

# --- expr (rust/dynamorm-py/src/expr.rs) ---

RESERVED_WORDS: tuple[str, ...]

def compile_request(
    *,
    key_condition: Any = None,
    filter: Any = None,
    condition: Any = None,
    update: Any = None,
    projection: Any = None,
    names: Any = None,
    values: Any = None,
    key_attributes: list[str] | None = None,
) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, Any]]]: ...
def compile_expression(
    kind: str,
    input: Any,
    *,
    names: Any = None,
    values: Any = None,
    key_attributes: list[str] | None = None,
) -> tuple[str, dict[str, str], dict[str, dict[str, Any]]]: ...
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
    def add_items(self, items: _Dicts) -> int: ...
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
