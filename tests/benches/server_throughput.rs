//! Loopback load benchmark: the generated QuestionPro stub (`questionpro::server::router`)
//! against a hand-written axum handler for the same route, measured in the same run.
//!
//! `cargo bench -p spec-tests --bench server_throughput` (optionally `-- SECONDS CONNECTIONS`,
//! default 3 s per round and 32 keep-alive connections). Each round serves one router on
//! 127.0.0.1, drives it with raw HTTP/1.1 keep-alive requests for the duration, and counts
//! responses; rounds alternate (stub, hand, stub, hand) so drift affects both. Prints
//! requests/s of each and the ratio stub/hand (target >= 0.95).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use questionpro::server as qps;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "BENCH-KEY";
const BODY: &str = r#"{"response":[{"id":1,"name":"C","shortURL":"c","status":"Active"}],"pagination":{"perPage":100,"totalItems":1,"currentPage":1,"totalPages":1,"links":{"self":"s"}},"requestID":"r"}"#;

struct Stub(questionpro::models::CommunityListResponse);

impl qps::Api for Stub {
    fn authenticate(&self, _: qps::Scheme, credential: &qps::Secret) -> impl std::future::Future<Output = bool> + Send {
        std::future::ready(credential.matches(KEY))
    }
    async fn import_panel_members(&self, _: qps::ImportPanelMembersInput) -> qps::ImportPanelMembersResponse {
        unimplemented!()
    }
    async fn list_user_communities(&self, _: qps::ListUserCommunitiesInput) -> qps::ListUserCommunitiesResponse {
        qps::ListUserCommunitiesResponse::Ok(self.0.clone())
    }
    async fn update_user(&self, _: qps::UpdateUserInput) -> qps::UpdateUserResponse {
        unimplemented!()
    }
    async fn search_organization_users(&self, _: qps::SearchOrganizationUsersInput) -> qps::SearchOrganizationUsersResponse {
        unimplemented!()
    }
}

/// The hand-written equivalent: key check (constant time), typed path and query, JSON body.
fn hand_router(body: questionpro::models::CommunityListResponse) -> axum::Router {
    let body = Arc::new(body);
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

async fn drive(router: axum::Router, secs: u64, conns: usize) -> f64 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let request = format!("GET /micropanel/users/123/communities?page=1&perPage=100 HTTP/1.1\r\nHost: {addr}\r\napi-key: {KEY}\r\n\r\n");
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (count, request) = (count.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.set_nodelay(true).unwrap();
            let mut buf = vec![0u8; 8192];
            while Instant::now() < deadline {
                s.write_all(request.as_bytes()).await.unwrap();
                let mut have = 0;
                loop {
                    let n = s.read(&mut buf[have..]).await.unwrap();
                    assert!(n > 0, "connection closed");
                    have += n;
                    let text = &buf[..have];
                    if let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = std::str::from_utf8(&text[..end]).unwrap().to_ascii_lowercase();
                        assert!(head.starts_with("http/1.1 200"), "{head}");
                        let len: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
                        if have >= end + 4 + len {
                            break;
                        }
                    }
                }
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    server.abort();
    count.load(Ordering::Relaxed) as f64 / secs as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let secs = args.first().and_then(|a| a.parse().ok()).unwrap_or(3);
    let conns = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(32);
    let body: questionpro::models::CommunityListResponse = serde_json::from_str(BODY).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (mut stub, mut hand) = (0.0, 0.0);
    rt.block_on(async {
        // Warm-up, not counted.
        drive(qps::router(Stub(body.clone())), 1, conns).await;
        for _ in 0..2 {
            stub += drive(qps::router(Stub(body.clone())), secs, conns).await;
            hand += drive(hand_router(body.clone()), secs, conns).await;
        }
    });
    println!("generated stub: {:.0} req/s", stub / 2.0);
    println!("hand-written:   {:.0} req/s", hand / 2.0);
    println!("ratio stub/hand: {:.3} (target >= 0.95)", stub / hand);
}
