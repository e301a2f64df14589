//! In-process cost of reading parameters with the runtime's style/explode codec
//! (`apigen_runtime::params`) against axum's extractors, on the request of the server
//! benchmarks (`GET /micropanel/users/123/communities?page=1&perPage=100`, see `support`).
//!
//! Both routers are the hand-written handler of `server_handler`; one reads `user-id`, `page`
//! and `perPage` with `Path<i64>` and `Query<Vec<(String, String)>>`, the other with
//! `params::from_request` from the raw request head. `cargo bench -p spec-tests --bench
//! params_decode` prints the median time per request of each (alternating rounds) and the
//! ratio axum/codec (>= 1.00: the codec costs no more). For exact counts, under callgrind:
//!
//! ```text
//! valgrind --tool=callgrind target/release/deps/params_decode-<hash> --only codec 20000
//! valgrind --tool=callgrind target/release/deps/params_decode-<hash> --only axum 20000
//! ```

use std::sync::Arc;
use std::time::Instant;

use apigen_runtime::params::{from_request, Location, Param, Shape};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::IntoResponse;
use tower::ServiceExt;

// The generated stub of `support` is not compared here.
#[allow(dead_code)]
mod support;
use support::{body, hand_router, quantile, KEY, PATH_AND_QUERY};

const TEMPLATE: &str = "/micropanel/users/{user-id}/communities";
const USER_ID: Param = Param::new(Location::Path, "user-id", &Shape::INTEGER);
const PAGE: Param = Param::new(Location::Query, "page", &Shape::INTEGER);
const PER_PAGE: Param = Param::new(Location::Query, "perPage", &Shape::INTEGER);

/// The hand-written handler, reading its parameters with the codec.
fn codec_router() -> axum::Router {
    let body = Arc::new(body());
    axum::Router::new().route(
        TEMPLATE,
        axum::routing::get(move |headers: HeaderMap, request: axum::extract::Request| {
            let body = body.clone();
            async move {
                let (parts, _) = request.into_parts();
                let ok = headers.get("api-key").is_some_and(|k| apigen_runtime::constant_time_eq(k.as_bytes(), KEY.as_bytes()));
                let id = from_request::<i64>(&USER_ID, TEMPLATE, &parts);
                let page_ok = [&PAGE, &PER_PAGE].into_iter().all(|p| match from_request::<i32>(p, TEMPLATE, &parts) {
                    Ok(page) => page.is_none_or(|n| n >= 1),
                    Err(_) => false,
                });
                if !ok || !page_ok || !matches!(id, Ok(Some(_))) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let bytes = serde_json::to_vec(body.as_ref()).unwrap_or_default();
                ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response()
            }
        }),
    )
}

/// Sends `n` requests through `router`; returns nanoseconds per request.
async fn run(router: &axum::Router, n: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        let request = Request::get(PATH_AND_QUERY).header("api-key", KEY).body(Body::empty()).expect("request");
        let response = router.clone().oneshot(request).await.expect("infallible router");
        assert_eq!(response.status(), 200);
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
        assert!(!body.is_empty());
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    // `--only codec|axum N`: one router only, for callgrind.
    if let (Some("--only"), Some(which)) = (args.first().map(String::as_str), args.get(1)) {
        let n = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20_000);
        let router = if which == "codec" { codec_router() } else { hand_router() };
        let ns = rt.block_on(run(&router, n));
        println!("{which}: {ns:.0} ns per request ({n} requests)");
        return;
    }
    let (codec, axum) = (codec_router(), hand_router());
    let (rounds, per_round) = (21, 20_000);
    rt.block_on(async {
        run(&codec, per_round).await;
        run(&axum, per_round).await;
        let (mut c, mut a, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (x, y) = if round % 2 == 0 {
                let x = run(&codec, per_round).await;
                (x, run(&axum, per_round).await)
            } else {
                let y = run(&axum, per_round).await;
                (run(&codec, per_round).await, y)
            };
            c.push(x);
            a.push(y);
            ratios.push(y / x);
        }
        println!("{rounds} alternating rounds of {per_round} requests each, in process (no network)");
        println!("parameters by the codec:       {:.0} ns per request (median)", quantile(c, 0.5));
        println!("parameters by axum extractors: {:.0} ns per request (median)", quantile(a, 0.5));
        let (q1, q3) = (quantile(ratios.clone(), 0.25), quantile(ratios.clone(), 0.75));
        println!(
            "ratio axum/codec: {:.3} median, interquartile range {q1:.3}..{q3:.3} (>= 1.00: the codec costs no more)",
            quantile(ratios, 0.5)
        );
    });
}
