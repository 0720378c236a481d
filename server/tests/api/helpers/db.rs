//! `TestDb`: a fresh migrated database per test and a pool that connects as the runtime
//! role, straight or through PgBouncer or a relay.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use crate::pgbouncer::PgBouncer;

pub(super) fn admin_url() -> String {
    std::env::var("TEST_ADMIN_DATABASE_URL").expect(
        "TEST_ADMIN_DATABASE_URL must name a PostgreSQL superuser connection; ./scripts/test starts a throwaway cluster and sets it",
    )
}

/// A fresh database, migrated by the owner (the superuser here), plus a pool that connects
/// as the runtime role `household_app`, the way the server does. Dropped at the end.
pub struct TestDb {
    pub name: String,
    pub admin: PgPool,
    pub app: PgPool,
    pub app_options: PgConnectOptions,
    /// The PgBouncer the runtime-role pool goes through, if any.
    pub pgbouncer: Option<PgBouncer>,
}

/// Where the runtime-role pool connects.
#[derive(Debug, Clone, Copy)]
pub enum Via {
    /// Straight to PostgreSQL.
    Direct,
    /// Through a new PgBouncer in transaction mode with this many server connections, and
    /// without a statement cache (`DATABASE_STATEMENT_CACHE_CAPACITY=0`).
    PgBouncer(u32),
    /// Through something listening on this loopback port that relays to PostgreSQL, with
    /// this statement cache capacity (0: as the server runs behind a pooler).
    Relay(u16, u16),
}

impl Via {
    /// `TEST_PGBOUNCER=1` sends every test through PgBouncer.
    pub fn from_env() -> Self {
        if crate::pgbouncer::requested() {
            Via::PgBouncer(4)
        } else {
            Via::Direct
        }
    }
}

/// Host and port of the test cluster.
pub fn upstream() -> (String, u16) {
    let url = url::Url::parse(&admin_url()).unwrap();
    (
        url.host_str().unwrap().to_owned(),
        url.port().unwrap_or(5432),
    )
}

impl TestDb {
    pub async fn new() -> Self {
        Self::with_pool(PgPoolOptions::new().max_connections(8)).await
    }

    pub async fn with_pool(options: PgPoolOptions) -> Self {
        Self::with_pool_via(options, Via::from_env()).await
    }

    pub async fn with_pool_via(options: PgPoolOptions, via: Via) -> Self {
        let admin_url = admin_url();
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin_url)
            .await
            .expect("connect as admin");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql(server::db::migrate::BOOTSTRAP_SQL)
            .execute(&mut conn)
            .await
            .unwrap();
        let admin_options: PgConnectOptions = admin_url
            .parse::<PgConnectOptions>()
            .unwrap()
            .database(&name);
        let admin = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(admin_options.clone())
            .await
            .unwrap();
        server::db::migrate::MIGRATOR
            .run(&admin)
            .await
            .expect("migrations apply");
        super::context_key()
            .install(&mut admin.acquire().await.unwrap())
            .await
            .expect("the context key installs");
        let mut app_options = admin_options.clone().username("household_app");
        if let Ok(password) = std::env::var("TEST_APP_PASSWORD") {
            app_options = app_options.password(&password);
        }
        let mut pgbouncer = None;
        let routed = match via {
            Via::Direct => app_options.clone(),
            Via::PgBouncer(server_pool_size) => {
                let (host, port) = upstream();
                let bouncer = PgBouncer::start(&host, port, server_pool_size);
                let options = app_options
                    .clone()
                    .host("127.0.0.1")
                    .port(bouncer.port)
                    .statement_cache_capacity(0);
                pgbouncer = Some(bouncer);
                options
            }
            Via::Relay(port, capacity) => app_options
                .clone()
                .host("127.0.0.1")
                .port(port)
                .ssl_mode(PgSslMode::Disable)
                .statement_cache_capacity(usize::from(capacity)),
        };
        let app = options
            .connect_with(routed)
            .await
            .expect("connect as household_app");
        Self {
            name,
            admin,
            app,
            app_options,
            pgbouncer,
        }
    }

    pub fn app_url(&self) -> String {
        let admin = admin_url();
        let url = url::Url::parse(&admin).unwrap();
        format!(
            "postgres://household_app@{}:{}/{}",
            url.host_str().unwrap(),
            url.port().unwrap_or(5432),
            self.name
        )
    }

    pub fn admin_url(&self) -> String {
        let mut url = url::Url::parse(&admin_url()).unwrap();
        url.set_path(&self.name);
        url.to_string()
    }

    /// Seeds a household as the owner (a superuser, whom RLS does not bind).
    pub async fn household(&self, name: &str) -> Uuid {
        sqlx::query_scalar("INSERT INTO households (name) VALUES ($1) RETURNING id")
            .bind(name)
            .fetch_one(&self.admin)
            .await
            .unwrap()
    }

    pub async fn suspend(&self, household: Uuid) {
        sqlx::query("UPDATE households SET status = 'suspended' WHERE id = $1")
            .bind(household)
            .execute(&self.admin)
            .await
            .unwrap();
    }

    pub async fn member(&self, household: Uuid, sub: &str, role: &str) {
        sqlx::query(
            "INSERT INTO household_members (household_id, user_sub, role) VALUES ($1, $2, $3)",
        )
        .bind(household)
        .bind(sub)
        .bind(role)
        .execute(&self.admin)
        .await
        .unwrap();
    }

    pub async fn vehicle(&self, household: Uuid, name: &str) -> Uuid {
        sqlx::query_scalar("INSERT INTO vehicles (household_id, name) VALUES ($1, $2) RETURNING id")
            .bind(household)
            .bind(name)
            .fetch_one(&self.admin)
            .await
            .unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let url = admin_url();
        // Drop needs async I/O; a short-lived thread with its own runtime does it.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(mut c) = PgConnection::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}
