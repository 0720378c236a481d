//! A real PgBouncer in transaction mode in front of the test cluster, on a free port, as a
//! deployment would run it for the server (see docs/operations.md, "Behind PgBouncer"). With
//! `TEST_PGBOUNCER=1` every [`TestDb`](crate::helpers::TestDb) routes its runtime-role pool
//! through one, so the whole suite (the isolation tests first) runs through it.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::tempdir;

pub const BINARY: &str = "/usr/sbin/pgbouncer";

/// Whether the whole suite should run through PgBouncer.
pub fn requested() -> bool {
    std::env::var("TEST_PGBOUNCER").is_ok_and(|v| v == "1")
}

/// Whether the binary is here; a test that needs it and was not asked for it skips without.
pub fn available() -> bool {
    std::path::Path::new(BINARY).exists()
}

pub struct PgBouncer {
    pub port: u16,
    child: Child,
    _dir: tempdir::Dir,
}

impl PgBouncer {
    /// Starts PgBouncer in front of `host:port`, `server_pool_size` server connections per
    /// database and user, and waits until it accepts connections.
    pub fn start(host: &str, upstream_port: u16, server_pool_size: u32) -> Self {
        Self::start_with(host, upstream_port, server_pool_size, true)
    }

    /// [`start`](Self::start) without the reset query the server needs (a misconfigured
    /// deployment, for the start-up check).
    pub fn start_without_reset(host: &str, upstream_port: u16, server_pool_size: u32) -> Self {
        Self::start_with(host, upstream_port, server_pool_size, false)
    }

    fn start_with(host: &str, upstream_port: u16, server_pool_size: u32, reset: bool) -> Self {
        let dir = tempdir::Dir::new();
        let port = free_port();
        let password = std::env::var("TEST_APP_PASSWORD").unwrap_or_default();
        let users = dir.0.join("users.txt");
        std::fs::write(
            &users,
            format!("\"household_app\" \"{password}\"\n\"postgres\" \"\"\n"),
        )
        .unwrap();
        let ini = dir.0.join("pgbouncer.ini");
        let log = dir.0.join("pgbouncer.log");
        std::fs::write(
            &ini,
            config(
                host,
                upstream_port,
                port,
                &users,
                &log,
                server_pool_size,
                reset,
            ),
        )
        .unwrap();
        // PgBouncer refuses to run as root; as root it is told to drop to `nobody`.
        permit_all(&dir.0);
        let mut command = Command::new(BINARY);
        if is_root() {
            command.args(["-u", "nobody"]);
        }
        // Quiet: it logs to its file (kept only for a start-up failure).
        let child = command
            .arg("-q")
            .arg(&ini)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let mut bouncer = Self {
            port,
            child,
            _dir: dir,
        };
        bouncer.wait_until_listening();
        bouncer
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(self._dir.0.join("pgbouncer.log"));
                panic!("pgbouncer exited: {status}: {log:?}");
            }
            assert!(Instant::now() < deadline, "pgbouncer did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server needs of PgBouncer (docs/operations.md, "Behind PgBouncer"):
/// - `pool_mode = transaction`, the mode under test.
/// - `ignore_startup_parameters = extra_float_digits`: sqlx sends it at connect, and
///   PgBouncer refuses a startup parameter it does not track.
/// - `server_reset_query = DEALLOCATE ALL` with `server_reset_query_always = 1`: sqlx 0.8
///   still names the statements it parses when its cache is off (it only stops caching
///   them; launchbadge/sqlx#4328), and two clients counting `sqlx_s_1, sqlx_s_2, …` would
///   collide on a shared server connection; dropping them when a transaction hands the
///   server connection back prevents that, and their piling up.
fn config(
    host: &str,
    upstream: u16,
    port: u16,
    users: &Path,
    log: &Path,
    pool: u32,
    reset: bool,
) -> String {
    let reset = if reset {
        "server_reset_query = DEALLOCATE ALL\nserver_reset_query_always = 1\n"
    } else {
        ""
    };
    format!(
        "[databases]\n\
         * = host={host} port={upstream}\n\
         [pgbouncer]\n\
         listen_addr = 127.0.0.1\n\
         listen_port = {port}\n\
         unix_socket_dir =\n\
         auth_type = trust\n\
         auth_file = {users}\n\
         logfile = {log}\n\
         pool_mode = transaction\n\
         default_pool_size = {pool}\n\
         max_client_conn = 2000\n\
         ignore_startup_parameters = extra_float_digits\n\
         {reset}\
         log_connections = 0\n\
         log_disconnections = 0\n",
        users = users.display(),
        log = log.display(),
    )
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Readable by the unprivileged user PgBouncer drops to; the directory writable for its log.
fn permit_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
}
