//! Table operations: CreateTable, DeleteTable, DescribeTable, ListTables,
//! UpdateTable (billing, streams, global indexes added or deleted) and TTL.
//! Tables are `ACTIVE` as soon as they are created.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::request::Request;
use super::write::table;
use crate::memory::error::{ApiError, ApiResult};
use crate::memory::store::{
    IndexDef, KeySchema, Projection, ScalarType, Store, StreamView, Table, TableDef,
};

/// Most global and local secondary indexes a table may have.
const MAX_GLOBAL: usize = 20;
const MAX_LOCAL: usize = 5;

fn read_schema(
    list: &Value,
    attributes: &BTreeMap<String, ScalarType>,
    what: &str,
) -> ApiResult<KeySchema> {
    let Some(elements) = list.as_array() else {
        return Err(super::request::missing("KeySchema"));
    };
    let mut hash = None;
    let mut range = None;
    for element in elements {
        let element = Request::of(element)?;
        let name = element.string("AttributeName")?;
        let kind = element.opt_enum("KeyType", &["HASH", "RANGE"])?;
        let Some(&scalar) = attributes.get(name) else {
            return Err(ApiError::invalid(format!(
                "Some index key attributes are not defined in AttributeDefinitions. Keys: [{name}], \
                 AttributeDefinitions: [{}]",
                attributes.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        };
        match kind {
            Some("HASH") if hash.is_none() => hash = Some((name.to_owned(), scalar)),
            Some("RANGE") if range.is_none() && hash.is_some() => {
                range = Some((name.to_owned(), scalar))
            }
            _ => {
                return Err(ApiError::invalid(format!(
                    "Invalid KeySchema: {what} must have one HASH key first and at most one \
                     RANGE key"
                )))
            }
        }
    }
    let hash = hash
        .ok_or_else(|| ApiError::invalid(format!("Invalid KeySchema: {what} has no HASH key")))?;
    if range.as_ref().is_some_and(|(r, _)| *r == hash.0) {
        return Err(ApiError::invalid(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ));
    }
    Ok(KeySchema { hash, range })
}

fn read_projection(value: Option<&Value>) -> ApiResult<Projection> {
    let Some(value) = value else {
        return Err(super::request::missing("Projection"));
    };
    let projection = Request::of(value)?;
    let kind = projection.opt_enum("ProjectionType", &["ALL", "KEYS_ONLY", "INCLUDE"])?;
    let names = projection.opt_list("NonKeyAttributes")?;
    match (kind, names) {
        (Some("INCLUDE"), Some(names)) => Ok(Projection::Include(
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
        )),
        (Some("INCLUDE"), None) => Err(ApiError::invalid(
            "NonKeyAttributes must be specified when ProjectionType is INCLUDE",
        )),
        (_, Some(_)) => Err(ApiError::invalid(
            "ProjectionType is not INCLUDE, but NonKeyAttributes is specified",
        )),
        (Some("KEYS_ONLY"), None) => Ok(Projection::KeysOnly),
        _ => Ok(Projection::All),
    }
}

fn read_throughput(request: &Request<'_>, member: &str) -> ApiResult<Option<(i64, i64)>> {
    let Some(throughput) = request.opt_object(member)? else {
        return Ok(None);
    };
    let t = Request(throughput);
    let read = t.opt_int("ReadCapacityUnits")?.unwrap_or(0);
    let write = t.opt_int("WriteCapacityUnits")?.unwrap_or(0);
    if read < 1 || write < 1 {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: Provisioned throughput units must be at \
             least 1",
        ));
    }
    Ok(Some((read, write)))
}

fn read_index(
    value: &Value,
    attributes: &BTreeMap<String, ScalarType>,
    global: bool,
    provisioned: bool,
) -> ApiResult<IndexDef> {
    let index = Request::of(value)?;
    let name = index.string("IndexName")?;
    let schema = read_schema(
        index
            .get("KeySchema")
            .ok_or_else(|| super::request::missing("KeySchema"))?,
        attributes,
        name,
    )?;
    let projection = read_projection(index.get("Projection"))?;
    let throughput =
        if global {
            let given = read_throughput(&index, "ProvisionedThroughput")?;
            match (provisioned, given) {
                (true, None) => {
                    return Err(ApiError::validation(format!(
                        "One or more parameter values were invalid: ProvisionedThroughput must be \
                     specified for index: {name}"
                    )))
                }
                (false, Some(_)) => return Err(ApiError::validation(
                    "One or more parameter values were invalid: ProvisionedThroughput should not \
                     be specified for index when BillingMode is PAY_PER_REQUEST",
                )),
                (_, given) => given,
            }
        } else {
            None
        };
    Ok(IndexDef {
        name: name.to_owned(),
        schema,
        projection,
        global,
        throughput,
    })
}

fn read_stream(request: &Request<'_>) -> ApiResult<Option<Option<StreamView>>> {
    let Some(spec) = request.opt_object("StreamSpecification")? else {
        return Ok(None);
    };
    let spec = Request(spec);
    let enabled = spec.opt_bool("StreamEnabled")?.unwrap_or(false);
    let view = spec.opt_enum(
        "StreamViewType",
        &["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"],
    )?;
    match (enabled, view) {
        (true, Some(view)) => Ok(Some(StreamView::parse(view))),
        (true, None) => Err(ApiError::validation(
            "One or more parameter values were invalid: You must specify a StreamViewType when \
             enabling a stream",
        )),
        (false, _) => Ok(Some(None)),
    }
}

fn stream_label(now: f64) -> String {
    let secs = now.max(0.0);
    format!("{:.3}", secs).replace('.', "")
}

/// CreateTable.
pub fn create_table(store: &mut Store, request: &Request<'_>) -> ApiResult<Value> {
    let name = request.string("TableName")?;
    if !(3..=255).contains(&name.len())
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{name}' at 'tableName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and \
             have length between 3 and 255"
        )));
    }
    if store.tables.contains_key(name) {
        return Err(ApiError::new(
            "ResourceInUseException",
            format!("Table already exists: {name}"),
        ));
    }
    let mut attributes = BTreeMap::new();
    for definition in request.list("AttributeDefinitions")? {
        let definition = Request::of(definition)?;
        let attribute = definition.string("AttributeName")?;
        let kind = definition
            .opt_enum("AttributeType", &["S", "N", "B"])?
            .and_then(ScalarType::parse)
            .ok_or_else(|| super::request::missing("AttributeType"))?;
        if attributes.insert(attribute.to_owned(), kind).is_some() {
            return Err(ApiError::invalid(format!(
                "Duplicate AttributeName found in AttributeDefinitions: {attribute}"
            )));
        }
    }
    let schema = read_schema(
        request
            .get("KeySchema")
            .ok_or_else(|| super::request::missing("KeySchema"))?,
        &attributes,
        "the table",
    )?;
    let billing = request.opt_enum("BillingMode", &["PROVISIONED", "PAY_PER_REQUEST"])?;
    let throughput = read_throughput(request, "ProvisionedThroughput")?;
    let provisioned = billing != Some("PAY_PER_REQUEST");
    match (provisioned, throughput) {
        (true, None) => {
            return Err(ApiError::validation(
                "One or more parameter values were invalid: ReadCapacityUnits and \
                 WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ))
        }
        (false, Some(_)) => {
            return Err(ApiError::validation(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor \
                 WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ))
        }
        _ => {}
    }
    let mut indexes = Vec::new();
    for (member, global) in [
        ("GlobalSecondaryIndexes", true),
        ("LocalSecondaryIndexes", false),
    ] {
        let Some(list) = request.opt_list(member)? else {
            continue;
        };
        if list.is_empty() {
            return Err(ApiError::invalid(format!("List of {member} is empty")));
        }
        for value in list {
            let index = read_index(value, &attributes, global, provisioned)?;
            if !global {
                if index.schema.hash.0 != schema.hash.0 {
                    return Err(ApiError::invalid(format!(
                        "Index KeySchema does not have the same leading hash key as table \
                         KeySchema for index: {}. index hash key: {}, table hash key: {}",
                        index.name, index.schema.hash.0, schema.hash.0
                    )));
                }
                if schema.range.is_none() {
                    return Err(ApiError::invalid(
                        "Table KeySchema does not have a range key, which is required when \
                         specifying a LocalSecondaryIndex",
                    ));
                }
            }
            if indexes.iter().any(|i: &IndexDef| i.name == index.name) {
                return Err(ApiError::invalid(format!(
                    "Duplicate index name: {}",
                    index.name
                )));
            }
            indexes.push(index);
        }
    }
    let globals = indexes.iter().filter(|i| i.global).count();
    if globals > MAX_GLOBAL || indexes.len() - globals > MAX_LOCAL {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: too many secondary indexes",
        ));
    }
    let mut used: Vec<String> = schema.names();
    for index in &indexes {
        used.extend(index.schema.names());
    }
    used.sort();
    used.dedup();
    let defined: Vec<String> = attributes.keys().cloned().collect();
    if used != defined {
        return Err(ApiError::invalid(format!(
            "Number of attributes in KeySchema does not exactly match number of attributes \
             defined in AttributeDefinitions; some AttributeDefinitions are not used. \
             AttributeDefinitions: [{}], keys used: [{}]",
            defined.join(", "),
            used.join(", ")
        )));
    }
    let stream = read_stream(request)?.flatten();
    let now = store.now();
    let def = TableDef {
        name: name.to_owned(),
        schema,
        attributes,
        indexes,
        throughput: if provisioned { throughput } else { None },
        stream,
        stream_label: stream.map(|_| stream_label(now)),
        ttl_attribute: None,
        created: now,
        deletion_protection: request
            .opt_bool("DeletionProtectionEnabled")?
            .unwrap_or(false),
    };
    let table = Table::new(def);
    let description = table.describe("ACTIVE");
    store.tables.insert(name.to_owned(), table);
    Ok(json!({"TableDescription": description}))
}

