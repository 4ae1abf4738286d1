//! A calendar file (.ics) as a member uploads it to import an event: whatever it holds, it is read
//! or refused with field errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = app::events::ics::parse_import_full(text);
    let _ = app::events::ics::parse_import(text);
});
