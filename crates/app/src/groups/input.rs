//! Checking what an organiser submits for a group (API or form) into stored fields.

use domain::geo::{Gazetteer, Resolved};
use domain::groups::Openness;
use domain::FieldErrors;
use serde::Deserialize;
use store::groups::{Group, GroupFields};
use utoipa::ToSchema;

/// A group as submitted. Every field is optional in the type so that each problem is reported by
/// its field; creating needs `name`, `time_zone`, `visibility` and a city unless virtual.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: Option<String>,
    /// What the group is for (plain text).
    pub description: Option<String>,
    /// Up to 8 topics, e.g. ["wordpress", "seo"].
    pub topics: Option<Vec<String>>,
    /// True for a group that meets online.
    #[serde(rename = "virtual")]
    pub is_virtual: Option<bool>,
    /// The city it meets in (a gazetteer label or name); ignored for virtual groups.
    pub city: Option<String>,
    /// IANA zone its weeks and meetings follow, e.g. "Europe/Berlin".
    pub time_zone: Option<String>,
    /// open | request | invite
    #[schema(pattern = "^(open|request|invite)$")]
    pub visibility: Option<String>,
    /// True lets non-members see the member list (members only by default).
    pub members_public: Option<bool>,
    /// True shows the group, and its public events' dates, to visitors without an account (not
    /// for an invite-only group). Left out when editing, it stays as it was.
    pub show_to_visitors: Option<bool>,
}

/// The current fields of a stored group, for a patch.
pub fn fields_of(g: &Group, topics: Vec<String>) -> GroupFields {
    GroupFields {
        name: g.name.clone(),
        description: g.description.clone(),
        is_virtual: g.is_virtual == 1,
        city_id: g.city_id,
        city_label: g.city_label.clone(),
        time_zone: g.time_zone.clone(),
        visibility: g.visibility.clone(),
        members_public: g.members_public == 1,
        topics,
    }
}

/// Checks an input against the current fields (a patch) or nothing (a new group).
pub fn apply(input: &GroupInput, current: Option<GroupFields>) -> Result<GroupFields, FieldErrors> {
    let creating = current.is_none();
    let mut f = current.unwrap_or_default();
    let mut e = FieldErrors::new();
    match &input.name {
        Some(n) => match domain::profile::check_name(n, 80) {
            Ok(n) if n.chars().count() < 3 => {
                e.add("name", "Give the group a name of at least 3 characters.")
            }
            Ok(n) => f.name = n,
            Err(d) => e.add("name", d),
        },
        None if creating => e.add("name", "Give the group a name."),
        None => {}
    }
    if let Some(d) = &input.description {
        if let Some(d) = e.check("description", domain::profile::check_text(d, 2000)) {
            f.description = d;
        }
    }
    if let Some(t) = &input.topics {
        if let Some(t) = e.check("topics", domain::groups::parse_topics(&t.join(","))) {
            f.topics = t;
        }
    }
    match &input.time_zone {
        Some(z) => {
            if let Some(tz) = e.check("time_zone", domain::profile::check_timezone(z)) {
                f.time_zone = tz.name().to_owned();
            }
        }
        None if creating => e.add("time_zone", "Choose the time zone the group's weeks follow."),
        None => {}
    }
    match &input.visibility {
        Some(v) => {
            if let Some(o) = e.check("visibility", Openness::parse(v)) {
                f.visibility = o.as_str().to_owned();
            }
        }
        None if creating => e.add("visibility", "Choose who may find and join the group."),
        None => {}
    }
    if let Some(p) = input.members_public {
        f.members_public = p;
    }
    if let Some(v) = input.is_virtual {
        f.is_virtual = v;
    }
    if f.is_virtual {
        f.city_id = None;
        f.city_label.clear();
    } else if let Some(c) = &input.city {
        let g = Gazetteer::bundled();
        match g.resolve_asking(c, g.country_of_zone(&f.time_zone)) {
            Resolved::Found(city) => {
                f.city_id = Some(city.id);
                f.city_label = city.label();
            }
            Resolved::Unknown => e.add("city", "Pick the city from the list, or make the group virtual."),
            asked => e.add("city", asked.or_ask(c).err().unwrap_or_default()),
        }
    } else if f.city_id.is_none() {
        e.add("city", "Say which city the group meets in, or make it virtual.");
    }
    e.into_result().map(|()| f)
}

/// The group form's fields, as typed.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GroupForm {
    pub name: String,
    pub description: String,
    pub topics: String,
    pub mode: String,
    pub city: String,
    pub time_zone: String,
    pub visibility: String,
    pub members_public: String,
    pub show_to_visitors: String,
}

impl GroupForm {
    /// The API's input for this form.
    pub fn input(&self) -> GroupInput {
        GroupInput {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            topics: Some(vec![self.topics.clone()]),
            is_virtual: Some(self.mode == "virtual"),
            city: (self.mode != "virtual").then(|| self.city.clone()),
            time_zone: Some(self.time_zone.clone()),
            visibility: Some(self.visibility.clone()),
            members_public: Some(self.members_public == "yes"),
            show_to_visitors: Some(self.show_to_visitors == "yes"),
        }
    }

    /// The form filled from a stored group (`shown`: to visitors).
    pub fn of(f: &GroupFields, shown: bool) -> GroupForm {
        GroupForm {
            name: f.name.clone(),
            description: f.description.clone(),
            topics: f.topics.join(", "),
            mode: if f.is_virtual { "virtual" } else { "in_person" }.into(),
            city: f.city_label.clone(),
            time_zone: f.time_zone.clone(),
            visibility: f.visibility.clone(),
            members_public: if f.members_public { "yes" } else { "" }.into(),
            show_to_visitors: if shown { "yes" } else { "" }.into(),
        }
    }
}
