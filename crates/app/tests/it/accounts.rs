//! Sign-up, log in/out, sessions, CSRF, rate limits and password reset through the pages.

use reqwest::StatusCode;

use crate::support::{csrf_of, reset_link, TestApp, PASSWORD};

#[tokio::test]
async fn a_visitor_signs_up_and_lands_on_a_dashboard_that_says_what_to_do_next() {
    let app = TestApp::spawn().await;
    let home = app.browser().await.get("/").await;
    assert!(home.body.contains("Work alone, not lonely"));
    let b = app.browser().await;
    let page = b.signup("Ana Ribeiro", "ana@example.org").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/welcome"), "a new member starts on the first-run page");
    let cookie = page.set_cookies.iter().find(|c| c.starts_with("alng_session=")).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http by default: {cookie}");
    let dash = b.get("/dashboard").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("Hello, Ana Ribeiro"));
    assert!(dash.body.contains("What to do next"));
    assert!(dash.body.contains("List the skills you can offer"));
}

#[tokio::test]
async fn session_cookies_are_secure_when_configured_for_https() {
    let app = TestApp::spawn_with(|c| c.secure_cookies = Some(true)).await;
    let page = app.browser().await.signup("Ben", "ben@example.org").await;
    let cookie = page.set_cookies.iter().find(|c| c.starts_with("alng_session=")).expect("cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn every_signup_field_is_checked_and_the_input_is_kept() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    let page =
        b.post("/signup", &[("display_name", ""), ("email", "not-an-email"), ("password", "short")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Tell people what to call you."));
    assert!(page.body.contains("Enter an email address like name@example.com."));
    assert!(page.body.contains("value=\"not-an-email\""), "input kept");
    let page = b
        .post("/signup", &[("display_name", "Cat"), ("email", "cat@example.org"), ("password", "short")])
        .await;
    assert!(page.body.contains("Use at least 12 characters"));
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(page.body.contains("value=\"Cat\""), "name kept");
    // A long but very common password.
    let page = b
        .post(
            "/signup",
            &[("display_name", "Cat"), ("email", "cat@example.org"), ("password", "1qaz2wsx3edc")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("most common"), "{}", page.body);
    let too_long = "x".repeat(129);
    let page = b
        .post("/signup", &[("display_name", "Cat"), ("email", "cat@example.org"), ("password", &too_long)])
        .await;
    assert!(page.body.contains("at most 128"));
    // The same email twice.
    assert_eq!(b.signup("Cat", "cat@example.org").await.status, StatusCode::SEE_OTHER);
    let again = app.browser().await.signup("Cat again", "CAT@example.org").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already exists"));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    let page = b
        .post_raw("/signup", &[("display_name", "Eve"), ("email", "eve@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = b
        .post_raw(
            "/signup",
            &[
                ("csrf", "forged"),
                ("display_name", "Eve"),
                ("email", "eve@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Another browser's token does not work either.
    let other = app.browser().await;
    let page = other
        .post_raw(
            "/signup",
            &[
                ("csrf", b.csrf.as_str()),
                ("display_name", "Eve"),
                ("email", "eve@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(app.state.db.user_by_email("eve@example.org").await.expect("db").is_none());
}

#[tokio::test]
async fn login_rotates_the_session_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    let first = b.signup("Dee", "dee@example.org").await;
    let old = first.set_cookies.iter().find(|c| c.starts_with("alng_session=")).expect("cookie").clone();
    let again = b.login("dee@example.org", PASSWORD).await;
    assert_eq!(again.location.as_deref(), Some("/dashboard"));
    let new = again.set_cookies.iter().find(|c| c.starts_with("alng_session=")).expect("new cookie");
    assert_ne!(old.split(';').next(), new.split(';').next(), "a new session id on every login");
    // The old session id no longer works.
    let stale =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let resp = stale
        .get(app.url("/dashboard"))
        .header("cookie", old.split(';').next().expect("pair"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/dashboard").await.status, StatusCode::OK);
    let out = b.post("/logout", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/"));
    let after = b.get("/dashboard").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location.as_deref(), Some("/login?next=%2Fdashboard"));
}

#[tokio::test]
async fn wrong_credentials_get_one_message_and_keep_the_email() {
    let app = TestApp::spawn().await;
    app.browser().await.signup("Fay", "fay@example.org").await;
    let b = app.browser().await;
    for (email, pw) in [("fay@example.org", "wrong-password-here"), ("nobody@example.org", PASSWORD)] {
        let page = b.login(email, pw).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("That email and password don't match an account."), "{}", page.body);
        assert!(page.body.contains(&format!("value=\"{email}\"")));
    }
}

/// Signs in through the API's token endpoint; the status.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, serde_json::Value) {
    app.post_json(
        "/api/v1/tokens",
        None,
        &serde_json::json!({"email": email, "password": password, "name": "n"}),
    )
    .await
}

#[tokio::test]
async fn guessing_one_accounts_password_waits_longer_each_time_until_a_reset() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    let b = app.browser().await;
    // Ten failures in fifteen minutes, through the page and the API alike.
    for i in 0..10 {
        let status = if i % 2 == 0 {
            b.login(&ana.email, "wrong-password-here").await.status
        } else {
            sign_in(&app, &ana.email, "wrong-password-here").await.0
        };
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "try {i}");
    }
    // Then each further try waits, the right password too; the wait is said.
    let limited = b
        .client
        .post(app.url("/login"))
        .form(&[("csrf", b.csrf.as_str()), ("email", ana.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=30).contains(&wait), "the first wait is 30 s: {wait}");
    let (s, body) = sign_in(&app, &ana.email, PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // An address nobody uses is answered exactly the same way.
    for _ in 0..10 {
        assert_eq!(
            sign_in(&app, "nobody@example.org", "wrong-password-here").await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        sign_in(&app, "nobody@example.org", "wrong-password-here").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts from the same address are not slowed down.
    let ben = app.member("Ben").await;
    assert_eq!(sign_in(&app, &ben.email, PASSWORD).await.0, StatusCode::CREATED);
    // Checking one's own password counts too (deleting the account, changing the password).
    let (s, _) = app.delete_json("/api/v1/me", &ana.token, &serde_json::json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "the account's wait holds for every password check");
    // A reset proves the mailbox and clears the wait.
    b.post("/reset", &[("email", ana.email.as_str())]).await;
    let link = reset_link(&app.mail_with(&["/reset/"]).await);
    let path = link.strip_prefix(&app.base).expect("here").to_owned();
    assert_eq!(b.post(&path, &[("password", "a-brand-new-passphrase")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(sign_in(&app, &ana.email, "a-brand-new-passphrase").await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn a_cafe_sharing_one_address_signs_in_freely_after_a_few_typos() {
    let app = TestApp::spawn().await;
    let mut members = Vec::new();
    for i in 0..20 {
        members.push(app.member(&format!("Member {i}")).await);
    }
    for m in &members[..5] {
        assert_eq!(sign_in(&app, &m.email, "a-typo-in-here").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    for m in &members {
        let b = app.browser().await;
        assert_eq!(b.login(&m.email, PASSWORD).await.status, StatusCode::SEE_OTHER, "{} gets in", m.email);
    }
}

#[tokio::test]
async fn one_address_failing_too_often_waits_and_sign_ups_and_resets_are_limited() {
    let app = TestApp::spawn_with(|c| {
        c.failed_sign_ins_per_address = 5;
        c.rate_limit_auth = 5;
    })
    .await;
    for i in 0..5 {
        let (s, _) = sign_in(&app, &format!("guess{i}@example.org"), "wrong-password-here").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (s, _) = sign_in(&app, "guess9@example.org", "wrong-password-here").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "five failures from one address in five minutes");
    let b = app.browser().await;
    for _ in 0..5 {
        assert_eq!(b.post("/reset", &[("email", "gil@example.org")]).await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(b.post("/reset", &[("email", "gil@example.org")]).await.status, StatusCode::TOO_MANY_REQUESTS);
    for _ in 0..5 {
        let page = app.browser().await.signup("Hop", &format!("hop{}@example.org", store::new_id())).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let sixth = app.browser().await.signup("Hop", "hop-last@example.org").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS, "sign-up is limited too");
}

#[tokio::test]
async fn two_instances_share_one_count() {
    let app = TestApp::spawn_with(|c| c.failed_sign_ins_per_address = 4).await;
    let other = TestApp::run_on(&app, |c| c.failed_sign_ins_per_address = 4).await;
    for (i, instance) in [&app, &other, &app, &other].into_iter().enumerate() {
        let (s, _) = sign_in(instance, &format!("guess{i}@example.org"), "wrong-password-here").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    for instance in [&app, &other] {
        assert_eq!(sign_in(instance, "guess9@example.org", "x").await.0, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn a_reset_link_is_emailed_works_once_and_ends_old_sessions() {
    let app = TestApp::spawn().await;
    let owner = app.browser().await;
    owner.signup("Hal", "hal@example.org").await;
    let b = app.browser().await;
    // Unknown addresses get the same answer and no mail.
    let page = b.post("/reset", &[("email", "nobody@example.org")]).await;
    assert_eq!(page.location.as_deref(), Some("/login"));
    assert!(b.get("/login").await.body.contains("a reset link is on its way"), "the confirmation, once");
    assert!(!b.get("/login").await.body.contains("a reset link is on its way"), "and only once");
    let page = b.post("/reset", &[("email", "HAL@example.org")]).await;
    assert_eq!(page.location.as_deref(), Some("/login"));
    let mails = app.mails(1).await;
    assert_eq!(mails.len(), 1, "only the real account gets mail");
    assert!(mails[0].contains("To: hal@example.org"));
    let link = reset_link(&mails[0]);
    let path = link.strip_prefix(&app.base).expect("link to this instance").to_owned();
    let form = b.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(csrf_of(&form.body).is_some());
    let weak = b.post(&path, &[("password", "short")]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("at least 12"));
    let done = b.post(&path, &[("password", "a-brand-new-passphrase")]).await;
    assert_eq!(done.location.as_deref(), Some("/login"));
    assert!(
        b.get("/login").await.body.contains("Your password is changed"),
        "said once, on the page it leads to"
    );
    // Single use.
    assert_eq!(b.get(&path).await.status, StatusCode::GONE);
    let reuse = b.post(&path, &[("password", "another-new-passphrase")]).await;
    assert_eq!(reuse.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The old password is gone, the new one works, and the owner's old session ended.
    assert_eq!(b.login("hal@example.org", PASSWORD).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b.login("hal@example.org", "a-brand-new-passphrase").await.status, StatusCode::SEE_OTHER);
    assert_eq!(owner.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour() {
    let app = TestApp::spawn().await;
    app.browser().await.signup("Ida", "ida@example.org").await;
    let user = app.state.db.user_by_email("ida@example.org").await.expect("db").expect("user");
    let token = "expired-token-for-the-test";
    let hash = app::web::secrets::hash_token(token);
    let issued = app::web::now_ms() - app::accounts::RESET_TTL_MS - 1;
    app.state
        .db
        .create_reset(&user.id, &hash, issued, issued + app::accounts::RESET_TTL_MS)
        .await
        .expect("reset");
    let b = app.browser().await;
    let page = b.get(&format!("/reset/{token}")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("expired or was already used"));
    let post = b.post(&format!("/reset/{token}"), &[("password", "a-brand-new-passphrase")]).await;
    assert_eq!(post.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_first_account_is_admin_and_suspended_accounts_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let first = app.member("First").await;
    let second = app.member("Second").await;
    let (_, me) = app.get_json("/api/v1/me", Some(&first.token)).await;
    assert_eq!(me["is_admin"], true);
    let (_, me) = app.get_json("/api/v1/me", Some(&second.token)).await;
    assert_eq!(me["is_admin"], false);
    app.state.db.set_suspended(&second.id, Some(1)).await.expect("suspend");
    let page = app.browser().await.login(&second.email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("suspended"));
    let (s, _) = app.get_json("/api/v1/me", Some(&second.token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a suspended member's tokens stop working");
}

#[tokio::test]
async fn the_reset_form_checks_the_email_and_keeps_it() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    let page = b.post("/reset", &[("email", "not an email")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Enter an email address like name@example.com."));
    assert!(page.body.contains("value=\"not an email\""));
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_follows_the_address_the_proxy_saw() {
    let app = TestApp::spawn_with(|c| {
        c.failed_sign_ins_per_address = 2;
        c.trust_proxy = true;
    })
    .await;
    let b = app.browser().await;
    let login = |spoofed: &'static str| {
        let req = b
            .client
            .post(app.url("/login"))
            .header("x-forwarded-for", format!("{spoofed}, 203.0.113.9"))
            .form(&[
                ("csrf", b.csrf.as_str()),
                ("email", "a@example.org"),
                ("password", "wrong-password-xx"),
            ]);
        async move { req.send().await.expect("post").status() }
    };
    assert_eq!(login("1.1.1.1").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(login("2.2.2.2").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        login("3.3.3.3").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged first entry does not reset the limit"
    );
}

#[tokio::test]
async fn nul_characters_are_bad_input_not_server_errors() {
    let app = TestApp::spawn().await;
    let m = app.member("Nul").await;
    for path in ["/api/v1/members?q=%00", "/api/v1/members/%00", "/api/v1/cities?q=a%00"] {
        let (s, body) = app.get_json(path, Some(&m.token)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(body["errors"].is_array());
    }
    let (s, _) = app.patch_json("/api/v1/me", &m.token, &serde_json::json!({"bio": "a\u{0}b"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.patch_json("/api/v1/me", &m.token, &serde_json::json!({"trade": "a\u{1}b"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let b = app.browser().await;
    assert_eq!(b.get("/members/%00").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b.login("a\u{0}@example.org", PASSWORD).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    b.signup("Nuria", "nuria@example.org").await;
    assert_eq!(b.get("/calendar?date=someday").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_first_run_page_asks_where_when_and_what_then_shows_who_is_here() {
    let app = TestApp::spawn().await;
    let bea = app
        .member_with(
            "Bea Costa",
            serde_json::json!({"skills_offered": ["web design", "copywriting"], "virtual": true,
                "windows": [{"weekday": 2, "start_min": 1080, "end_min": 1260}], "timezone": "Europe/Lisbon"}),
        )
        .await;
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(4)).format("%Y-%m-%dT18:00").to_string();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&bea.token),
            &serde_json::json!({"kind": "cowork", "title": "Online focus hour", "time_zone": "Europe/Lisbon",
                "starts_at_local": start, "virtual": {}, "visibility": "public"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let group = crate::groups::group(&app, &bea, "Lisbon freelancers", "open").await;

    let b = app.browser().await;
    b.signup("Ana Ribeiro", "ana@example.org").await;
    let page = b.get("/welcome").await.body;
    assert!(
        page.contains("data-browser-zone")
            && page.contains("<option value=\"Europe/Lisbon\">Lisbon · Europe</option>")
    );
    assert!(page.contains("value=\"wed-evening\""), "a weekly grid");
    assert!(page.contains("value=\"web design\""), "chips from what others offer");

    let bad = b
        .post("/welcome", &[("timezone", "Mars/Olympus"), ("slot", "wed-evening"), ("offer", "web design")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"wed-evening\" checked"), "the grid is kept");
    assert!(bad.body.contains("value=\"web design\" checked"), "the chips are kept");
    let good = b
        .post(
            "/welcome",
            &[
                ("timezone", "Europe/Lisbon"),
                ("slot", "wed-evening"),
                ("slot", "fri-morning"),
                ("offer", "web design"),
                ("offers_more", "photography"),
                ("need", ""),
                ("needs_more", "bookkeeping"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    assert_eq!(good.location.as_deref(), Some("/welcome/next"));
    let ana = app.state.db.user_by_email("ana@example.org").await.expect("db").expect("ana");
    let profile = app.state.db.profile(&ana.id).await.expect("db").expect("profile");
    assert_eq!(profile.user.timezone, "Europe/Lisbon");
    let windows: Vec<(u8, u16, u16)> =
        profile.windows.iter().map(|w| (w.weekday, w.start_min, w.end_min)).collect();
    assert_eq!(windows, [(2, 1080, 1260), (4, 540, 720)]);
    assert_eq!(profile.offers, ["photography", "web design"]);
    assert_eq!(profile.needs, ["bookkeeping"]);

    let next = b.get("/welcome/next").await.body;
    assert!(next.contains("Ask Bea Costa to cowork"), "{next}");
    assert!(
        next.contains("Online focus hour")
            && next.contains(&format!("action=\"/events/{}/rsvp\"", e["id"].as_str().expect("id"))),
        "{next}"
    );
    assert!(next.contains(&format!("action=\"/groups/{group}/join\"")), "{next}");
}
