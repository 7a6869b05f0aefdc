"""The Rust item codec (``ItemCodec``) against the Python reference codec
(``ReferenceCodec``): same items, same instances, same errors."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import marshal
from dynamorm.errors import ValidationError
from dynamorm.model import Model
from dynamorm.model.codec import ItemCodec, format_timestamp, parse_timestamp
from dynamorm.model.fields import FieldInfo, field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._support.reference_codec import ReferenceCodec


@dataclasses.dataclass
class Address:
    street: str
    zip: str | None = None


@dataclasses.dataclass
class Profile:
    name: str
    address: Address | None = None
    tags: list[str] = dataclasses.field(default_factory=list)


class Everything(Model, table="everything"):
    pk: str = field(pk=True, attr="PK")
    sk: int = field(sk=True, attr="SK")
    s: str = ""
    i: int = 0
    f: float = 0.0
    d: Decimal = Decimal(0)
    b: bool = False
    raw: bytes = b""
    when: datetime | None = None
    ss: set[str] = field(default_factory=set)
    ns: set[int] = field(default_factory=set)
    fs: set[float] = field(default_factory=set)
    ds: set[Decimal] = field(default_factory=set)
    bs: set[bytes] = field(default_factory=set)
    items: list = field(default_factory=list)  # type: ignore[type-arg]
    data: dict = field(default_factory=dict)  # type: ignore[type-arg]
    profile: Profile | None = None
    maybe: str | None = None
    anything: Any = None
    gsi: str | None = field(default=None, gsi_pk="by-gsi", attr="GSI1PK")
    gsi_sort: Decimal | None = field(default=None, gsi_sk="by-gsi")
    lsi: int | None = field(default=None, lsi="by-lsi")
    text_blob: str = field(default="", binary=True)
    blob: bytes = field(default=b"", binary=True)
    doc: dict = field(default_factory=dict, json=True)  # type: ignore[type-arg]
    created: datetime = field(created_at=True)
    updated: datetime = field(updated_at=True, attr="UpdatedAt")
    version: int = field(version=True)
    expires: datetime | None = field(ttl=True, default=None)


class Sparse(Model, table="sparse"):
    id: str = field(pk=True)
    s: str = field(default="", omit_empty=True)
    i: int = field(default=0, omit_empty=True)
    f: float = field(default=0.0, omit_empty=True)
    d: Decimal = field(default=Decimal(0), omit_empty=True)
    b: bool = field(default=False, omit_empty=True)
    raw: bytes = field(default=b"", omit_empty=True)
    tags: set[str] = field(default_factory=set, omit_empty=True)
    items: list = field(default_factory=list, omit_empty=True)  # type: ignore[type-arg]
    data: dict = field(default_factory=dict, omit_empty=True, attr="Data")  # type: ignore[type-arg]
    when: datetime | None = field(default=None, omit_empty=True)
    doc: list = field(default_factory=list, json=True, omit_empty=True)  # type: ignore[type-arg]
    ttl: int | None = field(default=None, ttl=True, omit_empty=True)
    version: int = field(version=True, omit_empty=True)


class Tagged(Model, table="app", entity="tagged", entity_attr="kind"):
    id: str = field(pk=True)
    s: str = ""
    maybe: str | None = None
    tags: set[str] = field(default_factory=set, omit_empty=True)


MODELS: tuple[type[Model], ...] = (Everything, Sparse, Tagged)
REFERENCE = {model: ReferenceCodec(model.__dynamorm__) for model in MODELS}

# -- value strategies --------------------------------------------------------

texts = st.text(max_size=12)
# Values DynamoDB can store (38 digits, magnitudes 1E-130 to 1E+126) ...
valid_ints = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)
valid_floats = st.floats(min_value=-1e125, max_value=1e125).filter(
    lambda x: x == 0 or abs(x) >= 1e-130
)
valid_decimals = st.decimals(
    min_value=-(10**20), max_value=10**20, places=8, allow_nan=False, allow_infinity=False
)
# ... and values that may be out of its range.
ints = valid_ints | st.integers(min_value=-(10**40), max_value=10**40)
floats = valid_floats | st.floats()
decimals = (
    valid_decimals
    | st.decimals(allow_nan=False)
    | st.sampled_from([Decimal("NaN"), Decimal("1E+200"), Decimal("1E-200")])
)
zones = (
    st.none()
    | st.just(UTC)
    | st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    )
)
datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones
)
valid_scalars = (
    st.none()
    | st.booleans()
    | valid_ints
    | texts
    | st.binary(max_size=6)
    | valid_decimals
    | valid_floats
)
scalars = valid_scalars | ints | decimals | floats
plain = st.recursive(
    valid_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | texts
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
profiles = st.builds(
    Profile,
    name=texts,
    address=st.none() | st.builds(Address, street=texts, zip=st.none() | texts),
    tags=st.lists(texts, max_size=3),
)
anything = (
    scalars
    | datetimes
    | st.sets(texts, max_size=3)
    | st.sets(st.integers(), max_size=3)
    | st.lists(scalars, max_size=3)
    | st.dictionaries(texts, scalars, max_size=3)
    | st.frozensets(st.binary(max_size=3), max_size=2)
    | profiles
    | st.builds(bytearray, st.binary(max_size=4))
)

GOOD: dict[str, st.SearchStrategy[Any]] = {
    "pk": texts,
    "id": texts,
    "sk": valid_ints,
    "s": texts,
    "i": valid_ints,
    "f": valid_floats,
    "d": valid_decimals,
    "b": st.booleans(),
    "raw": st.binary(max_size=8),
    "when": st.none() | datetimes,
    "ss": st.sets(texts, max_size=4),
    "tags": st.sets(texts, max_size=4),
    "ns": st.sets(valid_ints, max_size=4),
    "fs": st.sets(valid_floats, max_size=4),
    "ds": st.sets(valid_decimals, max_size=4),
    "bs": st.sets(st.binary(max_size=4), max_size=4),
    "items": st.lists(plain, max_size=4),
    "data": st.dictionaries(texts, plain, max_size=4),
    "profile": st.none() | profiles,
    "maybe": st.none() | texts,
    "anything": plain,
    "gsi": st.none() | texts,
    "gsi_sort": st.none() | valid_decimals,
    "lsi": st.none() | valid_ints,
    "text_blob": texts,
    "blob": st.binary(max_size=8),
    "doc": json_values,
    "created": st.none() | datetimes,
    "updated": st.none() | datetimes,
    "version": st.integers(min_value=0, max_value=10**6),
    "expires": st.none() | datetimes,
    "ttl": st.none() | st.integers(min_value=-(10**12), max_value=10**12),
}


def instances(model: type[Model], value: Callable[[str], st.SearchStrategy[Any]]) -> Any:
    names = [f.name for f in model.__dynamorm__.fields]
    return st.fixed_dictionaries({name: value(name) for name in names}).map(
        lambda values: model(**values)
    )


# The strategies the tests draw from are made once per model or field
# (functools.cache): one made anew for each example is validated anew by
# each draw, which took most of these tests' time.


@functools.cache
def good_instances(model: type[Model]) -> Any:
    return instances(model, lambda name: GOOD[name])


@functools.cache
def any_instances(model: type[Model]) -> Any:
    return instances(model, lambda name: GOOD[name] | anything)


def outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", result) or ("error", exception class); other failures propagate."""
    try:
        return "ok", fn()
    except (ValidationError, ValueError, TypeError) as exc:
        return "error", type(exc)


