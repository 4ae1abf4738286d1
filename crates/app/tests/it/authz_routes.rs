//! The routes the authorization matrix (`authz.rs`) calls, and what each role may do with the
//! ones about the invite-only group.

use std::collections::BTreeSet;
use std::path::Path;

/// Which roles may get through each guarded route: m = member (the author of the confidential
/// post, owner of the goal shared with the group, giver of the referral slip, helper, owner of the
/// contact, of the request for help and of a notification), d = moderator (the author of the
/// reply), o = organiser (the author of the post, host of the event, receiver of the slip, the
/// one helped), a = the instance's admin, who alone gets into the admin console. Nobody outside
/// ever gets through, and no admin but to the console.
pub const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/admin", "a"),
    ("GET", "/admin/members", "a"),
    ("POST", "/admin/members/{id}/suspend", "a"),
    ("POST", "/admin/members/{id}/lift", "a"),
    ("GET", "/admin/members/{id}/delete", "a"),
    ("POST", "/admin/members/{id}/delete", "a"),
    ("GET", "/admin/groups", "a"),
    ("GET", "/admin/reports", "a"),
    // The world's only report is in the invite-only group, which is none of the admin's business.
    ("POST", "/admin/reports", ""),
    ("GET", "/admin/settings", "a"),
    ("POST", "/admin/settings", "a"),
    ("GET", "/admin/audit", "a"),
    ("GET", "/admin/outbox", "a"),
    // The world has no dead letter to send again.
    ("POST", "/admin/outbox/{id}/retry", ""),
    ("GET", "/api/v1/admin/members", "a"),
    ("DELETE", "/api/v1/admin/members/{id}", "a"),
    ("PUT", "/api/v1/admin/members/{id}/suspension", "a"),
    ("DELETE", "/api/v1/admin/members/{id}/suspension", "a"),
    ("GET", "/api/v1/admin/groups", "a"),
    ("GET", "/api/v1/admin/reports", "a"),
    ("GET", "/api/v1/admin/settings", "a"),
    ("PUT", "/api/v1/admin/settings", "a"),
    ("GET", "/api/v1/admin/audit", "a"),
    ("GET", "/api/v1/admin/outbox", "a"),
    ("POST", "/api/v1/admin/outbox/{id}/retry", ""),
    ("GET", "/groups/{id}", "mdo"),
    ("GET", "/groups/{id}/edit", "o"),
    ("POST", "/groups/{id}/edit", "o"),
    ("POST", "/groups/{id}/delete", "o"),
    ("POST", "/groups/{id}/join", ""),
    ("POST", "/groups/{id}/leave", "md"),
    ("POST", "/groups/{id}/follow", "mdo"),
    ("GET", "/groups/{id}/members", "mdo"),
    ("POST", "/groups/{id}/members/manage", "do"),
    ("POST", "/groups/{id}/requests", "do"),
    ("GET", "/groups/{id}/invites", "do"),
    ("POST", "/groups/{id}/invites", "do"),
    ("POST", "/groups/{id}/invites/revoke", "do"),
    ("GET", "/groups/{id}/roster", "do"),
    ("POST", "/groups/{id}/roster", "do"),
    ("GET", "/groups/{id}/console", "do"),
    ("GET", "/groups/{id}/classifications", "mdo"),
    ("POST", "/groups/{id}/classifications", "mdo"),
    ("GET", "/groups/{id}/calendar/import", "do"),
    ("POST", "/groups/{id}/calendar/import", "do"),
    ("GET", "/groups/{id}/console/members.csv", "do"),
    ("GET", "/groups/{id}/console/attendance.csv", "do"),
    ("GET", "/invites/{token}", ""),
    ("POST", "/invites/{token}", ""),
    ("GET", "/groups/{id}/calendar", "mdo"),
    ("POST", "/groups/{id}/calendar-feed", "mdo"),
    ("GET", "/feeds/group/{token}/calendar.ics", ""),
    ("POST", "/groups/{id}/announcements", "do"),
    ("POST", "/groups/{id}/posts", "mdo"),
    ("GET", "/groups/{id}/posts/{post}", "mdo"),
    ("GET", "/groups/{id}/posts/{post}/edit", "o"),
    ("POST", "/groups/{id}/posts/{post}/edit", "o"),
    ("POST", "/groups/{id}/posts/{post}/replies", "mdo"),
    ("POST", "/groups/{id}/posts/{post}/helped", "md"),
    ("POST", "/groups/{id}/posts/{post}/moderate", "do"),
    ("POST", "/groups/{id}/posts/{post}/report", "md"),
    ("GET", "/groups/{id}/reports", "do"),
    ("POST", "/groups/{id}/reports", "do"),
    ("GET", "/api/v1/groups/{id}", "mdo"),
    ("PATCH", "/api/v1/groups/{id}", "o"),
    ("DELETE", "/api/v1/groups/{id}", "o"),
    ("POST", "/api/v1/groups/{id}/membership", ""),
    ("DELETE", "/api/v1/groups/{id}/membership", "md"),
    ("PUT", "/api/v1/groups/{id}/follow", "mdo"),
    ("DELETE", "/api/v1/groups/{id}/follow", "mdo"),
    ("GET", "/api/v1/groups/{id}/members", "mdo"),
    ("PATCH", "/api/v1/groups/{id}/members/{member}", "o"),
    ("DELETE", "/api/v1/groups/{id}/members/{member}", "do"),
    ("POST", "/api/v1/groups/{id}/handover", "o"),
    ("GET", "/api/v1/groups/{id}/requests", "do"),
    ("POST", "/api/v1/groups/{id}/requests/{member}", "do"),
    ("GET", "/api/v1/groups/{id}/invites", "do"),
    ("POST", "/api/v1/groups/{id}/invites", "do"),
    ("DELETE", "/api/v1/groups/{id}/invites/{invite}", "do"),
    ("GET", "/api/v1/groups/{id}/roster", "do"),
    ("POST", "/api/v1/groups/{id}/roster", "do"),
    ("GET", "/api/v1/groups/{id}/console", "do"),
    ("GET", "/api/v1/groups/{id}/classifications", "mdo"),
    ("PUT", "/api/v1/groups/{id}/classifications", "do"),
    ("PUT", "/api/v1/groups/{id}/classification", "mdo"),
    ("DELETE", "/api/v1/groups/{id}/classification", "mdo"),
    ("POST", "/api/v1/groups/{id}/classifications/ask", "mdo"),
    ("POST", "/api/v1/groups/{id}/calendar/import", "do"),
    ("GET", "/api/v1/invites/{token}", ""),
    ("POST", "/api/v1/invites/{token}", ""),
    ("GET", "/api/v1/groups/{id}/announcements", "mdo"),
    ("POST", "/api/v1/groups/{id}/announcements", "do"),
    ("GET", "/api/v1/groups/{id}/events", "mdo"),
    ("GET", "/api/v1/groups/{id}/calendar.ics", "mdo"),
    ("GET", "/api/v1/groups/{id}/posts", "mdo"),
    ("POST", "/api/v1/groups/{id}/posts", "mdo"),
    ("GET", "/api/v1/groups/{id}/posts/{post}", "mdo"),
    ("PATCH", "/api/v1/groups/{id}/posts/{post}", "o"),
    ("DELETE", "/api/v1/groups/{id}/posts/{post}", "do"),
    ("POST", "/api/v1/groups/{id}/posts/{post}/replies", "mdo"),
    ("PATCH", "/api/v1/groups/{id}/posts/{post}/replies/{reply}", "d"),
    ("DELETE", "/api/v1/groups/{id}/posts/{post}/replies/{reply}", "do"),
    ("PUT", "/api/v1/groups/{id}/posts/{post}/helped", "md"),
    ("DELETE", "/api/v1/groups/{id}/posts/{post}/helped", "mdo"),
    ("POST", "/api/v1/groups/{id}/posts/{post}/moderation", "do"),
    ("POST", "/api/v1/groups/{id}/posts/{post}/reports", "md"),
    ("GET", "/api/v1/groups/{id}/reports", "do"),
    ("POST", "/api/v1/groups/{id}/reports/{report}", "do"),
    // The group's members-only event, hosted by the organiser.
    ("GET", "/events/{id}", "mdo"),
    ("GET", "/events/{id}/edit", "o"),
    ("POST", "/events/{id}/edit", "o"),
    ("POST", "/events/{id}/end", "o"),
    ("GET", "/events/{id}/cover", "o"),
    ("POST", "/events/{id}/cover", "o"),
    ("POST", "/events/{id}/cover/remove", "o"),
    ("PUT", "/api/v1/events/{id}/cover", "o"),
    ("DELETE", "/api/v1/events/{id}/cover", "o"),
    ("GET", "/events/{id}/event.ics", "mdo"),
    ("POST", "/events/{id}/rsvp", "mdo"),
    // Only for a focus pair's session, which this is not: nobody gets through.
    ("POST", "/events/{id}/leave", ""),
    ("POST", "/events/{id}/goal", "mdo"),
    ("POST", "/events/{id}/cancel-occurrence", "o"),
    ("POST", "/events/{id}/move-occurrence", "o"),
    ("POST", "/events/{id}/series-rsvp", "mdo"),
    // The matrix's event is online, which has no door: nobody checks people in there (the host,
    // organisers and moderators do at a place: `checkin.rs`).
    ("GET", "/events/{id}/checkin", ""),
    ("POST", "/events/{id}/checkin", ""),
    ("POST", "/events/{id}/checkin/visitors", ""),
    ("POST", "/events/{id}/message", "o"),
    // Visitors without an account answer only events shown to visitors, which this is not.
    ("POST", "/events/{id}/visitor-answer", ""),
    ("POST", "/events/{id}/attendance", "o"),
    ("POST", "/events/{id}/delete", "o"),
    // The room admits the host and members going; nobody else answered.
    ("GET", "/events/{id}/room", "o"),
    ("GET", "/events/{id}/room/ws", "o"),
    ("GET", "/api/v1/events/{id}", "mdo"),
    ("PATCH", "/api/v1/events/{id}", "o"),
    ("DELETE", "/api/v1/events/{id}", "o"),
    ("GET", "/api/v1/events/{id}/occurrences", "mdo"),
    ("PATCH", "/api/v1/events/{id}/occurrences/{start}", "o"),
    ("POST", "/api/v1/events/{id}/occurrences/{start}/message", "o"),
    // Visitors are written down at a door, which the matrix's online event has not.
    ("GET", "/api/v1/events/{id}/occurrences/{start}/visitors", ""),
    ("POST", "/api/v1/events/{id}/occurrences/{start}/visitors", ""),
    ("DELETE", "/api/v1/events/{id}/occurrences/{start}/visitors/{visitor}", ""),
    ("PUT", "/api/v1/events/{id}/series-rsvp", "mdo"),
    ("POST", "/api/v1/events/{id}/split", "o"),
    ("POST", "/api/v1/events/{id}/end", "o"),
    ("PUT", "/api/v1/events/{id}/rsvp", "mdo"),
    ("POST", "/api/v1/events/{id}/leave", ""),
    ("PUT", "/api/v1/events/{id}/goal", "mdo"),
    ("PUT", "/api/v1/events/{id}/attendance", "o"),
    // The weekly board, for those who may read the group.
    ("GET", "/groups/{id}/board", "mdo"),
    ("POST", "/groups/{id}/board", "mdo"),
    ("GET", "/api/v1/groups/{id}/board", "mdo"),
    ("PUT", "/api/v1/groups/{id}/board", "mdo"),
    ("GET", "/api/v1/groups/{id}/board/{member}", "mdo"),
    // The member's goal, shared with the group: theirs to change, the group's to comment on and cheer.
    ("GET", "/goals/{id}", "mdo"),
    ("GET", "/goals/{id}/edit", "m"),
    ("POST", "/goals/{id}/edit", "m"),
    ("POST", "/goals/{id}/status", "m"),
    ("POST", "/goals/{id}/delete", "m"),
    ("POST", "/goals/{id}/tasks", "m"),
    ("POST", "/goals/{id}/checkins", "m"),
    ("POST", "/goals/{id}/comments", "mdo"),
    ("POST", "/goals/{id}/cheer", "do"),
    ("GET", "/api/v1/goals/{id}", "mdo"),
    ("PATCH", "/api/v1/goals/{id}", "m"),
    ("DELETE", "/api/v1/goals/{id}", "m"),
    ("POST", "/api/v1/goals/{id}/tasks", "m"),
    ("PATCH", "/api/v1/goals/{id}/tasks/{task}", "m"),
    ("POST", "/api/v1/goals/{id}/checkins", "m"),
    ("POST", "/api/v1/goals/{id}/comments", "mdo"),
    ("PUT", "/api/v1/goals/{id}/cheer", "do"),
    ("DELETE", "/api/v1/goals/{id}/cheer", "do"),
    // The slip, its prospect's details with it, is the giver's and the receiver's alone; only the
    // receiver moves it on and thanks.
    ("GET", "/referrals/{id}", "mo"),
    ("POST", "/referrals/{id}/status", "o"),
    ("POST", "/referrals/{id}/thanks", "o"),
    ("GET", "/api/v1/referrals/{id}", "mo"),
    ("POST", "/api/v1/referrals/{id}/status", "o"),
    ("POST", "/api/v1/referrals/{id}/thanks", "o"),
    // Help the member recorded is confirmed by the other side; a request is closed by its author.
    ("POST", "/help/given/{id}/confirm", "o"),
    ("POST", "/api/v1/help/given/{id}/confirm", "o"),
    ("POST", "/help/{id}/close", "m"),
    ("POST", "/api/v1/help/{id}/close", "m"),
    // A contact is its owner's alone.
    ("GET", "/contacts/{id}", "m"),
    ("POST", "/contacts/{id}", "m"),
    ("POST", "/contacts/{id}/touch", "m"),
    ("POST", "/contacts/{id}/delete", "m"),
    ("GET", "/api/v1/contacts/{id}", "m"),
    ("PATCH", "/api/v1/contacts/{id}", "m"),
    ("DELETE", "/api/v1/contacts/{id}", "m"),
    ("POST", "/api/v1/contacts/{id}/touch", "m"),
    // A notification is its member's alone.
    ("POST", "/notifications/{id}/read", "m"),
    ("GET", "/notifications/{id}/open", "m"),
];

