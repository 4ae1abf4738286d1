//! A real SMTP server on 127.0.0.1 for mail tests, shared by the `it` suite and the cluster test.

#![allow(dead_code)] // each user of this file takes what it needs

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The subject of the mail every sign-up sends; tests about other mail do not see it.
pub const CONFIRM_SUBJECT: &str = "Subject: Confirm your email address";

/// A real SMTP server on 127.0.0.1 (the `mailin-embedded` crate) that keeps what it receives,
/// or refuses every recipient while `refuse` (451, try later) or `no_mailbox` (550, for good) is set.
#[derive(Clone, Default)]
pub struct SmtpSink {
    pub received: Arc<Mutex<Vec<String>>>,
    pub refuse: Arc<std::sync::atomic::AtomicBool>,
    /// Answers every recipient "550 mailbox unavailable" (for good) while set.
    pub no_mailbox: Arc<std::sync::atomic::AtomicBool>,
    /// Messages refused so far.
    pub refused: Arc<std::sync::atomic::AtomicUsize>,
    current: Vec<u8>,
}

impl mailin_embedded::Handler for SmtpSink {
    fn rcpt(&mut self, _to: &str) -> mailin_embedded::Response {
        if self.refuse.load(std::sync::atomic::Ordering::SeqCst) {
            self.refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return mailin_embedded::response::INTERNAL_ERROR;
        }
        if self.no_mailbox.load(std::sync::atomic::Ordering::SeqCst) {
            self.refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return mailin_embedded::response::NO_MAILBOX;
        }
        mailin_embedded::response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        let text = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.received.lock().expect("lock").push(text);
        mailin_embedded::response::OK
    }
}

impl SmtpSink {
    /// A free port on 127.0.0.1 with nothing listening on it (yet).
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
    }

    /// Starts the server on `port` in a background thread and returns once it accepts
    /// connections (so a retry made due right after cannot hit a closed port).
    pub fn start(port: u16) -> SmtpSink {
        let sink = SmtpSink::default();
        let mut server = mailin_embedded::Server::new(sink.clone());
        server.with_name("smtp.test").with_addr(("127.0.0.1", port)).expect("address");
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sink;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("the SMTP server did not start on port {port}");
    }

    /// Waits (up to 10 s) for `n` messages.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let got: Vec<String> = self
                .received
                .lock()
                .expect("lock")
                .iter()
                .filter(|m| !m.contains(CONFIRM_SUBJECT))
                .cloned()
                .collect();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the SMTP server did not receive {n} messages");
    }
}
