//! License determination: dated rules as data, chip classification, the decision.
