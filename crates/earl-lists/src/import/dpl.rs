//! `dpl-tsv`: the BIS Denied Persons List as published in tab-separated form, with the header
//! `Name, Street_Address, City, State, Country, Postal_Code, Effective_Date, Expiration_Date,
//! Standard_Order, Last_Update, Action, FR_Citation`.
//!
//! The file has one row per address; rows with the same name, effective date and citation are
//! one denial order and become one entry with several addresses. `Effective_Date` is the
//! listing date and `Expiration_Date` the delisting date. A row with an empty `Country` and a
//! US state code is in the US. The snapshot date is the latest
//! `Last_Update`, ignoring values more than a year after the latest effective date (the 2022
//! file carries typo years 2922 and 3017).

use std::collections::HashMap;

use jiff::ToSpan;

use super::entity_list::parse_fr_citations;
use super::nsfreg::derived_id;
use super::{Format, ImportError, ListTarget, Location, Parsed, add_remark, country_code, utf8};
use crate::model::Entry;
use crate::text::{IdAllocator, non_empty, parse_date};

const FORMAT: Format = Format::DplTsv;

const REQUIRED: &[&str] = &["Name", "Effective_Date", "FR_Citation"];

const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI",
];

/// Parse a Denied Persons List file.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b'\t').flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ImportError::new(FORMAT, Location::Line(1), None, format!("header: {e}")))?
        .clone();
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.trim(), i)).collect();
    for r in REQUIRED {
        if !col.contains_key(r) {
            return Err(ImportError::new(
                FORMAT,
                Location::Line(1),
                Some(r),
                "column missing from header",
            ));
        }
    }
    let prefix = list.id_prefix.clone().unwrap_or_else(|| "DPL".into());
    let mut parsed = Parsed::default();
    let mut ids = IdAllocator::default();
    let mut orders: HashMap<(String, String, String), usize> = HashMap::new();
    let mut latest_effective = None;
    let mut updates = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            ImportError::new(FORMAT, Location::Line(line), None, e.to_string())
        })?;
        let line = row.position().map_or(0, csv::Position::line);
        if row.len() != header.len() {
            return Err(ImportError::new(
                FORMAT,
                Location::Line(line),
                None,
                format!("expected {} columns, found {}", header.len(), row.len()),
            ));
        }
        let get = |name: &str| col.get(name).and_then(|&i| row.get(i)).and_then(non_empty);
        let name = get("Name").ok_or_else(|| {
            ImportError::new(FORMAT, Location::Line(line), Some("Name"), "empty name")
        })?;
        let date = |field: &str| -> Result<Option<jiff::civil::Date>, ImportError> {
            match get(field) {
                None => Ok(None),
                Some(v) => parse_date(&v).map(Some).ok_or_else(|| {
                    ImportError::new(
                        FORMAT,
                        Location::Line(line),
                        Some(field),
                        format!("not a date: `{v}`"),
                    )
                }),
            }
        };
        let effective = date("Effective_Date")?;
        let expiration = date("Expiration_Date")?;
        if let Some(u) = date("Last_Update")? {
            updates.push(u);
        }
        latest_effective = latest_effective.max(effective);
        let address: Vec<String> = ["Street_Address", "City", "State", "Postal_Code", "Country"]
            .iter()
            .filter_map(|f| get(f))
            .collect();
        // US rows often leave Country empty and give a state code instead.
        let country = get("Country").as_deref().and_then(country_code).or_else(|| {
            get("State").filter(|s| US_STATES.contains(&s.as_str())).map(|_| "US".to_owned())
        });
        let citation = get("FR_Citation").unwrap_or_default();
        let key = (name.clone(), get("Effective_Date").unwrap_or_default(), citation.clone());
        if let Some(e) = orders.get(&key).and_then(|&i| parsed.entries.get_mut(i)) {
            if !address.is_empty() {
                e.addresses.push(address.join(", "));
            }
            if e.country.is_none() {
                e.country = country;
            }
            continue;
        }
        let mut e = Entry::new(list.id.clone(), String::new(), name);
        e.country = country;
        if !address.is_empty() {
            e.addresses.push(address.join(", "));
        }
        e.listed_on = effective;
        e.delisted_on = expiration;
        e.federal_register = parse_fr_citations(&citation);
        if let Some(s) = get("Standard_Order") {
            add_remark(&mut e, &format!("standard order: {s}"));
        }
        if let Some(a) = get("Action") {
            add_remark(&mut e, &format!("last action: {a}"));
        }
        e.id = ids.allocate(derived_id(&prefix, e.country.as_deref(), &e.name));
        orders.insert(key, parsed.entries.len());
        parsed.entries.push(e);
    }
    let horizon = latest_effective.and_then(|d| d.checked_add(1.year()).ok());
    let plausible = updates.iter().filter(|u| horizon.is_none_or(|h| **u <= h));
    parsed.as_of = plausible.max().copied();
    let typos = updates.iter().filter(|u| horizon.is_some_and(|h| **u > h)).count();
    if typos > 0 {
        parsed.notes.push(format!(
            "{typos} rows carry a Last_Update more than a year after the latest effective date (typos); ignored for the snapshot date"
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;
    use jiff::civil::date;

    const HEADER: &str = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n";

    fn target() -> ListTarget {
        ListTarget::new("dpl", ListKind::DeniedPersons, "DPL")
    }

    #[test]
    fn rows_of_one_order_merge() {
        let text = format!(
            "{HEADER}\"ACME\"\t\"1 A ST\"\t\"DUBAI\"\t\"\"\t\"AE\"\t\"\"\t\"08/24/2022\"\t\"01/14/2026\"\t\"Y\"\t\"2022-08-29\"\t\"F.R. NOTICE ADDED\"\t\"87 F.R. 52741 8/29/2022\"\n\
             \"ACME\"\t\"2 B ST\"\t\"SHARJAH\"\t\"\"\t\"AE\"\t\"\"\t\"08/24/2022\"\t\"01/14/2026\"\t\"Y\"\t\"2922-08-29\"\t\"F.R. NOTICE ADDED\"\t\"87 F.R. 52741 8/29/2022\"\n"
        );
        let p = parse(&target(), text.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 1);
        let e = &p.entries[0];
        assert_eq!(e.id, "DPL-AE-acme");
        assert_eq!(e.addresses, vec!["1 A ST, DUBAI, AE", "2 B ST, SHARJAH, AE"]);
        assert_eq!(e.listed_on, Some(date(2022, 8, 24)));
        assert_eq!(e.delisted_on, Some(date(2026, 1, 14)));
        assert_eq!(e.federal_register[0].date, Some(date(2022, 8, 29)));
        assert_eq!(p.as_of, Some(date(2022, 8, 29)));
        assert_eq!(p.notes.len(), 1);
    }

    #[test]
    fn malformed_rows() {
        let err = parse(&target(), b"Name\tCity\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "dpl-tsv: line 1, field `Effective_Date`: column missing from header"
        );
        let text = format!("{HEADER}\"A\"\t\"x\"\n");
        let err = parse(&target(), text.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "dpl-tsv: line 2: expected 12 columns, found 2");
        let text = format!(
            "{HEADER}\"A\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"13/45/2022\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\n"
        );
        let err = parse(&target(), text.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dpl-tsv: line 2, field `Effective_Date`: not a date: `13/45/2022`"
        );
    }
}
