"""Key templates: ``field(template="USER#{user_id}")`` (SPEC §17).

A template is text with placeholders, ``{name}`` or ``{name:FORMAT}``, each
naming another field of the model. The field that carries it (a table or
index key, of type ``str``) is computed from those fields on every write and
parsed back into them on read. ``{{`` and ``}}`` stand for literal braces.

Each value is rendered as its field stores it — an ``int`` or ``Decimal``
as its number text, a ``datetime`` as its RFC 3339 text, a ``date`` as
``YYYY-MM-DD``, a ``UUID`` in canonical form, an ``Enum`` as its stored
value — and ``FORMAT``, allowed on ``int`` fields only, is applied with
``format()``: ``{n:08d}`` zero-pads to 8 digits (only when asked).

Reading a key back is the inverse of writing it, by this rule: the text
before the first placeholder must match; each placeholder but the last
takes the shortest text up to the literal that follows it; the last takes
the rest, up to the template's closing literal. So two placeholders need a
literal between them (``{a}{b}`` is refused at class creation), and a value
that holds the literal following its placeholder (``a#b`` in
``{x}#{y}``) would read back differently: it is refused on write with a
``ValidationError`` naming model, field and value. Any text a template
renders therefore parses back to the values it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dynamorm.errors import InvalidModelError, ValidationError

if TYPE_CHECKING:
    from dynamorm.model.fields import FieldInfo

__all__ = ["SOURCE_KINDS", "Template", "compile_template"]

SOURCE_KINDS = frozenset(
    {"str", "int", "decimal", "datetime", "date", "uuid", "enum", "literal", "custom"}
)
"""Kinds of field a placeholder may name (an enum, literal or registered type
only when stored as ``S`` or ``N``)."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT_FORMAT = re.compile(r"0?[0-9]*d?")
"""The format specs an ``int`` placeholder takes: an optional ``0`` flag and
width and an optional ``d`` — decimal digits that read back as the number."""


