//! HTTP API and analyst web page for earl.