def typed(value: Any) -> Any:
    """A comparable form of `value` that also tells apart types `==` mixes up
    (1 and 1.0 and True, Decimal("1.0") and Decimal("1"))."""
    if isinstance(value, Model):
        return (type(value).__name__, typed(value.__dict__))
    if (
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)) in ("SS", "NS", "BS")
        and isinstance(next(iter(value.values())), list)
    ):
        # A DynamoDB set's list is in no particular order (a user dict such as
        # {"SS": None} is just a dict).
        ((tag, elements),) = value.items()
        return (tag, sorted(repr(typed(v)) for v in elements))
    if isinstance(value, dict):
        return ("dict", sorted((repr(k), typed(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(repr(typed(v)) for v in value))
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(v) for v in value])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, typed(value.__dict__))
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def both_encode(obj: Model) -> tuple[tuple[str, Any], tuple[str, Any]]:
    model = type(obj)
    rust = outcome(lambda: model.__dynamorm_codec__.to_item(obj))
    ref = outcome(lambda: REFERENCE[model].to_item(obj))
    return rust, ref


def both_decode(model: type[Model], item: Any) -> tuple[tuple[str, Any], tuple[str, Any]]:
    rust = outcome(lambda: model.__dynamorm_codec__.from_item(item))
    ref = outcome(lambda: REFERENCE[model].from_item(item))
    return rust, ref


