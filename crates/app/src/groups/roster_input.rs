//! Reading a roster an organiser brings in: a CSV file with a header row (an `email` column, and
//! `name`, `trade` and `skills` if they have them; commas or semicolons, as spreadsheets in
//! different countries write them), or addresses pasted one per line or separated by commas, as
//! `ana@example.org` or `Ana Ribeiro <ana@example.org>`. Each row is checked on its own, so a bad
//! one never stops the good ones; the checks say nothing of who has an account here.

use std::collections::HashMap;

use domain::profile::{check_email, check_name, parse_tags};
use store::roster::Entry;

use crate::web::csv::unguard;

/// Most invitations a group sends by import in a day.
pub const DAILY_LIMIT: i64 = 2_000;
const DAILY_LIMIT_TEXT: &str = "2,000";
/// Most rows read from one file: far above a day's invitations, so a too-long file is shown row
/// by row, but bounded so no upload makes us check a million rows.
pub const MAX_ROWS: usize = 10_000;

/// One row as read, before checking.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Raw {
    /// Where it was: the line of the file or of the pasted text (from 1).
    pub line: usize,
    pub email: String,
    pub name: String,
    pub trade: String,
    pub skills: String,
}

/// One row checked: what will be sent, or why not.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub line: usize,
    pub email: String,
    pub name: String,
    /// Why it will not be sent; none when it will.
    pub problem: Option<String>,
}

/// Reads `text` as a CSV with a header row when its first line names an email column, else as
/// pasted addresses.
pub fn read(text: &str) -> Result<Vec<Raw>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").to_lowercase();
    let rows = if first.contains(',') || first.contains(';') {
        let cells: Vec<String> =
            first.split([',', ';']).map(|c| c.trim().trim_matches('"').to_owned()).collect();
        if cells.iter().any(|c| email_column(c)) {
            from_csv(text)?
        } else {
            pasted(text)
        }
    } else if email_column(first.trim().trim_matches('"')) {
        from_csv(text)?
    } else {
        pasted(text)
    };
    if rows.len() > MAX_ROWS {
        return Err(format!("This has {} rows; bring in at most {MAX_ROWS} at a time.", rows.len()));
    }
    Ok(rows)
}

fn email_column(header: &str) -> bool {
    matches!(header, "email" | "e-mail" | "email address" | "e-mail address" | "mail")
}

fn from_csv(text: &str) -> Result<Vec<Raw>, String> {
    let header = text.lines().next().unwrap_or("");
    // A spreadsheet set to a language that writes decimal commas saves with semicolons.
    let delimiter = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| format!("This CSV can't be read: {e}"))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let email = headers.iter().position(|h| email_column(h));
    let name = col(&["name", "full name", "display name"]);
    let trade = col(&["trade", "occupation", "profession", "job title"]);
    let skills = col(&["skills", "skill", "offers"]);
    // The file's own line of a record, from where it starts (a quoted cell may span lines, and
    // csv's position of a record comes before the blank lines it skipped).
    let line_at = |byte: u64| {
        let bytes = text.as_bytes();
        let mut at = (byte as usize).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        bytes[..at].iter().filter(|b| **b == b'\n').count() + 1
    };
    let mut out = Vec::new();
    for (i, row) in r.records().enumerate() {
        let row = match row {
            Ok(row) => row,
            // A broken row is shown as such; the rows around it still count.
            Err(e) => {
                let line = e.position().map_or(i + 2, |p| line_at(p.byte()));
                out.push(Raw {
                    line,
                    email: String::new(),
                    name: "(this row can't be read)".into(),
                    ..Raw::default()
                });
                continue;
            }
        };
        let line = row.position().map_or(i + 2, |p| line_at(p.byte()));
        let get = |c: Option<usize>| unguard(c.and_then(|c| row.get(c)).unwrap_or("")).to_owned();
        if row.iter().all(str::is_empty) {
            continue;
        }
        out.push(Raw { line, email: get(email), name: get(name), trade: get(trade), skills: get(skills) });
    }
    Ok(out)
}

/// Addresses pasted from a mail program or a list: one per line or separated by commas or
/// semicolons, each bare or as `Name <address>`.
fn pasted(text: &str) -> Vec<Raw> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for item in line.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
            let (name, email) = match (item.rfind('<'), item.ends_with('>')) {
                (Some(open), true) => {
                    (item[..open].trim().trim_matches('"').trim(), &item[open + 1..item.len() - 1])
                }
                _ => ("", item),
            };
            out.push(Raw {
                line: i + 1,
                email: email.trim().to_owned(),
                name: name.to_owned(),
                ..Raw::default()
            });
        }
    }
    out
}

/// What the group already knows of the addresses being checked.
#[derive(Debug, Default)]
pub struct Known {
    /// Addresses its members use (lower case): the organiser sees them on the member list.
    pub members: std::collections::HashSet<String>,
    /// Addresses it invited by an earlier import, and when.
    pub invited: HashMap<String, i64>,
    /// Invitations it may still send by import today.
    pub room_today: i64,
}

