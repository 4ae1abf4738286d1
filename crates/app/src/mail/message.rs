//! One outbox row as a mail: the plain text as written, and an HTML rendering of it beside it.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use minijinja::context;

use crate::error::AppError;

/// A picture inside a mail: its content id and its PNG.
type Picture = (String, Vec<u8>);

/// How an address to a QR code's picture ends: the picture is of the address before it.
const QR_SUFFIX: &str = "/qr.png";

/// The message for `mail`, or why it can never be sent.
pub(super) fn build(from: &str, site_name: &str, mail: &store::outbox::Mail) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("mail_from: {e}"))?;
    let to: Mailbox = mail.to_addr.parse().map_err(|e| format!("recipient: {e}"))?;
    // One Message-ID per outbox row, kept across retries: a mail sent again after a crash (SMTP
    // cannot be exactly-once) carries the same id, so mail servers and people can tell.
    let domain = from.email.domain().to_owned();
    let id = format!("{}@{domain}", mail.id);
    let (html, pictures) =
        html_of(site_name, &mail.subject, &mail.body_text, &id).map_err(|e| e.to_string())?;
    let mut builder =
        Message::builder().from(from).to(to).subject(&mail.subject).message_id(Some(format!("<{id}>")));
    if !mail.unsubscribe_url.is_empty() {
        // RFC 2369 and RFC 8058: mail apps offer an unsubscribe button that POSTs to the link.
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{}>", mail.unsubscribe_url),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let body = if pictures.is_empty() {
        MultiPart::alternative_plain_html(mail.body_text.clone(), html)
    } else {
        // The pictures go inside the mail (multipart/related), so they show where mail apps
        // block pictures from the web, as most do until asked.
        let png = ContentType::parse("image/png").map_err(|e| e.to_string())?;
        let mut related = MultiPart::related().singlepart(SinglePart::html(html));
        for (cid, bytes) in pictures {
            related = related.singlepart(Attachment::new_inline(cid).body(bytes, png.clone()));
        }
        MultiPart::alternative().singlepart(SinglePart::plain(mail.body_text.clone())).multipart(related)
    };
    builder.multipart(body).map_err(|e| e.to_string())
}