/// Whether a route is about the group or something private in it (so it must be in [`MATRIX`]).
pub fn guarded(path: &str) -> bool {
    path.starts_with("/admin")
        || path.starts_with("/api/v1/admin")
        || path.starts_with("/groups/{id}")
        || path.starts_with("/api/v1/groups/{id}")
        || path.starts_with("/events/{id}")
        || path.starts_with("/api/v1/events/{id}")
        || path.contains("invites/{token}")
        || path.starts_with("/feeds/group/")
        || path.starts_with("/goals/{id}")
        || path.starts_with("/api/v1/goals/{id}")
        || ["/referrals/{id}", "/contacts/{id}", "/help/{id}", "/help/given/{id}", "/notifications/{id}"]
            .iter()
            .any(|p| path.starts_with(p) || path.starts_with(&format!("/api/v1{p}")))
            // Requests and offers of help are open to every member, and any member but their
            // author may answer one (`referrals::answering_help_tells_the_author_once`).
            && !path.ends_with("/answer")
            && !path.ends_with("/answers")
}

/// Every `.route("PATH", method(..).method(..))` in the app's source: (METHOD, PATH).
pub fn source_routes() -> BTreeSet<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("src folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).expect("source"));
            }
        }
    }
    let mut sources = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
    let mut routes = BTreeSet::new();
    for text in sources {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let after = &rest[open + 1..];
            let Some(close) = after.find('"') else { break };
            let path = after[..close].to_owned();
            // The call's arguments end at the parenthesis that closes `.route(`.
            let (mut depth, mut end) = (1, after.len());
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let args = &after[close + 1..end];
            for m in ["get", "post", "put", "patch", "delete"] {
                let called = args
                    .match_indices(&format!("{m}("))
                    .any(|(i, _)| i == 0 || !args[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                if called {
                    routes.insert((m.to_uppercase(), path.clone()));
                }
            }
            rest = &after[end..];
        }
    }
    routes
}
