//! Contacts as vCards (written as 4.0, read from 4.0, 3.0 and 2.1: `vcard.rs`) and as CSV (the
//! `csv` crate). What has no vCard property of its own travels as an `X-ALONGSIDE-…`
//! extension, so a round trip through Alongside keeps everything; other apps keep the rest.
//! Reading gives contacts as submitted (`ContactInput`), checked like any other.

use super::vcard::{self, CardOut};
use super::ContactInput;
use crate::web::csv::{unguard, Cell, CsvWriter};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use store::contacts::ContactFields;

const MET_AT: &str = "X-ALONGSIDE-MET-AT";
const CADENCE: &str = "X-ALONGSIDE-CADENCE-DAYS";
const LAST_IN_TOUCH: &str = "X-ALONGSIDE-LAST-IN-TOUCH";

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 10] = [
    "name",
    "email",
    "phone",
    "company",
    "trade",
    "tags",
    "notes",
    "met_at",
    "cadence_days",
    "last_in_touch",
];

/// Other apps' names for the phone column (Google's export says "Phone 1 - Value").
const PHONE_COLUMNS: [&str; 5] = ["phone", "telephone", "mobile", "phone number", "phone 1 - value"];

/// The day of a contact's last contact in `zone`, "2026-11-20"; "" for none.
fn last_day(c: &ContactFields, zone: Tz) -> String {
    c.last_contact_at
        .filter(|t| *t > 0)
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .map(|t| t.with_timezone(&zone).date_naive().to_string())
        .unwrap_or_default()
}

/// Contacts as one vCard file; days in `zone`.
pub fn to_vcards(contacts: &[ContactFields], zone: Tz) -> String {
    let mut out = String::new();
    for c in contacts {
        let mut card = CardOut::new(&c.name);
        card.text("EMAIL", &c.email)
            .text("TEL", &c.phone)
            .text("ORG", &c.company)
            .text("TITLE", &c.trade)
            .list("CATEGORIES", &c.tags)
            .text("NOTE", &c.notes)
            .text(MET_AT, &c.met_at)
            .text(CADENCE, &c.cadence_days.map(|d| d.to_string()).unwrap_or_default())
            .text(LAST_IN_TOUCH, &last_day(c, zone));
        card.write(&mut out);
    }
    out
}

/// Reads contacts from a vCard file (4.0, 3.0 or 2.1 cards; what can't be read is said).
pub fn from_vcards(text: &str) -> Result<Vec<ContactInput>, String> {
    let cards = vcard::read(text).map_err(|e| format!("This is not a vCard file we can read: {e}."))?;
    Ok(cards
        .into_iter()
        .map(|card| {
            // A card without a formatted name (2.1 allows it) is named from its structured name.
            let name = card.first("FN").filter(|n| !n.trim().is_empty()).or_else(|| {
                let n = card.parts("N", ';').into_iter().next()?;
                let (family, given) =
                    (n.first().cloned().unwrap_or_default(), n.get(1).cloned().unwrap_or_default());
                Some(format!("{given} {family}").trim().to_owned())
            });
            let phone = card.first("TEL").map(|t| t.trim_start_matches("tel:").to_owned());
            ContactInput {
                name: Some(name.unwrap_or_default()),
                email: card.first("EMAIL").map(|e| e.trim_start_matches("mailto:").to_owned()),
                phone,
                // An organisation's name is the first part of ORG (units follow).
                company: card.parts("ORG", ';').into_iter().next().and_then(|o| o.into_iter().next()),
                trade: card.first("TITLE"),
                notes: Some(card.all("NOTE").join("\n")),
                met_at: Some(card.first(MET_AT).unwrap_or_default()),
                tags: Some(card.parts("CATEGORIES", ',').concat().join(",")),
                cadence_days: Some(card.first(CADENCE).unwrap_or_default()),
                last_in_touch: Some(card.first(LAST_IN_TOUCH).unwrap_or_default()),
            }
        })
        .collect())
}

/// Contacts as CSV, with a header row; days in `zone`.
pub fn to_csv(contacts: &[ContactFields], zone: Tz) -> anyhow::Result<String> {
    let mut w = CsvWriter::new(&CSV_HEADER)?;
    for c in contacts {
        w.row(&[
            Cell::text(&c.name),
            Cell::text(&c.email),
            Cell::text(&c.phone),
            Cell::text(&c.company),
            Cell::text(&c.trade),
            Cell::text(c.tags.join(", ")),
            Cell::text(&c.notes),
            Cell::text(&c.met_at),
            Cell::number(c.cadence_days.map(|d| d.to_string()).unwrap_or_default()),
            Cell::text(last_day(c, zone)),
        ])?;
    }
    w.finish()
}

