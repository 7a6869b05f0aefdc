//! Tests of the API handlers, driven with request bodies as clients send them.
use serde_json::{json, Value};

use crate::memory::MemoryStore;

fn call(store: &MemoryStore, op: &str, body: Value) -> (u16, Value) {
    let (status, bytes) = store.handle(op, &serde_json::to_vec(&body).unwrap());
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn ok(store: &MemoryStore, op: &str, body: Value) -> Value {
    let (status, answer) = call(store, op, body);
    assert_eq!(status, 200, "{op}: {answer}");
    answer
}

fn error(store: &MemoryStore, op: &str, body: Value) -> (String, String) {
    let (status, answer) = call(store, op, body);
    assert_eq!(status, 400, "{op}: {answer}");
    let code = answer["__type"]
        .as_str()
        .unwrap()
        .rsplit('#')
        .next()
        .unwrap()
        .to_owned();
    (code, answer["message"].as_str().unwrap().to_owned())
}

/// A table `t` (pk S, sk N) with a sparse global index on `g` (KEYS_ONLY)
/// and a local index on `l`, streaming new and old images.
fn store_with_table() -> MemoryStore {
    let store = MemoryStore::new();
    store.set_clock(Some(1_000.0));
    ok(
        &store,
        "CreateTable",
        json!({
            "TableName": "things",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "l", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [{"IndexName": "gi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "LocalSecondaryIndexes": [{"IndexName": "li", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                                       "Projection": {"ProjectionType": "ALL"}}],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        }),
    );
    store
}

fn put(store: &MemoryStore, item: Value) {
    ok(
        store,
        "PutItem",
        json!({"TableName": "things", "Item": item}),
    );
}

fn sort_keys(answer: &Value) -> Vec<String> {
    answer["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sk"]["N"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_query_returns_the_partition_in_numeric_sort_key_order_both_ways() {
    let store = store_with_table();
    for sk in ["10", "9", "-1.5", "100", "2"] {
        put(&store, json!({"pk": {"S": "a"}, "sk": {"N": sk}}));
    }
    put(&store, json!({"pk": {"S": "b"}, "sk": {"N": "1"}}));
    let query = json!({"TableName": "things", "KeyConditionExpression": "pk = :p AND sk > :lo",
                       "ExpressionAttributeValues": {":p": {"S": "a"}, ":lo": {"N": "0"}}});
    let answer = ok(&store, "Query", query.clone());
    assert_eq!(sort_keys(&answer), ["2", "9", "10", "100"]);
    assert_eq!(answer["Count"], json!(4));
    let mut backward = query;
    backward["ScanIndexForward"] = json!(false);
    assert_eq!(
        sort_keys(&ok(&store, "Query", backward)),
        ["100", "10", "9", "2"]
    );
}

#[test]
fn pages_of_limit_items_follow_last_evaluated_key_to_the_end() {
    let store = store_with_table();
    for sk in 0..7 {
        put(
            &store,
            json!({"pk": {"S": "a"}, "sk": {"N": sk.to_string()}, "l": {"S": format!("l{}", 6 - sk)}}),
        );
    }
    for index in [None, Some("li")] {
        let mut seen = Vec::new();
        let mut start: Option<Value> = None;
        let mut pages = 0;
        loop {
            let mut body = json!({"TableName": "things", "KeyConditionExpression": "pk = :p",
                                  "ExpressionAttributeValues": {":p": {"S": "a"}}, "Limit": 3});
            if let Some(index) = index {
                body["IndexName"] = json!(index);
            }
            if let Some(start) = start.take() {
                body["ExclusiveStartKey"] = start;
            }
            let answer = ok(&store, "Query", body);
            pages += 1;
            seen.extend(sort_keys(&answer));
            match answer.get("LastEvaluatedKey") {
                Some(key) => {
                    if index.is_some() {
                        assert!(key.get("l").is_some(), "{key}");
                    }
                    start = Some(key.clone());
                }
                None => break,
            }
        }
        let mut expected: Vec<String> = (0..7).map(|n: i32| n.to_string()).collect();
        if index.is_some() {
            expected.reverse();
        }
        assert_eq!(seen, expected);
        assert_eq!(pages, 3);
    }
}

#[test]
fn a_global_index_holds_only_items_with_its_key_and_only_projected_attributes() {
    let store = store_with_table();
    put(
        &store,
        json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}, "other": {"S": "o"}}),
    );
    put(&store, json!({"pk": {"S": "a"}, "sk": {"N": "2"}}));
    let answer = ok(
        &store,
        "Scan",
        json!({"TableName": "things", "IndexName": "gi"}),
    );
    assert_eq!(
        answer["Items"],
        json!([{"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}}])
    );
    let (code, message) = error(
        &store,
        "Query",
        json!({"TableName": "things", "IndexName": "gi", "ConsistentRead": true,
        "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "x"}}}),
    );
    assert_eq!(code, "ValidationException");
    assert!(message.contains("global secondary indexes"));
}

#[test]
fn a_failed_condition_answers_the_stored_item_when_asked() {
    let store = store_with_table();
    put(
        &store,
        json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "1"}}),
    );
    let (status, answer) = call(
        &store,
        "PutItem",
        json!({
        "TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        "ConditionExpression": "attribute_not_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        answer["__type"],
        json!("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException")
    );
    assert_eq!(answer["Item"]["v"], json!({"N": "1"}));
}

#[test]
fn update_item_answers_the_values_return_values_asks_for() {
    let store = store_with_table();
    put(
        &store,
        json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1"}, "keep": {"S": "k"}}),
    );
    let update = |rv: &str| {
        ok(
            &store,
            "UpdateItem",
            json!({
        "TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}},
        "ReturnValues": rv}),
        )
    };
    assert_eq!(
        update("UPDATED_NEW")["Attributes"],
        json!({"n": {"N": "2"}})
    );
    assert_eq!(
        update("UPDATED_OLD")["Attributes"],
        json!({"n": {"N": "2"}})
    );
    assert_eq!(update("ALL_NEW")["Attributes"]["keep"], json!({"S": "k"}));
    assert!(update("NONE").get("Attributes").is_none());
    let (code, message) = error(
        &store,
        "UpdateItem",
        json!({
        "TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        "UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": {"S": "b"}}}),
    );
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Cannot update attribute pk"), "{message}");
}

#[test]
fn a_cancelled_transaction_gives_a_reason_per_action_in_order_and_writes_nothing() {
    let store = store_with_table();
    put(&store, json!({"pk": {"S": "a"}, "sk": {"N": "1"}}));
    let (status, answer) = call(
        &store,
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "things", "Item": {"pk": {"S": "new"}, "sk": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ]}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        answer["__type"],
        json!("com.amazonaws.dynamodb.v20120810#TransactionCanceledException")
    );
    assert_eq!(answer["CancellationReasons"][0], json!({"Code": "None"}));
    assert_eq!(
        answer["CancellationReasons"][1]["Code"],
        json!("ConditionalCheckFailed")
    );
    assert_eq!(
        answer["CancellationReasons"][1]["Item"]["pk"],
        json!({"S": "a"})
    );
    let get = ok(
        &store,
        "GetItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "new"}, "sk": {"N": "1"}}}),
    );
    assert!(get.get("Item").is_none());
    let (code, _) = error(
        &store,
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "things", "Item": {"pk": {"S": "x"}, "sk": {"N": "1"}}}},
            {"Delete": {"TableName": "things", "Key": {"pk": {"S": "x"}, "sk": {"N": "1"}}}},
        ]}),
    );
    assert_eq!(code, "ValidationException");
}

#[test]
fn a_client_request_token_replays_within_ten_minutes_and_refuses_another_request() {
    let store = store_with_table();
    let body = |n: &str| {
        json!({"ClientRequestToken": "tok", "TransactItems": [
        {"Update": {"TableName": "things", "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}},
                    "UpdateExpression": "ADD n :n", "ExpressionAttributeValues": {":n": {"N": n}}}}]})
    };
    ok(&store, "TransactWriteItems", body("1"));
    ok(&store, "TransactWriteItems", body("1"));
    let get = || {
        ok(
            &store,
            "GetItem",
            json!({"TableName": "things", "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}}}),
        )
    };
    assert_eq!(get()["Item"]["n"], json!({"N": "1"}));
    assert_eq!(
        error(&store, "TransactWriteItems", body("2")).0,
        "IdempotentParameterMismatchException"
    );
    store.set_clock(Some(1_000.0 + 601.0));
    ok(&store, "TransactWriteItems", body("2"));
    assert_eq!(get()["Item"]["n"], json!({"N": "3"}));
}

#[test]
fn batches_refuse_duplicate_keys_and_more_than_their_limits() {
    let store = store_with_table();
    let key = json!({"pk": {"S": "a"}, "sk": {"N": "1"}});
    let (_, message) = error(
        &store,
        "BatchGetItem",
        json!({"RequestItems": {"things": {"Keys": [key, {"pk": {"S": "a"}, "sk": {"N": "1.0"}}]}}}),
    );
    assert!(message.contains("duplicates"));
    let puts: Vec<Value> = (0..26)
        .map(|n| json!({"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": n.to_string()}}}}))
        .collect();
    let (_, message) = error(
        &store,
        "BatchWriteItem",
        json!({"RequestItems": {"things": puts}}),
    );
    assert!(message.contains("Too many items"));
    let puts: Vec<Value> = (0..25)
        .map(|n| json!({"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": n.to_string()}}}}))
        .collect();
    ok(
        &store,
        "BatchWriteItem",
        json!({"RequestItems": {"things": puts}}),
    );
    let got = ok(
        &store,
        "BatchGetItem",
        json!({"RequestItems": {"things": {"Keys": [key, {"pk": {"S": "zz"}, "sk": {"N": "1"}}]}}}),
    );
    assert_eq!(got["Responses"]["things"].as_array().unwrap().len(), 1);
    assert_eq!(got["UnprocessedKeys"], json!({}));
}

