//! `server audit-rls`, and the same checks `serve` runs before it accepts a request.
//!
//! "Some policy" is not enough: a permissive policy alone can be widened by the next one
//! added. Each tenant table must carry the restrictive `household_isolation` policy (for
//! every command, applying to the runtime role, keyed on `app.current_household_id()`),
//! and the runtime role must hold none of the table privileges that reach past row-level
//! security (`TRUNCATE`, `TRIGGER`, `REFERENCES`). The functions that set the household
//! context, and any `SECURITY DEFINER` function, must pin `search_path` and not be
//! executable by `PUBLIC`.
//!
//! Apart from isolation, `audit-rls` checks that every tenant table can be distributed by
//! household (Citus, or hash partitions on `household_id`): each of its primary keys,
//! unique constraints, unique indexes, exclusion constraints and foreign keys leads with
//! `household_id`, and each foreign key points at the household column of the table it
//! references (`household_id`, or `households.id`, the household itself). A shard can only
//! check a key whose rows all live on it. `serve` warns about these and starts anyway:
//! they limit how the database can grow, not who sees what.

use sqlx::{FromRow, PgConnection};

/// One table that holds a `household_id` column.
#[derive(Debug, Clone, FromRow)]
pub struct TableReport {
    pub name: String,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    pub policies: i64,
    /// Whether the restrictive `household_isolation` policy is in place.
    pub isolated: bool,
    /// Whether the runtime role owns it (or may become its owner through membership).
    pub owned_by_runtime: bool,
    /// Which of `TRUNCATE`, `TRIGGER`, `REFERENCES` the runtime role holds on it (directly,
    /// through `PUBLIC`, or through a role it may become).
    pub excess_privileges: Vec<String>,
}

impl TableReport {
    pub fn covered(&self) -> bool {
        self.rls_enabled
            && self.rls_forced
            && self.policies > 0
            && self.isolated
            && !self.owned_by_runtime
            && self.excess_privileges.is_empty()
    }
}

/// A function that sets the household context, or runs with its owner's rights.
#[derive(Debug, Clone, FromRow)]
pub struct FunctionReport {
    pub name: String,
    pub security_definer: bool,
    pub search_path_pinned: bool,
    pub public_can_execute: bool,
}

impl FunctionReport {
    pub fn safe(&self) -> bool {
        self.search_path_pinned && !self.public_can_execute
    }
}

/// The function every data request enters its household through.
pub const ENTER_HOUSEHOLD: &str = "app.enter_household(uuid,text,text)";

/// The role the connection runs as.
#[derive(Debug, Clone, FromRow)]
pub struct RoleReport {
    pub name: String,
    pub superuser: bool,
    pub bypass_rls: bool,
    /// Every relation outside the system schemas the role owns or could `SET ROLE` to own.
    pub owns: Vec<String>,
}

/// One key of a tenant table: a primary key, unique constraint or index, exclusion
/// constraint or foreign key.
#[derive(Debug, Clone, FromRow)]
pub struct KeyReport {
    pub table: String,
    pub name: String,
    pub kind: String,
    pub columns: Vec<String>,
    /// Whether it leads with `household_id` (and, a foreign key, references the household
    /// column of its target), so that one shard holds every row it relates.
    pub by_household: bool,
}

