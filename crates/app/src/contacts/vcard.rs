//! Contacts as vCards: written as 4.0 (RFC 6350), read from 4.0, 3.0 (Google, Apple) and 2.1
//! (Outlook, with quoted-printable values and a charset).
//!
//! Reading leans on the content-line parser of `icalendar` (already here for calendars: vCard and
//! iCalendar share the line syntax); what is vCard's own is done here: a property's group prefix
//! (`item1.EMAIL`), 2.1's quoted-printable values with their soft line breaks and charsets, and
//! vCard's escaping (read from the raw value, as the calendar parser leaves the properties of
//! cards alone). Writing is a few lines of escaping and folding, done here rather than with a
//! vCard crate that would bring two dozen crates for them.

use icalendar::parser::{self, Component, Property};

/// Most cards nest: a 2.1 AGENT holds a card; a file deeper than this is no address book's.
const MAX_DEPTH: usize = 4;

/// One card to write: properties in order, each a name and its already escaped value.
#[derive(Debug, Default)]
pub struct CardOut {
    lines: Vec<(String, String)>,
}

impl CardOut {
    /// A card for `name` (vCard wants a formatted name on every card).
    pub fn new(name: &str) -> CardOut {
        CardOut { lines: vec![("FN".to_owned(), escape(name))] }
    }

    /// A text property; nothing when `value` is empty.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        if !value.is_empty() {
            self.lines.push((name.to_owned(), escape(value)));
        }
        self
    }

    /// A property whose value is a list (CATEGORIES), or a structure of one part (ORG).
    pub fn list(&mut self, name: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            let value = values.iter().map(|v| escape(v)).collect::<Vec<_>>().join(",");
            self.lines.push((name.to_owned(), value));
        }
        self
    }

    /// The card as vCard 4.0 text, lines folded at 75 octets.
    pub fn write(&self, out: &mut String) {
        out.push_str("BEGIN:VCARD\r\nVERSION:4.0\r\n");
        for (name, value) in &self.lines {
            fold(&format!("{name}:{value}"), out);
        }
        out.push_str("END:VCARD\r\n");
    }
}

/// A text value escaped (RFC 6350 §3.4): backslash, comma, semicolon, line breaks.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.replace("\r\n", "\n").chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// `line` with CRLF, folded so no physical line is longer than 75 octets, never inside a
/// character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// A card read from a file: its properties by name (group prefix dropped), values decoded and
/// still escaped.
#[derive(Debug, Default)]
pub struct CardIn {
    props: Vec<(String, String)>,
}

impl CardIn {
    /// The first value of `name`, unescaped.
    pub fn first(&self, name: &str) -> Option<String> {
        self.raw(name).next().map(unescape)
    }

    /// Every value of `name`, unescaped.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.raw(name).map(unescape).collect()
    }

    /// The parts of every value of `name` split at `sep` (`,` for lists, `;` for structures),
    /// each unescaped.
    pub fn parts(&self, name: &str, sep: char) -> Vec<Vec<String>> {
        self.raw(name).map(|v| split_unescaped(v, sep).into_iter().map(|p| unescape(&p)).collect()).collect()
    }

    fn raw<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.props.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The cards of a vCard file, or why it can't be read.
pub fn read(text: &str) -> Result<Vec<CardIn>, String> {
    let mut cards = Vec::new();
    // The parser reads one component at a time, so each card is handed to it on its own.
    for card in top_level_cards(text)? {
        let roots =
            parser::read_calendar_simple(&card).map_err(|_| "its lines are not vCard's".to_owned())?;
        cards.extend(
            roots
                .iter()
                .filter(|c| c.name.as_str().eq_ignore_ascii_case("VCARD"))
                .map(|c: &Component<'_>| CardIn { props: c.properties.iter().map(decoded).collect() }),
        );
    }
    if cards.is_empty() {
        return Err("it has no BEGIN:VCARD".to_owned());
    }
    Ok(cards)
}

/// The file's cards, each as the parser reads it: one kind of line end (CRLF), folded lines
/// joined (a line starting with a space or a tab continues the one before), and 2.1's
/// quoted-printable soft line breaks (a value's line ending in `=`) joined too. Lines outside a
/// card are left out.
fn top_level_cards(text: &str) -> Result<Vec<String>, String> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<String> = Vec::new();
    let mut soft_break = false;
    for line in text.split('\n') {
        match lines.last_mut() {
            Some(last) if soft_break => {
                last.pop(); // the `=` that breaks the value's line
                last.push_str(line);
            }
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(&line[1..]),
            _ => lines.push(line.to_owned()),
        }
        let last = lines.last().map(String::as_str).unwrap_or("");
        soft_break = last.ends_with('=') && is_quoted_printable(last);
    }
    let (mut cards, mut card, mut depth) = (Vec::new(), String::new(), 0usize);
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        let starts = |tag: &str| line.get(..tag.len()).is_some_and(|p| p.eq_ignore_ascii_case(tag));
        if starts("BEGIN:") {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err("its cards nest deeper than any address book's".to_owned());
            }
        } else if depth == 0 {
            continue;
        }
        card.push_str(line);
        card.push_str("\r\n");
        if starts("END:") {
            depth -= 1;
            if depth == 0 {
                cards.push(std::mem::take(&mut card));
            }
        }
    }
    if !card.is_empty() {
        cards.push(card); // a card cut short: the parser says it cannot read it
    }
    Ok(cards)
}

