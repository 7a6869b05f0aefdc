//! Bindings for compiled model schemas: `ItemSchema`, the item codec.
//!
//! A model's fields are compiled once (when the model class is created) into
//! a frozen `ItemSchema`; writing and reading whole items then runs here in
//! one call, with no per-field Python code. The rules come from
//! `dynamorm_core::schema`.

mod dataclass;
mod decode;
mod decode_set;
mod encode;
mod entity;
mod field;
mod key_dicts;
mod response;
mod time;
mod tree;

use std::collections::HashMap;

use dynamorm_core::schema::Operation;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySet, PyString, PyTuple, PyType};
use pyo3::{PyTraverseError, PyVisit};

use crate::cache::object_new;
use crate::errors;
use crate::expr::encoded::Encoded;
use entity::Entity;
use field::{Descriptor, Field};

/// The compiled item codec of one model: its fields' names, attribute names,
/// kinds, roles and options, fixed at construction.
///
/// ``ItemSchema(model_name, model_cls, fields, entity=None, fill=None)`` where
/// each field is a dict with the keys ``name``, ``attr``, ``kind``, ``element``,
/// ``optional``, ``roles``, ``index_key``, ``omit_empty``, ``json``, ``binary``,
/// ``type_repr``, ``dataclass_type``, ``default``, ``default_factory`` and
/// ``from_keys`` (``dynamorm.codec`` builds them from a ``ModelMeta``).
/// ``entity``, an ``(attribute, value)`` pair, is the type attribute of an
/// entity model: ``to_item`` writes it into every item, and
/// ``decode_response`` leaves out every item that does not hold it
/// (``from_item`` ignores it, as it ignores every attribute that is not a
/// field). ``fill(instance, names)`` is called on every instance read from an
/// item that lacks the attributes of ``from_keys`` fields (``names``: those
/// fields), to parse them from the key templates.
#[pyclass(frozen, module = "dynamorm._core")]
pub struct ItemSchema {
    model: String,
    cls: Py<PyType>,
    fields: Vec<Field>,
    by_name: HashMap<String, usize>,
    /// Field index by attribute name, for items read from the wire.
    by_attr: HashMap<String, usize>,
    keys: Vec<usize>,
    entity: Option<Entity>,
    /// Fills the `from_keys` fields an item lacks (see the class docs).
    fill: Option<Py<PyAny>>,
}

#[pymethods]
impl ItemSchema {
    #[new]
    #[pyo3(signature = (model_name, model_cls, fields, entity = None, fill = None))]
    fn new(
        py: Python<'_>,
        model_name: String,
        model_cls: Py<PyType>,
        fields: Vec<Descriptor>,
        entity: Option<(String, String)>,
        fill: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let fields = fields
            .into_iter()
            .map(|d| Field::compile(py, &model_name, d))
            .collect::<PyResult<Vec<_>>>()?;
        let mut by_name = HashMap::with_capacity(fields.len());
        for (index, f) in fields.iter().enumerate() {
            let name = f.name.bind(py).to_str()?.to_owned();
            if by_name.insert(name, index).is_some() {
                return Err(errors::invalid_model(format!(
                    "{}: two fields named {:?}",
                    model_name,
                    f.name.bind(py).to_str()?
                )));
            }
        }
        let keys = (0..fields.len()).filter(|&i| fields[i].is_key).collect();
        let mut by_attr = HashMap::with_capacity(fields.len());
        for (index, f) in fields.iter().enumerate() {
            by_attr.insert(f.attr.bind(py).to_str()?.to_owned(), index);
        }
        if let Some((attr, _)) = &entity {
            if by_attr.contains_key(attr) {
                return Err(errors::invalid_model(format!(
                    "{model_name}: the type attribute '{attr}' is also a field's attribute"
                )));
            }
        }
        let entity = entity.map(|(attr, value)| Entity::new(py, attr, value));
        Ok(ItemSchema {
            model: model_name,
            cls: model_cls,
            fields,
            by_name,
            by_attr,
            keys,
            entity,
            fill,
        })
    }

    /// The model's name, as used in error messages.
    #[getter]
    fn model_name(&self) -> &str {
        &self.model
    }

