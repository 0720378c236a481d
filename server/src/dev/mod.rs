//! `server dev`: the whole stack on one machine with embedded defaults.

pub mod idp;

pub async fn run() -> anyhow::Result<()> {
    anyhow::bail!("server dev is not available yet")
}
