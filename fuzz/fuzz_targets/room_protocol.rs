//! A live room's client frames (JSON text over the WebSocket): decoded as the server decodes them,
//! and chat text checked as the server checks it. Nothing may panic; what decodes must encode.
#![no_main]

use app::rooms::protocol::ClientMsg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(msg) = serde_json::from_str::<ClientMsg>(text) else { return };
    if let ClientMsg::Chat { text } = &msg {
        let _ = domain::profile::check_text(text, 2_000);
    }
    let _ = format!("{msg:?}");
});