    /// The type attribute of an entity model: ``(attribute, value)``, or
    /// ``None``.
    #[getter]
    fn entity<'py>(&self, py: Python<'py>) -> Option<(Bound<'py, PyString>, Bound<'py, PyString>)> {
        self.entity.as_ref().map(|entity| entity.pair(py))
    }

    /// The field names, in declaration order.
    #[getter]
    fn field_names(&self, py: Python<'_>) -> Vec<Py<PyString>> {
        self.fields.iter().map(|f| f.name.clone_ref(py)).collect()
    }

    /// The item of a model instance, as it would be written:
    /// ``{attribute name: attribute value}`` (with an entity model's type
    /// attribute).
    ///
    /// Raises ``ValidationError`` naming ``Model.field`` for a value that
    /// cannot be stored.
    fn to_item<'py>(&self, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let py = obj.py();
        let values = instance_dict(obj)?;
        let item = PyDict::new(py);
        for f in &self.fields {
            if let Some(av) = encode::encode(f, &field_value(&values, f)?)? {
                item.set_item(f.attr.bind(py), av)?;
            }
        }
        if let Some(entity) = &self.entity {
            entity.write(&item)?;
        }
        Ok(item)
    }

    /// A model instance read from a stored item, made without calling
    /// ``__init__``: missing attributes take their field's default, ``NULL``
    /// attributes become ``None``.
    ///
    /// Raises ``ValidationError`` naming ``Model.field`` for an attribute
    /// that cannot be read as its field's type. An instance of the model
    /// itself (an item the fast read path already decoded) is returned as it
    /// is.
    #[allow(clippy::wrong_self_convention)] // the Python method name
    fn from_item<'py>(&self, item: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = item.py();
        if item.get_type().is(self.cls.bind(py)) {
            return Ok(item.clone());
        }
        let values = PyDict::new(py);
        let exact = item.cast_exact::<PyDict>().ok();
        let mut missing = Vec::new();
        for (index, f) in self.fields.iter().enumerate() {
            let av = match exact {
                Some(dict) => dict.get_item(f.attr.bind(py))?,
                None => {
                    let found = item.call_method1(intern!(py, "get"), (f.attr.bind(py),))?;
                    (!found.is_none()).then_some(found)
                }
            };
            let value = match av {
                None => {
                    if f.from_keys {
                        missing.push(index);
                    }
                    f.make_default(py)?
                }
                Some(av) if is_null(&av)? => null_value(f, py)?,
                Some(av) => decode::decode(f, &av).map_err(|err| with_item(py, err, item))?,
            };
            values.set_item(f.name.bind(py), value)?;
        }
        let obj = object_new(py)?.call1((self.cls.bind(py),))?;
        obj.setattr(intern!(py, "__dict__"), values)?;
        if !missing.is_empty() {
            self.fill_from_keys(&obj, &missing)?;
        }
        Ok(obj)
    }

    /// The attribute value of one field (by field name) holding ``value``, or
    /// ``None`` when the attribute would be left out of the item.
    fn encode_field<'py>(
        &self,
        name: &str,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        encode::encode(self.field(name)?, value)
    }

    /// ``encode_field``'s attribute value as an ``Encoded`` (what the
    /// expression compiler takes as it is), or ``None`` when the attribute
    /// would be left out of the item.
    fn encode_value(&self, name: &str, value: &Bound<'_, PyAny>) -> PyResult<Option<Encoded>> {
        Ok(encode::encode(self.field(name)?, value)?.map(Encoded::wrap))
    }

    /// ``value`` encoded as the type at ``path`` under field ``name`` stores
    /// it (``path``: the map keys and list indexes below the field, e.g.
    /// ``["geo", "lat"]``), as an ``Encoded``; with ``element``, as an element
    /// of the list or set there (what ``contains`` compares). ``None`` when
    /// the path leads where nothing is typed (an untyped ``dict``, ``Any``):
    /// the value is then compared as given.
    #[pyo3(signature = (name, path, value, element = false))]
    fn encode_path(
        &self,
        name: &str,
        path: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        element: bool,
    ) -> PyResult<Option<Encoded>> {
        let f = self.field(name)?;
        let mut steps = Vec::new();
        let mut label = f.label.clone();
        let texts: Vec<Bound<'_, PyAny>> = path.try_iter()?.collect::<PyResult<_>>()?;
        let keys: Vec<Option<String>> = texts.iter().map(|s| s.extract::<String>().ok()).collect();
        for (item, key) in texts.iter().zip(&keys) {
            match key {
                Some(key) => {
                    label.push('.');
                    label.push_str(key);
                    steps.push(tree::Step::Key(key));
                }
                None => {
                    let index: usize = item.extract().map_err(|_| {
                        errors::validation(format!(
                            "{label}: a path step must be a str or an int >= 0"
                        ))
                    })?;
                    label.push_str(&format!("[{index}]"));
                    steps.push(tree::Step::Index(index));
                }
            }
        }
        let Some(root) = &f.tree else {
            return if steps.is_empty() && !element {
                Ok(encode::encode(f, value)?.map(Encoded::wrap))
            } else {
                Ok(None)
            };
        };
        let Some(mut node) = root.at(&steps) else {
            return Ok(None);
        };
        if element {
            match node.element() {
                Some(inner) => node = inner,
                None => return Ok(None),
            }
        }
        if matches!(node.node, tree::Node::Any) {
            return Ok(None);
        }
        let av = tree::encode(node, value).map_err(|err| err.into_pyerr(&label))?;
        Ok(Some(Encoded::wrap(av)))
    }

    /// The value of one field (by field name) read from a stored attribute
    /// value; ``None`` for ``NULL``.
    fn decode_field<'py>(&self, name: &str, av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let f = self.field(name)?;
        if is_null(av)? {
            return null_value(f, av.py());
        }
        decode::decode(f, av)
    }

    /// The table keys (``{attribute: attribute value}``) of the plain keys at
    /// the start of ``keys`` — ``(pk, sk)`` tuples and ``key_pair`` instances
    /// when ``sk_name`` is given, else bare partition-key values and
    /// ``key_pair`` instances without ``sk`` — up to the first key of
    /// another form (for bare values, an instance of ``other_forms``), with a
    /// ``None`` part, or with a value its field refuses.
    #[pyo3(signature = (keys, pk_name, sk_name, key_pair, other_forms))]
    fn plain_key_dicts<'py>(
        &self,
        keys: &Bound<'py, PyList>,
        pk_name: &str,
        sk_name: Option<&str>,
        key_pair: &Bound<'py, PyType>,
        other_forms: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (pk, sk) = self.key_fields(pk_name, sk_name)?;
        key_dicts::plain(pk, sk, keys, key_pair, other_forms)
    }

    /// The table key of a model instance: ``{key attribute: attribute
    /// value}`` for the partition key and the sort key, if any.
    fn key_of<'py>(&self, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let py = obj.py();
        let values = instance_dict(obj)?;
        let key = PyDict::new(py);
        for &index in &self.keys {
            let f = &self.fields[index];
            if let Some(av) = encode::encode(f, &field_value(&values, f)?)? {
                key.set_item(f.attr.bind(py), av)?;
            }
        }
        Ok(key)
    }

    fn __repr__(&self) -> String {
        format!("<ItemSchema {} ({} fields)>", self.model, self.fields.len())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.cls)?;
        if let Some(fill) = &self.fill {
            visit.call(fill)?;
        }
        for f in &self.fields {
            f.traverse(&visit)?;
        }
        Ok(())
    }
}

