//! What the server benchmarks compare: the generated QuestionPro stub and a hand-written axum
//! handler for the same route (`GET /micropanel/users/{user-id}/communities`), serving the same
//! body, and the request both are sent.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use questionpro::server as qps;

/// The API key both servers accept.
pub const KEY: &str = "BENCH-KEY";

/// The path and query of the benchmarked request.
pub const PATH_AND_QUERY: &str = "/micropanel/users/123/communities?page=1&perPage=100";

const BODY: &str = r#"{"response":[{"id":1,"name":"C","shortURL":"c","status":"Active"}],"pagination":{"perPage":100,"totalItems":1,"currentPage":1,"totalPages":1,"links":{"self":"s"}},"requestID":"r"}"#;

/// The body both servers answer with.
pub fn body() -> questionpro::models::CommunityListResponse {
    serde_json::from_str(BODY).expect("benchmark body")
}

/// An implementation of the generated trait: checks the key, answers the body. The response
/// enum owns its body, so the body is cloned per request (the hand-written handler serializes
/// a shared one: that cost is counted against the generated stub).
struct Stub(questionpro::models::CommunityListResponse);

fn not_implemented() -> axum::response::Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

impl qps::Api for Stub {
    fn authenticate(&self, _: qps::Scheme, credential: &qps::Secret) -> impl std::future::Future<Output = bool> + Send {
        std::future::ready(credential.matches(KEY))
    }
    async fn import_panel_members(&self, _: qps::ImportPanelMembersInput) -> qps::ImportPanelMembersResponse {
        qps::ImportPanelMembersResponse::Other(not_implemented())
    }
    async fn list_user_communities(&self, _: qps::ListUserCommunitiesInput) -> qps::ListUserCommunitiesResponse {
        qps::ListUserCommunitiesResponse::Ok(self.0.clone())
    }
    async fn update_user(&self, _: qps::UpdateUserInput) -> qps::UpdateUserResponse {
        qps::UpdateUserResponse::Other(not_implemented())
    }
    async fn search_organization_users(&self, _: qps::SearchOrganizationUsersInput) -> qps::SearchOrganizationUsersResponse {
        qps::SearchOrganizationUsersResponse::Other(not_implemented())
    }
}

/// The generated router around [`Stub`].
pub fn stub_router() -> axum::Router {
    qps::router(Stub(body()))
}

/// The hand-written equivalent: key check (constant time), typed path and query with the same
/// `minimum: 1` rule, JSON body. It does not answer in the API's error shape, so it does less
/// than the generated stub on bad input; on the benchmarked (valid) request both do the same.
pub fn hand_router() -> axum::Router {
    let body = Arc::new(body());
    axum::Router::new().route(
        "/micropanel/users/{user-id}/communities",
        axum::routing::get(move |headers: HeaderMap, Path(_id): Path<i64>, Query(q): Query<Vec<(String, String)>>| {
            let body = body.clone();
            async move {
                let ok = headers.get("api-key").is_some_and(|k| qps::constant_time_eq(k.as_bytes(), KEY.as_bytes()));
                let page_ok = q.iter().all(|(k, v)| !matches!(k.as_str(), "page" | "perPage") || v.parse::<i32>().is_ok_and(|n| n >= 1));
                if !ok || !page_ok {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let bytes = serde_json::to_vec(body.as_ref()).unwrap_or_default();
                ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response()
            }
        }),
    )
}

/// The `q`-quantile of `v` (0.5: the median), by linear interpolation.
pub fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let at = q * (v.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (at - lo as f64)
}
