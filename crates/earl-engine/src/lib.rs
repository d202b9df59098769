//! Wires bundled data, rules and screening into one engine used by the CLI and the server.