impl ItemSchema {
    /// A model instance holding `values` (by field index), made without
    /// calling `__init__`; fields without a value take their default.
    fn instance<'py>(
        &self,
        py: Python<'py>,
        values: Vec<Option<Bound<'py, PyAny>>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let dict = PyDict::new(py);
        let mut missing = Vec::new();
        for (index, (f, value)) in self.fields.iter().zip(values).enumerate() {
            let value = match value {
                Some(value) => value,
                None => {
                    if f.from_keys {
                        missing.push(index);
                    }
                    f.make_default(py)?
                }
            };
            dict.set_item(f.name.bind(py), value)?;
        }
        let obj = object_new(py)?.call1((self.cls.bind(py),))?;
        obj.setattr(intern!(py, "__dict__"), dict)?;
        if !missing.is_empty() {
            self.fill_from_keys(&obj, &missing)?;
        }
        Ok(obj)
    }

    /// Calls `fill(obj, names)` with the names of the `from_keys` fields
    /// (by index, `missing`) whose attributes the item lacked.
    fn fill_from_keys(&self, obj: &Bound<'_, PyAny>, missing: &[usize]) -> PyResult<()> {
        let Some(fill) = &self.fill else {
            return Ok(());
        };
        let py = obj.py();
        let names = PyList::new(py, missing.iter().map(|&i| self.fields[i].name.bind(py)))?;
        fill.bind(py).call1((obj, names))?;
        Ok(())
    }

    fn field(&self, name: &str) -> PyResult<&Field> {
        match self.by_name.get(name) {
            Some(&index) => Ok(&self.fields[index]),
            None => Err(errors::validation(format!(
                "{} has no field '{name}'",
                self.model
            ))),
        }
    }

    /// The partition-key field and, when `sk_name` is given, the sort-key
    /// field (by field name).
    fn key_fields(
        &self,
        pk_name: &str,
        sk_name: Option<&str>,
    ) -> PyResult<(&Field, Option<&Field>)> {
        let sk = sk_name.map(|name| self.field(name)).transpose()?;
        Ok((self.field(pk_name)?, sk))
    }

    /// Calls `each(index, key, dict)` for every key of `keys`, `dict` being
    /// its key dict when it is a plain key (see `plain_key_dicts`) and
    /// `None` for a key of another form or with a value its field refuses.
    pub(crate) fn each_plain_key<'py>(
        &self,
        keys: &Bound<'py, PyList>,
        pk_name: &str,
        sk_name: Option<&str>,
        key_pair: &Bound<'py, PyType>,
        other_forms: &Bound<'py, PyTuple>,
        mut each: impl FnMut(usize, Bound<'py, PyAny>, Option<Bound<'py, PyDict>>) -> PyResult<()>,
    ) -> PyResult<()> {
        let (pk, sk) = self.key_fields(pk_name, sk_name)?;
        for (index, key) in keys.iter().enumerate() {
            let dict = key_dicts::plain_one(pk, sk, &key, key_pair, other_forms)?;
            each(index, key, dict)?;
        }
        Ok(())
    }
}

