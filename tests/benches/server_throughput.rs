//! Loopback load benchmark: the generated QuestionPro stub (`questionpro::server::router`)
//! against a hand-written axum handler for the same route, measured in the same run.
//!
//! `cargo bench -p spec-tests --bench server_throughput` (optionally
//! `-- SECONDS CONNECTIONS PAIRS DEPTH`, default 0.5 s per round, 32 keep-alive connections, 30
//! pairs of rounds, 16 pipelined requests per write).
//!
//! The server runs on a single-threaded tokio runtime on its own OS thread, and the load
//! generator (raw HTTP/1.1 keep-alive requests, one task per connection) on another, so the
//! load generator's own work never competes with the handler for a runtime worker. The load
//! generator pipelines `DEPTH` requests per write and reads their answers together, so it
//! spends far less per request than the server: the server thread, not the load generator,
//! limits throughput, which is what makes the throughput ratio a ratio of server costs.
//!
//! The result is the median of the per-pair throughput ratios, with their interquartile range.
//! On a small VM the machine's speed drifts by up to 30% from one round to the next (pinning the
//! threads to CPUs made every round slower and no steadier), so the benchmark runs many short
//! pairs: the rounds of a pair are close in time and see nearly the same machine.
//!
//! It also prints the server thread's CPU time per response (`cpu-time`, the thread's own clock)
//! and its utilization (CPU time / wall time), and says plainly whether the run was
//! server-bound: below 90% utilization something else (the load generator, or other processes
//! on the machine) limited throughput, the throughput ratio says little, and the ratio of CPU
//! time per request is the figure to read.
//!
//! Each pair runs three servers, in an order that rotates from pair to pair so drift affects
//! all alike: the generated router and the hand-written one on `axum::serve` (the same server
//! loop: the ratio is the cost of the generated handler path), and the generated router on the
//! runtime's hardened `server::serve` (header-read timeout, connection cap, tracked idleness),
//! what `cargo xtask mock` and the README examples run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod support;
use support::{hand_router, quantile, stub_router, KEY, PATH_AND_QUERY};

/// Which server loop serves a round.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Server {
    /// `axum::serve`.
    Axum,
    /// The runtime's `serve` with the default connection limits.
    Hardened,
}

/// Serves `router` on a fresh single-threaded runtime on its own thread; returns the address,
/// a sender that stops it, and the thread, which returns the CPU time it spent serving.
fn serve(
    router: axum::Router,
    server: Server,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>, std::thread::JoinHandle<Duration>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking listener");
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
        let cpu = cpu_time::ThreadTime::now();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let stopped = async move {
                let _ = stopped.await;
            };
            let _ = match server {
                // TCP_NODELAY, as the hardened server sets it: with pipelined answers, Nagle's
                // algorithm would hold each small response for the client's delayed ACK.
                Server::Axum => {
                    use axum::serve::ListenerExt;
                    let listener = listener.tap_io(|tcp| {
                        let _ = tcp.set_nodelay(true);
                    });
                    axum::serve(listener, router).with_graceful_shutdown(stopped).await
                }
                Server::Hardened => {
                    questionpro::server::serve_with_shutdown(listener, router, &questionpro::server::ConnectionLimits::default(), stopped)
                        .await
                }
            };
        });
        cpu.elapsed()
    });
    (addr, stop, thread)
}

