//! Loopback load benchmark: the generated QuestionPro stub (`questionpro::server::router`)
//! against a hand-written axum handler for the same route, measured in the same run.
//!
//! `cargo bench -p spec-tests --bench server_throughput` (optionally `-- SECONDS CONNECTIONS PAIRS`,
//! default 0.5 s per round, 32 keep-alive connections, 30 pairs of rounds).
//!
//! The server runs on a single-threaded tokio runtime on its own OS thread, and the load
//! generator (raw HTTP/1.1 keep-alive requests, one task per connection) on another, so the
//! load generator's own work never competes with the handler for a runtime worker.
//!
//! The result is the median of the per-pair throughput ratios, with their interquartile range.
//! On a small VM the machine's speed drifts by up to 30% from one round to the next (pinning the
//! threads to CPUs made every round slower and no steadier), so the benchmark runs many short
//! pairs: the two rounds of a pair are close in time and see nearly the same machine.
//!
//! It also prints the server thread's CPU time per response (`cpu-time`, the thread's own clock)
//! and its utilization (CPU time / wall time): near 100% shows the server thread, not the load
//! generator, was the bottleneck, so the ratio compares the two servers' costs per request.
//!
//! Each pair runs both routers, the generated one first in even pairs and the hand-written one
//! first in odd pairs, so drift in machine speed affects both alike.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod support;
use support::{hand_router, quantile, stub_router, KEY, PATH_AND_QUERY};

/// Serves `router` on a fresh single-threaded runtime on its own thread; returns the address,
/// a sender that stops it, and the thread, which returns the CPU time it spent serving.
fn serve(router: axum::Router) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>, std::thread::JoinHandle<Duration>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking listener");
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
        let cpu = cpu_time::ThreadTime::now();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        cpu.elapsed()
    });
    (addr, stop, thread)
}

/// Drives `addr` with `conns` keep-alive connections for `secs` seconds from a single-threaded
/// runtime on this thread; returns the number of responses and the time taken.
fn drive(addr: std::net::SocketAddr, secs: f64, conns: usize) -> (u64, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("load runtime");
    rt.block_on(async move {
        let request = format!("GET {PATH_AND_QUERY} HTTP/1.1\r\nHost: {addr}\r\napi-key: {KEY}\r\n\r\n");
        let count = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(secs);
        let mut tasks = Vec::new();
        for _ in 0..conns {
            let (count, request) = (count.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let mut buf = vec![0u8; 8192];
                while Instant::now() < deadline {
                    s.write_all(request.as_bytes()).await.expect("write request");
                    let mut have = 0;
                    loop {
                        let n = s.read(&mut buf[have..]).await.expect("read response");
                        assert!(n > 0, "connection closed");
                        have += n;
                        let text = &buf[..have];
                        if let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = std::str::from_utf8(&text[..end]).expect("ascii head").to_ascii_lowercase();
                            assert!(head.starts_with("http/1.1 200"), "{head}");
                            let len: usize = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .map_or(0, |v| v.trim().parse().expect("content-length"));
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
            t.await.expect("load task");
        }
        (count.load(Ordering::Relaxed), start.elapsed())
    })
}

/// What one round measured.
#[derive(Clone, Copy)]
struct Round {
    /// Responses per second of wall-clock time.
    rate: f64,
    /// CPU time of the server thread per response, in microseconds.
    cpu_us: f64,
    /// CPU time of the server thread / wall-clock time of the round.
    utilization: f64,
}

/// One round: serve `router`, load it, stop it.
fn round(router: axum::Router, secs: f64, conns: usize) -> Round {
    let (addr, stop, thread) = serve(router);
    let (count, wall) = drive(addr, secs, conns);
    let _ = stop.send(());
    let cpu = thread.join().expect("server thread");
    let count = count.max(1) as f64;
    Round { rate: count / wall.as_secs_f64(), cpu_us: cpu.as_secs_f64() * 1e6 / count, utilization: cpu.as_secs_f64() / wall.as_secs_f64() }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let secs: f64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(0.5);
    let conns: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(32);
    let pairs: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(30);
    let stub = stub_router;
    let hand = hand_router;

    // Warm-up, not counted.
    round(stub(), 0.5, conns);
    round(hand(), 0.5, conns);

    println!("{pairs} pairs of {secs} s rounds, {conns} connections; server and load generator on one thread each");
    let (mut ratios, mut utilization) = (Vec::new(), Vec::new());
    let (mut stub_rates, mut hand_rates, mut stub_cpu, mut hand_cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for pair in 0..pairs {
        let (s, h) = if pair % 2 == 0 {
            let s = round(stub(), secs, conns);
            (s, round(hand(), secs, conns))
        } else {
            let h = round(hand(), secs, conns);
            (round(stub(), secs, conns), h)
        };
        println!(
            "pair {pair:2}: generated {:6.0} req/s {:5.2} µs CPU/req, hand-written {:6.0} req/s {:5.2} µs CPU/req, ratio {:.3}",
            s.rate,
            s.cpu_us,
            h.rate,
            h.cpu_us,
            s.rate / h.rate
        );
        ratios.push(s.rate / h.rate);
        utilization.extend([s.utilization, h.utilization]);
        stub_rates.push(s.rate);
        hand_rates.push(h.rate);
        stub_cpu.push(s.cpu_us);
        hand_cpu.push(h.cpu_us);
    }
    println!("generated stub: {:.0} req/s, {:.2} µs server CPU per request (medians)", quantile(stub_rates, 0.5), quantile(stub_cpu, 0.5));
    println!("hand-written:   {:.0} req/s, {:.2} µs server CPU per request (medians)", quantile(hand_rates, 0.5), quantile(hand_cpu, 0.5));
    println!("server thread utilization: {:.0}% (median of rounds)", 100.0 * quantile(utilization, 0.5));
    let (q1, q3) = (quantile(ratios.clone(), 0.25), quantile(ratios.clone(), 0.75));
    println!(
        "ratio stub/hand: {:.3} median of {pairs} pairs, interquartile range {q1:.3}..{q3:.3} (target >= 0.95)",
        quantile(ratios, 0.5)
    );
}