#[test]
fn parallel_scan_segments_split_the_items_between_them_exactly() {
    let store = store_with_table();
    for n in 0..50 {
        put(
            &store,
            json!({"pk": {"S": format!("p{n}")}, "sk": {"N": "1"}}),
        );
    }
    let mut all = Vec::new();
    for segment in 0..4 {
        let answer = ok(
            &store,
            "Scan",
            json!({"TableName": "things", "Segment": segment, "TotalSegments": 4}),
        );
        all.extend(
            answer["Items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["pk"]["S"].as_str().unwrap().to_owned()),
        );
    }
    all.sort();
    let mut expected: Vec<String> = (0..50).map(|n| format!("p{n}")).collect();
    expected.sort();
    assert_eq!(all, expected);
}

#[test]
fn expire_deletes_items_past_their_ttl_and_streams_record_every_change() {
    let store = store_with_table();
    ok(
        &store,
        "UpdateTimeToLive",
        json!({"TableName": "things", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": true}}),
    );
    put(
        &store,
        json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "exp": {"N": "500"}}),
    );
    put(
        &store,
        json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "exp": {"N": "900"}}),
    );
    put(
        &store,
        json!({"pk": {"S": "b"}, "sk": {"N": "1"}, "exp": {"N": "2000"}}),
    );
    assert_eq!(store.expire(1_000.0), 1);
    let records: Value = serde_json::from_slice(&store.stream_records("things")).unwrap();
    let names: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["INSERT", "MODIFY", "INSERT", "REMOVE"]);
    let remove = &records[3];
    assert_eq!(remove["dynamodb"]["OldImage"]["exp"], json!({"N": "900"}));
    assert_eq!(
        remove["userIdentity"]["principalId"],
        json!("dynamodb.amazonaws.com")
    );
    assert_eq!(
        records[1]["dynamodb"]["OldImage"]["exp"],
        json!({"N": "500"})
    );
    let sequence: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["dynamodb"]["SequenceNumber"].as_str().unwrap())
        .collect();
    let mut sorted = sequence.clone();
    sorted.sort();
    assert_eq!(sequence, sorted);
}

