//! TEMPORARY compile shim with the engine API the lead planned; removed once earl-engine lands.
#![allow(missing_docs, dead_code, clippy::all, reason = "temporary shim")]
use serde::Serialize;
use serde_json::Value;

pub struct Engine;
pub struct InputError {
    pub field: String,
    pub message: String,
}
pub struct CheckOutcome {
    pub value: Value,
}
pub struct ScreenRequest {
    pub name: String,
    pub country: Option<String>,
    pub date: Option<jiff::civil::Date>,
    pub limit: Option<usize>,
}
#[derive(Serialize)]
pub struct ScreenResponse {
    pub query: Value,
    pub hits: Vec<Value>,
}
#[derive(Serialize)]
pub struct ListInfo {
    pub list: String,
    pub as_of: String,
    pub sha256: String,
}
pub struct ListVersion {
    pub list: String,
    pub as_of: String,
    pub sha256: String,
}
pub struct DataVersions {
    pub rules_version: String,
    pub engine_version: String,
    pub lists: Vec<ListVersion>,
}
impl Engine {
    pub fn check_json(&self, _: &str) -> Result<CheckOutcome, InputError> {
        Ok(CheckOutcome { value: Value::Null })
    }
    pub fn classify_json(&self, _: &str) -> Result<Value, InputError> {
        Ok(Value::Null)
    }
    pub fn screen(&self, _: &ScreenRequest) -> ScreenResponse {
        ScreenResponse { query: Value::Null, hits: vec![] }
    }
    pub fn screen_many(&self, r: &[ScreenRequest]) -> Vec<ScreenResponse> {
        r.iter().map(|x| self.screen(x)).collect()
    }
    pub fn chips(&self, _: jiff::civil::Date) -> Value {
        Value::Null
    }
    pub fn lists(&self) -> Vec<ListInfo> {
        vec![]
    }
    pub fn data_versions(&self) -> DataVersions {
        DataVersions { rules_version: String::new(), engine_version: String::new(), lists: vec![] }
    }
}
