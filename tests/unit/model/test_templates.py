"""Key templates (``dynamorm.model.templates``, ``dynamorm.model.templated``):
rendering and parsing of typed values, prefixes, the refusals of ambiguous
values, the declaration errors of class creation, and what instances do —
template fields computed, never set by hand, source fields parsed back from
items that lack them."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

import dynamorm
import pytest
from dynamorm.errors import InvalidModelError, ValidationError
from dynamorm.model import Model
from dynamorm.model.fields import field
from dynamorm.model.templated import builder_updates
from dynamorm.model.templates import Template


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Event(Model, table="events"):
    user_id: str
    n: int
    m: int = 0
    price: Decimal = Decimal(0)
    at: datetime | None = None
    day: date | None = None
    ref: uuid.UUID | None = None
    color: Color = Color.RED
    level: Level = Level.LOW
    mode: Literal["a", "b"] = "a"
    note: str | None = None
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="EV#{n:06d}#{m}")
    by_note: str | None = field(gsi_pk="note-index", template="NOTE#{note}")
    by_color: str | None = field(gsi_sk="note-index", template="{color}|{level}|{mode}")


def template(name: str) -> Template:
    found = Event.__dynamorm__.by_name[name].template
    assert found is not None
    return found


def test_fields_and_literals_of_a_parsed_template() -> None:
    sk = template("sk")
    assert sk.fields == ("n", "m")
    assert sk.literals == ("EV#", "#", "")
    assert dynamorm.fields(Event)[-4].template == template("pk")


def test_int_is_zero_padded_only_when_the_format_asks() -> None:
    assert template("sk").render({"n": 42, "m": 7}) == "EV#000042#7"
    assert template("sk").parse("EV#000042#7") == {"n": 42, "m": 7}


def test_typed_values_render_as_their_stored_text_and_parse_back() -> None:
    ref = uuid.UUID("12345678-1234-5678-1234-567812345678")
    cases: list[tuple[str, Any, str]] = [
        ("{price}", Decimal("12.50"), "12.50"),
        ("{at}", datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "2026-01-02T03:04:05.000006000Z"),
        ("{day}", date(2026, 1, 2), "2026-01-02"),
        ("{ref}", ref, "12345678-1234-5678-1234-567812345678"),
        ("{color}", Color.BLUE, "blue"),
        ("{level}", Level.HIGH, "2"),
        ("{mode}", "b", "b"),
    ]
    for text, value, stored in cases:
        name = text.strip("{}")

        class One(Model, table="ones"):
            price: Decimal = Decimal(0)
            at: datetime | None = None
            day: date | None = None
            ref: uuid.UUID | None = None
            color: Color = Color.RED
            level: Level = Level.LOW
            mode: Literal["a", "b"] = "a"
            pk: str = field(pk=True, template="K#" + text)

        tpl = One.__dynamorm__.pk.template
        assert tpl is not None
        assert tpl.render({name: value}) == "K#" + stored
        parsed = tpl.parse("K#" + stored)
        assert parsed == {name: value}
        assert type(parsed[name]) is type(value)


def test_escaped_braces_are_literal_text() -> None:
    class Braced(Model, table="braced"):
        a: str
        pk: str = field(pk=True, template="{{x}}#{a}")

    tpl = Braced.__dynamorm__.pk.template
    assert tpl is not None
    assert tpl.render({"a": "1"}) == "{x}#1"
    assert tpl.parse("{x}#1") == {"a": "1"}


def test_the_last_placeholder_takes_the_rest_separators_included() -> None:
    assert template("pk").render({"user_id": "a#b#c"}) == "USER#a#b#c"
    assert template("pk").parse("USER#a#b#c") == {"user_id": "a#b#c"}


def test_a_value_holding_the_next_literal_is_refused_naming_model_field_and_value() -> None:
    with pytest.raises(ValidationError, match=r"Event.by_color: the value 'a\|b' of 'color'"):
        template("by_color").compose(["a|b", "1", "a"], {"color": "a|b"})
    with pytest.raises(ValidationError, match=r"Event.by_color: the value '1\|' of 'level'"):
        template("by_color").compose(["a", "1|", "a"])


def test_parse_refuses_text_that_does_not_fit_or_whose_parts_are_not_of_their_type() -> None:
    sk = template("sk")
    assert sk.parse("PROFILE") is None
    assert sk.parse("EV#12") is None  # no separator before the last field
    assert sk.parse("EV#00001x#7") is None  # not an int
    assert template("by_color").parse("green|1|a") is None  # no such Color
    assert template("by_color").parse("red|1|c") is None  # outside the Literal
    assert sk.parse(42) is None  # type: ignore[arg-type]


def test_a_value_its_field_refuses_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match=r"Event\.n"):
        template("sk").render({"n": "x", "m": 1})
    with pytest.raises(ValidationError, match=r"Event.pk: the template 'USER#\{user_id\}' needs"):
        template("pk").render({})


def test_prefix_of_leading_values_and_the_start_of_the_next() -> None:
    sk = template("sk")
    assert sk.prefix({}) == "EV#"
    assert sk.prefix({"n": 5}) == "EV#000005#"
    assert sk.prefix({}, "0001") == "EV#0001"
    assert sk.prefix({"n": 5, "m": 2}) == "EV#000005#2"
    assert sk.prefix({"n": 5}, "1") == "EV#000005#1"
    with pytest.raises(ValidationError, match="takes its first fields"):
        sk.prefix({"m": 2})
    with pytest.raises(ValidationError, match=r"the prefix '1#' of 'n' holds '#'"):
        sk.prefix({}, "1#")
    with pytest.raises(ValidationError, match="there is no next one"):
        sk.prefix({"n": 5, "m": 2}, "x")


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ({"template": "USER#{nobody}"}, r"names 'nobody', which is not a field"),
        ({"template": "{a}{b}"}, "puts {a} and {b} side by side"),
        ({"template": "USER#{a"}, r"has an unclosed '\{' at position 5"),
        ({"template": "USER#a}"}, r"has an unmatched '\}' at position 6"),
        ({"template": "{a!r}"}, "does not name a field"),
        ({"template": "{}"}, "does not name a field"),
        ({"template": "{a}#{a}"}, "names 'a' twice"),
        ({"template": "{a:08d}"}, "a format is allowed on an int field only"),
        ({"template": "{n:x}"}, "a format is allowed on an int field only"),
        ({"template": "{n:,d}"}, "a format is allowed on an int field only"),
        ({"template": "{blob}"}, "names 'blob' of type bytes"),
        ({"template": "{tags}"}, r"names 'tags' of type list\[str\]"),
        ({"template": "{doc}"}, "stored as JSON or binary"),
        ({"template": "{other}"}, "names 'other', a field computed by a template"),
        ({"template": ""}, "must be a non-empty str"),
    ],
)
def test_bad_templates_fail_at_class_creation_naming_model_and_field(
    declaration: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidModelError, match=f"Bad: field 'pk': template .*{message}"):

        class Bad(Model, table="bad"):
            a: str
            b: str
            n: int
            blob: bytes
            tags: list[str]
            doc: str = field(default="", json=True)
            pk: str = field(pk=True, **declaration)
            other: str = field(sk=True, template="X#{a}")


def test_a_template_on_a_field_that_is_no_key_is_refused() -> None:
    with pytest.raises(InvalidModelError, match="Bad: field 'label': a template computes a key"):

        class Bad(Model, table="bad"):
            a: str
            pk: str = field(pk=True)
            label: str = field(template="L#{a}")


def test_a_template_on_a_field_that_is_not_str_is_refused() -> None:
    with pytest.raises(InvalidModelError, match="Bad: field 'pk': a template field must be str"):

        class Bad(Model, table="bad"):
            a: int
            pk: int = field(pk=True, template="{a}")


def test_a_template_field_with_a_default_is_refused() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: field 'pk': .* takes no default"):

        class Bad(Model, table="bad"):
            a: str
            pk: str = field(pk=True, template="{a}", default="x")


def test_template_fields_are_not_constructor_arguments_and_to_item_computes_them() -> None:
    ev = Event(user_id="u1", n=3, note="hi", color=Color.BLUE)
    assert ev.pk is None
    item = ev.to_item()
    assert item["pk"] == {"S": "USER#u1"}
    assert item["sk"] == {"S": "EV#000003#0"}
    assert item["by_note"] == {"S": "NOTE#hi"}
    assert item["by_color"] == {"S": "blue|1|a"}
    assert ev.pk is None  # to_item leaves the instance as it is


def test_an_index_key_missing_a_source_value_is_left_out() -> None:
    assert "by_note" not in Event(user_id="u1", n=3).to_item()


def test_a_table_key_missing_a_source_value_is_refused() -> None:
    ev = Event(user_id="u1", n=3)
    ev.user_id = None  # type: ignore[assignment]
    with pytest.raises(ValidationError, match=r"Event.pk: the template .* needs a value"):
        ev.to_item()


def test_a_value_given_by_hand_must_be_the_rendering() -> None:
    assert Event(user_id="u1", n=3, pk="USER#u1").pk == "USER#u1"
    with pytest.raises(ValidationError, match=r"Event.pk .* as 'USER#u1'; .* 'USER#u2' by hand"):
        Event(user_id="u1", n=3, pk="USER#u2")
    ev = Event(user_id="u1", n=3)
    with pytest.raises(ValidationError, match=r"Event.sk .* as 'EV#000003#0'; .* 'x' by hand"):
        ev.sk = "x"
    assert ev.sk is None
    ev.sk = "EV#000003#0"
    assert ev.sk == "EV#000003#0"


def test_from_item_parses_the_source_fields_an_item_lacks() -> None:
    ev = Event.from_item(
        {
            "pk": {"S": "USER#u9"},
            "sk": {"S": "EV#000042#7"},
            "by_note": {"S": "NOTE#a#b"},
            "by_color": {"S": "blue|2|b"},
        }
    )
    assert (ev.user_id, ev.n, ev.m, ev.note) == ("u9", 42, 7, "a#b")
    assert (ev.color, ev.level, ev.mode) == (Color.BLUE, Level.HIGH, "b")


def test_from_item_keeps_a_stored_source_attribute() -> None:
    ev = Event.from_item(
        {"pk": {"S": "USER#u9"}, "sk": {"S": "EV#000042#7"}, "user_id": {"S": "other"}}
    )
    assert (ev.user_id, ev.n) == ("other", 42)


def test_from_item_leaves_defaults_when_a_key_does_not_fit_its_template() -> None:
    ev = Event.from_item({"pk": {"S": "ACCOUNT#1"}, "sk": {"S": "PROFILE"}})
    assert (ev.user_id, ev.n, ev.m) == (None, None, 0)


def test_a_subclass_keeps_the_templates_of_its_base() -> None:
    class Special(Event, table="events"):
        extra: str = ""

    assert Special(user_id="u1", n=1).to_item()["pk"] == {"S": "USER#u1"}
    with pytest.raises(ValidationError, match=r"Special\.pk"):
        Special(user_id="u1", n=1, pk="USER#x")


def test_update_builder_actions_on_index_sources_compute_the_index_key() -> None:
    schema = Event.__dynamorm_codec__.schema
    note = schema.encode_value("note", "hey")
    assert builder_updates(Event.__dynamorm__, [("set", ["note"], note)], "update_builder") == [
        ("set", ["by_note"], "NOTE#hey")
    ]
    assert builder_updates(Event.__dynamorm__, [("remove", ["note"])], "update_builder") == [
        ("remove", ["by_note"])
    ]
    color = schema.encode_value("color", Color.BLUE)
    with pytest.raises(ValidationError, match=r"set every one of its fields .* 'level', 'mode'"):
        builder_updates(Event.__dynamorm__, [("set", ["color"], color)], "update_builder")