#[test]
fn requests_dynamodb_refuses_get_its_error_codes() {
    let store = store_with_table();
    assert_eq!(
        error(&store, "GetItem", json!({"TableName": "nope", "Key": {}})).0,
        "ResourceNotFoundException"
    );
    let (code, message) = error(
        &store,
        "PutItem",
        json!({"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        "ConditionExpression": "attribute_exists(pk)", "ExpressionAttributeValues": {":unused": {"S": "x"}}}),
    );
    assert_eq!(code, "ValidationException");
    assert!(
        message.contains("unused in expressions: keys: {:unused}"),
        "{message}"
    );
    let (_, message) = error(
        &store,
        "PutItem",
        json!({"TableName": "things", "Item": {"pk": {"S": "a"}}}),
    );
    assert!(message.contains("Missing the key sk"), "{message}");
    let (_, message) = error(
        &store,
        "GetItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "a"}}}),
    );
    assert!(message.contains("does not match the schema"));
    assert_eq!(error(&store, "CreateTable", json!({"TableName": "things", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"})).0, "ResourceInUseException");
    let (_, message) = error(
        &store,
        "PutItem",
        json!({"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "big": {"S": "x".repeat(410_000)}}}),
    );
    assert!(message.contains("maximum allowed size"));
}

#[test]
fn consumed_capacity_counts_units_as_dynamodb_does() {
    let store = store_with_table();
    let answer = ok(
        &store,
        "PutItem",
        json!({"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}, "pad": {"S": "x".repeat(1500)}},
        "ReturnConsumedCapacity": "INDEXES"}),
    );
    let capacity = &answer["ConsumedCapacity"];
    assert_eq!(capacity["Table"]["CapacityUnits"], json!(2.0));
    assert_eq!(
        capacity["GlobalSecondaryIndexes"]["gi"]["CapacityUnits"],
        json!(1.0)
    );
    assert_eq!(capacity["CapacityUnits"], json!(3.0));
    let read = ok(
        &store,
        "GetItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(read["ConsumedCapacity"]["CapacityUnits"], json!(0.5));
}

#[test]
fn a_page_stops_after_one_megabyte_of_items() {
    let store = store_with_table();
    for n in 0..30 {
        put(
            &store,
            json!({"pk": {"S": "a"}, "sk": {"N": n.to_string()}, "pad": {"S": "x".repeat(100_000)}}),
        );
    }
    let answer = ok(
        &store,
        "Query",
        json!({"TableName": "things", "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "a"}}, "Select": "COUNT"}),
    );
    assert_eq!(answer["Count"], json!(11));
    assert!(answer.get("Items").is_none());
    assert_eq!(
        answer["LastEvaluatedKey"],
        json!({"pk": {"S": "a"}, "sk": {"N": "10"}})
    );
}
