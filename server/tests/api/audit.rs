//! `audit-rls` and the start-up refusal.

use std::process::Command;

use crate::helpers::{TestDb, config, key_file, tempdir};

/// A configuration for `database_url` with a fresh internal key (kept alive by the `Dir`).
fn config_for(database_url: &str) -> (tempdir::Dir, server::config::Config) {
    let (dir, key) = key_file();
    let config = config("https://tenant.example/", database_url, key, 300);
    (dir, config)
}

fn audit_rls(database_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("audit-rls")
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

/// `audit-rls`'s report on `db`, which must have failed (exit 1).
fn audit_fails(db: &TestDb) -> String {
    let out = audit_rls(&db.app_url());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    stdout
}

#[tokio::test]
async fn audit_rls_passes_on_the_migrated_schema() {
    let db = TestDb::new().await;
    let out = audit_rls(&db.app_url());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for table in ["households", "household_members", "vehicles", "fuel_logs"] {
        assert!(
            stdout.contains(table) || table == "households",
            "{table} not listed:\n{stdout}"
        );
    }
}

#[tokio::test]
async fn audit_rls_fails_on_a_tenant_table_created_without_rls() {
    let db = TestDb::new().await;
    sqlx::query(
        "CREATE TABLE notes (id serial PRIMARY KEY, household_id uuid NOT NULL, body text)",
    )
    .execute(&db.admin)
    .await
    .unwrap();
    let stdout = audit_fails(&db);
    assert!(
        stdout.contains("notes") && stdout.contains("NOT COVERED"),
        "{stdout}"
    );
}

#[tokio::test]
async fn audit_rls_fails_when_rls_is_enabled_but_not_forced() {
    let db = TestDb::new().await;
    sqlx::query("ALTER TABLE vehicles NO FORCE ROW LEVEL SECURITY")
        .execute(&db.admin)
        .await
        .unwrap();
    assert!(audit_fails(&db).contains("not forced"));
}

#[tokio::test]
async fn audit_rls_fails_on_a_tenant_table_with_only_a_permissive_policy() {
    let db = TestDb::new().await;
    for statement in [
        "CREATE TABLE notes (id serial PRIMARY KEY, household_id uuid NOT NULL, body text)",
        "ALTER TABLE notes ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE notes FORCE ROW LEVEL SECURITY",
        "CREATE POLICY household_access ON notes FOR ALL \
         USING (household_id = (SELECT app.current_household_id()))",
    ] {
        sqlx::query(statement).execute(&db.admin).await.unwrap();
    }
    let stdout = audit_fails(&db);
    assert!(
        stdout.contains("table notes has no restrictive household_isolation policy"),
        "{stdout}"
    );
}

#[tokio::test]
async fn audit_rls_fails_when_the_runtime_role_holds_truncate_on_a_tenant_table() {
    let db = TestDb::new().await;
    sqlx::query("GRANT TRUNCATE ON fuel_logs TO household_app")
        .execute(&db.admin)
        .await
        .unwrap();
    let stdout = audit_fails(&db);
    assert!(
        stdout.contains("holds TRUNCATE on table fuel_logs"),
        "{stdout}"
    );
}

#[tokio::test]
async fn audit_rls_fails_when_public_may_trigger_or_reference_a_tenant_table() {
    let db = TestDb::new().await;
    sqlx::query("GRANT TRIGGER, REFERENCES ON vehicles TO PUBLIC")
        .execute(&db.admin)
        .await
        .unwrap();
    let stdout = audit_fails(&db);
    assert!(
        stdout.contains("holds TRIGGER, REFERENCES on table vehicles"),
        "{stdout}"
    );
}

#[tokio::test]
async fn audit_rls_reports_the_enter_household_function_and_fails_when_public_may_run_it() {
    let db = TestDb::new().await;
    let out = audit_rls(&db.app_url());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("function app.enter_household(uuid,text,text): security definer yes, search_path pinned yes, PUBLIC may execute no  ok"),
        "{stdout}"
    );
    sqlx::query("GRANT EXECUTE ON FUNCTION app.enter_household(uuid, text, text) TO PUBLIC")
        .execute(&db.admin)
        .await
        .unwrap();
    let stdout = audit_fails(&db);
    assert!(
        stdout.contains("function app.enter_household(uuid,text,text) is executable by PUBLIC"),
        "{stdout}"
    );
}

#[tokio::test]
async fn audit_rls_fails_on_a_security_definer_function_without_a_pinned_search_path() {
    let db = TestDb::new().await;
    sqlx::query(
        "CREATE FUNCTION app.unsafe_helper() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'",
    )
    .execute(&db.admin)
    .await
    .unwrap();
    let stdout = audit_fails(&db);
    assert!(
        stdout.contains("function app.unsafe_helper() does not pin search_path")
            && stdout.contains("function app.unsafe_helper() is executable by PUBLIC"),
        "{stdout}"
    );
}

