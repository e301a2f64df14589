//! Per-request overhead of the generated client against plain reqwest doing the same call
//! (same server, same request, same JSON decoding), measured in the same run.
//!
//! `cargo bench -p spec-tests --bench client_overhead` prints the median time per request of
//! each, and the ratio generated / plain (target: <= 1.10). It is a benchmark, not a test:
//! nothing fails on a slow machine.

use std::time::{Duration, Instant};

use questionpro::client::{BaseUrl, Client, Credentials, RetryPolicy};
use questionpro::models::CommunityListResponse;

const ROUNDS: usize = 15;
const REQUESTS_PER_ROUND: usize = 300;

fn body() -> String {
    serde_json::json!({
        "response": (0..20).map(|i| serde_json::json!({"id": i, "name": format!("Community {i}"), "shortURL": "c.questionpro.com", "status": "Active"})).collect::<Vec<_>>(),
        "pagination": {"perPage": 20, "totalItems": 20, "currentPage": 1, "totalPages": 1,
            "links": {"self": "https://api.questionpro.com/a/api/v2/micropanel/users/1/communities", "prev": null, "next": null, "first": null, "last": null}},
        "requestID": "e5392279-da12-49b6-b98b-ee4ea0301ac1"
    })
    .to_string()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let payload = body();
        let app = axum::Router::new().fallback(move || {
            let payload = payload.clone();
            async move { ([("content-type", "application/json")], payload) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

        let http = reqwest::Client::new();
        let generated = Client::builder(BaseUrl::Custom(base.clone()), Credentials::from_api_key("bench-key"))
            .http_client(http.clone())
            .retry(RetryPolicy::none())
            .build()
            .expect("client");
        let url = format!("{base}/micropanel/users/42/communities");

        let plain_once = || {
            let http = http.clone();
            let url = url.clone();
            async move {
                let response = http.get(&url).header("api-key", "bench-key").send().await.expect("send");
                let status = response.status();
                let bytes = response.bytes().await.expect("body");
                assert!(status.is_success());
                let parsed: CommunityListResponse = serde_json::from_slice(&bytes).expect("decode");
                assert_eq!(parsed.response.len(), 20);
            }
        };
        let generated_once = || async {
            let r = generated.list_user_communities(42, &Default::default()).await.expect("call");
            assert_eq!(r.response.len(), 20);
        };

        // Warm up connections and caches.
        for _ in 0..200 {
            plain_once().await;
            generated_once().await;
        }
        let (mut plain, mut ours) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            // Alternate which side goes first, so drift hits both alike.
            for side in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
                let start = Instant::now();
                for _ in 0..REQUESTS_PER_ROUND {
                    if side == 0 {
                        plain_once().await;
                    } else {
                        generated_once().await;
                    }
                }
                let per = start.elapsed() / REQUESTS_PER_ROUND as u32;
                if side == 0 {
                    plain.push(per)
                } else {
                    ours.push(per)
                }
            }
        }
        let (p, g) = (median(plain), median(ours));
        let ratio = g.as_secs_f64() / p.as_secs_f64();
        println!("plain reqwest:    {:>8.1} µs/request (median of {ROUNDS} rounds of {REQUESTS_PER_ROUND})", p.as_secs_f64() * 1e6);
        println!("generated client: {:>8.1} µs/request", g.as_secs_f64() * 1e6);
        println!("ratio generated/plain: {ratio:.3} (target <= 1.10) {}", if ratio <= 1.10 { "OK" } else { "ABOVE TARGET" });
    });
}