/// DeleteTable.
pub fn delete_table(store: &mut Store, request: &Request<'_>) -> ApiResult<Value> {
    let name = request.string("TableName")?;
    let table = table(store, name)?;
    if table.def.deletion_protection {
        return Err(ApiError::validation(format!(
            "Resource cannot be deleted as it is currently protected against deletion. Disable \
             deletion protection first. Table: {name}"
        )));
    }
    let description = table.describe("DELETING");
    store.tables.remove(name);
    store.streams.remove(name);
    Ok(json!({"TableDescription": description}))
}

/// DescribeTable.
pub fn describe_table(store: &Store, request: &Request<'_>) -> ApiResult<Value> {
    let name = request.string("TableName")?;
    let table = store.tables.get(name).ok_or_else(|| {
        ApiError::new(
            "ResourceNotFoundException",
            format!("Requested resource not found: Table: {name} not found"),
        )
    })?;
    Ok(json!({"Table": table.describe("ACTIVE")}))
}

/// ListTables.
pub fn list_tables(store: &Store, request: &Request<'_>) -> ApiResult<Value> {
    let limit = request.opt_int("Limit")?.unwrap_or(100);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
             constraint: Member must have value less than or equal to 100"
        )));
    }
    let after = request.opt_string("ExclusiveStartTableName")?;
    let names: Vec<&String> = store
        .tables
        .keys()
        .filter(|n| after.is_none_or(|a| n.as_str() > a))
        .collect();
    let page: Vec<&String> = names.iter().take(limit as usize).copied().collect();
    let mut out = json!({"TableNames": page});
    if names.len() > page.len() {
        out["LastEvaluatedTableName"] = json!(page.last());
    }
    Ok(out)
}

