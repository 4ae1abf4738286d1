//! Discovery on a fixed data set: words, topics, distance around a city, virtual only, and the
//! order (soonest first, then nearer, then by name).

use domain::discovery::{check_radius, find, Item, Place, Search};

const BERLIN: (f64, f64) = (52.524, 13.411);
const POTSDAM: (f64, f64) = (52.399, 13.066); // about 27 km from Berlin's centre
const HAMBURG: (f64, f64) = (53.551, 9.994); // about 255 km
const LISBON: (f64, f64) = (38.717, -9.133);

fn item(name: &str, text: &str, topics: &[&str], place: Place, next: Option<i64>) -> Item {
    Item {
        name: name.into(),
        text: text.into(),
        topics: topics.iter().map(|t| (*t).to_owned()).collect(),
        place,
        next_start: next,
    }
}

fn data() -> Vec<Item> {
    vec![
        item(
            "WordPress Berlin",
            "Monthly meetup for WordPress folks",
            &["wordpress", "web"],
            Place::At(BERLIN),
            Some(300),
        ),
        item(
            "Copywriters' Circle",
            "Weekly accountability for writers",
            &["writing"],
            Place::At(BERLIN),
            Some(100),
        ),
        item(
            "Potsdam Freelancers",
            "Coworking at the library",
            &["coworking"],
            Place::At(POTSDAM),
            Some(200),
        ),
        item(
            "Hamburg SEO",
            "Search engine optimisation chapter",
            &["seo", "web"],
            Place::At(HAMBURG),
            Some(50),
        ),
        item(
            "Remote Bookkeepers",
            "Online check-ins for solo bookkeepers",
            &["bookkeeping"],
            Place::Virtual,
            Some(150),
        ),
        item("Café Büro Lisboa", "Trabalhar juntos, café tranquilo", &["coworking"], Place::At(LISBON), None),
        item("Quiet Writers Online", "Heads-down writing sprints", &["writing"], Place::Virtual, None),
    ]
}

fn names(items: &[Item], s: &Search) -> Vec<String> {
    find(items, s).iter().map(|h| items[h.index].name.clone()).collect()
}

#[test]
fn everything_soonest_first_with_the_undated_last_by_name() {
    let items = data();
    let all = names(&items, &Search::new("", "", None, 25.0, false));
    assert_eq!(
        all,
        vec![
            "Hamburg SEO",
            "Copywriters' Circle",
            "Remote Bookkeepers",
            "Potsdam Freelancers",
            "WordPress Berlin",
            "Café Büro Lisboa",
            "Quiet Writers Online",
        ]
    );
}

#[test]
fn near_a_city_keeps_what_lies_within_the_radius() {
    let items = data();
    let s = Search::new("", "", Some(BERLIN), 25.0, false);
    assert_eq!(names(&items, &s), vec!["Copywriters' Circle", "WordPress Berlin"]);
    let hits = find(&items, &s);
    assert!(hits.iter().all(|h| h.distance_km.is_some_and(|d| d < 1.0)));
    // Widen the radius and Potsdam (about 27 km) comes in, Hamburg (about 255 km) does not.
    let wider = Search::new("", "", Some(BERLIN), 30.0, false);
    assert_eq!(names(&items, &wider), vec!["Copywriters' Circle", "Potsdam Freelancers", "WordPress Berlin"]);
    let potsdam = find(&items, &wider).into_iter().find(|h| items[h.index].name.starts_with("Potsdam"));
    let d = potsdam.and_then(|h| h.distance_km).expect("a distance");
    assert!((25.0..30.0).contains(&d), "{d}");
    assert_eq!(names(&items, &Search::new("", "", Some(BERLIN), 300.0, false)).len(), 4);
}

#[test]
fn virtual_only_leaves_out_every_place() {
    let items = data();
    let s = Search::new("", "", None, 25.0, true);
    assert_eq!(names(&items, &s), vec!["Remote Bookkeepers", "Quiet Writers Online"]);
    let s = Search::new("writing", "", None, 25.0, true);
    assert_eq!(names(&items, &s), vec!["Quiet Writers Online"]);
}

#[test]
fn words_must_all_match_ignoring_case_and_accents() {
    let items = data();
    assert_eq!(
        names(&items, &Search::new("WORDPRESS meetup", "", None, 25.0, false)),
        vec!["WordPress Berlin"]
    );
    assert_eq!(names(&items, &Search::new("cafe buro", "", None, 25.0, false)), vec!["Café Büro Lisboa"]);
    // Topics are searched as words too.
    assert_eq!(names(&items, &Search::new("bookkeeping", "", None, 25.0, false)), vec!["Remote Bookkeepers"]);
    assert!(names(&items, &Search::new("wordpress hamburg", "", None, 25.0, false)).is_empty());
}

#[test]
fn a_topic_must_be_one_of_the_items_topics() {
    let items = data();
    assert_eq!(
        names(&items, &Search::new("", "Web", None, 25.0, false)),
        vec!["Hamburg SEO", "WordPress Berlin"]
    );
    assert_eq!(
        names(&items, &Search::new("", "coworking", Some(BERLIN), 30.0, false)),
        vec!["Potsdam Freelancers"]
    );
    // "writ" is a word's part, not a topic.
    assert!(names(&items, &Search::new("", "writ", None, 25.0, false)).is_empty());
}

#[test]
fn at_the_same_time_the_nearer_comes_first() {
    let items = vec![
        item("Far", "", &[], Place::At(POTSDAM), Some(10)),
        item("Near", "", &[], Place::At(BERLIN), Some(10)),
        item("Later", "", &[], Place::At(BERLIN), Some(20)),
    ];
    assert_eq!(names(&items, &Search::new("", "", Some(BERLIN), 50.0, false)), vec!["Near", "Far", "Later"]);
}

#[test]
fn radius_must_be_sensible() {
    assert!(check_radius(25.0).is_ok());
    assert!(check_radius(0.0).is_err());
    assert!(check_radius(f64::NAN).is_err());
    assert!(check_radius(5000.0).is_err());
}
