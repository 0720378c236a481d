//! `GET /openapi.json` and the host routes.

use serde_json::Value;

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn the_openapi_document_parses_and_lists_every_route() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let expected: &[(&str, &[&str])] = &[
        ("/exchange", &["post"]),
        ("/.well-known/jwks.json", &["get"]),
        ("/api/me/households", &["get"]),
        ("/api/households/{household_id}/vehicles", &["get", "post"]),
        (
            "/api/households/{household_id}/vehicles/{vehicle_id}",
            &["get", "patch", "delete"],
        ),
        (
            "/api/households/{household_id}/vehicles/{vehicle_id}/fuel-logs",
            &["get", "post"],
        ),
        ("/api/households/{household_id}/summary", &["get"]),
        ("/api/households", &["post"]),
        ("/api/households/{household_id}/members", &["get"]),
        (
            "/api/households/{household_id}/members/{sub}",
            &["patch", "delete"],
        ),
        ("/api/households/{household_id}/invitations", &["post"]),
        ("/api/invitations/{code}", &["post"]),
        ("/api/households/{household_id}/join-requests", &["get"]),
        (
            "/api/households/{household_id}/join-requests/{sub}/approve",
            &["post"],
        ),
        (
            "/api/households/{household_id}/join-requests/{sub}/deny",
            &["post"],
        ),
        ("/api/households/{household_id}/audit-events", &["get"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
        ("/openapi.json", &["get"]),
        ("/household/{household_id}/mfe", &["get"]),
        ("/config.json", &["get"]),
    ];
    for (path, methods) in expected {
        let item = paths.get(*path).unwrap_or_else(|| panic!("{path} missing"));
        for method in *methods {
            assert!(item.get(*method).is_some(), "{method} {path} missing");
        }
    }
    assert_eq!(
        paths.len(),
        expected.len(),
        "undocumented extra paths: {:?}",
        paths.keys().collect::<Vec<_>>()
    );
    // Error bodies are described, as problem+json.
    let list = &paths["/api/households/{household_id}/vehicles"]["get"]["responses"];
    assert!(
        list["403"]["content"]["application/problem+json"].is_object(),
        "{list}"
    );
    // Every household data route describes the errors they all share.
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

#[tokio::test]
async fn the_host_page_is_served_with_a_content_security_policy() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url(&format!("/household/{}/mfe", uuid::Uuid::new_v4())))
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
