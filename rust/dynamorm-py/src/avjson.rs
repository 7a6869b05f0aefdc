//! Python DynamoDB-JSON dicts (boto3 client style, binary as bytes) ⇄ core `AttributeValue`.
