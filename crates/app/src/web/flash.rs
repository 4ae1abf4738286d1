//! One-time confirmations ("Posted.", "Saved.", "Added 2 people from the event."). A handler
//! redirects to `/page?notice=posted` as before; on the way out this layer takes the notice out
//! of the address and puts it into a short-lived cookie naming the page, and when the browser
//! asks for that page it is handed back to the handler as if it were in the query, once. The
//! address people see, reload, bookmark or share never carries it, and a link that does is not
//! believed (such parameters are taken off every request first). Notices are fixed words, never
//! secrets: those are shown once from the server (`web::once`).

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The cookie that carries a confirmation to the next page.
const FLASH_COOKIE: &str = "alng_flash";
/// The query parameters that carry a confirmation (or, for `accepted`, the partnership just
/// accepted, whose page offers to plan its first sessions once).
const CARRIED: [&str; 5] = ["notice", "added", "skipped", "saved", "accepted"];

/// Splits `path?query#fragment` into its path, its query pairs and the rest from `#` on.
fn split(target: &str) -> (&str, Vec<(String, String)>, &str) {
    let (before, fragment) = target.split_once('#').map_or((target, ""), |(b, _)| (b, &target[b.len()..]));
    let (path, query) = before.split_once('?').unwrap_or((before, ""));
    (path, serde_urlencoded::from_str(query).unwrap_or_default(), fragment)
}

fn join(path: &str, pairs: &[(String, String)], fragment: &str) -> String {
    match serde_urlencoded::to_string(pairs) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}{fragment}"),
        _ => format!("{path}{fragment}"),
    }
}

/// The flash cookie's value, if the request has one.
fn cookie_value(req: &Request) -> Option<String> {
    req.headers().get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|all| {
        all.split(';').find_map(|c| c.trim().strip_prefix(FLASH_COOKIE)?.strip_prefix('=').map(str::to_owned))
    })
}

fn set_cookie(state: &AppState, value: &str, max_age: u32) -> Option<HeaderValue> {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// The layer.
pub async fn carry(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // A confirmation is never read from the address itself.
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let (path, mut pairs, _) = split(&target);
    pairs.retain(|(k, _)| !CARRIED.contains(&k.as_str()));
    // One waiting for this page is handed to it, once.
    let mut used = false;
    if req.method() == axum::http::Method::GET {
        if let Some(value) = cookie_value(&req) {
            let (for_path, carried, _) = split(&value);
            if for_path == path {
                pairs.extend(carried.into_iter().filter(|(k, _)| CARRIED.contains(&k.as_str())));
                used = true;
            }
        }
    }
    let rewritten = join(path, &pairs, "");
    if rewritten != target {
        if let Ok(uri) = rewritten.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    let mut res = next.run(req).await;
    // A redirect that carries one: out of the address, into the cookie.
    let location = res.headers().get(LOCATION).and_then(|l| l.to_str().ok()).map(str::to_owned);
    if let Some(location) = location.filter(|l| l.starts_with('/') && !l.starts_with("//")) {
        let (to, pairs, fragment) = split(&location);
        let (carried, kept): (Vec<_>, Vec<_>) =
            pairs.into_iter().partition(|(k, _)| CARRIED.contains(&k.as_str()));
        if !carried.is_empty() {
            if let Ok(clean) = HeaderValue::from_str(&join(to, &kept, fragment)) {
                res.headers_mut().insert(LOCATION, clean);
            }
            if let Some(c) = set_cookie(&state, &join(to, &carried, "").replace(';', "%3B"), 60) {
                res.headers_mut().append(SET_COOKIE, c);
            }
            return res;
        }
    }
    if used {
        if let Some(c) = set_cookie(&state, "", 0) {
            res.headers_mut().append(SET_COOKIE, c);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_and_join_back() {
        let (path, pairs, fragment) = split("/groups/g1/posts/p2?notice=replied&x=1#r-9");
        assert_eq!((path, fragment), ("/groups/g1/posts/p2", "#r-9"));
        assert_eq!(
            pairs,
            vec![("notice".to_owned(), "replied".to_owned()), ("x".to_owned(), "1".to_owned())]
        );
        assert_eq!(join(path, &pairs[1..], fragment), "/groups/g1/posts/p2?x=1#r-9");
        assert_eq!(join("/", &[], ""), "/");
    }
}
