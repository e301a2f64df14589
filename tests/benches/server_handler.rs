//! In-process cost of one request through the generated QuestionPro stub against the
//! hand-written axum handler for the same route (see `support`), without the network: each
//! request goes through the router with `tower::ServiceExt::oneshot` and its body is read.
//!
//! `cargo bench -p spec-tests --bench server_handler` prints the median time per request of
//! each (alternating rounds) and the ratio hand/generated (>= 1.00: the stub costs no more).
//! Loopback throughput is `server_throughput`; this one isolates the handler path.
//!
//! For exact, repeatable counts, run one router under callgrind and compare instructions:
//!
//! ```text
//! valgrind --tool=callgrind target/release/deps/server_handler-<hash> --only stub 20000
//! valgrind --tool=callgrind target/release/deps/server_handler-<hash> --only hand 20000
//! ```

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

mod support;
use support::{hand_router, quantile, stub_router, KEY, PATH_AND_QUERY};

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
    // `--only stub|hand N`: one router only, for callgrind.
    if let (Some("--only"), Some(which)) = (args.first().map(String::as_str), args.get(1)) {
        let n = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20_000);
        let router = if which == "stub" { stub_router() } else { hand_router() };
        let ns = rt.block_on(run(&router, n));
        println!("{which}: {ns:.0} ns per request ({n} requests)");
        return;
    }
    let (stub, hand) = (stub_router(), hand_router());
    let (rounds, per_round) = (21, 20_000);
    rt.block_on(async {
        run(&stub, per_round).await;
        run(&hand, per_round).await;
        let (mut s, mut h, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (a, b) = if round % 2 == 0 {
                let a = run(&stub, per_round).await;
                (a, run(&hand, per_round).await)
            } else {
                let b = run(&hand, per_round).await;
                (run(&stub, per_round).await, b)
            };
            s.push(a);
            h.push(b);
            ratios.push(b / a);
        }
        println!("{rounds} alternating rounds of {per_round} requests each, in process (no network)");
        println!("generated stub: {:.0} ns per request (median)", quantile(s, 0.5));
        println!("hand-written:   {:.0} ns per request (median)", quantile(h, 0.5));
        let (q1, q3) = (quantile(ratios.clone(), 0.25), quantile(ratios.clone(), 0.75));
        println!(
            "ratio hand/stub: {:.3} median, interquartile range {q1:.3}..{q3:.3} (>= 1.00: the stub costs no more)",
            quantile(ratios, 0.5)
        );
    });
}