def assert_same(rust: tuple[str, Any], ref: tuple[str, Any]) -> None:
    assert rust[0] == ref[0], (rust, ref)
    if rust[0] == "error":
        assert rust[1] is ref[1]
    else:
        assert typed(rust[1]) == typed(ref[1])


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- differential tests --------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@SETTINGS
@given(data=st.data())
def test_well_typed_instances_encode_and_decode_identically(model: type[Model], data: Any) -> None:
    obj = data.draw(good_instances(model))
    rust, ref = both_encode(obj)
    assert rust[0] == "ok", rust
    assert_same(rust, ref)
    item = rust[1]
    assert_same(*both_decode(model, item))
    back = model.from_item(item)
    assert type(back) is model
    # A second trip changes nothing: what was read reads back the same.
    assert typed(model.from_item(back.to_item())) == typed(back)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@SETTINGS
@given(data=st.data())
def test_any_values_give_the_same_items_or_the_same_errors(model: type[Model], data: Any) -> None:
    obj = data.draw(any_instances(model))
    rust, ref = both_encode(obj)
    assert_same(rust, ref)


numbers_text = (
    ints.map(str)
    | decimals.map(str)
    | st.sampled_from(["-0", "007", "1e5", "1.50", "1E+2", " 1", "abc", "", "1e999", "0.1e-200"])
)
timestamp_text = st.builds(
    lambda dt, frac, zone: dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + zone,
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(["", ".5", ".123456", ".123456789", "."]),
    st.sampled_from(["Z", "z", "+00:00", "-05:30", "+0530", "+05", "+23:59", "+24:00", "", "X"]),
) | st.sampled_from(["2024-02-30T00:00:00Z", "2024-05-01 12:00:00Z", "2024-05-01", "nope"])
attribute_values = st.recursive(
    st.builds(lambda s: {"S": s}, texts | timestamp_text)
    | st.builds(lambda n: {"N": n}, numbers_text)
    | st.builds(lambda b: {"BOOL": b}, st.booleans())
    | st.just({"NULL": True})
    | st.builds(lambda b: {"B": b}, st.binary(max_size=6) | st.just(b"\xff"))
    | st.builds(lambda s: {"SS": sorted(s)}, st.sets(texts, min_size=1, max_size=3))
    | st.builds(lambda s: {"NS": s}, st.lists(numbers_text, min_size=1, max_size=3))
    | st.builds(lambda s: {"BS": s}, st.lists(st.binary(max_size=3), min_size=1, max_size=3))
    | st.builds(lambda s: {"S": s}, json_values.map(repr))
    | st.sampled_from(
        [{}, {"S": 1}, {"X": "1"}, {"S": "a", "N": "1"}, {"M": {"name": {"S": "x"}}}]
    ),
    lambda inner: (
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3))
        | st.builds(lambda v: {"M": v}, st.dictionaries(texts, inner, max_size=3))
    ),
    max_leaves=6,
)


def likely_values(f: FieldInfo) -> st.SearchStrategy[dict[str, Any]]:
    """Attribute values of the shape field `f` stores, valid or nearly so."""
    numbers = st.builds(lambda n: {"N": n}, numbers_text)
    if f.json:
        return st.builds(lambda v: {"S": json.dumps(v)}, json_values) | st.just({"S": "{"})
    if "ttl" in f.roles or f.info.kind in ("int", "float", "decimal"):
        return numbers
    if f.info.kind == "datetime":
        return st.builds(lambda t: {"S": t}, timestamp_text)
    if f.binary:
        return st.builds(lambda t: {"B": t.encode()}, texts) | st.just({"B": b"\xff"})
    if f.info.kind == "set":
        # Other clients store sets as lists too; a list may repeat a value.
        list_elements = (
            st.builds(lambda s: {"S": s}, texts)
            | st.builds(lambda n: {"N": n}, numbers_text)
            | st.builds(lambda b: {"B": b}, st.binary(max_size=3))
            | st.just({"BOOL": True})
        )
        return st.builds(
            lambda s: {"NS": s}, st.lists(numbers_text, min_size=1, max_size=3)
        ) | st.builds(lambda v: {"L": v}, st.lists(list_elements, max_size=4))
    return attribute_values