class Template:
    """A parsed key template of one field of one model.

    ``fields`` names the fields of the placeholders, in order; ``literals``
    holds the texts around them (one more than ``fields``). ``render`` makes
    the key text from field values, ``parse`` reads one back, ``prefix``
    makes the text every key starting with the given leading values begins
    with. Built by ``compile_template`` when the model class is created.
    """

    __slots__ = ("_formats", "_kinds", "_owner", "_tags", "field", "fields", "literals", "text")

    text: str
    """The template as declared."""
    field: str
    """The name of the field the template computes."""
    fields: tuple[str, ...]
    """The fields of the placeholders, in order."""
    literals: tuple[str, ...]
    """The literal texts before, between and after the placeholders."""

    def __init__(
        self,
        owner: type,
        field: str,
        text: str,
        literals: Sequence[str],
        sources: Sequence[tuple[str, str, str, str | None]],
    ) -> None:
        self._owner = owner
        self.field = field
        self.text = text
        self.literals = tuple(literals)
        self.fields = tuple(name for name, _, _, _ in sources)
        self._kinds = tuple(kind for _, kind, _, _ in sources)
        self._tags = tuple(tag for _, _, tag, _ in sources)
        self._formats = tuple(spec for _, _, _, spec in sources)

    def __repr__(self) -> str:
        return f"Template({self.text!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Template):
            return NotImplemented
        return self.text == other.text and self.fields == other.fields

    def __hash__(self) -> int:
        return hash(self.text)

    @property
    def _label(self) -> str:
        return f"{self._owner.__name__}.{self.field}"

    def _schema(self) -> Any:
        return self._owner.__dict__["__dynamorm_codec__"].schema

    # -- writing ----------------------------------------------------------

    def stored_text(self, position: int, value: Any) -> str:
        """The text of the ``position``-th placeholder's value as the key
        holds it: the field's stored text, formatted when the placeholder
        says so. A value its field refuses raises ``ValidationError``."""
        name = self.fields[position]
        if value is None:
            raise ValidationError(
                f"{self._label}: the template {self.text!r} needs a value for {name!r}"
            )
        if self._kinds[position] == "str" and type(value) is str:
            text = value
        else:
            encoded = self._schema().encode_path(name, [], value)
            text = encoded.av[self._tags[position]]
        return self.piece(position, text)

    def piece(self, position: int, stored: str) -> str:
        """``stored`` (the stored text of the ``position``-th placeholder's
        field) as it appears in the key: with the placeholder's format
        applied."""
        spec = self._formats[position]
        if spec is None:
            return stored
        return format(int(stored), spec)

    def render(self, values: Mapping[str, Any]) -> str:
        """The key text for ``values`` (field name → value). A missing
        value, a value its field refuses, or one that would not read back
        (it holds the literal that follows it) raises ``ValidationError``
        naming the model, field and value."""
        pieces = []
        for i, name in enumerate(self.fields):
            value = values.get(name)
            if type(value) is str and self._kinds[i] == "str":
                pieces.append(value)
            else:
                pieces.append(self.stored_text(i, value))
        return self.compose(pieces, values)

    def compose(self, pieces: Sequence[str], values: Mapping[str, Any] | None = None) -> str:
        """The key text of the placeholders' texts ``pieces`` (all of them),
        checked to read back as those pieces; ``values`` are only shown in
        the error."""
        lit = self.literals
        count = len(self.fields)
        if count == 1:
            text = lit[0] + pieces[0] + lit[1]
        else:
            text = self._join(pieces, count)
            # A piece can end early only where the literal after it starts.
            if any(lit[i + 1][0] in pieces[i] for i in range(count - 1)):
                self._check(text, pieces, values)
        if not text:
            raise ValidationError(f"{self._label}: the template {self.text!r} renders as ''")
        return text

    def prefix(self, values: Mapping[str, Any], partial_next: str | None = None) -> str:
        """The text every key whose leading placeholders hold ``values``
        starts with (``values`` names the first fields, in template order),
        continued with ``partial_next``, the beginning of the next
        placeholder's text. Raises ``ValidationError`` when ``values`` are
        not leading fields, or when a value or ``partial_next`` holds the
        literal that follows its placeholder (the prefix would then match
        keys of other values)."""
        count = len(values)
        if set(values) != set(self.fields[:count]):
            raise ValidationError(
                f"{self._label}: a prefix of template {self.text!r} takes its first fields "
                f"{list(self.fields[:count])}, got {sorted(values)}"
            )
        pieces = [self.stored_text(i, values[name]) for i, name in enumerate(self.fields[:count])]
        return self.prefix_of(pieces, partial_next, values)

    def prefix_of(
        self,
        pieces: Sequence[str],
        partial_next: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> str:
        """``prefix`` from the texts of the leading placeholders."""
        count = len(pieces)
        if count == len(self.fields):
            if partial_next is not None:
                raise ValidationError(
                    f"{self._label}: every field of template {self.text!r} is given; "
                    "there is no next one to begin"
                )
            return self.compose(pieces, values)
        text = self._join(pieces, count)
        found = self._leading(text, count)
        if found is None or found[0] != list(pieces) or found[1] != len(text):
            self._refuse(text, pieces, found[0] if found else None, values)
        if partial_next is None:
            return text
        if count + 1 < len(self.fields):
            after = self.literals[count + 1]
            for start in range(len(partial_next)):
                rest = partial_next[start:]
                if rest.startswith(after) or after.startswith(rest):
                    raise ValidationError(
                        f"{self._label}: the prefix {partial_next!r} of "
                        f"{self.fields[count]!r} holds {after!r} (or its start), which "
                        f"separates it from the next part of template {self.text!r}; "
                        "keys of other values would match it"
                    )
        return text + partial_next

    def _join(self, pieces: Sequence[str], count: int) -> str:
        lit = self.literals
        parts = [lit[0]]
        for i in range(count):
            parts.append(pieces[i])
            parts.append(lit[i + 1])
        return "".join(parts)

    def _check(self, text: str, pieces: Sequence[str], values: Mapping[str, Any] | None) -> None:
        found = self.split(text)
        if found != list(pieces):
            self._refuse(text, pieces, found, values)

    def _refuse(
        self,
        text: str,
        pieces: Sequence[str],
        found: list[str] | None,
        values: Mapping[str, Any] | None,
    ) -> None:
        found = found or []
        at = next(
            (i for i, piece in enumerate(pieces) if i >= len(found) or found[i] != piece),
            len(pieces) - 1,
        )
        name = self.fields[at]
        shown = values[name] if values is not None and name in values else pieces[at]
        after = self.literals[at + 1]
        raise ValidationError(
            f"{self._label}: the value {shown!r} of {name!r} holds {after!r}, which separates "
            f"it from the next part of template {self.text!r}: the key {text!r} would not "
            "read back as the values it was made from"
        )

    # -- reading ----------------------------------------------------------

    def split(self, text: str) -> list[str] | None:
        """The texts of the placeholders in the key ``text`` (by the rule of
        the module docstring), or ``None`` when it does not fit the template."""
        if not isinstance(text, str):
            return None
        count = len(self.fields)
        if count == 0:
            return [] if text == self.literals[0] else None
        found = self._leading(text, count - 1)
        if found is None:
            return None
        pieces, pos = found
        tail = self.literals[count]
        end = len(text) - len(tail)
        if end < pos or not text.endswith(tail):
            return None
        pieces.append(text[pos:end])
        return pieces

    def _leading(self, text: str, count: int) -> tuple[list[str], int] | None:
        """The texts of the first ``count`` placeholders of ``text`` (each
        ended by the first occurrence of its following literal) and where
        they end."""
        head = self.literals[0]
        if not text.startswith(head):
            return None
        pos = len(head)
        pieces: list[str] = []
        for i in range(count):
            after = self.literals[i + 1]
            end = text.find(after, pos)
            if end < 0:
                return None
            pieces.append(text[pos:end])
            pos = end + len(after)
        return pieces, pos

    def parse(self, text: str) -> dict[str, Any] | None:
        """The field values the key ``text`` holds (field name → value of
        the field's type), or ``None`` when it does not fit the template or
        a part does not read as its field's type."""
        pieces = self.split(text)
        if pieces is None:
            return None
        out: dict[str, Any] = {}
        schema = None
        for i, piece in enumerate(pieces):
            name = self.fields[i]
            if self._kinds[i] == "str":
                out[name] = piece
                continue
            if self._formats[i] is not None and _INT_TEXT.fullmatch(piece) is None:
                return None
            schema = schema or self._schema()
            try:
                out[name] = schema.decode_field(name, {self._tags[i]: piece})
            except ValidationError:
                return None
        return out


_INT_TEXT = re.compile(r"-?[0-9]+")


def _fail(owner: type, field: str, text: Any, message: str) -> InvalidModelError:
    return InvalidModelError(f"{owner.__name__}: field {field!r}: template {text!r} {message}")


def _scan(owner: type, field: str, text: str) -> tuple[list[str], list[tuple[str, str | None]]]:
    """The literals and placeholders (name, format) of ``text``."""
    literals: list[str] = []
    holes: list[tuple[str, str | None]] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "{}" and text.startswith(ch * 2, i):
            current.append(ch)
            i += 2
            continue
        if ch == "}":
            raise _fail(owner, field, text, f"has an unmatched '}}' at position {i}")
        if ch != "{":
            current.append(ch)
            i += 1
            continue
        end = text.find("}", i + 1)
        inner = text[i + 1 : end] if end >= 0 else ""
        if end < 0 or "{" in inner:
            raise _fail(owner, field, text, f"has an unclosed '{{' at position {i}")
        name, colon, spec = inner.partition(":")
        if _NAME.fullmatch(name) is None:
            raise _fail(
                owner,
                field,
                text,
                f"has a placeholder {{{inner}}} at position {i} that does not name a field "
                "(write {name} or {name:FORMAT})",
            )
        if literals and not current:
            raise _fail(
                owner,
                field,
                text,
                f"puts {{{holes[-1][0]}}} and {{{name}}} side by side: a literal must separate "
                "two placeholders, or the key could not be read back",
            )
        literals.append("".join(current))
        current = []
        holes.append((name, spec if colon else None))
        i = end + 1
    literals.append("".join(current))
    return literals, holes


def compile_template(
    owner: type,
    target: FieldInfo,
    text: Any,
    fields: Mapping[str, FieldInfo],
    templated: frozenset[str] = frozenset(),
) -> Template:
    """The ``Template`` of field ``target`` of model ``owner``, checked
    against the model's ``fields``: each placeholder names a field that is
    not itself computed by a template (``templated``), of a kind in
    ``SOURCE_KINDS`` stored as ``S`` or ``N`` (not ``json``, not ``binary``),
    at most once; a format only on an ``int`` field. Raises
    ``InvalidModelError`` naming the model and field."""
    name = target.name
    if not isinstance(text, str) or not text:
        raise _fail(owner, name, text, "must be a non-empty str")
    literals, holes = _scan(owner, name, text)
    sources: list[tuple[str, str, str, str | None]] = []
    seen: set[str] = set()
    for hole, spec in holes:
        source = fields.get(hole)
        if source is None:
            known = ", ".join(sorted(n for n in fields if n != name))
            raise _fail(owner, name, text, f"names {hole!r}, which is not a field ({known})")
        if hole in seen:
            raise _fail(owner, name, text, f"names {hole!r} twice")
        seen.add(hole)
        if hole == name or hole in templated or source.template is not None:
            raise _fail(owner, name, text, f"names {hole!r}, a field computed by a template")
        tag = source.info.tag
        if source.info.kind not in SOURCE_KINDS or tag not in ("S", "N"):
            raise _fail(
                owner,
                name,
                text,
                f"names {hole!r} of type {source.info.describe()}; a placeholder takes a "
                "str, int, Decimal, datetime, date, UUID, a str/int Enum or Literal, or a "
                "registered type stored as str or a number",
            )
        if source.json or source.binary:
            raise _fail(owner, name, text, f"names {hole!r}, which is stored as JSON or binary")
        if spec is not None and (source.info.kind != "int" or _INT_FORMAT.fullmatch(spec) is None):
            raise _fail(
                owner,
                name,
                text,
                f"formats {hole!r} with {spec!r}; a format is allowed on an int field "
                "only, as zero-padding: {n:08d}",
            )
        sources.append((hole, source.info.kind, tag, spec or None))
    return Template(owner, name, text, literals, sources)
