//! The OpenAPI document: served, complete, and kept in step with `docs/openapi.json`.

use axum::http::{Method, StatusCode};

use crate::support::TestApp;

/// Every operation the foundation promises, by its stable id.
const OPERATIONS: &[&str] = &[
    "createToken",
    "listTokens",
    "revokeToken",
    "getCurrentUser",
    "updateCurrentUser",
    "listOrganizations",
    "getOrganization",
    "createOrganization",
    "updateOrganization",
    "listUsers",
    "createUser",
    "getUser",
    "updateUser",
    "listAuditEvents",
    // The library (its issue names these).
    "createDocument",
    "getDocument",
    "updateDocument",
    "listDocuments",
    "searchDocuments",
    "addDocumentAttachment",
    "listFollowUps",
    "updateFollowUp",
    "similarDocuments",
    "createDocumentFromRequest",
    "listTerms",
    "createTerm",
    "updateTerm",
    "deleteTerm",
    "importTerms",
    "exportTerms",
];

#[test]
fn document_is_committed_and_current() {
    let doc = serde_json::to_string_pretty(&glocal_web::api::openapi()).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_EXPECT").is_ok() {
        std::fs::write(&path, &doc).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == doc,
        "docs/openapi.json is out of date; run `UPDATE_EXPECT=1 cargo test openapi` and review the diff"
    );
}

#[tokio::test]
async fn served_document_is_openapi_3_1_with_stable_operation_ids() {
    let app = TestApp::new().await;
    let (status, doc) = app.api(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            ids.push(id.to_string());
            // A path parameter is one the path names; the rest are in the query string.
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(p["in"], if in_path { "path" } else { "query" }, "{id}: parameter {name}");
            }
        }
    }
    for op in OPERATIONS {
        assert!(ids.iter().any(|i| i == op), "operation {op} missing");
    }
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "operationIds repeat: {ids:?}");
}

#[tokio::test]
async fn api_page_is_served_locally() {
    let app = TestApp::new().await;
    let (status, _, body) =
        app.send(axum::http::Request::get("/api/docs/").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://"), "the API page must not load anything from elsewhere");
}