/// Checks every row; returns them all for the preview, and the entries to invite.
pub fn check(rows: &[Raw], known: &Known, when: impl Fn(i64) -> String) -> (Vec<Row>, Vec<Entry>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut shown, mut entries) = (Vec::new(), Vec::new());
    for raw in rows {
        let email = check_email(&raw.email);
        let name = check_name(&raw.name, 100);
        let trade = check_name(&raw.trade, 100);
        let skills = parse_tags(&raw.skills);
        let problem = match (&email, &name, &trade, &skills) {
            (Err(_), ..) if raw.email.trim().is_empty() => Some("No email address.".to_owned()),
            (Err(_), ..) => Some("This isn't an email address.".to_owned()),
            (_, Err(e), ..) => Some(format!("Name: {e}")),
            (_, _, Err(e), _) => Some(format!("Trade: {e}")),
            (_, _, _, Err(e)) => Some(format!("Skills: {e}")),
            (Ok(e), ..) => {
                if let Some(first) = seen.get(e) {
                    Some(format!("Also on line {first}: it gets one invitation."))
                } else if known.members.contains(e) {
                    Some("Already a member of this group.".to_owned())
                } else if let Some(at) = known.invited.get(e) {
                    Some(format!("Invited by an earlier import on {}.", when(*at)))
                } else if entries.len() as i64 >= known.room_today {
                    Some(format!(
                        "Over today's limit of {DAILY_LIMIT_TEXT} invitations for this group: try tomorrow."
                    ))
                } else {
                    None
                }
            }
        };
        if let Ok(e) = &email {
            seen.entry(e.clone()).or_insert(raw.line);
        }
        if problem.is_none() {
            entries.push(Entry {
                email: email.clone().unwrap_or_default(),
                name: name.clone().unwrap_or_default(),
                trade: trade.clone().unwrap_or_default(),
                skills: skills.clone().unwrap_or_default().join(", "),
            });
        }
        let email = email.unwrap_or_else(|_| raw.email.clone());
        shown.push(Row { line: raw.line, email, name: name.unwrap_or_else(|_| raw.name.clone()), problem });
    }
    (shown, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(rows: &[Raw]) -> Vec<&str> {
        rows.iter().map(|r| r.email.as_str()).collect()
    }

    #[test]
    fn a_csv_with_a_header_is_read_by_column_name_in_any_order_and_either_delimiter() {
        let text =
            "\u{feff}Name,Email,Trade,Skills,Phone\nAna Ribeiro,ana@example.org,Designer,\"seo, copy\",1\n\n\
                    Bo,bo@example.org,,,\n";
        let rows = read(text).expect("read");
        assert_eq!(emails(&rows), ["ana@example.org", "bo@example.org"]);
        assert_eq!(
            (rows[0].line, rows[0].name.as_str(), rows[0].skills.as_str()),
            (2, "Ana Ribeiro", "seo, copy")
        );
        assert_eq!(rows[1].line, 4, "lines count as the file's, blank ones skipped");
        let semi = read("e-mail;name\nana@example.org;Ana\n").expect("read");
        assert_eq!((emails(&semi), semi[0].name.as_str()), (vec!["ana@example.org"], "Ana"));
        let guarded = read("email,name\nana@example.org,'=Ana\n").expect("read");
        assert_eq!(guarded[0].name, "=Ana", "our own export guard comes off");
    }

    #[test]
    fn pasted_addresses_come_bare_or_with_names_on_lines_or_separated() {
        let rows = read("ana@example.org, \"Bo Lima\" <BO@example.org>\n\ncy@example.org;dee@example.org\n")
            .expect("read");
        assert_eq!(emails(&rows), ["ana@example.org", "BO@example.org", "cy@example.org", "dee@example.org"]);
        assert_eq!((rows[1].name.as_str(), rows[1].line, rows[2].line), ("Bo Lima", 1, 3));
        assert_eq!(read("email\nana@example.org").expect("read")[0].line, 2, "a lone header is a CSV");
    }

    #[test]
    fn each_row_is_checked_alone_and_the_reasons_say_why() {
        let rows = read(
            "name,email\nAna,ana@example.org\nBo,not an address\nCy,\nAna again,ANA@example.org\n\
             Dee,dee@example.org\nEd,ed@example.org\nFi,fi@example.org\nGil,gil@example.org\n",
        )
        .expect("read");
        let known = Known {
            members: ["dee@example.org".to_owned()].into(),
            invited: [("ed@example.org".to_owned(), 1)].into(),
            room_today: 2,
        };
        let (shown, entries) = check(&rows, &known, |_| "5 Dec".to_owned());
        let problems: Vec<Option<&str>> = shown.iter().map(|r| r.problem.as_deref()).collect();
        assert_eq!(
            problems,
            [
                None,
                Some("This isn't an email address."),
                Some("No email address."),
                Some("Also on line 2: it gets one invitation."),
                Some("Already a member of this group."),
                Some("Invited by an earlier import on 5 Dec."),
                None,
                Some("Over today's limit of 2,000 invitations for this group: try tomorrow."),
            ]
        );
        let sent: Vec<&str> = entries.iter().map(|e| e.email.as_str()).collect();
        assert_eq!(sent, ["ana@example.org", "fi@example.org"]);
        assert_eq!(shown[1].email, "not an address", "a bad address is shown as it was written");
    }

    #[test]
    fn the_limit_reads_as_written() {
        assert_eq!(DAILY_LIMIT_TEXT.replace(',', "").parse::<i64>(), Ok(DAILY_LIMIT));
    }

    #[test]
    fn too_many_rows_are_refused_whole() {
        let text: String = (0..=MAX_ROWS).map(|i| format!("p{i}@example.org\n")).collect();
        assert!(read(&text).expect_err("too long").contains("at most 10000"));
    }
}
