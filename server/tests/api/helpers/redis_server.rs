//! `TestRedis`: a throwaway `redis-server` for the shared-limit tests.

/// A throwaway `redis-server` on a free loopback port, without persistence; killed on drop.
pub struct TestRedis {
    pub url: String,
    child: std::process::Child,
}

impl TestRedis {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run redis-server ({e}): the shared rate-limit tests start their own; \
                     install it (apt-get install redis-server) or run ./scripts/test, which does"
                )
            });
        let url = format!("redis://127.0.0.1:{port}/");
        let redis = Self { url, child };
        for _ in 0..100 {
            if redis.connection().await.is_ok() {
                return redis;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("redis-server did not answer on port {port} within 5 s");
    }

    async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        let client = redis::Client::open(self.url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        Ok(conn)
    }

    /// Every key Redis holds.
    pub async fn keys(&self) -> Vec<String> {
        let mut conn = self.connection().await.unwrap();
        redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut conn)
            .await
            .unwrap()
    }

    /// Stops it at once, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