@functools.cache
def stored_values(model: type[Model], name: str) -> st.SearchStrategy[dict[str, Any]]:
    """What the field ``name`` may find stored: ``likely_values`` or any
    attribute value."""
    return likely_values(model.__dynamorm__.by_name[name]) | attribute_values


@functools.cache
def stored_items(model: type[Model]) -> st.SearchStrategy[dict[str, Any]]:
    """Items holding any attribute values under some of ``model``'s attributes."""
    attrs = [f.attr for f in model.__dynamorm__.fields]
    return st.fixed_dictionaries({}, optional={attr: attribute_values for attr in attrs})


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@SETTINGS
@given(data=st.data())
def test_any_stored_values_read_the_same_or_fail_the_same(model: type[Model], data: Any) -> None:
    item = data.draw(stored_items(model))
    assert_same(*both_decode(model, item))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@SETTINGS
@given(data=st.data())
def test_each_field_reads_any_stored_value_as_the_reference_does(
    model: type[Model], data: Any
) -> None:
    for f in model.__dynamorm__.fields:
        av = data.draw(stored_values(model, f.name), label=f.name)
        assert_same(*both_decode(model, {f.attr: av}))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@SETTINGS
@given(data=st.data())
def test_encode_field_matches_reference_field_by_field(model: type[Model], data: Any) -> None:
    obj = data.draw(any_instances(model))
    rust_codec = model.__dynamorm_codec__
    for f in model.__dynamorm__.fields:
        value = obj.__dict__[f.name]
        rust = outcome(lambda f=f, value=value: rust_codec.encode_field(f, value))  # type: ignore[misc]
        ref = outcome(lambda f=f, value=value: REFERENCE[model].encode_field(f, value))  # type: ignore[misc]
        assert_same(rust, ref)


# -- error cases ----------------------------------------------------------------


def base(**values: Any) -> Everything:
    return Everything(**{"pk": "p", "sk": 1, **values})


@pytest.mark.parametrize(
    ("values", "field_name"),
    [
        ({"i": "many"}, "i"),
        ({"i": True}, "i"),
        ({"f": "1.5"}, "f"),
        ({"f": float("nan")}, "f"),
        ({"f": float("inf")}, "f"),
        ({"d": Decimal("NaN")}, "d"),
        ({"d": 1.5}, "d"),
        ({"b": 1}, "b"),
        ({"s": 3}, "s"),
        ({"raw": "text"}, "raw"),
        ({"when": "2024-01-01"}, "when"),
        ({"ss": ["a"]}, "ss"),
        ({"ss": {"a", 1}}, "ss"),
        ({"ns": {10**40 + 1}}, "ns"),
        ({"items": [object()]}, "items"),
        ({"profile": {"name": "x"}}, "profile"),
        ({"profile": Profile}, "profile"),
        ({"doc": {"x": object()}}, "doc"),
        ({"expires": "soon"}, "expires"),
        ({"expires": True}, "expires"),
        ({"blob": 3}, "blob"),
        ({"pk": None}, "pk"),
        ({"sk": None}, "sk"),
    ],
)
def test_bad_values_are_validation_errors_naming_the_field(
    values: dict[str, Any], field_name: str
) -> None:
    obj = base(**values)
    for codec in (Everything.__dynamorm_codec__, REFERENCE[Everything]):
        with pytest.raises(ValidationError, match=rf"^Everything\.{field_name}: "):
            codec.to_item(obj)


