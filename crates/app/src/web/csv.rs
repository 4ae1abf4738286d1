//! The one CSV writer every download goes through, guarded against formula injection: a
//! spreadsheet opening our file must never run a member's text as a formula. As OWASP advises,
//! a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
//! (shown by spreadsheets as text, not kept as part of the value); numeric cells are written as
//! they are. Our own CSV import takes the guard off again ([`unguard`]), so a file we wrote comes
//! back unchanged.

/// One cell: text from people (guarded) or a number we computed (written as it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A numeric cell.
    pub fn number(n: impl ToString) -> Cell {
        Cell::Number(n.to_string())
    }
}

/// Characters that make a spreadsheet read a cell as a formula (or start one after a jump).
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text`, with the guard in front if it needs one.
pub fn guard(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(TRIGGERS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Takes our guard off a cell read back: a `'` followed by a trigger character.
pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) => rest,
        _ => text,
    }
}

/// A CSV file under construction, header first.
#[derive(Debug)]
pub struct CsvWriter(csv::Writer<Vec<u8>>);

impl CsvWriter {
    /// A file whose first row is `header`.
    pub fn new(header: &[&str]) -> anyhow::Result<CsvWriter> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header)?;
        Ok(CsvWriter(w))
    }

    /// Adds a row.
    pub fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        self.0.write_record(cells.iter().map(|c| match c {
            Cell::Text(t) => guard(t).into_owned(),
            Cell::Number(n) => n.clone(),
        }))?;
        Ok(())
    }

    /// The file's text.
    pub fn finish(self) -> anyhow::Result<String> {
        let bytes = self.0.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(String::from_utf8(bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_is_guarded_and_numbers_are_not() {
        let mut w = CsvWriter::new(&["name", "count"]).expect("header");
        for bad in ["=HYPERLINK(\"http://x\")", "+351 912 345 678", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            w.row(&[Cell::text(bad), Cell::number(-3)]).expect("row");
        }
        w.row(&[Cell::text("Ana's café"), Cell::number(4)]).expect("row");
        let text = w.finish().expect("text");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> =
            r.records().map(|r| r.expect("row").iter().map(str::to_owned).collect()).collect();
        for row in &rows[..6] {
            assert!(row[0].starts_with('\''), "{row:?}");
            assert_eq!(row[1], "-3", "numbers stay numbers");
        }
        assert_eq!(rows[6], ["Ana's café", "4"], "plain text is left alone");
        for (row, bad) in rows.iter().zip(["=HYPERLINK(\"http://x\")", "+351 912 345 678", "-2+3"]) {
            assert_eq!(unguard(&row[0]), bad, "read back unchanged");
        }
        assert_eq!(unguard("'quoted on purpose'"), "'quoted on purpose'", "only our own guard comes off");
    }
}
