//! Model schemas: field kinds, roles and the item encoding rules of SPEC §2.
