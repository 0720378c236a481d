//! A counting relay between the pool and PostgreSQL: round trips are what a request waits
//! for, and only the wire shows them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{TestApp, upstream};

/// Relays connections to PostgreSQL and counts the ReadyForQuery ('Z') messages the server
/// sends: one per Sync (or simple query), so one per round trip of the extended protocol.
/// A 'Z' with nothing before it answers a bare Sync: sqlx's pool sends one whenever a
/// connection is released (its check that the connection is still usable, in a task of its
/// own after the query has answered); those are counted apart, as pings.
pub(super) struct Relay {
    pub(super) port: u16,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    round_trips: AtomicU64,
    pings: AtomicU64,
}

/// Round trips and release pings since the last look.
#[derive(Debug, PartialEq)]
pub(super) struct Trips {
    pub(super) round_trips: u64,
    pub(super) pings: u64,
}

impl Relay {
    pub(super) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let counts = Arc::new(Counts::default());
        let count = counts.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (host, port) = upstream();
                let server = TcpStream::connect((host.as_str(), port)).await.unwrap();
                tokio::spawn(relay(client, server, count.clone()));
            }
        });
        Self { port, counts }
    }

    /// What the app's pool sent since the last call, once its connections are all back
    /// in the pool (so a release ping lands in the request it belongs to).
    pub(super) async fn take(&self, app: &TestApp) -> Trips {
        while app.state.db.num_idle() < app.state.db.size() as usize {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        Trips {
            round_trips: self.counts.round_trips.swap(0, Ordering::SeqCst),
            pings: self.counts.pings.swap(0, Ordering::SeqCst),
        }
    }
}

async fn relay(client: TcpStream, server: TcpStream, counts: Arc<Counts>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
    });
    // Server messages are a type byte and a length that counts itself (SSL is off, so the
    // first byte is a message type too).
    let mut header = Vec::with_capacity(5);
    let mut skip = 0usize;
    let mut since_ready = 0u32;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        for &byte in &buf[..n] {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            header.push(byte);
            if header.len() == 5 {
                if header[0] == b'Z' {
                    let kind = if since_ready == 0 {
                        &counts.pings
                    } else {
                        &counts.round_trips
                    };
                    kind.fetch_add(1, Ordering::SeqCst);
                    since_ready = 0;
                } else {
                    since_ready += 1;
                }
                let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
                skip = len as usize - 4;
                header.clear();
            }
        }
        if client_write.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