#[tokio::test]
async fn serve_refuses_to_start_as_a_superuser() {
    let db = TestDb::new().await;
    let (_dir, config) = config_for(&db.admin_url());
    let err = server::start(config, Default::default())
        .await
        .err()
        .expect("must refuse");
    let message = format!("{err:#}");
    assert!(
        message.contains("superuser") && message.contains("refusing to start"),
        "{message}"
    );
}

#[tokio::test]
async fn serve_refuses_to_start_when_the_runtime_role_owns_a_tenant_table() {
    let db = TestDb::new().await;
    sqlx::query("ALTER TABLE vehicles OWNER TO household_app")
        .execute(&db.admin)
        .await
        .unwrap();
    let (_dir, config) = config_for(&db.app_url());
    let err = server::start(config, Default::default())
        .await
        .err()
        .expect("must refuse");
    assert!(format!("{err:#}").contains("owns"), "{err:#}");
}

#[tokio::test]
async fn serve_starts_as_the_runtime_role_on_the_migrated_schema() {
    let db = TestDb::new().await;
    let (_dir, config) = config_for(&db.app_url());
    server::start(config, Default::default())
        .await
        .expect("starts");
}

#[tokio::test]
async fn migrations_run_down_and_up_again() {
    let db = TestDb::new().await;
    let migrator = &server::db::migrate::MIGRATOR;
    migrator
        .undo(&db.admin, 0)
        .await
        .expect("down migrations work");
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_tables WHERE tablename IN ('vehicles', 'households')",
    )
    .fetch_one(&db.admin)
    .await
    .unwrap();
    assert_eq!(tables, 0);
    migrator.run(&db.admin).await.expect("up again");
}

#[tokio::test]
async fn every_key_of_the_migrated_schema_leads_with_household_id() {
    let db = TestDb::new().await;
    let mut conn = db.app.acquire().await.unwrap();
    let report = server::db::audit::audit(&mut conn).await.unwrap();
    assert!(
        report.key_problems().is_empty(),
        "{:?}",
        report.key_problems()
    );
    let names: Vec<&str> = report.keys.iter().map(|k| k.name.as_str()).collect();
    for key in [
        "vehicles_pkey",
        "vehicles_name_unique_per_household",
        "vehicles_household_fkey",
        "fuel_logs_pkey",
        "fuel_logs_vehicle_fkey",
        "household_members_pkey",
        "invitations_code_hash_key",
        "join_requests_invitation_fkey",
        "join_requests_one_pending_per_requester",
        "audit_events_pkey",
    ] {
        assert!(names.contains(&key), "{key} not audited: {names:?}");
    }
    let out = audit_rls(&db.app_url());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("fuel_logs_vehicle_fkey") && !stdout.contains("NOT BY HOUSEHOLD"),
        "{stdout}"
    );
}

#[tokio::test]
async fn audit_rls_fails_when_a_unique_key_does_not_lead_with_household_id() {
    let db = TestDb::new().await;
    sqlx::query("ALTER TABLE vehicles ADD CONSTRAINT vehicles_id_key UNIQUE (id)")
        .execute(&db.admin)
        .await
        .unwrap();
    let stdout = audit_fails(&db);
    assert!(
        stdout
            .contains("NOT BY HOUSEHOLD: unique constraint vehicles_id_key (id) of table vehicles"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("NOT COVERED"),
        "isolation is intact: {stdout}"
    );
}

#[tokio::test]
async fn audit_rls_fails_on_an_isolated_table_keyed_other_than_by_household() {
    let db = TestDb::new().await;
    for statement in [
        "CREATE TABLE notes (
             household_id uuid NOT NULL, id uuid NOT NULL, vehicle_id uuid NOT NULL, body text,
             CONSTRAINT notes_pkey PRIMARY KEY (id),
             CONSTRAINT notes_vehicle_fkey FOREIGN KEY (vehicle_id, household_id)
                 REFERENCES vehicles (id, household_id),
             CONSTRAINT notes_household_fkey FOREIGN KEY (household_id) REFERENCES households (id))",
        "CREATE UNIQUE INDEX notes_body_key ON notes (lower(body))",
        "SELECT app.enable_household_rls('notes')",
    ] {
        sqlx::query(statement).execute(&db.admin).await.unwrap();
    }
    let stdout = audit_fails(&db);
    for problem in [
        "primary key notes_pkey (id) of table notes",
        "foreign key notes_vehicle_fkey (vehicle_id, household_id) of table notes",
        "unique index notes_body_key ((expression)) of table notes",
    ] {
        assert!(
            stdout.contains(&format!("NOT BY HOUSEHOLD: {problem}")),
            "{problem}:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("notes_household_fkey (household_id) of table notes does not"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("NOT COVERED"),
        "isolation is intact: {stdout}"
    );

    // Distribution is not isolation: `serve` starts, and only warns.
    let (_dir, config) = config_for(&db.app_url());
    server::start(config, Default::default())
        .await
        .expect("starts despite the keys");
}
