//! Number and set rules of marshaling (SPEC §2).
