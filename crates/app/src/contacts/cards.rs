//! Contacts as vCard 4.0 (the `vcard` crate writes and reads them: folding, escaping) and as CSV
//! (the `csv` crate). What has no vCard property of its own travels as an `X-ALONGSIDE-…`
//! extension, so a round trip through Alongside keeps everything; other apps keep the rest.

use std::str::FromStr;

use store::contacts::ContactFields;
use vcard::{Categories, Email, ExtensionProperty, Note, Org, Title, VCard};

use crate::web::csv::{unguard, Cell, CsvWriter};

const MET_AT: &str = "X-ALONGSIDE-MET-AT";
const CADENCE: &str = "X-ALONGSIDE-CADENCE-DAYS";

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 8] =
    ["name", "email", "company", "trade", "tags", "notes", "met_at", "cadence_days"];

/// Contacts as one vCard file.
pub fn to_vcards(contacts: &[ContactFields]) -> String {
    let mut out = String::new();
    for c in contacts {
        let mut card = VCard::new(c.name.clone());
        if let Ok(email) = vcard::values::EmailValue::from_str(&c.email) {
            card.emails.push(Email::new(email));
        }
        if !c.company.is_empty() {
            card.organizations
                .push(Org::new(vcard::values::OrgValue { name: c.company.clone(), units: Vec::new() }));
        }
        if !c.trade.is_empty() {
            card.titles.push(Title::new(c.trade.clone()));
        }
        if !c.tags.is_empty() {
            card.categories.push(Categories::new(c.tags.clone()));
        }
        if !c.notes.is_empty() {
            card.notes.push(Note::new(c.notes.clone()));
        }
        for (name, value) in
            [(MET_AT, c.met_at.clone()), (CADENCE, c.cadence_days.map(|d| d.to_string()).unwrap_or_default())]
        {
            if let (false, Ok(token)) = (value.is_empty(), name.parse()) {
                card.extensions.push(ExtensionProperty::from_text(token, &value));
            }
        }
        out.push_str(&card.to_string());
    }
    out
}

/// Reads contacts from a vCard file (3.0 or 4.0 cards; what can't be read is said).
pub fn from_vcards(text: &str) -> Result<Vec<ContactFields>, String> {
    let cards = VCard::parse_multiple(&as_version_4(text))
        .map_err(|e| format!("This is not a vCard file we can read: {e}"))?;
    Ok(cards
        .into_iter()
        .map(|card| {
            let ext = |name: &str| {
                card.extensions
                    .iter()
                    .find(|x| x.name.to_string().eq_ignore_ascii_case(name))
                    .map(|x| {
                        x.value
                            .replace("\\,", ",")
                            .replace("\\;", ";")
                            .replace("\\n", "\n")
                            .replace("\\\\", "\\")
                    })
                    .unwrap_or_default()
            };
            ContactFields {
                member_id: None,
                name: card.formatted_names.first().map(|n| n.value.clone()).unwrap_or_default(),
                email: card.emails.first().map(|e| e.value.as_str().to_owned()).unwrap_or_default(),
                company: card.organizations.first().map(|o| o.value.name.clone()).unwrap_or_default(),
                trade: card.titles.first().map(|t| t.value.clone()).unwrap_or_default(),
                notes: card.notes.iter().map(|n| n.value.clone()).collect::<Vec<_>>().join("\n"),
                met_at: ext(MET_AT),
                cadence_days: ext(CADENCE).parse().ok(),
                tags: card.categories.iter().flat_map(|c| c.value.clone()).collect(),
            }
        })
        .collect())
}

/// The `vcard` crate reads 4.0 cards only, while most address books still export 3.0; for the
/// properties read here the two agree, so each card's VERSION line is set to 4.0 and put right
/// after BEGIN, where 4.0 wants it. (A VERSION line is never folded, so physical lines will do.)
fn as_version_4(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let bare = line.trim_end_matches('\r');
        if bare.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("VERSION:")) {
            continue;
        }
        out.push_str(bare);
        out.push_str("\r\n");
        if bare.trim().eq_ignore_ascii_case("BEGIN:VCARD") {
            out.push_str("VERSION:4.0\r\n");
        }
    }
    out
}

