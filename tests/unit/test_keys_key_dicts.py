"""``keys.key_dicts``: the Rust core's fast loop over plain keys
(``ItemSchema.plain_key_dicts``) hands over to the careful per-key path at
the first key it does not take; together they must give exactly what the
careful path gives for every key alone, or the same error. The same holds of
``keys.add_user_keys`` (``KeyPlan.add_user_keys``, encoding and planning in
one call): its chunks are those of the careful keys given to ``add_keys``."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm import KeyPair, Model, field
from dynamorm.errors import ValidationError
from dynamorm.keys import KeyPlan, _key_dict, _plain_key_dicts, add_user_keys, key_dicts
from hypothesis import given, settings
from hypothesis import strategies as st


class WithSort(Model, table="kd-with-sort"):
    pk: str = field(pk=True)
    sk: int = field(sk=True)


class NoSort(Model, table="kd-no-sort"):
    id: bytes = field(pk=True)


def meta_of(model: type[Model]) -> Any:
    return model.__dynamorm__


_value = st.one_of(
    st.text(max_size=5),
    st.integers(-(10**6), 10**6),
    st.binary(max_size=5),
    st.none(),
    st.floats(allow_nan=True),
    st.booleans(),
)


def _key(with_sort: bool) -> st.SearchStrategy[Any]:
    model = WithSort if with_sort else NoSort
    forms = [
        st.builds(KeyPair, _value, _value),
        st.builds(KeyPair, _value),
        st.tuples(_value, _value),
        st.tuples(_value),
        _value,
        st.builds(lambda: model(**({"pk": "p", "sk": 1} if with_sort else {"id": b"i"}))),
    ]
    return st.one_of(forms)


def _careful(model: type[Model], keys: list[Any]) -> list[dict[str, Any]] | str:
    meta = meta_of(model)
    out = []
    for i, key in enumerate(keys):
        try:
            out.append(_key_dict(meta, key, f"t: keys[{i}]"))
        except ValidationError as exc:
            return str(exc)
    return out


def _fast(model: type[Model], keys: list[Any]) -> list[dict[str, Any]] | str:
    try:
        return key_dicts(meta_of(model), keys, "t")
    except ValidationError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), with_sort=st.booleans())
def test_the_fast_loop_agrees_with_the_careful_path(data: st.DataObject, with_sort: bool) -> None:
    model = WithSort if with_sort else NoSort
    keys = data.draw(st.lists(_key(with_sort), max_size=8))
    assert _fast(model, keys) == _careful(model, keys)


def test_the_fast_loop_takes_the_plain_prefix() -> None:
    keys: list[Any] = [("a", 1), KeyPair("b", 2), ("c", 3.5), ("d", 4)]
    taken = _plain_key_dicts(meta_of(WithSort), keys)
    # 3.5 is no int: the careful path takes over there (and raises).
    assert taken == [{"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "b"}, "sk": {"N": "2"}}]
    with pytest.raises(ValidationError, match=r"keys\[2\]"):
        key_dicts(meta_of(WithSort), keys, "t")
    assert _plain_key_dicts(meta_of(NoSort), [b"x", KeyPair(b"y"), (b"z",)]) == [
        {"id": {"B": b"x"}},
        {"id": {"B": b"y"}},
    ]


def _planned_careful(model: type[Model], keys: list[Any], size: int) -> Any:
    dicts = _careful(model, keys)
    if isinstance(dicts, str):
        return dicts
    plan = KeyPlan(meta_of(model).key_attrs, size)
    return plan.add_keys(dicts), plan.positions()


def _planned_fast(model: type[Model], keys: list[Any], size: int) -> Any:
    plan = KeyPlan(meta_of(model).key_attrs, size)
    try:
        chunks = add_user_keys(plan, meta_of(model), keys, "t")
    except ValidationError as exc:
        assert plan.input_count == 0, "a failed add_user_keys added keys"
        return str(exc)
    return chunks, plan.positions()


@settings(max_examples=300, deadline=None)
@given(data=st.data(), with_sort=st.booleans(), size=st.integers(1, 3))
def test_add_user_keys_plans_what_the_careful_keys_plan(
    data: st.DataObject, with_sort: bool, size: int
) -> None:
    model = WithSort if with_sort else NoSort
    keys = data.draw(st.lists(_key(with_sort), max_size=8))
    assert _planned_fast(model, keys, size) == _planned_careful(model, keys, size)


def test_add_user_keys_dedupes_by_value_and_keeps_going_after_other_forms() -> None:
    meta = meta_of(WithSort)
    plan = KeyPlan(meta.key_attrs, 2)
    keys: list[Any] = [("a", 1), WithSort(pk="b", sk=2), KeyPair("a", 1), ("c", 3)]
    chunks = add_user_keys(plan, meta, keys, "t")
    assert chunks == [
        [{"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "b"}, "sk": {"N": "2"}}],
        [{"pk": {"S": "c"}, "sk": {"N": "3"}}],
    ]
    assert plan.positions() == [0, 1, 0, 2]
    with pytest.raises(ValidationError, match=r"t: keys\[1\]: the sk \('sk'\) is missing"):
        add_user_keys(KeyPlan(meta.key_attrs, 2), meta, [("a", 1), KeyPair("b")], "t")
