"""loaded.py without a server: the shape of a projected read, the record an
instance keeps, and what its writes may store."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from dynamorm import Model, field
from dynamorm.errors import ValidationError
from dynamorm.model.loaded import LOADED, check_put, mark, shape_of, unread, writable, written

counter = itertools.count()


class Doc(Model, table="docs", _projections={"by-status": ("INCLUDE", ("score",))}):
    id: str = field(pk=True)
    name: str = ""
    status: str = field(default="new", gsi_pk="by-status")
    score: int = 0
    tags: set[str] = field(default_factory=set)
    profile: dict[str, Any] = field(default_factory=dict)
    serial: int = field(default_factory=lambda: next(counter))
    version: int = field(version=True)


META = Doc.__dynamorm__


def read(paths: list[list[str | int]], **values: Any) -> Any:
    obj = Doc(id="a", **values)
    mark(META, shape_of(META, paths), [obj])
    return obj


def test_whole_reads_have_no_shape() -> None:
    assert shape_of(META, None) is None and shape_of(META, []) is None
    every = [[f.attr] for f in META.fields]
    assert shape_of(META, every) is None


def test_an_include_index_reads_its_keys_and_projected_attributes() -> None:
    shape = shape_of(META, None, META.indexes["by-status"])
    assert shape is not None
    assert set(shape.shared.values) | {f.name for f in shape.own} == {
        "name",
        "tags",
        "profile",
        "serial",
        "version",
    }


def test_fields_not_read_and_unchanged_are_untouched_the_others_count_as_read() -> None:
    obj = read([["name"]])
    assert unread(META, obj)[0] == {"status", "score", "tags", "profile", "serial", "version"}
    obj.status = "x"
    obj.tags.add("t")  # in place
    obj.score = 0  # the value the read left: cannot be told from untouched
    assert unread(META, obj) == ({"score", "profile", "serial", "version"}, frozenset())


def test_a_factory_value_differs_per_instance_but_counts_as_read_only_when_changed() -> None:
    a, b = read([["name"]]), read([["name"]])
    assert a.serial != b.serial
    assert "serial" in unread(META, a)[0] and "serial" in unread(META, b)[0]
    assert a.__dict__[LOADED] is not b.__dict__[LOADED]  # own values, per instance
    plain = Doc(id="c"), Doc(id="d")
    mark(META, shape_of(META, [["name"], ["serial"]]), plain)
    assert plain[0].__dict__[LOADED] is plain[1].__dict__[LOADED]  # one shared record


def test_a_field_read_in_part_is_untouched_until_changed_then_refused() -> None:
    obj = read([["profile", "city"], ["version"]], profile={"city": "Oslo"})
    chosen = [META.by_name[n] for n in ("name", "profile")]
    assert writable(META, obj, chosen, named=False, operation="update") == []
    obj.profile["city"] = "Bergen"
    with pytest.raises(ValidationError, match="'profile' was read only in part"):
        writable(META, obj, chosen, named=False, operation="update")


def test_naming_an_untouched_field_or_needing_an_unread_version_raises() -> None:
    obj = read([["name"]])
    name, score = META.by_name["name"], META.by_name["score"]
    assert writable(META, obj, [name, score], named=False, operation="update") == [name]
    with pytest.raises(ValidationError, match=r"Doc\.update\(\): field 'score' was not read"):
        writable(META, obj, [name, score], named=True, operation="update")
    with pytest.raises(ValidationError, match="version field 'version' was not read"):
        writable(META, obj, [name], named=False, operation="update", versioned=True)


def test_a_put_is_refused_until_every_field_is_read_or_changed() -> None:
    obj = read([["name"], ["status"], ["score"], ["tags"], ["profile"], ["serial"]])
    with pytest.raises(ValidationError, match=r"Doc\.create\(\): .*'version' were not read"):
        check_put(META, obj, "create")
    obj.version = 3
    check_put(META, obj, "create")
    check_put(META, Doc(id="b"), "create")  # read whole (never read at all)


def test_written_fields_leave_the_record() -> None:
    obj = read([["name"], ["status"], ["score"], ["tags"], ["profile"]])
    record = written(obj, ["serial"])
    assert record is not None and set(record.values) == {"version"}
    assert written(obj, ["serial", "version"]) is None
    assert written(Doc(id="b"), ["name"]) is None
