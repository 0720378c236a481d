//! `server audit-rls`, and the same checks `serve` runs before it accepts a request.

use sqlx::{FromRow, PgConnection};

/// One table that holds a `household_id` column.
#[derive(Debug, Clone, FromRow)]
pub struct TableReport {
    pub name: String,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    pub policies: i64,
    /// Whether the runtime role owns it (or may become its owner through membership).
    pub owned_by_runtime: bool,
}

impl TableReport {
    pub fn covered(&self) -> bool {
        self.rls_enabled && self.rls_forced && self.policies > 0 && !self.owned_by_runtime
    }
}

/// The role the connection runs as.
#[derive(Debug, Clone, FromRow)]
pub struct RoleReport {
    pub name: String,
    pub superuser: bool,
    pub bypass_rls: bool,
    /// Every relation outside the system schemas the role owns or could `SET ROLE` to own.
    pub owns: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AuditReport {
    pub tables: Vec<TableReport>,
    pub role: RoleReport,
}

impl AuditReport {
    /// What is wrong, one sentence each; empty when all is covered.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let r = &self.role;
        if r.superuser {
            out.push(format!(
                "runtime role {} is a superuser: row-level security does not apply to it",
                r.name
            ));
        }
        if r.bypass_rls {
            out.push(format!(
                "runtime role {} has BYPASSRLS: row-level security does not apply to it",
                r.name
            ));
        }
        if !r.owns.is_empty() && !r.superuser {
            out.push(format!(
                "runtime role {} owns {}: an owner can disable row-level security",
                r.name,
                r.owns.join(", ")
            ));
        }
        for t in &self.tables {
            if !t.rls_enabled {
                out.push(format!(
                    "table {} holds household_id but row-level security is not enabled",
                    t.name
                ));
            } else if !t.rls_forced {
                out.push(format!(
                    "table {} has row-level security enabled but not forced",
                    t.name
                ));
            }
            if t.policies == 0 {
                out.push(format!("table {} has no row-level security policy", t.name));
            }
        }
        out
    }

    pub fn ok(&self) -> bool {
        self.problems().is_empty()
    }

    /// A table for people, as `audit-rls` prints it.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{:<32} {:>7} {:>6} {:>8}  status\n",
            "table", "enabled", "forced", "policies"
        );
        for t in &self.tables {
            s += &format!(
                "{:<32} {:>7} {:>6} {:>8}  {}\n",
                t.name,
                yes(t.rls_enabled),
                yes(t.rls_forced),
                t.policies,
                if t.covered() { "ok" } else { "NOT COVERED" }
            );
        }
        let r = &self.role;
        s += &format!(
            "\nruntime role {}: superuser {}, bypassrls {}, owns {}\n",
            r.name,
            yes(r.superuser),
            yes(r.bypass_rls),
            if r.owns.is_empty() {
                "nothing".into()
            } else {
                r.owns.join(", ")
            }
        );
        s
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

const USER_SCHEMAS: &str =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'";

/// Audits the schema as seen by the connection's role (the runtime role).
pub async fn audit(conn: &mut PgConnection) -> sqlx::Result<AuditReport> {
    let tables = sqlx::query_as::<_, TableReport>(&format!(
        "SELECT c.oid::regclass::text AS name,
                c.relrowsecurity AS rls_enabled,
                c.relforcerowsecurity AS rls_forced,
                (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
                pg_has_role(current_user, c.relowner, 'MEMBER') AS owned_by_runtime
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMAS}
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                       AND a.attname = 'household_id' AND NOT a.attisdropped)
         ORDER BY 1"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let role = sqlx::query_as::<_, RoleReport>(&format!(
        "SELECT r.rolname::text AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
                COALESCE((SELECT array_agg(c.oid::regclass::text ORDER BY 1)
                          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {USER_SCHEMAS}
                            AND pg_has_role(current_user, c.relowner, 'MEMBER')), '{{}}') AS owns
         FROM pg_roles r WHERE r.rolname = current_user"
    ))
    .fetch_one(&mut *conn)
    .await?;
    Ok(AuditReport { tables, role })
}
