//! Party screening: multilingual name normalisation, in-memory index, explainable scoring.
