//! Markdown that members write (posts, replies), rendered to HTML that is safe to show.
//!
//! Two layers, so that one mistake is not enough: pulldown-cmark turns any raw HTML in the text
//! into plain text and images into plain links (no remote images load, so nobody is tracked), and
//! then ammonia keeps only a short list of tags and attributes, only http(s) and mailto links, and
//! marks every link `nofollow noopener noreferrer`.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]
    .into_iter()
    .collect();
    let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    attributes.insert("a", ["href", "title"].into_iter().collect());
    attributes.insert("ol", ["start"].into_iter().collect());
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .tag_attributes(attributes)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow noopener noreferrer"))
        .strip_comments(true);
    b
});

/// Renders member-written Markdown to safe HTML.
pub fn render(text: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let events = Parser::new_ext(text, options).map(|event| match event {
        // Raw HTML is shown as the text it is, never interpreted.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        // An image becomes a link to it; its alt text is the link's words.
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url, title, id })
        }
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        // Headings inside a post start below the page's own (h1 page, h2 sections).
        Event::Start(Tag::Heading { level, id, classes, attrs }) => Event::Start(Tag::Heading {
            level: level.max(pulldown_cmark::HeadingLevel::H3),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => {
            Event::End(TagEnd::Heading(level.max(pulldown_cmark::HeadingLevel::H3)))
        }
        other => other,
    });
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    CLEANER.clean(&html).to_string()
}

/// The first `max` characters of the text with Markdown marks left as typed, on one line: for
/// previews, where it is shown escaped as plain text.
pub fn excerpt(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// The words of member-written Markdown without its marks ("**New** venue" → "New venue"), on
/// one line, cut at a word within `max` characters: for a notice's title or a mail's subject.
pub fn words(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    let one_line = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(words, _)| words);
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn words_drop_the_marks_and_keep_one_line() {
        assert_eq!(
            super::words("**New venue** from\nMarch: `top` floor", 80),
            "New venue from March: top floor"
        );
        assert_eq!(super::words("# Big\n\n- one\n- two", 9), "Big one…");
    }

    /// Every tag in the output (text never holds a raw `<`: it is escaped), lower-cased.
    fn tags(html: &str) -> Vec<String> {
        html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("").to_lowercase()).collect()
    }

    /// A tag's name and attributes (ammonia always writes values in double quotes).
    fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
        let tag = tag.trim_start_matches('/').trim_end_matches('/');
        let (name, mut rest) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attrs = Vec::new();
        while let Some(eq) = rest.find('=') {
            let key = rest[..eq].trim().to_owned();
            let after = &rest[eq + 1..];
            let (value, tail) = match after.strip_prefix('"') {
                Some(v) => v.split_once('"').unwrap_or((v, "")),
                None => after.split_once(' ').unwrap_or((after, "")),
            };
            attrs.push((key, value.to_owned()));
            rest = tail;
        }
        (name.to_owned(), attrs)
    }

    /// No tag may run script: no script-like elements, no event handlers, no unsafe link targets.
    fn assert_inert(html: &str) {
        for tag in tags(html) {
            let (name, attrs) = parse_tag(&tag);
            assert!(
                !["script", "img", "iframe", "svg", "style", "object", "embed", "form", "input", "div", "b"]
                    .contains(&name.as_str()),
                "<{tag}> survived in {html:?}"
            );
            for (key, value) in attrs {
                assert!(["href", "title", "rel", "start"].contains(&key.as_str()), "<{tag}> in {html:?}");
                if key == "href" {
                    assert!(
                        value.starts_with("https://")
                            || value.starts_with("http://")
                            || value.starts_with("mailto:"),
                        "<{tag}>"
                    );
                }
            }
        }
    }

    #[test]
    fn markdown_renders_as_expected() {
        let html = render("**Bold** and _soft_, `code`\n\n- one\n- two\n\n[site](https://example.org)");
        assert!(html.contains("<strong>Bold</strong>"), "{html}");
        assert!(html.contains("<em>soft</em>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.org" rel="nofollow noopener noreferrer">site</a>"#),
            "{html}"
        );
    }

    #[test]
    fn script_tags_are_shown_as_text() {
        let html = render("Hello <script>alert('x')</script> there");
        assert_inert(&html);
        assert_eq!(tags(&html), ["p", "/p"]);
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let html = render("<script>\nalert(1)\n</script>");
        assert_inert(&html);
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn event_handlers_never_survive() {
        for text in [
            r#"<img src=x onerror="alert(1)">"#,
            r#"<a href="https://example.org" onclick="alert(1)">x</a>"#,
            r#"<div onload=alert(1)>hi</div>"#,
            r#"<svg/onload=alert(1)>"#,
            "[x](https://example.org \"\\\" onmouseover=\\\"alert(1)\")",
        ] {
            let html = render(text);
            assert_inert(&html);
        }
    }

    #[test]
    fn javascript_and_data_links_lose_their_target() {
        for text in [
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](  javascript:alert(1) )",
            "[click](java\tscript:alert(1))",
            "[click](&#106;avascript:alert(1))",
            "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[click](vbscript:msgbox(1))",
            "<javascript:alert(1)>",
            "[ref]\n\n[ref]: javascript:alert(1)",
            "![pic](javascript:alert(1))",
            "![pic](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
        ] {
            let html = render(text);
            assert_inert(&html);
            assert!(tags(&html).iter().all(|t| !t.contains("href")), "{text} → {html}");
        }
    }

    #[test]
    fn nested_and_broken_html_stays_text() {
        for text in [
            "<div><p><b onclick=x>nested</b></p></div>",
            "<<script>script>alert(1)<</script>/script>",
            "<scr<script>ipt>alert(1)</script>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<style>body{display:none}</style>",
            "<!-- <script>alert(1)</script> -->",
            "> quote <script>alert(1)</script>",
            "```\n<script>alert(1)</script>\n```",
            "<a href=\"javascript:alert(1)\">x</a>",
        ] {
            let html = render(text);
            assert_inert(&html);
        }
    }

    #[test]
    fn images_become_plain_links_and_relative_links_go() {
        let html = render("![a cat](https://example.org/cat.png)");
        assert!(html.contains(r#"<a href="https://example.org/cat.png""#), "{html}");
        assert!(!html.contains("<img"), "{html}");
        let html = render("[home](/settings)");
        assert!(!html.contains("href"), "relative links could point inside the app: {html}");
    }

    #[test]
    fn headings_start_below_the_page() {
        assert!(render("# Big").contains("<h3>Big</h3>"));
        assert!(render("#### Small").contains("<h4>Small</h4>"));
    }
}