/// UpdateTable: billing mode and throughput, streams, global indexes
/// created (and filled from the items) or deleted.
pub fn update_table(store: &mut Store, request: &Request<'_>) -> ApiResult<Value> {
    let name = request.string("TableName")?;
    table(store, name)?;
    let now = store.now();
    let table = store.tables.get_mut(name).ok_or_else(ApiError::not_found)?;
    let mut def = table.def.clone();
    if let Some(list) = request.opt_list("AttributeDefinitions")? {
        for definition in list {
            let definition = Request::of(definition)?;
            let attribute = definition.string("AttributeName")?;
            let kind = definition
                .opt_enum("AttributeType", &["S", "N", "B"])?
                .and_then(ScalarType::parse)
                .ok_or_else(|| super::request::missing("AttributeType"))?;
            def.attributes.insert(attribute.to_owned(), kind);
        }
    }
    match request.opt_enum("BillingMode", &["PROVISIONED", "PAY_PER_REQUEST"])? {
        Some("PAY_PER_REQUEST") => {
            def.throughput = None;
            for index in &mut def.indexes {
                index.throughput = None;
            }
        }
        Some(_) => {
            def.throughput = Some(
                read_throughput(request, "ProvisionedThroughput")?
                    .ok_or_else(|| super::request::missing("ProvisionedThroughput"))?,
            );
        }
        None => {
            if let Some(t) = read_throughput(request, "ProvisionedThroughput")? {
                def.throughput = Some(t);
            }
        }
    }
    if let Some(stream) = read_stream(request)? {
        match (def.stream, stream) {
            (Some(_), Some(_)) => {
                return Err(ApiError::validation(format!(
                    "Table already has an enabled stream: {}",
                    table.def.name
                )))
            }
            (None, None) => {
                return Err(ApiError::validation("Table already has a disabled stream"))
            }
            (_, new) => {
                def.stream = new;
                def.stream_label = new.map(|_| stream_label(now));
            }
        }
    }
    let mut created = Vec::new();
    for update in request
        .opt_list("GlobalSecondaryIndexUpdates")?
        .into_iter()
        .flatten()
    {
        let update = Request::of(update)?;
        if let Some(create) = update.get("Create") {
            let index = read_index(create, &def.attributes, true, def.throughput.is_some())?;
            if def.indexes.iter().any(|i| i.name == index.name) {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Index {} already exists",
                    index.name
                )));
            }
            created.push(index.clone());
            def.indexes.push(index);
        } else if let Some(delete) = update.opt_object("Delete")? {
            let index_name = Request(delete).string("IndexName")?;
            let before = def.indexes.len();
            def.indexes.retain(|i| !(i.global && i.name == index_name));
            if def.indexes.len() == before {
                return Err(ApiError::new(
                    "ResourceNotFoundException",
                    format!("Requested resource not found: Index: {index_name} not found"),
                ));
            }
        } else if let Some(change) = update.opt_object("Update")? {
            let change = Request(change);
            let index_name = change.string("IndexName")?;
            let throughput = read_throughput(&change, "ProvisionedThroughput")?;
            let index = def
                .indexes
                .iter_mut()
                .find(|i| i.global && i.name == index_name)
                .ok_or_else(ApiError::not_found)?;
            index.throughput = throughput;
        }
    }
    if let Some(protect) = request.opt_bool("DeletionProtectionEnabled")? {
        def.deletion_protection = protect;
    }
    let names: Vec<String> = def.indexes.iter().map(|i| i.name.clone()).collect();
    table.indexes.retain(|name, _| names.contains(name));
    table.def = def;
    for index in created {
        table.backfill(&index);
    }
    Ok(json!({"TableDescription": table.describe("ACTIVE")}))
}