@pytest.mark.parametrize(
    ("attr", "av"),
    [
        ("i", {"N": "1.5"}),
        ("i", {"S": "1"}),
        ("f", {"N": "NaN"}),
        ("d", {"S": "x"}),
        ("when", {"S": "yesterday"}),
        ("when", {"N": "1"}),
        ("expires", {"S": "x"}),
        ("expires", {"N": "1e20"}),
        ("text_blob", {"B": b"\xff"}),
        ("doc", {"S": "{"}),
        ("profile", {"M": {"nope": {"S": "x"}}}),
        ("profile", {"L": []}),
        ("ss", {"SS": [1]}),
        ("ss", {"NS": ["1"]}),
        ("ss", {"L": [{"S": "a"}, {"N": "1"}]}),
        ("ss", {"L": [{"S": "a"}, {"S": "a"}]}),
        ("ss", {"L": [{"L": []}]}),
        ("ns", {"NS": ["1.5"]}),
        ("ns", {"L": [{"N": "1.5"}]}),
        ("ns", {"L": [{"N": "1"}, {"N": "1.0"}]}),
        ("ns", {"L": [{"BOOL": True}]}),
        ("fs", {"L": [{"S": "1.5"}]}),
        ("fs", {"SS": ["1.5"]}),
        ("ds", {"L": [{"N": "0.1"}, {"N": "0.10"}]}),
        ("bs", {"L": [{"S": "YQ=="}]}),
        ("bs", {"M": {}}),
        ("items", {"Q": 1}),
    ],
)
def test_unreadable_attributes_are_validation_errors_naming_the_field(
    attr: str, av: dict[str, Any]
) -> None:
    item = {"PK": {"S": "p"}, "SK": {"N": "1"}, attr: av}
    name = Everything.__dynamorm__.field_named(attr).name
    for codec in (Everything.__dynamorm_codec__, REFERENCE[Everything]):
        with pytest.raises(ValidationError, match=rf"^Everything\.{name}: cannot read "):
            codec.from_item(item)


# -- the encoding rules, spelled out --------------------------------------------


def test_empty_sets_are_null_or_left_out() -> None:
    item = base().to_item()
    assert item["ss"] == {"NULL": True} and item["bs"] == {"NULL": True}
    sparse = Sparse(id="x").to_item()
    assert sparse == {"id": {"S": "x"}}
    assert Sparse.from_item(sparse) == Sparse(id="x")


def test_sets_stored_as_lists_read_back_as_sets_of_the_element_type() -> None:
    item = {
        "PK": {"S": "p"},
        "SK": {"N": "1"},
        "ss": {"L": [{"S": "a"}, {"S": "b"}]},
        "ns": {"L": [{"N": "1"}, {"N": "20"}, {"N": "3E+2"}]},
        "fs": {"L": [{"N": "0.5"}, {"N": "2"}]},
        "ds": {"L": [{"N": "1.50"}, {"N": "7"}]},
        "bs": {"L": [{"B": b"\x00"}, {"B": b"\xff"}]},
    }
    for codec in (Everything.__dynamorm_codec__, REFERENCE[Everything]):
        got = codec.from_item(item)
        assert typed(got.ss) == typed({"a", "b"})
        assert typed(got.ns) == typed({1, 20, 300})
        assert typed(got.fs) == typed({0.5, 2.0})
        assert typed(got.ds) == typed({Decimal("1.50"), Decimal(7)})
        assert typed(got.bs) == typed({b"\x00", b"\xff"})
        empty = codec.from_item({"PK": {"S": "p"}, "SK": {"N": "1"}, "ss": {"L": []}})
        assert empty.ss == set() and type(empty.ss) is set


def test_a_list_repeating_a_value_or_of_another_type_is_refused_naming_field_and_element() -> None:
    for attr, elements, reason in [
        ("ns", [{"N": "1"}, {"N": "1.0"}], r"list element \[1\] repeats 1; a set holds each"),
        ("ss", [{"S": "a"}, {"N": "2"}], r"list element \[1\]: expected str, got int 2"),
        ("ns", [{"N": "1.5"}], r"list element \[0\]: expected an integer, got Decimal\('1.5'\)"),
    ]:
        item = {"PK": {"S": "p"}, "SK": {"N": "1"}, attr: {"L": elements}}
        for codec in (Everything.__dynamorm_codec__, REFERENCE[Everything]):
            with pytest.raises(
                ValidationError, match=rf"^Everything\.{attr}: cannot read .*: {reason}"
            ):
                codec.from_item(item)


