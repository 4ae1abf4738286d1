//! Form bodies (application/x-www-form-urlencoded) as the event form posts them: decoded and
//! checked as `POST /events/new` does before it touches the database. Anything is either a set
//! of fields or field errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match app::events::pages::check_form(data) {
        Ok(fields) => assert!(fields.duration_minutes > 0 && !fields.title.trim().is_empty()),
        Err(errors) => assert!(!errors.is_empty()),
    }
});