/// Contacts as CSV, with a header row.
pub fn to_csv(contacts: &[ContactFields]) -> anyhow::Result<String> {
    let mut w = CsvWriter::new(&CSV_HEADER)?;
    for c in contacts {
        w.row(&[
            Cell::text(&c.name),
            Cell::text(&c.email),
            Cell::text(&c.company),
            Cell::text(&c.trade),
            Cell::text(c.tags.join(", ")),
            Cell::text(&c.notes),
            Cell::text(&c.met_at),
            Cell::number(c.cadence_days.map(|d| d.to_string()).unwrap_or_default()),
        ])?;
    }
    w.finish()
}

/// Reads contacts from CSV with a header row naming at least `name`; other columns are matched by
/// name (any order, unknown ones ignored).
pub fn from_csv(text: &str) -> Result<Vec<ContactFields>, String> {
    let mut r = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| format!("This CSV can't be read: {e}"))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(name_col) = col("name") else {
        return Err("The CSV needs a header row with a \"name\" column.".into());
    };
    let mut out = Vec::new();
    for (i, row) in r.records().enumerate() {
        let row = row.map_err(|e| format!("Row {} can't be read: {e}", i + 2))?;
        // A cell we guarded on export comes back as it was.
        let get = |c: Option<usize>| unguard(c.and_then(|c| row.get(c)).unwrap_or("")).to_owned();
        out.push(ContactFields {
            member_id: None,
            name: get(Some(name_col)),
            email: get(col("email")),
            company: get(col("company")),
            trade: get(col("trade")),
            notes: get(col("notes")),
            met_at: get(col("met_at")),
            cadence_days: get(col("cadence_days")).parse().ok(),
            tags: domain::profile::parse_tags(&get(col("tags"))).unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ana() -> ContactFields {
        ContactFields {
            member_id: None,
            name: "Ana Ribeiro".into(),
            email: "ana@example.org".into(),
            company: "Ribeiro, Lda; Design".into(),
            trade: "Web designer".into(),
            notes: "Met twice.\nLikes quiet cafés, and tea.".into(),
            met_at: "WordPress meetup, 3 Dec 2026".into(),
            cadence_days: Some(42),
            tags: vec!["client".into(), "design".into()],
        }
    }

    #[test]
    fn vcards_round_trip_with_escaping() {
        let text = to_vcards(&[ana(), ContactFields { name: "Bo".into(), ..ContactFields::default() }]);
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{text}");
        assert!(text.contains("X-ALONGSIDE-CADENCE-DAYS:42"), "{text}");
        let back = from_vcards(&text).expect("parse");
        assert_eq!(back, vec![ana(), ContactFields { name: "Bo".into(), ..ContactFields::default() }]);
    }

    #[test]
    fn version_3_cards_as_address_books_export_them_are_read() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Teo Lima\r\nN:Lima;Teo;;;\r\nEMAIL;TYPE=INTERNET,HOME:teo@example.org\r\n\
                    ORG:Teo & Co\r\nCATEGORIES:writer,friend\r\nEND:VCARD\r\nbegin:vcard\nFN:Éva\nversion:3.0\nend:vcard\n";
        let got = from_vcards(text).expect("parse");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].name.as_str(), got[0].email.as_str(), got[0].company.as_str()),
            ("Teo Lima", "teo@example.org", "Teo & Co")
        );
        assert_eq!(got[0].tags, ["writer", "friend"]);
        assert_eq!(got[1].name, "Éva");
    }

    #[test]
    fn csv_round_trips_and_reads_other_apps_columns() {
        let text = to_csv(&[ana()]).expect("csv");
        assert_eq!(from_csv(&text).expect("parse"), vec![ana()]);
        let other = "Email,Name,Phone\nbo@example.org,Bo Silva,+351 123\n";
        let got = from_csv(other).expect("parse");
        assert_eq!((got[0].name.as_str(), got[0].email.as_str()), ("Bo Silva", "bo@example.org"));
        assert!(from_csv("email\nx@y.z\n").is_err());
    }
}
