"""The differential suite: the same generated operations against several
DynamoDB implementations."""