/// The HTML part: the plain text's paragraphs (split at blank lines) with their line breaks, a
/// line underlined with dashes a heading, and every http(s) address a link, but an address to a
/// QR code's picture (ending in [`QR_SUFFIX`]), which becomes the picture itself, returned beside
/// the HTML with its content id (made unique by `id`). The template escapes everything else.
fn html_of(site_name: &str, subject: &str, text: &str, id: &str) -> Result<(String, Vec<Picture>), AppError> {
    let mut pictures = Vec::new();
    let paragraphs: Vec<minijinja::Value> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let all: Vec<&str> = p.lines().collect();
            let underlined = all.len() > 1 && all[1].len() >= 3 && all[1].chars().all(|c| c == '-');
            let (heading, body) = if underlined { (Some(all[0]), &all[2..]) } else { (None, &all[..]) };
            let lines: Vec<Vec<minijinja::Value>> = body
                .iter()
                .map(|line| {
                    let mut parts = Vec::new();
                    let mut plain = String::new();
                    for (i, word) in line.split(' ').enumerate() {
                        if i > 0 {
                            plain.push(' ');
                        }
                        if word.starts_with("https://") || word.starts_with("http://") {
                            // A sentence's full stop or a closing bracket is not part of the address.
                            let href = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
                            parts.push(context! { text => std::mem::take(&mut plain) });
                            let code = href.strip_suffix(QR_SUFFIX).and_then(crate::web::qr::png);
                            if let Some(bytes) = code {
                                let cid = format!("qr{}.{id}", pictures.len() + 1);
                                parts.push(context! { href, picture => cid });
                                pictures.push((cid, bytes));
                            } else {
                                parts.push(context! { href });
                            }
                            plain.push_str(&word[href.len()..]);
                        } else {
                            plain.push_str(word);
                        }
                    }
                    parts.push(context! { text => plain });
                    parts
                })
                .collect();
            context! { heading, lines }
        })
        .collect();
    let html = crate::web::templates::fragment("mail.html", context! { subject, paragraphs, site_name })?.0;
    Ok((html, pictures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_go_as_text_and_html_from_the_configured_sender() {
        let mail = store::outbox::Mail {
            id: "m1".into(),
            to_addr: "ana@example.org".into(),
            subject: "Héllo".into(),
            body_text: "A line <b>not bold</b>\nand the next.\n\nOpen https://alongside.example/x?a=1&b=2 now, or https://alongside.example/y.\n".into(),
            unsubscribe_url: String::new(),
            attempts: 1,
            created_at: 0,
        };
        let text = String::from_utf8(
            build("Alongside <no-reply@example.org>", "Alongside", &mail).expect("built").formatted(),
        )
        .expect("utf-8");
        assert!(text.contains("From: Alongside <no-reply@example.org>"), "{text}");
        assert!(text.contains("To: ana@example.org"), "{text}");
        assert!(text.contains("Message-ID: <m1@example.org>"), "the outbox row names the message: {text}");
        assert!(text.contains("Content-Type: multipart/alternative"), "{text}");
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"), "{text}");
        assert!(text.contains("Content-Type: text/html; charset=utf-8"), "{text}");
        // The template writes "/" as "&#x2f;", which HTML reads back as "/".
        let (html, pictures) =
            html_of("Alongside", &mail.subject, &mail.body_text, "m1@example.org").expect("html");
        let html = html.replace("&#x2f;", "/");
        assert!(pictures.is_empty());
        assert!(html.contains("<p>A line &lt;b&gt;not bold&lt;/b&gt;<br>and the next.</p>"), "{html}");
        assert!(html.contains(r#"<a href="https://alongside.example/x?a=1&amp;b=2">https://alongside.example/x?a=1&amp;b=2</a> now, or <a href="https://alongside.example/y">https://alongside.example/y</a>.</p>"#), "{html}");
        assert!(!text.contains("List-Unsubscribe"), "account mail has no unsubscribe: {text}");
        let (sections, _) = html_of(
            "Alongside",
            "s",
            "Hello\n\nYour week ahead\n---------------\n- Library morning\n\n--\nFooter",
            "x",
        )
        .expect("html");
        assert!(sections.contains(">Your week ahead</h2>\n<p>- Library morning</p>"), "{sections}");
        assert!(sections.contains("<p>--<br>Footer</p>"), "a signature's dashes are no heading: {sections}");
        let news =
            store::outbox::Mail { unsubscribe_url: "https://a.example/unsubscribe/t".into(), ..mail.clone() };
        let text = String::from_utf8(build("a@example.org", "Alongside", &news).expect("built").formatted())
            .expect("utf-8");
        assert!(text.contains("List-Unsubscribe: <https://a.example/unsubscribe/t>"), "{text}");
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{text}");
        let bad = store::outbox::Mail { to_addr: "not an address".into(), ..mail };
        assert!(build("Alongside <no-reply@example.org>", "Alongside", &bad).is_err());
    }

    #[test]
    fn a_qr_code_goes_inside_the_mail_as_a_picture_and_stays_a_link_in_the_text() {
        let code = "https://alongside.example/checkin/ev1.1800000000000.u1.c2ln";
        let mail = store::outbox::Mail {
            id: "m2".into(),
            to_addr: "ana@example.org".into(),
            subject: "Reminder".into(),
            body_text: format!("See you there.\n\nYour check-in code for the door: {code}/qr.png\n"),
            unsubscribe_url: String::new(),
            attempts: 1,
            created_at: 0,
        };
        let (html, pictures) =
            html_of("Alongside", &mail.subject, &mail.body_text, "m2@example.org").expect("html");
        assert!(html.contains(r#"<img src="cid:qr1.m2@example.org" alt="QR code""#), "{html}");
        assert!(!html.contains("qr.png"), "the picture, not its address: {html}");
        let [(cid, png)] = &pictures[..] else { panic!("one picture: {pictures:?}") };
        assert_eq!(cid, "qr1.m2@example.org");
        assert_eq!(png, &crate::web::qr::png(code).expect("png"), "the picture is of the check-in address");
        let text = String::from_utf8(build("a@example.org", "Alongside", &mail).expect("built").formatted())
            .expect("utf-8");
        assert!(text.contains("Content-Type: multipart/related"), "{text}");
        assert!(text.contains("Content-ID: <qr1.m2@example.org>"), "{text}");
        assert!(text.contains("Content-Type: image/png"), "{text}");
        assert!(text.contains("Content-Disposition: inline"), "{text}");
        // (Quoted-printable breaks long lines with `=` at their ends.)
        let unbroken = text.replace("=\r\n", "");
        assert!(unbroken.contains(&format!("{code}/qr.png")), "the text part keeps the address: {text}");
    }
}
