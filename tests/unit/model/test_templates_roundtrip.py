"""Key templates read back as written (SPEC §17): for generated values —
text full of ``#`` and of the templates' own separators, numbers, dates,
UUIDs — ``parse(render(values)) == values`` whenever ``render`` accepts them,
and ``render`` refuses only a value that holds the literal after it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from dynamorm.errors import ValidationError
from dynamorm.model import Model
from dynamorm.model.fields import field
from dynamorm.model.templates import Template
from hypothesis import given, settings
from hypothesis import strategies as st


class Shapes(Model, table="shapes"):
    a: str
    b: str = ""
    c: str = ""
    n: int = 0
    day: date | None = None
    at: datetime | None = None
    ref: uuid.UUID | None = None
    price: Decimal = Decimal(0)
    pk: str = field(pk=True, template="USER#{a}")
    sk: str = field(sk=True, template="ORDER#{day}#{n:08d}#{b}")
    g1: str | None = field(gsi_pk="one", template="{a}#{b}")
    g2: str | None = field(gsi_sk="one", template="X{a}##{b}|{c}Y")
    g3: str | None = field(gsi_pk="two", template="{ref}#{at}#{price}#{a}")
    g4: str | None = field(gsi_sk="two", template="{n}:{a}")


def template(name: str) -> Template:
    found = Shapes.__dynamorm__.by_name[name].template
    assert found is not None
    return found


TEMPLATES = ("pk", "sk", "g1", "g2", "g3", "g4")

texts = st.text(alphabet=st.sampled_from("ab#|XY:-09 é"), max_size=8)
values = st.fixed_dictionaries(
    {
        "a": texts,
        "b": texts,
        "c": texts,
        "n": st.integers(min_value=-(10**12), max_value=10**12),
        "day": st.dates(min_value=date(1, 1, 1)),
        "at": st.datetimes(timezones=st.just(UTC)),
        "ref": st.uuids(),
        "price": st.decimals(allow_nan=False, allow_infinity=False, places=3).filter(
            lambda d: abs(d) < Decimal("1E20")
        ),
    }
)


def holds_a_separator(tpl: Template, vals: dict[str, Any]) -> bool:
    """Whether a value other than the last one's contains (or ends in the
    start of) the literal that follows it."""
    for i, name in enumerate(tpl.fields[:-1]):
        after = tpl.literals[i + 1]
        text = tpl.stored_text(i, vals[name])
        if any(
            text[start:].startswith(after) or after.startswith(text[start:])
            for start in range(len(text))
        ):
            return True
    return False


@pytest.mark.parametrize("name", TEMPLATES)
@settings(max_examples=300, deadline=None)
@given(vals=values)
def test_parse_inverts_render_for_every_value_render_accepts(
    name: str, vals: dict[str, Any]
) -> None:
    tpl = template(name)
    wanted = {n: vals[n] for n in tpl.fields}
    try:
        text = tpl.render(wanted)
    except ValidationError:
        assert holds_a_separator(tpl, wanted)
        return
    assert tpl.parse(text) == wanted
    assert tpl.render(tpl.parse(text) or {}) == text


@pytest.mark.parametrize("name", TEMPLATES)
@settings(max_examples=200, deadline=None)
@given(vals=values)
def test_values_without_the_separators_are_never_refused(name: str, vals: dict[str, Any]) -> None:
    tpl = template(name)
    wanted = {n: vals[n] for n in tpl.fields}
    if not holds_a_separator(tpl, wanted):
        assert tpl.parse(tpl.render(wanted)) == wanted


@pytest.mark.parametrize("name", TEMPLATES)
@settings(max_examples=200, deadline=None)
@given(vals=values, cut=st.integers(min_value=0, max_value=4))
def test_keys_of_leading_values_begin_with_their_prefix(
    name: str, vals: dict[str, Any], cut: int
) -> None:
    tpl = template(name)
    wanted = {n: vals[n] for n in tpl.fields}
    leading = {n: wanted[n] for n in tpl.fields[:cut]}
    try:
        text = tpl.render(wanted)
        prefix = tpl.prefix(leading)
    except ValidationError:
        return
    assert text.startswith(prefix)