/// UpdateTimeToLive.
pub fn update_ttl(store: &mut Store, request: &Request<'_>) -> ApiResult<Value> {
    let name = request.string("TableName")?;
    table(store, name)?;
    let spec = Request(request.object("TimeToLiveSpecification")?);
    let attribute = spec.string("AttributeName")?;
    let enabled = spec
        .opt_bool("Enabled")?
        .ok_or_else(|| super::request::missing("Enabled"))?;
    let table = store.tables.get_mut(name).ok_or_else(ApiError::not_found)?;
    match (&table.def.ttl_attribute, enabled) {
        (Some(_), true) => return Err(ApiError::validation("TimeToLive is already enabled")),
        (None, false) => return Err(ApiError::validation("TimeToLive is already disabled")),
        (Some(current), false) if current != attribute => {
            return Err(ApiError::validation(format!(
                "TimeToLive is active on a different AttributeName: current AttributeName is \
                 {current}"
            )))
        }
        _ => {}
    }
    table.def.ttl_attribute = enabled.then(|| attribute.to_owned());
    Ok(json!({"TimeToLiveSpecification": {"AttributeName": attribute, "Enabled": enabled}}))
}

/// DescribeTimeToLive.
pub fn describe_ttl(store: &Store, request: &Request<'_>) -> ApiResult<Value> {
    let table = table(store, request.string("TableName")?)?;
    let mut description = Map::new();
    match &table.def.ttl_attribute {
        Some(attribute) => {
            description.insert("TimeToLiveStatus".into(), json!("ENABLED"));
            description.insert("AttributeName".into(), json!(attribute));
        }
        None => {
            description.insert("TimeToLiveStatus".into(), json!("DISABLED"));
        }
    }
    Ok(json!({"TimeToLiveDescription": description}))
}
