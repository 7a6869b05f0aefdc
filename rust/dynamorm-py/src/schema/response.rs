//! A successful response body of an item-bearing read, decoded in one pass
//! from its raw bytes: the items become model instances as they are read.
//!
//! Only the item-bearing members are decoded here (`Item`, `Items`,
//! `Responses`). Every other member (`Count`, `LastEvaluatedKey`,
//! `UnprocessedKeys`, `ConsumedCapacity`, ...) is copied verbatim into a
//! small JSON body that botocore parses as it always does, so those keep
//! exactly botocore's shapes (binary as bytes, numbers per its model).

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;

use dynamorm_core::keys::key_part;
use dynamorm_core::schema::Operation;
use dynamorm_core::value::wire::{Av, Text};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use super::decode::decode_wire;
use super::{null_value, ItemSchema};
use crate::errors;

/// What one decode needs: the interpreter, the schemas, and where a Python
/// error raised mid-parse waits until serde has unwound.
struct Ctx<'a, 'py> {
    py: Python<'py>,
    op: Operation,
    schemas: &'a [&'a ItemSchema],
    error: RefCell<Option<PyErr>>,
}

impl Ctx<'_, '_> {
    fn fail<E: serde::de::Error>(&self, err: PyErr) -> E {
        *self.error.borrow_mut() = Some(err);
        E::custom("a Python error")
    }

    fn schema(&self, position: usize) -> Option<&ItemSchema> {
        match self.schemas {
            [one] if self.op != Operation::TransactGetItems => Some(one),
            all => all.get(position).copied(),
        }
    }
}

/// The decoded members and the rest of the body as JSON text.
pub(crate) fn decode_response<'py>(
    py: Python<'py>,
    body: &[u8],
    op: Operation,
    schemas: &[&ItemSchema],
) -> PyResult<(Bound<'py, PyDict>, Vec<u8>)> {
    let ctx = Ctx {
        py,
        op,
        schemas,
        error: RefCell::new(None),
    };
    let mut reader = serde_json::Deserializer::from_slice(body);
    let parsed = TopSeed(&ctx)
        .deserialize(&mut reader)
        .and_then(|out| reader.end().map(|()| out));
    match parsed {
        Ok((decoded, rest)) => Ok((decoded, rest)),
        Err(err) => Err(ctx
            .error
            .take()
            .unwrap_or_else(|| errors::fallback(format!("response body: {err}")))),
    }
}

struct TopSeed<'c, 'a, 'py>(&'c Ctx<'a, 'py>);

impl<'de, 'py> DeserializeSeed<'de> for TopSeed<'_, '_, 'py> {
    type Value = (Bound<'py, PyDict>, Vec<u8>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'py> Visitor<'de> for TopSeed<'_, '_, 'py> {
    type Value = (Bound<'py, PyDict>, Vec<u8>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.0;
        let py = ctx.py;
        let decoded = PyDict::new(py);
        let mut rest = Vec::with_capacity(256);
        rest.push(b'{');
        while let Some(name) = map.next_key::<Text<'de>>()? {
            let name = name.0;
            match (ctx.op, name.as_ref()) {
                (Operation::GetItem, "Item") => {
                    if let Some(schema) = ctx.schema(0) {
                        let item = map.next_value_seed(ItemSeed {
                            ctx,
                            schema,
                            keys: None,
                        })?;
                        // Another entity's item: as if there were none.
                        if let Some(item) = item {
                            set(ctx, &decoded, "Item", item)?;
                        }
                        continue;
                    }
                }
                (Operation::Query | Operation::Scan, "Items") => {
                    let items = match ctx.schemas {
                        [] => None,
                        [schema] => Some(map.next_value_seed(ItemsSeed {
                            ctx,
                            schema,
                            keys: None,
                        })?),
                        members => Some(map.next_value_seed(MixedItemsSeed { ctx, members })?),
                    };
                    if let Some(items) = items {
                        set(ctx, &decoded, "Items", items)?;
                        continue;
                    }
                }
                (Operation::BatchGetItem, "Responses") => {
                    let keys = PyDict::new(py);
                    let tables = map.next_value_seed(TablesSeed { ctx, keys: &keys })?;
                    set(ctx, &decoded, "Responses", tables)?;
                    set(ctx, &decoded, "ResponseKeys", keys)?;
                    continue;
                }
                (Operation::TransactGetItems, "Responses") => {
                    let entries = map.next_value_seed(EntriesSeed(ctx))?;
                    set(ctx, &decoded, "Responses", entries)?;
                    continue;
                }
                _ => {}
            }
            let raw: &'de RawValue = map.next_value()?;
            if rest.len() > 1 {
                rest.push(b',');
            }
            rest.extend_from_slice(
                serde_json::to_string(name.as_ref())
                    .map_err(A::Error::custom)?
                    .as_bytes(),
            );
            rest.push(b':');
            rest.extend_from_slice(raw.get().as_bytes());
        }
        rest.push(b'}');
        Ok((decoded, rest))
    }
}

fn set<'py, E: serde::de::Error>(
    ctx: &Ctx<'_, 'py>,
    dict: &Bound<'py, PyDict>,
    key: &str,
    value: impl IntoPyObject<'py>,
) -> Result<(), E> {
    dict.set_item(key, value).map_err(|err| ctx.fail(err))
}

