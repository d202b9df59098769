//! Tamper-evident audit log: the store trait and its SQLite backend.
