//! A throwaway PostgreSQL cluster for `server dev` and, through `server dev-postgres`, for
//! the scripts; from the installed binaries (installed with apt when absent). Data under
//! `target/dev-pg/<name>` (or the temporary directory), loopback only, trust auth, no
//! durability; stopped and removed when the value is dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

pub struct Cluster {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

impl Cluster {
    /// A superuser connection string to database `db`.
    pub fn admin_url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    pub fn runtime_url(&self, db: &str) -> String {
        format!("postgres://household_app@127.0.0.1:{}/{db}", self.port)
    }

    /// `name` keeps clusters of stacks on different ports apart.
    pub fn start(workdir: &Path, name: &str) -> anyhow::Result<Self> {
        let bin = match bindir() {
            Some(bin) => bin,
            None => {
                install()?;
                bindir().context("PostgreSQL binaries not found after installing them")?
            }
        };
        let root = is_root();
        let mut dir = workdir.join("dev-pg").join(name);
        std::fs::create_dir_all(workdir)?;
        // initdb refuses to run as root: as root the cluster belongs to `postgres`, who
        // must be able to reach the directory; otherwise fall back to the temporary directory.
        if root && !as_postgres("test".as_ref(), &["-x".as_ref(), workdir.as_os_str()])?.success() {
            dir = std::env::temp_dir().join("household-dev-pg").join(name);
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)?;
        if root {
            run(Command::new("chown").arg("postgres").arg(&dir))?;
            if let Some(parent) = dir.parent() {
                run(Command::new("chmod").arg("755").arg(parent))?;
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let data = dir.join("data");
        let initdb = bin.join("initdb");
        let status = as_postgres(
            initdb.as_os_str(),
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        if !status.success() {
            bail!("initdb failed");
        }
        // Durability is worthless for a throwaway cluster; the tests open many pools at once.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        let log = dir.join("server.log");
        let pg_ctl = bin.join("pg_ctl");
        let status = as_postgres(
            pg_ctl.as_os_str(),
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "start".as_ref(),
            ],
        )?;
        if !status.success() {
            bail!("PostgreSQL did not start; see {}", log.display());
        }
        Ok(Self { port, dir, bin })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.dir.join("data");
        let stopped = as_postgres(
            pg_ctl.as_os_str(),
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "stop".as_ref(),
            ],
        );
        // Drop cannot fail: say so, and keep the directory (its server.log) to look at.
        match stopped {
            Ok(status) if status.success() => {
                if let Err(e) = std::fs::remove_dir_all(&self.dir) {
                    eprintln!("cannot remove {}: {e}", self.dir.display());
                }
            }
            _ => eprintln!("PostgreSQL in {} did not stop", self.dir.display()),
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn as_postgres(
    program: &std::ffi::OsStr,
    args: &[&std::ffi::OsStr],
) -> anyhow::Result<std::process::ExitStatus> {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    Ok(cmd
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()?)
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd.status()?;
    anyhow::ensure!(status.success(), "{cmd:?} failed");
    Ok(())
}

fn bindir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    dirs.pop()
}

fn install() -> anyhow::Result<()> {
    if !is_root() {
        bail!(
            "PostgreSQL is not installed: run `sudo apt-get install postgresql`, or set DATABASE_URL"
        );
    }
    eprintln!("installing PostgreSQL with apt-get (once)…");
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "postgresql",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    std::thread::sleep(Duration::from_millis(100));
    Ok(())
}