#[derive(Debug, Clone)]
pub struct AuditReport {
    pub tables: Vec<TableReport>,
    pub role: RoleReport,
    pub functions: Vec<FunctionReport>,
    pub keys: Vec<KeyReport>,
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
            } else if !t.isolated {
                out.push(format!(
                    "table {} has no restrictive household_isolation policy on app.current_household_id()",
                    t.name
                ));
            }
            if !t.excess_privileges.is_empty() {
                out.push(format!(
                    "runtime role {} holds {} on table {}: these reach past row-level security",
                    r.name,
                    t.excess_privileges.join(", "),
                    t.name
                ));
            }
        }
        if !self.functions.iter().any(|f| f.name == ENTER_HOUSEHOLD) {
            out.push(format!(
                "function {ENTER_HOUSEHOLD} is missing: run `server migrate`"
            ));
        }
        for f in &self.functions {
            if !f.search_path_pinned {
                out.push(format!("function {} does not pin search_path", f.name));
            }
            if f.public_can_execute {
                out.push(format!("function {} is executable by PUBLIC", f.name));
            }
        }
        out
    }

    /// The tenant-table keys that would keep a table from being distributed by household,
    /// one sentence each.
    pub fn key_problems(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| !k.by_household)
            .map(|k| {
                format!(
                    "{} {} ({}) of table {} does not lead with household_id: the table cannot be distributed by household",
                    k.kind,
                    k.name,
                    k.columns.join(", "),
                    k.table
                )
            })
            .collect()
    }

    /// Whether households are isolated and every tenant table is keyed by household.
    pub fn ok(&self) -> bool {
        self.problems().is_empty() && self.key_problems().is_empty()
    }

    /// A table for people, as `audit-rls` prints it.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{:<32} {:>7} {:>6} {:>8} {:>9} {:>6}  status\n",
            "table", "enabled", "forced", "policies", "isolation", "excess"
        );
        for t in &self.tables {
            s += &format!(
                "{:<32} {:>7} {:>6} {:>8} {:>9} {:>6}  {}\n",
                t.name,
                yes(t.rls_enabled),
                yes(t.rls_forced),
                t.policies,
                yes(t.isolated),
                if t.excess_privileges.is_empty() {
                    "none".into()
                } else {
                    t.excess_privileges.join(",")
                },
                if t.covered() { "ok" } else { "NOT COVERED" }
            );
        }
        for f in &self.functions {
            s += &format!(
                "\nfunction {}: security definer {}, search_path pinned {}, PUBLIC may execute {}  {}",
                f.name,
                yes(f.security_definer),
                yes(f.search_path_pinned),
                yes(f.public_can_execute),
                if f.safe() { "ok" } else { "NOT SAFE" }
            );
        }
        if !self.functions.is_empty() {
            s += "\n";
        }
        if !self.keys.is_empty() {
            s += "\nkeys of tenant tables (each must lead with household_id):\n";
        }
        for k in &self.keys {
            s += &format!(
                "{:<20} {:<40} {:<17} ({})  {}\n",
                k.table,
                k.name,
                k.kind,
                k.columns.join(", "),
                if k.by_household {
                    "ok"
                } else {
                    "NOT BY HOUSEHOLD"
                }
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
                EXISTS (SELECT 1 FROM pg_policy p
                        WHERE p.polrelid = c.oid AND p.polname = 'household_isolation'
                          AND NOT p.polpermissive AND p.polcmd = '*'
                          AND (0::oid = ANY (p.polroles)
                               OR (SELECT oid FROM pg_roles WHERE rolname = current_user) = ANY (p.polroles))
                          AND pg_get_expr(p.polqual, p.polrelid) LIKE '%app.current_household_id()%'
                          AND (p.polwithcheck IS NULL
                               OR pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%app.current_household_id()%'))
                    AS isolated,
                pg_has_role(current_user, c.relowner, 'MEMBER') AS owned_by_runtime,
                ARRAY(SELECT privilege FROM unnest(ARRAY['TRUNCATE', 'TRIGGER', 'REFERENCES']) AS privilege
                      WHERE EXISTS (SELECT 1 FROM pg_roles r
                                    WHERE pg_has_role(current_user, r.oid, 'MEMBER')
                                      AND has_table_privilege(r.oid, c.oid, privilege))) AS excess_privileges
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
    let functions = sqlx::query_as::<_, FunctionReport>(&format!(
        "SELECT p.oid::regprocedure::text AS name,
                p.prosecdef AS security_definer,
                EXISTS (SELECT 1 FROM unnest(p.proconfig) AS setting
                        WHERE setting LIKE 'search\\_path=%') AS search_path_pinned,
                has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE {USER_SCHEMAS}
           AND (p.prosecdef OR p.oid::regprocedure::text = '{ENTER_HOUSEHOLD}')
         ORDER BY 1"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let keys = sqlx::query_as::<_, KeyReport>(&format!(
        "WITH tenant AS (
             SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMAS}
               AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                           AND a.attname = 'household_id' AND NOT a.attisdropped)
         ), keyed AS (
             SELECT k.conrelid AS rel, k.conname::text AS name,
                    CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint'
                                   WHEN 'x' THEN 'exclusion' ELSE 'foreign key' END AS kind,
                    k.conkey::int2[] AS cols,
                    CASE WHEN k.contype = 'f' THEN COALESCE(
                        (SELECT a.attname::text FROM pg_attribute a
                         WHERE a.attrelid = k.confrelid AND a.attnum = k.confkey[1])
                        = CASE WHEN k.confrelid = to_regclass('public.households')
                               THEN 'id' ELSE 'household_id' END, false)
                    ELSE true END AS target_by_household
             FROM pg_constraint k
             WHERE k.contype IN ('p', 'u', 'x', 'f') AND k.conrelid IN (SELECT oid FROM tenant)
             UNION ALL
             -- Unique indexes that back no constraint (CREATE UNIQUE INDEX).
             SELECT i.indrelid, i.indexrelid::regclass::text, 'unique index',
                    i.indkey::int2[], true
             FROM pg_index i
             WHERE i.indisunique AND i.indrelid IN (SELECT oid FROM tenant)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                               WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
         )
         SELECT k.rel::regclass::text AS \"table\", k.name, k.kind,
                ARRAY(SELECT COALESCE(a.attname::text, '(expression)')
                      FROM unnest(k.cols) WITH ORDINALITY AS col(attnum, n)
                      LEFT JOIN pg_attribute a ON a.attrelid = k.rel AND a.attnum = col.attnum
                      ORDER BY col.n) AS columns,
                COALESCE((SELECT a.attname = 'household_id' FROM pg_attribute a
                          WHERE a.attrelid = k.rel AND a.attnum = k.cols[array_lower(k.cols, 1)]), false)
                    AND k.target_by_household AS by_household
         FROM keyed k
         ORDER BY 1, 2"
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(AuditReport {
        tables,
        role,
        functions,
        keys,
    })
}
