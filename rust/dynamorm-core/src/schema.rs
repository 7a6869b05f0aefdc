//! Model schemas: field kinds, roles and the item encoding rules of SPEC §2.
//!
//! A model's fields are described once ([`FieldDecl`]) and compiled into a
//! [`FieldPlan`] that says, for each field, what happens to `None`, how a
//! value is written and how a stored attribute is read back. The bindings
//! crate follows the plan for every item without deciding anything again.
//! Timestamps (`created_at`/`updated_at`, TTL) are computed here from date
//! and time components, and dates, durations and UUIDs written and read
//! (`scalars`), so the text is identical in every DynamORM port.
//! [`Operation`] lists the reads whose answers are decoded into models.

mod kind;
mod operation;
mod plan;
mod scalars;
mod timestamp;

pub use kind::{FieldKind, Roles, SetElement};
pub use operation::Operation;
pub use plan::{FieldDecl, FieldPlan, Read, ScalarCheck, WhenNone, Write};
pub use scalars::{date_text, duration_text, parse_date, parse_duration, parse_uuid, uuid_text};
pub use timestamp::UtcTime;
