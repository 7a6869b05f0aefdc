//! Cursor codec (SPEC §4), byte-compatible with DynamORM Go/TypeScript.
