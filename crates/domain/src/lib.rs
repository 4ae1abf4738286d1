//! Alongside's domain: the rules and algorithms of the product, as plain functions over plain data.
//!
//! This crate owns validation of what members say about themselves (profiles, availability,
//! passwords), the bundled city gazetteer and distances, recurrence, time-finding, matching,
//! reliability, who may do what in a group, discovery, goals, weeks and streaks, and venues
//! (opening hours and fair, quiet suggestions).
//!
//! It must never import anything that does I/O: no async runtime, no database, no HTTP, no clock
//! (callers pass "now" in). Bundled data is compiled in with `include_str!`, not read from disk.

pub mod discovery;
pub mod errors;
pub mod geo;
pub mod goals;
pub mod groups;
pub mod matching;
pub mod notices;
pub mod partners;
pub mod password;
pub mod profile;
pub mod recurrence;
pub mod referrals;
pub mod reliability;
pub mod room;
pub mod site;
pub mod timefinding;
pub mod venues;
pub mod weeks;

pub use errors::FieldErrors;