/// One item → one model instance. With `keys`, the item's canonical table
/// key (the bytes `dynamorm_core::keys` compares keys by: partition key part,
/// then sort key part) is appended there too, for the batch get's key plan.
/// `None` for an item an entity schema does not own (its type attribute
/// missing or another's): it has no instance and no key.
struct ItemSeed<'c, 'a, 'py> {
    ctx: &'c Ctx<'a, 'py>,
    schema: &'c ItemSchema,
    keys: Option<&'c Bound<'py, PyList>>,
}

impl<'de, 'py> DeserializeSeed<'de> for ItemSeed<'_, '_, 'py> {
    type Value = Option<Bound<'py, PyAny>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'py> Visitor<'de> for ItemSeed<'_, '_, 'py> {
    type Value = Option<Bound<'py, PyAny>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an item")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Self { ctx, schema, keys } = self;
        let py = ctx.py;
        let mut values: Vec<Option<Bound<'py, PyAny>>> = vec![None; schema.fields.len()];
        // The key parts as they arrive (attributes come in any order).
        let mut parts: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        // Whether the item holds the entity's type (a plain model owns all).
        let mut owned = schema.entity.is_none();
        while let Some(name) = map.next_key::<Text<'de>>()? {
            let Some(&index) = schema.by_attr.get(name.0.as_ref()) else {
                match &schema.entity {
                    Some(entity) if name.0 == entity.attr_text => {
                        owned = entity.holds(&map.next_value::<Av<'de>>()?);
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                continue;
            };
            let f = &schema.fields[index];
            let av: Av<'de> = map.next_value()?;
            if let (Some(_), Some(part)) = (keys, f.key_part) {
                key_part(&av, &mut parts[part]).map_err(A::Error::custom)?;
            }
            values[index] = Some(read_field(ctx, schema, index, &av)?);
        }
        if !owned {
            return Ok(None);
        }
        if let Some(keys) = keys {
            let [mut key, sk] = parts;
            key.extend_from_slice(&sk);
            keys.append(PyBytes::new(py, &key))
                .map_err(|err| ctx.fail(err))?;
        }
        schema
            .instance(py, values)
            .map(Some)
            .map_err(|err| ctx.fail(err))
    }
}

/// The value of field `index` of `schema` read from `av`.
fn read_field<'py, E: serde::de::Error>(
    ctx: &Ctx<'_, 'py>,
    schema: &ItemSchema,
    index: usize,
    av: &Av<'_>,
) -> Result<Bound<'py, PyAny>, E> {
    let f = &schema.fields[index];
    let value = match av {
        Av::Null => null_value(f, ctx.py),
        av => decode_wire(ctx.py, f, av),
    };
    value.map_err(|err| ctx.fail(err))
}

/// One item of a collection (a Query over several entity models sharing a
/// partition) → an instance of the member whose entity its type attribute
/// names; `None` for an item naming none of them, or without the attribute.
/// Attributes arrive in any order, so they are held (borrowed from the body
/// where possible) until the type attribute has chosen the schema.
struct MixedItemSeed<'c, 'a, 'py> {
    ctx: &'c Ctx<'a, 'py>,
    members: &'c [&'c ItemSchema],
}

impl<'de, 'py> DeserializeSeed<'de> for MixedItemSeed<'_, '_, 'py> {
    type Value = Option<Bound<'py, PyAny>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'py> Visitor<'de> for MixedItemSeed<'_, '_, 'py> {
    type Value = Option<Bound<'py, PyAny>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an item")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Self { ctx, members } = self;
        // Every member is an entity model with the same type attribute
        // (`dynamorm.query.members` checks it).
        let Some(attr) = members[0].entity.as_ref().map(|e| e.attr_text.as_str()) else {
            return Err(A::Error::custom(
                "a collection member is not an entity model",
            ));
        };
        let mut attrs: Vec<(Text<'de>, Av<'de>)> = Vec::with_capacity(16);
        let mut schema = None;
        while let Some(name) = map.next_key::<Text<'de>>()? {
            let av: Av<'de> = map.next_value()?;
            if name.0 == attr {
                schema = members
                    .iter()
                    .copied()
                    .find(|m| m.entity.as_ref().is_some_and(|e| e.holds(&av)));
            } else {
                attrs.push((name, av));
            }
        }
        let Some(schema) = schema else {
            return Ok(None);
        };
        let mut values: Vec<Option<Bound<'py, PyAny>>> = vec![None; schema.fields.len()];
        for (name, av) in &attrs {
            if let Some(&index) = schema.by_attr.get(name.0.as_ref()) {
                values[index] = Some(read_field(ctx, schema, index, av)?);
            }
        }
        schema
            .instance(ctx.py, values)
            .map(Some)
            .map_err(|err| ctx.fail(err))
    }
}