/// Drives `addr` with `conns` keep-alive connections for `secs` seconds from a single-threaded
/// runtime on this thread, each writing `depth` pipelined requests at a time and reading their
/// answers; returns the number of responses and the time taken.
fn drive(addr: std::net::SocketAddr, secs: f64, conns: usize, depth: usize) -> (u64, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("load runtime");
    rt.block_on(async move {
        let request = format!("GET {PATH_AND_QUERY} HTTP/1.1\r\nHost: {addr}\r\napi-key: {KEY}\r\n\r\n");
        let batch = request.repeat(depth);
        let count = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(secs);
        let mut tasks = Vec::new();
        for _ in 0..conns {
            let (count, batch) = (count.clone(), batch.clone());
            tasks.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let mut buf = vec![0u8; 64 * 1024];
                while Instant::now() < deadline {
                    s.write_all(batch.as_bytes()).await.expect("write requests");
                    let (mut have, mut answered) = (0, 0);
                    while answered < depth {
                        let n = s.read(&mut buf[have..]).await.expect("read response");
                        assert!(n > 0, "connection closed");
                        have += n;
                        // Consume every complete response in the buffer.
                        let mut at = 0;
                        while let Some(end) = buf[at..have].windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = std::str::from_utf8(&buf[at..at + end]).expect("ascii head").to_ascii_lowercase();
                            assert!(head.starts_with("http/1.1 200"), "{head}");
                            let len: usize = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .map_or(0, |v| v.trim().parse().expect("content-length"));
                            if have < at + end + 4 + len {
                                break;
                            }
                            at += end + 4 + len;
                            answered += 1;
                        }
                        buf.copy_within(at..have, 0);
                        have -= at;
                    }
                    count.fetch_add(depth as u64, Ordering::Relaxed);
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
fn round(router: axum::Router, server: Server, secs: f64, conns: usize, depth: usize) -> Round {
    let (addr, stop, thread) = serve(router, server);
    let (count, wall) = drive(addr, secs, conns, depth);
    let _ = stop.send(());
    let cpu = thread.join().expect("server thread");
    let count = count.max(1) as f64;
    Round { rate: count / wall.as_secs_f64(), cpu_us: cpu.as_secs_f64() * 1e6 / count, utilization: cpu.as_secs_f64() / wall.as_secs_f64() }
}

/// The server utilization below which a run is not server-bound.
const SERVER_BOUND: f64 = 0.90;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let secs: f64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(0.5);
    let conns: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(32);
    let pairs: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(30);
    let depth: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(16).max(1);

    // Warm-up, not counted.
    round(stub_router(), Server::Axum, 0.5, conns, depth);
    round(hand_router(), Server::Axum, 0.5, conns, depth);
    round(stub_router(), Server::Hardened, 0.5, conns, depth);

    println!(
        "{pairs} pairs of {secs} s rounds, {conns} connections, {depth} pipelined requests per write; server and load generator on one thread each"
    );
    let (mut ratios, mut hardened_ratios, mut cpu_ratios, mut utilization) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut stub_rates, mut hand_rates, mut hard_rates) = (Vec::new(), Vec::new(), Vec::new());
    let (mut stub_cpu, mut hand_cpu, mut hard_cpu) = (Vec::new(), Vec::new(), Vec::new());
    for pair in 0..pairs {
        let mut results = [None; 3];
        for k in 0..3 {
            let which = (pair + k) % 3;
            let r = match which {
                0 => round(stub_router(), Server::Axum, secs, conns, depth),
                1 => round(hand_router(), Server::Axum, secs, conns, depth),
                _ => round(stub_router(), Server::Hardened, secs, conns, depth),
            };
            results[which] = Some(r);
        }
        let [Some(s), Some(h), Some(x)] = results else { unreachable!("every server ran") };
        println!(
            "pair {pair:2}: generated {:6.0} req/s {:5.2} µs CPU/req {:3.0}%, hand-written {:6.0} req/s {:5.2} µs CPU/req {:3.0}%, hardened {:6.0} req/s, ratio {:.3}",
            s.rate,
            s.cpu_us,
            100.0 * s.utilization,
            h.rate,
            h.cpu_us,
            100.0 * h.utilization,
            x.rate,
            s.rate / h.rate
        );
        ratios.push(s.rate / h.rate);
        hardened_ratios.push(x.rate / h.rate);
        cpu_ratios.push(h.cpu_us / s.cpu_us);
        utilization.extend([s.utilization, h.utilization, x.utilization]);
        stub_rates.push(s.rate);
        hand_rates.push(h.rate);
        hard_rates.push(x.rate);
        stub_cpu.push(s.cpu_us);
        hand_cpu.push(h.cpu_us);
        hard_cpu.push(x.cpu_us);
    }
    println!("generated stub: {:.0} req/s, {:.2} µs server CPU per request (medians)", quantile(stub_rates, 0.5), quantile(stub_cpu, 0.5));
    println!("hand-written:   {:.0} req/s, {:.2} µs server CPU per request (medians)", quantile(hand_rates, 0.5), quantile(hand_cpu, 0.5));
    println!("hardened serve: {:.0} req/s, {:.2} µs server CPU per request (medians)", quantile(hard_rates, 0.5), quantile(hard_cpu, 0.5));
    let used = quantile(utilization.clone(), 0.5);
    let low = quantile(utilization, 0.1);
    println!("server thread utilization: {:.0}% median, {:.0}% in the slowest tenth of rounds", 100.0 * used, 100.0 * low);
    let iqr = |v: &[f64]| (quantile(v.to_vec(), 0.25), quantile(v.to_vec(), 0.75));
    // One line for `cargo xtask bench`, which prints the target's verdict from it.
    println!(
        "summary: throughput-ratio={:.4} cpu-ratio={:.4} utilization={:.4}",
        quantile(ratios.clone(), 0.5),
        quantile(cpu_ratios.clone(), 0.5),
        used
    );
    let (q1, q3) = iqr(&ratios);
    println!(
        "ratio stub/hand (throughput): {:.3} median of {pairs} pairs, interquartile range {q1:.3}..{q3:.3} (target >= 0.95)",
        quantile(ratios, 0.5)
    );
    let (c1, c3) = iqr(&cpu_ratios);
    println!("ratio hand/stub (server CPU per request): {:.3} median, interquartile range {c1:.3}..{c3:.3}", quantile(cpu_ratios, 0.5));
    let (h1, h3) = iqr(&hardened_ratios);
    println!("ratio hardened serve/hand (throughput): {:.3} median, interquartile range {h1:.3}..{h3:.3}", quantile(hardened_ratios, 0.5));
    if used >= SERVER_BOUND {
        println!(
            "server-bound: yes (median utilization >= {:.0}%): the throughput ratio compares the servers' costs",
            100.0 * SERVER_BOUND
        );
    } else {
        println!(
            "server-bound: NO (median utilization {:.0}% < {:.0}%): the load generator or other processes limited throughput, so the \
             throughput ratio does not measure the servers; read the CPU-per-request ratio, or rerun on a quieter machine or with a \
             deeper pipeline (4th argument)",
            100.0 * used,
            100.0 * SERVER_BOUND
        );
    }
}