/// The instance's `__dict__`.
fn instance_dict<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    Ok(obj
        .getattr(intern!(obj.py(), "__dict__"))?
        .cast_into::<PyDict>()?)
}

/// A field's value in an instance dict; `None` when it is not set.
#[inline]
fn field_value<'py>(values: &Bound<'py, PyDict>, f: &Field) -> PyResult<Bound<'py, PyAny>> {
    let py = values.py();
    Ok(values
        .get_item(f.name.bind(py))?
        .unwrap_or_else(|| py.None().into_bound(py)))
}

/// What a stored `NULL` reads back as.
#[inline]
fn null_value<'py>(f: &Field, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
    if f.plan.null_is_empty_set {
        if let Some(tree::Typed {
            node: tree::Node::Set { frozen: true, .. },
            ..
        }) = &f.tree
        {
            return Ok(pyo3::types::PyFrozenSet::empty(py)?.into_any());
        }
        Ok(PySet::empty(py)?.into_any())
    } else {
        Ok(py.None().into_bound(py))
    }
}

/// A `ValidationError` about a stored item, carrying the item (its `item`
/// attribute) so that nothing read is lost; other errors unchanged.
fn with_item(py: Python<'_>, err: PyErr, item: &Bound<'_, PyAny>) -> PyErr {
    if err.is_instance_of::<errors::ValidationError>(py) {
        // A failed setattr leaves the error as it is.
        let _ = err.value(py).setattr(intern!(py, "item"), item);
    }
    err
}

/// `"NULL" in av`.
#[inline]
fn is_null(av: &Bound<'_, PyAny>) -> PyResult<bool> {
    let tag = intern!(av.py(), "NULL");
    match av.cast_exact::<PyDict>() {
        Ok(dict) => dict.contains(tag),
        Err(_) => av.contains(tag),
    }
}

/// Decodes the raw body of a successful ``GetItem``, ``Query``, ``Scan``,
/// ``BatchGetItem`` or ``TransactGetItems`` response in one pass.
///
/// Returns ``(decoded, rest)``: ``decoded`` holds the item-bearing members
/// with every item already a model instance of ``schemas`` (one
/// ``ItemSchema``, or for ``TransactGetItems`` one per read, in order) —
/// ``Item``, ``Items`` (of a ``Query`` or ``Scan`` given several entity
/// schemas — a collection — each item an instance of the schema whose
/// entity its type attribute names, items naming none left out), or
/// ``Responses`` (a dict table → list of instances for
/// ``BatchGetItem``, with ``ResponseKeys`` table → the items' canonical table
/// keys as ``bytes`` (what ``KeyPlan.add_canonical_positions`` takes), in the
/// same order; a list of ``{"Item": instance}`` or
/// ``{}`` for ``TransactGetItems``). ``rest`` is the JSON text of every other
/// member, verbatim, for botocore to parse. An item an entity schema does
/// not own (its type attribute missing or another's) is left out, as if
/// there were no item: no ``Item``, not in ``Items``, neither in
/// ``Responses`` nor in ``ResponseKeys``.
///
/// Raises ``Fallback`` for a body this reader does not understand (or an
/// operation not in ``ITEM_READS``), to leave it to botocore, and
/// ``ValidationError`` (naming ``Model.field``) for an item that does not
/// fit its model.
#[pyfunction]
fn decode_response<'py>(
    body: &Bound<'py, PyBytes>,
    operation: &str,
    schemas: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = body.py();
    let Some(op) = Operation::parse(operation) else {
        return Err(errors::fallback(format!(
            "decode_response: {operation:?} is not an item-bearing read"
        )));
    };
    let bound: Vec<Bound<'py, ItemSchema>> = match schemas.cast::<ItemSchema>() {
        Ok(one) => vec![one.clone()],
        Err(_) => schemas.extract()?,
    };
    let refs: Vec<&ItemSchema> = bound.iter().map(Bound::get).collect();
    let (decoded, rest) = response::decode_response(py, body.as_bytes(), op, &refs)?;
    PyTuple::new(py, [decoded.into_any(), PyBytes::new(py, &rest).into_any()])
}

/// Adds this module's functions and classes to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ItemSchema>()?;
    m.add_function(wrap_pyfunction!(decode_response, m)?)?;
    m.add(
        "ITEM_READS",
        PyTuple::new(m.py(), Operation::ALL.map(Operation::name))?,
    )?;
    Ok(())
}
