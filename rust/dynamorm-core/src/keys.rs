//! Batch keys: canonical encoding, dedupe, chunking, reordering.