/// Reads contacts from CSV with a header row naming at least `name`; other columns are matched by
/// name (any order, unknown ones ignored).
pub fn from_csv(text: &str) -> Result<Vec<ContactInput>, String> {
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
        let phone = PHONE_COLUMNS.iter().find_map(|c| col(c));
        out.push(ContactInput {
            name: Some(get(Some(name_col))),
            email: Some(get(col("email"))),
            phone: Some(get(phone)),
            company: Some(get(col("company"))),
            trade: Some(get(col("trade"))),
            notes: Some(get(col("notes"))),
            met_at: Some(get(col("met_at"))),
            tags: Some(get(col("tags"))),
            cadence_days: Some(get(col("cadence_days"))),
            last_in_touch: Some(get(col("last_in_touch"))),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::apply;

    const ZONE: Tz = chrono_tz::Europe::Lisbon;

    fn ana() -> ContactFields {
        ContactFields {
            member_id: None,
            name: "Ana Ribeiro".into(),
            email: "ana@example.org".into(),
            phone: "+351 912 345 678".into(),
            company: "Ribeiro, Lda; Design".into(),
            trade: "Web designer".into(),
            notes: "Met twice.\nLikes quiet cafés, and tea.".into(),
            met_at: "WordPress meetup, 3 Dec 2026".into(),
            cadence_days: Some(42),
            tags: vec!["client".into(), "design".into()],
            last_contact_at: crate::contacts::day_in_touch("2026-11-20", ZONE, Utc::now()).ok(),
        }
    }

    /// What reading gives back, checked as an import checks it.
    fn checked(read: Vec<ContactInput>) -> Vec<ContactFields> {
        read.iter().map(|i| apply(i, None, ZONE).expect("valid")).collect()
    }

    #[test]
    fn vcards_round_trip_with_escaping() {
        let bo = ContactFields { name: "Bo".into(), last_contact_at: Some(0), ..ContactFields::default() };
        let text = to_vcards(&[ana(), bo.clone()], ZONE);
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{text}");
        assert!(text.contains("X-ALONGSIDE-CADENCE-DAYS:42"), "{text}");
        assert!(text.contains("TEL:+351 912 345 678"), "{text}");
        assert!(text.contains("X-ALONGSIDE-LAST-IN-TOUCH:2026-11-20"), "{text}");
        let back = checked(from_vcards(&text).expect("parse"));
        assert_eq!(back[0], ana());
        assert_eq!((back[1].name.as_str(), back[1].phone.as_str()), ("Bo", ""));
    }

    #[test]
    fn version_3_cards_as_address_books_export_them_are_read() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Teo Lima\r\nN:Lima;Teo;;;\r\nEMAIL;TYPE=INTERNET,HOME:teo@example.org\r\n\
                    TEL;TYPE=CELL:+351 913 000 111\r\nORG:Teo & Co\r\nCATEGORIES:writer,friend\r\nEND:VCARD\r\n\
                    begin:vcard\nFN:Éva\nversion:3.0\nend:vcard\n";
        let got = checked(from_vcards(text).expect("parse"));
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].name.as_str(), got[0].email.as_str(), got[0].company.as_str(), got[0].phone.as_str()),
            ("Teo Lima", "teo@example.org", "Teo & Co", "+351 913 000 111")
        );
        assert_eq!(got[0].tags, ["writer", "friend"]);
        assert_eq!(got[1].name, "Éva");
    }

    #[test]
    fn csv_round_trips_and_reads_other_apps_columns() {
        let text = to_csv(&[ana()], ZONE).expect("csv");
        assert!(text.contains("'+351 912 345 678"), "the phone is guarded on export: {text}");
        assert_eq!(checked(from_csv(&text).expect("parse")), vec![ana()]);
        let other = "Email,Name,Phone\nbo@example.org,Bo Silva,+351 123 456\n";
        let got = checked(from_csv(other).expect("parse"));
        assert_eq!(
            (got[0].name.as_str(), got[0].email.as_str(), got[0].phone.as_str()),
            ("Bo Silva", "bo@example.org", "+351 123 456")
        );
        assert!(from_csv("email\nx@y.z\n").is_err());
    }
}