/// Whether a content line's parameters say its value is quoted-printable (2.1 writes
/// `ENCODING=QUOTED-PRINTABLE` or the bare `QUOTED-PRINTABLE`).
fn is_quoted_printable(line: &str) -> bool {
    let head = line.split(':').next().unwrap_or("");
    head.split(';').skip(1).any(|p| {
        let p = p.trim();
        p.eq_ignore_ascii_case("QUOTED-PRINTABLE") || p.eq_ignore_ascii_case("ENCODING=QUOTED-PRINTABLE")
    })
}

/// A property's name without its group (`item1.EMAIL` is `EMAIL`), and its value decoded from
/// quoted-printable and its charset where the parameters say so.
fn decoded(p: &Property<'_>) -> (String, String) {
    let name = p.name.as_str();
    let name = name.rsplit('.').next().unwrap_or(name).to_owned();
    let param = |key: &str| {
        p.params
            .iter()
            .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
            .map(|x| x.val.as_ref().map(|v| v.as_str()))
    };
    let qp = matches!(param("ENCODING"), Some(Some(v)) if v.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
        || param("QUOTED-PRINTABLE").is_some();
    let value = p.val.as_str();
    if !qp {
        return (name, value.to_owned());
    }
    let bytes = quoted_printable::decode(value.as_bytes(), quoted_printable::ParseMode::Robust)
        .unwrap_or_else(|_| value.as_bytes().to_vec());
    let charset = param("CHARSET").flatten().unwrap_or("utf-8");
    let encoding = encoding_rs::Encoding::for_label(charset.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(&bytes);
    // A quoted-printable value's line breaks are CRLF (=0D=0A); a text value's are `\n`.
    (name, escape_breaks(&text))
}

/// Real line breaks in a decoded value written as vCard's `\n`, so unescaping treats every value
/// alike.
fn escape_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\\n")
}

/// `value` split at every `sep` that no backslash escapes.
fn split_unescaped(value: &str, sep: char) -> Vec<String> {
    let (mut parts, mut part, mut escaped) = (Vec::new(), String::new(), false);
    for c in value.chars() {
        if escaped {
            part.push('\\');
            part.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(std::mem::take(&mut part));
        } else {
            part.push(c);
        }
    }
    if escaped {
        part.push('\\');
    }
    parts.push(part);
    parts
}

/// A text value unescaped: `\n` (or `\N`) a line break, `\,` `\;` `\\` the character itself.
fn unescape(value: &str) -> String {
    let (mut out, mut escaped) = (String::with_capacity(value.len()), false);
    for c in value.chars() {
        match (escaped, c) {
            (true, 'n' | 'N') => out.push('\n'),
            (true, c) => out.push(c),
            (false, '\\') => {
                escaped = true;
                continue;
            }
            (false, c) => out.push(c),
        }
        escaped = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_folded_and_read_back() {
        let mut card = CardOut::new("Ana, Sousa; Lda \\ Co");
        card.text("NOTE", &"Line one\nLine two ".repeat(8)).list("CATEGORIES", &["a,b".into(), "c".into()]);
        let mut text = String::new();
        card.write(&mut text);
        assert!(text.lines().all(|l| l.len() <= 75), "{text}");
        assert!(text.contains("FN:Ana\\, Sousa\\; Lda \\\\ Co\r\n"), "{text}");
        let read = read(&text).expect("read");
        assert_eq!(read[0].first("FN").as_deref(), Some("Ana, Sousa; Lda \\ Co"));
        assert_eq!(read[0].first("NOTE"), Some("Line one\nLine two ".repeat(8)));
        assert_eq!(read[0].parts("CATEGORIES", ','), vec![vec!["a,b".to_owned(), "c".to_owned()]]);
    }

    #[test]
    fn groups_quoted_printable_and_charsets_are_read() {
        let outlook = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Conceição;João\r\n\
             FN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Jo=E3o Concei=E7=E3o\r\n\
             NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Primeira linha=0D=0ASegunda =\r\nlinha, =C3=A9 isto\r\n\
             TEL;CELL;VOICE:+351 910 000 000\r\nEMAIL;PREF;INTERNET:joao@example.pt\r\nEND:VCARD\r\n";
        let cards = read(outlook).expect("read");
        assert_eq!(cards[0].first("FN").as_deref(), Some("João Conceição"));
        assert_eq!(cards[0].first("NOTE").as_deref(), Some("Primeira linha\nSegunda linha, é isto"));
        assert_eq!(cards[0].first("TEL").as_deref(), Some("+351 910 000 000"));
        let apple = "BEGIN:VCARD\nVERSION:3.0\nitem1.EMAIL;type=INTERNET;type=pref:bo@example.org\n\
             item1.X-ABLabel:_$!<Work>!$_\nFN:Bo\nEND:VCARD\n";
        assert_eq!(read(apple).expect("read")[0].first("EMAIL").as_deref(), Some("bo@example.org"));
        assert!(read("hello").is_err());
        assert!(read("BEGIN:VCARD\nFN:Cut short\n").is_err());
        assert!(read(&"BEGIN:VCARD\n".repeat(10)).is_err(), "nesting is bounded");
    }
}