/// A collection's list of items → a list of instances of its members, in
/// the order read (items of no member left out).
struct MixedItemsSeed<'c, 'a, 'py> {
    ctx: &'c Ctx<'a, 'py>,
    members: &'c [&'c ItemSchema],
}

impl<'de, 'py> DeserializeSeed<'de> for MixedItemsSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyList>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, 'py> Visitor<'de> for MixedItemsSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyList>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let out = PyList::empty(self.ctx.py);
        while let Some(model) = seq.next_element_seed(MixedItemSeed {
            ctx: self.ctx,
            members: self.members,
        })? {
            if let Some(model) = model {
                out.append(model).map_err(|err| self.ctx.fail(err))?;
            }
        }
        Ok(out)
    }
}

/// A list of items → a list of model instances.
struct ItemsSeed<'c, 'a, 'py> {
    ctx: &'c Ctx<'a, 'py>,
    schema: &'c ItemSchema,
    keys: Option<&'c Bound<'py, PyList>>,
}

impl<'de, 'py> DeserializeSeed<'de> for ItemsSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyList>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, 'py> Visitor<'de> for ItemsSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyList>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let out = PyList::empty(self.ctx.py);
        while let Some(model) = seq.next_element_seed(ItemSeed {
            ctx: self.ctx,
            schema: self.schema,
            keys: self.keys,
        })? {
            if let Some(model) = model {
                out.append(model).map_err(|err| self.ctx.fail(err))?;
            }
        }
        Ok(out)
    }
}

/// BatchGetItem's `Responses`: table → items; every table is read with the
/// one schema (the library reads one model per batch).
struct TablesSeed<'c, 'a, 'py> {
    ctx: &'c Ctx<'a, 'py>,
    keys: &'c Bound<'py, PyDict>,
}

impl<'de, 'py> DeserializeSeed<'de> for TablesSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyDict>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'py> Visitor<'de> for TablesSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyDict>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of table names to items")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let py = ctx.py;
        let Some(schema) = ctx.schema(0) else {
            return Err(A::Error::custom("no schema for BatchGetItem"));
        };
        let out = PyDict::new(py);
        while let Some(table) = map.next_key::<Text<'de>>()? {
            let table = PyString::new(py, &table.0);
            let keys = PyList::empty(py);
            let items = map.next_value_seed(ItemsSeed {
                ctx,
                schema,
                keys: Some(&keys),
            })?;
            set(ctx, &out, table.to_str().unwrap_or_default(), items)?;
            self.keys
                .set_item(table, keys)
                .map_err(|err| ctx.fail(err))?;
        }
        Ok(out)
    }
}

/// TransactGetItems' `Responses`: one `{"Item": ...}` (or `{}`) per read,
/// each read with the schema of its position.
struct EntriesSeed<'c, 'a, 'py>(&'c Ctx<'a, 'py>);

impl<'de, 'py> DeserializeSeed<'de> for EntriesSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyList>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, 'py> Visitor<'de> for EntriesSeed<'_, '_, 'py> {
    type Value = Bound<'py, PyList>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of item responses")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ctx = self.0;
        let out = PyList::empty(ctx.py);
        let mut position = 0;
        loop {
            let Some(schema) = ctx.schema(position) else {
                // More entries than reads: the request and response disagree.
                return match seq.next_element::<IgnoredAny>()? {
                    None => Ok(out),
                    Some(_) => Err(A::Error::custom("more responses than reads")),
                };
            };
            let Some(entry) = seq.next_element_seed(EntrySeed { ctx, schema })? else {
                return Ok(out);
            };
            out.append(entry).map_err(|err| ctx.fail(err))?;
            position += 1;
        }
    }
}

struct EntrySeed<'c, 'a, 'py> {
    ctx: &'c Ctx<'a, 'py>,
    schema: &'c ItemSchema,
}

impl<'de, 'py> DeserializeSeed<'de> for EntrySeed<'_, '_, 'py> {
    type Value = Bound<'py, PyDict>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'py> Visitor<'de> for EntrySeed<'_, '_, 'py> {
    type Value = Bound<'py, PyDict>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an item response")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let out = PyDict::new(self.ctx.py);
        while let Some(name) = map.next_key::<Text<'de>>()? {
            if name.0 == Cow::Borrowed("Item") {
                let item = map.next_value_seed(ItemSeed {
                    ctx: self.ctx,
                    schema: self.schema,
                    keys: None,
                })?;
                if let Some(item) = item {
                    set(self.ctx, &out, "Item", item)?;
                }
            } else {
                return Err(A::Error::custom(format!(
                    "unexpected member {:?} in an item response",
                    name.0
                )));
            }
        }
        Ok(out)
    }
}