def test_number_set_fields_take_only_their_element_type() -> None:
    # 0.1 and Decimal("0.1") are unequal in Python but both written "0.1": a
    # set[float] or set[Decimal] holding both is refused, not sent with a
    # repeated element (an untyped set is deduplicated by marshal instead).
    for name, wrong in (("fs", Decimal("0.1")), ("ds", 0.1)):
        obj = base(**{name: {0.1, Decimal("0.1")}})
        for codec in (Everything.__dynamorm_codec__, REFERENCE[Everything]):
            with pytest.raises(ValidationError, match=rf"Everything\.{name}: expected set"):
                codec.to_item(obj)
        assert wrong in obj.__dict__[name]
    assert marshal.serialize({0.1, Decimal("0.1")}) == {"NS": ["0.1"]}


def test_none_index_keys_and_unwritten_library_fields_are_left_out() -> None:
    item = base().to_item()
    for attr in ("GSI1PK", "gsi_sort", "lsi", "created", "UpdatedAt", "expires"):
        assert attr not in item
    assert item["maybe"] == {"NULL": True} and item["version"] == {"N": "0"}


def test_timestamps_ttl_binary_and_json_encoding() -> None:
    berlin = timezone(timedelta(hours=2))
    obj = base(
        created=datetime(2024, 5, 1, 14, 0, 0, 5, tzinfo=berlin),
        updated=datetime(2024, 5, 1, 12, 0),
        expires=datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
        text_blob="héllo",
        doc={"b": [1, 2.5], "a": "ü"},
    )
    item = obj.to_item()
    assert item["created"] == {"S": "2024-05-01T12:00:00.000005000Z"}
    assert item["UpdatedAt"] == {"S": "2024-05-01T12:00:00.000000000Z"}
    assert item["expires"] == {"N": "-1"}
    assert item["text_blob"] == {"B": "héllo".encode()}
    assert item["doc"] == {"S": '{"a":"ü","b":[1,2.5]}'}
    back = Everything.from_item(item)
    assert back.created == datetime(2024, 5, 1, 12, 0, 0, 5, tzinfo=UTC)
    assert back.expires == datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert back.text_blob == "héllo" and back.doc == {"a": "ü", "b": [1, 2.5]}


def test_missing_attributes_take_fresh_defaults() -> None:
    a = Everything.from_item({"PK": {"S": "p"}, "SK": {"N": "1"}})
    b = Everything.from_item({"PK": {"S": "p"}, "SK": {"N": "1"}})
    assert a.items == [] and a.items is not b.items
    assert a.version == 0 and a.created is None and a.d == Decimal(0)
    assert a == base()


def test_from_item_does_not_call_init() -> None:
    class Counted(Model):
        id: str = field(pk=True)

        def __init__(self, **values: Any) -> None:
            raise AssertionError("__init__ called")

    got = Counted.from_item({"id": {"S": "x"}})
    assert type(got) is Counted and got.__dict__ == {"id": "x"}


def test_key_of_and_decode_field() -> None:
    codec = Everything.__dynamorm_codec__
    assert codec.key_of(base()) == {"PK": {"S": "p"}, "SK": {"N": "1"}}
    assert codec.schema.decode_field("when", {"S": "2024-05-01T12:00:00Z"}) == datetime(
        2024, 5, 1, 12, tzinfo=UTC
    )
    assert codec.schema.decode_field("when", {"NULL": True}) is None
    with pytest.raises(ValidationError, match="no field 'nope'"):
        codec.schema.encode_field("nope", 1)


def test_codec_is_built_once_per_model_and_is_frozen() -> None:
    codec = Everything.__dynamorm_codec__
    assert isinstance(codec, ItemCodec) and codec.meta is Everything.__dynamorm__
    assert codec.schema.field_names == [f.name for f in Everything.__dynamorm__.fields]
    with pytest.raises(AttributeError):
        codec.schema.model_name = "Other"  # type: ignore[misc]


@given(datetimes)
@SETTINGS
def test_timestamp_text_round_trips_and_sorts(value: datetime) -> None:
    text = format_timestamp(value)
    assert len(text) == 30 and text.endswith("000Z")
    parsed = parse_timestamp(text)
    expected = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    assert parsed == expected and parsed.tzinfo is UTC
    later = format_timestamp(expected + timedelta(microseconds=1))
    assert later > text
