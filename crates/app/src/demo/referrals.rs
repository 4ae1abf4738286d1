//! The demo community's give and take around the first member: referral slips both ways at every
//! stage (one won and thanked, in two currencies), three to the same member so the "set up a
//! quarterly session?" insight shows, a one-to-one, confirmed hours of help both ways, open
//! requests and offers, and contacts of which one is overdue. Added once: skipped when the first
//! demo member has any slip.

use store::contacts::ContactFields;
use store::referrals::NewReferral;
use store::Db;

const DAY: i64 = 86_400_000;

/// (giver, receiver, prospect, contact, need, temperature, days ago, status, won value in minor
/// units and currency, thanked)
type DemoSlip = (
    usize,
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    Option<(i64, &'static str)>,
    bool,
);

const SLIPS: [DemoSlip; 6] = [
    (
        1,
        0,
        "Casa Verde Bakery",
        "orders@casaverde.example · +351 912 000 101",
        "A shop site with online orders.",
        "hot",
        30,
        "won",
        Some((240_000, "EUR")),
        true,
    ),
    (
        2,
        0,
        "Sara Nunes, photographer",
        "sara@nunes.example",
        "A portfolio that loads fast.",
        "cold",
        3,
        "received",
        None,
        false,
    ),
    (
        0,
        3,
        "Porto Tiles",
        "Rui at +351 913 000 202",
        "Bookkeeping for a small import business.",
        "warm",
        12,
        "meeting",
        None,
        false,
    ),
    (
        0,
        1,
        "Lumen Studio",
        "hello@lumen.example",
        "Copy for a new brand.",
        "warm",
        16,
        "won",
        Some((85_000, "GBP")),
        false,
    ),
    (
        0,
        1,
        "The Reading Room",
        "Marta, the owner",
        "Newsletter and blog posts.",
        "hot",
        9,
        "contacted",
        None,
        false,
    ),
    (
        0,
        1,
        "Alto Architects",
        "office@alto.example",
        "Case studies for their site.",
        "cold",
        2,
        "lost",
        None,
        false,
    ),
];

/// The path a slip takes to reach `status`.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "contacted" => &["contacted"],
        "meeting" => &["contacted", "meeting"],
        "won" => &["contacted", "meeting", "won"],
        "lost" => &["contacted", "lost"],
        _ => &[],
    }
}

/// Adds the demo referrals, help and contacts once. `ids` are the demo members' ids in order.
pub async fn load(db: &Db, ids: &[String]) -> anyhow::Result<()> {
    if ids.len() < 6 || !db.referrals_of(&ids[0], 0, i64::MAX).await?.is_empty() {
        return Ok(());
    }
    let now = crate::web::now_ms();
    for (giver, receiver, prospect, contact, need, temperature, days, status, value, thanked) in SLIPS {
        let made = now - days * DAY;
        let slip = NewReferral {
            giver_id: ids[giver].clone(),
            receiver_id: ids[receiver].clone(),
            group_id: None,
            prospect: prospect.into(),
            contact: contact.into(),
            need: need.into(),
            temperature: temperature.into(),
            note: String::new(),
        };
        let id = db.create_referral(&slip, made).await?;
        let mut from = "received";
        for (step, next) in path_to(status).iter().enumerate() {
            let at = made + (step as i64 + 1) * DAY;
            let v = if *next == "won" { value } else { None };
            db.set_referral_status(&id, from, next, v, &ids[receiver], at).await?;
            from = next;
        }
        if thanked {
            db.thank_for_referral(&id, &ids[receiver], made + 4 * DAY).await?;
        }
    }
    db.log_one_to_one(&ids[0], &ids[3], now - 10 * DAY, "Coffee: how we could share clients.", now).await?;

    // Hours both ways, both sides confirming.
    let h = db
        .record_help(&ids[1], &ids[0], 120, "Went through my pricing page together.", &ids[1], now - 20 * DAY)
        .await?;
    db.confirm_help(&h, &ids[0]).await?;
    let h = db
        .record_help(&ids[0], &ids[2], 90, "A first look at their WordPress theme.", &ids[0], now - 6 * DAY)
        .await?;
    db.confirm_help(&h, &ids[2]).await?;
    db.create_help_post(
        &ids[0],
        "offer",
        "wordpress",
        "An hour on your theme or plugins.",
        None,
        now - 5 * DAY,
    )
    .await?;
    db.create_help_post(
        &ids[4],
        "request",
        "seo",
        "Why does my shop not show up for 'handmade soap'?",
        None,
        now - DAY,
    )
    .await?;

    // Contacts: a member met at the referral lunch (overdue), and two people by hand.
    let people = [
        (Some(ids[5].clone()), "", "", "", "Referral lunch in October", Some(30), 45, vec!["referrals"]),
        (
            None,
            "Marta Reis",
            "marta@reis.example",
            "Accountant",
            "Library coworking",
            Some(90),
            20,
            vec!["accountant", "lisbon"],
        ),
        (
            None,
            "João Pinto",
            "joao@pinto.example",
            "Printer",
            "Printed the bakery's menus",
            None,
            60,
            vec!["supplier"],
        ),
    ];
    for (member, name, email, trade, met_at, cadence, days, tags) in people {
        let name = match &member {
            Some(m) => db.user(m).await?.map(|u| u.display_name).unwrap_or_default(),
            None => name.to_owned(),
        };
        let fields = ContactFields {
            member_id: member,
            name,
            email: email.into(),
            trade: trade.into(),
            met_at: met_at.into(),
            cadence_days: cadence,
            tags: tags.into_iter().map(str::to_owned).collect(),
            ..ContactFields::default()
        };
        db.create_contact(&ids[0], &fields, now - days * DAY).await?;
    }
    Ok(())
}
