//! The OpenAPI document (`GET /openapi.json`) and the host routes.

use serde_json::Value;

use crate::helpers::{TestApp, assert_problem};

/// The whole document, pinned: a route added, removed or changed shows in the snapshot's
/// diff (`cargo insta review` accepts it).
#[test]
fn the_openapi_document_is_the_reviewed_one() {
    insta::assert_json_snapshot!(server::http::openapi::document());
}

#[tokio::test]
async fn the_served_document_is_the_one_the_routes_register() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc,
        serde_json::to_value(server::http::openapi::document()).unwrap()
    );
}

#[test]
fn every_household_data_route_describes_the_errors_they_all_share() {
    let doc = serde_json::to_value(server::http::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let list = &paths["/api/households/{household_id}/vehicles"]["get"]["responses"];
    assert!(
        list["403"]["content"]["application/problem+json"].is_object(),
        "{list}"
    );
    for (path, item) in paths
        .iter()
        .filter(|(p, _)| p.starts_with("/api/households/"))
    {
        for (method, operation) in item.as_object().unwrap() {
            for status in ["400", "401", "403", "429"] {
                let problem =
                    &operation["responses"][status]["content"]["application/problem+json"];
                assert_eq!(
                    problem["schema"]["$ref"], "#/components/schemas/Problem",
                    "{status} of {method} {path}"
                );
            }
        }
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["internal_token"].is_object());
}

/// Every path `shared::paths` builds (for the micro-frontend and these tests) is a route of
/// the document, so renaming a route without its builder fails here.
#[test]
fn every_shared_path_builder_names_a_documented_route() {
    use shared::invitations::Decision;
    use shared::paths;
    let doc = serde_json::to_value(server::http::openapi::document()).unwrap();
    let templates: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    let (h, v) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let built = [
        paths::EXCHANGE.to_owned(),
        paths::JWKS.to_owned(),
        paths::MY_HOUSEHOLDS.to_owned(),
        paths::ME.to_owned(),
        paths::MY_EXPORT.to_owned(),
        paths::CONFIG.to_owned(),
        paths::HOUSEHOLDS.to_owned(),
        paths::household(h),
        paths::export(h),
        paths::export_csv(h, "fuel_logs"),
        paths::vehicles(h),
        paths::vehicle(h, v),
        paths::fuel_logs(h, v),
        paths::summary(h),
        paths::members(h),
        paths::member(h, "auth0|alice"),
        paths::invitations(h),
        paths::invitation(h, v),
        paths::REDEEM.to_owned(),
        paths::join_requests(h),
        paths::join_request(h, "auth0|bob", Decision::Approve),
        paths::join_request(h, "auth0|bob", Decision::Deny),
        paths::audit_events(h),
        paths::host_page(h),
    ];
    for built in built {
        // A query string is no part of the route.
        let path = built.split('?').next().unwrap();
        assert!(
            templates.iter().any(|t| matches_template(t, path)),
            "{path} is no route of the OpenAPI document"
        );
    }
}

/// Whether `path` fills `template`'s `{parameters}` with one segment each.
fn matches_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

/// Routes reach the router only through utoipa-axum's `routes!`, which documents them: a
/// `.route(…)` in the server's HTTP modules would serve a path the document leaves out.
/// The one exception is the bundle's static files (`http/bundle.rs`, `nest_service`).
#[test]
fn no_route_is_registered_without_its_openapi_description() {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/http"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    let mut offenders = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let registers = [".route(", ".route_service(", ".nest(", ".nest_service("]
                .iter()
                .any(|m| line.contains(m));
            let bundle = path.ends_with("bundle.rs") && line.contains(".nest_service(");
            if registers && !bundle {
                offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "routes outside routes!(…): {offenders:#?}"
    );
}

#[tokio::test]
async fn the_host_page_is_served_with_a_content_security_policy() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url(&shared::paths::host_page(uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(response.text().await.unwrap().contains("/host.js"));
    assert_problem(
        app.http
            .get(app.url("/household/not-an-id/mfe"))
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;

    let config = app.get_json("/config.json").await;
    assert_eq!(config["issuer"], app.issuer.url.as_str());
    assert_eq!(config["client_id"], crate::helpers::CLIENT_ID);
    assert_eq!(config["audience"], crate::helpers::AUDIENCE);
}
