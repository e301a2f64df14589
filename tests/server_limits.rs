//! The generated server under load it must survive, on loopback (`tests/fixtures/uploads` ->
//! `tests/crates/uploads`, plus QuestionPro for its documented envelope):
//!
//! - binary bodies (`application/octet-stream`, and multipart file parts typed
//!   `apigen_runtime::Binary`) round-trip byte for byte through the generated client and server,
//!   and a text part that is not UTF-8 is refused instead of turning into U+FFFD;
//! - a body of another (or no) `Content-Type` gets 415, an over-long request target 414 and an
//!   over-large header section 431, each in the API's error envelope;
//! - 200 idle connections that sent only a request line do not keep normal requests waiting,
//!   even with 128 file descriptors (the server runs in a child process under `ulimit -n 128`);
//! - 200 authenticated uploads that send 1 MB and stall are cut off by the body timeout, and the
//!   memory they held goes back (RSS from `/proc/self/status`).
//!
//! The tests of this binary run one at a time (they measure memory and descriptors).

use std::future::Future;
use std::io::{BufRead, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fixture_uploads as uploads;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uploads::server as us;

const KEY: &str = "upload-key";

/// Serializes the tests of this binary (each test has its own runtime, so the lock is
/// runtime-agnostic: tokio's).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What the implementation received, for the tests to compare.
#[derive(Default)]
struct Received {
    attachments: Vec<uploads::models::Attachment>,
}

/// Echoes blobs, stores attachments, answers documents as sent.
#[derive(Clone, Default)]
struct Uploads(Arc<Mutex<Received>>);

impl us::Api for Uploads {
    fn authenticate(&self, _: us::Scheme, credential: &us::Secret) -> impl Future<Output = bool> + Send {
        std::future::ready(credential.matches(KEY))
    }

    fn put_blob(&self, input: us::PutBlobInput) -> impl Future<Output = us::PutBlobResponse> + Send {
        std::future::ready(us::PutBlobResponse::Ok(input.body))
    }

    fn create_document(&self, input: us::CreateDocumentInput) -> impl Future<Output = us::CreateDocumentResponse> + Send {
        std::future::ready(us::CreateDocumentResponse::Created(input.body))
    }

    fn upload_attachment(&self, input: us::UploadAttachmentInput) -> impl Future<Output = us::UploadAttachmentResponse> + Send {
        let body = input.body;
        let receipt = uploads::models::Receipt {
            name: body.name.clone(),
            size: body.file.len() as i64,
            thumbnails: body.thumbnails.iter().flatten().map(|t| t.len() as i64).collect(),
        };
        self.0.lock().expect("received").attachments.push(body);
        std::future::ready(us::UploadAttachmentResponse::Ok(receipt))
    }
}

/// Serves `router` with [`us::serve`] and `limits` on loopback; returns the base URL.
async fn serve(router: axum::Router, limits: us::ConnectionLimits) -> String {
    let listener = us::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { us::serve(listener, router, &limits).await });
    format!("http://{addr}")
}

fn client(base: &str) -> uploads::client::Client {
    use uploads::client::{BaseUrl, Client, Credentials, RetryPolicy};
    Client::builder(BaseUrl::Custom(base.to_string()), Credentials::from_api_key(KEY)).retry(RetryPolicy::none()).build().expect("client")
}

/// Every byte value, then sequences that are not UTF-8 (a lone continuation byte, an overlong
/// encoding, a truncated sequence), then a NUL-filled run: what a text reader would mangle.
fn awkward_bytes() -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..=255).collect();
    bytes.extend_from_slice(&[0x80, 0xc0, 0xaf, 0xe2, 0x82, 0xff, 0xfe, b'\r', b'\n', b'-', b'-']);
    bytes.extend(std::iter::repeat_n(0u8, 4096));
    bytes
}

#[tokio::test]
async fn binary_bodies_round_trip_byte_for_byte() {
    let _one = ONE_AT_A_TIME.lock().await;
    let api = Uploads::default();
    let base = serve(us::router(api.clone()), us::ConnectionLimits::default()).await;
    let client = client(&base);
    let bytes = awkward_bytes();

    // application/octet-stream, both ways.
    let echoed = client.put_blob(&bytes).await.expect("blob").into_inner();
    assert_eq!(echoed, bytes, "the blob came back changed");
    assert!(client.put_blob(&[]).await.expect("empty blob").into_inner().is_empty());

    // multipart/form-data with file parts, one per thumbnail.
    let attachment = uploads::models::Attachment {
        name: "report.bin".into(),
        file: apigen_runtime::Binary::new(bytes.clone()),
        thumbnails: Some(vec![apigen_runtime::Binary::new(vec![0xff, 0xd8, 0xff]), apigen_runtime::Binary::new(Vec::new())]),
    };
    let receipt = client.upload_attachment(&attachment).await.expect("attachment").into_inner();
    assert_eq!((receipt.size, receipt.thumbnails.clone()), (bytes.len() as i64, vec![3, 0]));
    let received = api.0.lock().expect("received").attachments.pop().expect("one attachment");
    assert_eq!(received.file.as_bytes(), &bytes[..], "the file part came back changed");
    assert_eq!(received.thumbnails, attachment.thumbnails);
    assert_eq!(received.name, "report.bin");

    // A text part that is not UTF-8 is refused, in the envelope (never read as U+FFFD).
    let form = reqwest::multipart::Form::new()
        .part("name", reqwest::multipart::Part::bytes(vec![b'a', 0xff]))
        .part("file", reqwest::multipart::Part::bytes(bytes.clone()));
    let r = reqwest::Client::new().post(format!("{base}/attachments")).header("x-api-key", KEY).multipart(form).send().await.expect("send");
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["status"], 400);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("`name` is not UTF-8")), "{body}");
}

/// Status and JSON body of a raw request.
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn content_type_uri_and_header_limits_answer_in_the_envelope() {
    let _one = ONE_AT_A_TIME.lock().await;
    let base = serve(us::router(Uploads::default()), us::ConnectionLimits::default()).await;
    let http = reqwest::Client::new();
    let post = |path: &str| http.post(format!("{base}{path}")).header("x-api-key", KEY);
    let document = r#"{"title":"t"}"#;

    let (status, body) = answer(post("/documents").header("content-type", "application/json").body(document)).await;
    assert_eq!((status, body), (201, serde_json::json!({ "title": "t" })));
    let (status, body) = answer(post("/documents").header("content-type", "application/json; charset=utf-8").body(document)).await;
    assert_eq!(status, 201, "{body}");
    for (content_type, what) in
        [(Some("text/plain"), "text/plain"), (None, "send a Content-Type"), (Some("application/xml"), "application/xml")]
    {
        let request = post("/documents").body(document);
        let request = match content_type {
            Some(t) => request.header("content-type", t),
            None => request,
        };
        let (status, body) = answer(request).await;
        assert_eq!((status, body["status"].as_u64()), (415, Some(415)), "{content_type:?}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("application/json") && d.contains(what)), "{body}");
    }
    let (status, body) = answer(post("/blobs").header("content-type", "image/png").body(vec![1u8, 2])).await;
    assert_eq!((status, body["status"].as_u64()), (415, Some(415)), "{body}");
    // A body without a Content-Type is application/octet-stream (RFC 9110, 8.3).
    let r = post("/blobs").body(vec![1u8, 2]).send().await.expect("send");
    assert_eq!((r.status().as_u16(), r.bytes().await.expect("bytes").to_vec()), (200, vec![1, 2]));
    let (status, _) = answer(post("/attachments").header("content-type", "application/json").body(document)).await;
    assert_eq!(status, 415);

    let (status, body) = answer(http.get(format!("{base}/documents?q={}", "x".repeat(9000)))).await;
    assert_eq!((status, body["status"].as_u64()), (414, Some(414)), "{body}");
    let (status, body) = answer(post("/documents").header("x-padding", "y".repeat(40_000)).body(document)).await;
    assert_eq!((status, body["status"].as_u64()), (431, Some(431)), "{body}");

    // QuestionPro's documented envelope, with the status in it.
    let qp =
        serve(questionpro::server::router(questionpro::server::mock::MockApi::with_keys([KEY])), us::ConnectionLimits::default()).await;
    let (status, body) =
        answer(http.put(format!("{qp}/users/1")).header("api-key", KEY).header("content-type", "text/plain").body("{}")).await;
    assert_eq!(status, 415);
    assert_eq!(body["response"]["error"]["httpStatusCode"], 415, "{body}");
    assert_eq!(body["response"]["error"]["name"], "UNSUPPORTED_MEDIA_TYPE", "{body}");
}

/// The resident set size of this process, in bytes (`None` off Linux).
fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_uploads_are_cut_off_and_their_memory_returns() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(_) = rss() else {
        eprintln!("skipped: no /proc/self/status on this system");
        return;
    };
    const UPLOADS: usize = 200;
    const SENT: usize = 1_000_000;
    let config = us::ServerConfig::default().body_timeout(Duration::from_secs(2));
    let base = serve(us::router_with(Uploads::default(), config), us::ConnectionLimits::default()).await;
    let addr = base.trim_start_matches("http://").to_string();
    // Warm up: one complete upload, so the baseline includes the server's steady state.
    assert_eq!(client(&base).put_blob(&vec![7u8; SENT]).await.expect("warm-up").into_inner().len(), SENT);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = rss().unwrap_or(0);

    let head = format!(
        "POST /blobs HTTP/1.1\r\nhost: {addr}\r\nx-api-key: {KEY}\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
        SENT + 40_000
    );
    let started = Instant::now();
    let mut stalled = Vec::new();
    for i in 0..UPLOADS {
        let head = head.clone();
        let addr = addr.clone();
        stalled.push(tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(&addr).await.expect("connect");
            s.write_all(head.as_bytes()).await.expect("head");
            s.write_all(&vec![(i % 251) as u8; SENT]).await.expect("body");
            // Stall: send nothing more, and read what the server says.
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut answer)).await;
            String::from_utf8_lossy(&answer).into_owned()
        }));
    }
    // The peak while they stall: the server holds what they sent.
    let mut peak = baseline;
    while started.elapsed() < Duration::from_millis(1500) {
        peak = peak.max(rss().unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut timed_out = 0;
    for task in stalled {
        let answer = task.await.expect("upload task");
        timed_out += usize::from(answer.starts_with("HTTP/1.1 408"));
    }
    let cut_off_after = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss().unwrap_or(0);
    let mb = |b: u64| b as f64 / 1e6;
    eprintln!(
        "RSS: baseline {:.1} MB, peak {:.1} MB, after {:.1} MB; {timed_out} of {UPLOADS} answered 408, all closed after {cut_off_after:?}",
        mb(baseline),
        mb(peak),
        mb(after)
    );
    assert_eq!(timed_out, UPLOADS, "every stalled upload gets the documented 408 and is closed");
    assert!(cut_off_after < Duration::from_secs(10), "the 2 s body timeout cut them off, not the client");
    assert!(peak > baseline + 100_000_000, "the uploads did not reach the server (peak {:.1} MB)", mb(peak));
    assert!(
        after < baseline + 30_000_000,
        "the memory of the stalled uploads was not returned: {:.1} MB above baseline",
        mb(after - baseline)
    );
}

/// The child of [`idle_connections_do_not_block_normal_requests`]: serves the uploads API with
/// the default limits, except a header-read timeout long enough that only the connection cap's
/// eviction can help, prints its address and serves until stdin closes. Does nothing unless
/// started by that test.
#[test]
#[ignore = "run by idle_connections_do_not_block_normal_requests, under `ulimit -n 128`"]
fn idle_connections_child_server() {
    if std::env::var_os("APIGEN_IDLE_CHILD").is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let listener = us::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        println!("listening {}", listener.local_addr().expect("addr"));
        let limits = us::ConnectionLimits::default().header_read_timeout(Duration::from_secs(120));
        let stdin_closed = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        });
        let _ = us::serve_with_shutdown(listener, us::router(Uploads::default()), &limits, async {
            let _ = stdin_closed.await;
        })
        .await;
    });
}

#[test]
fn idle_connections_do_not_block_normal_requests() {
    let _one = ONE_AT_A_TIME.blocking_lock();
    if !std::path::Path::new("/bin/sh").exists() {
        eprintln!("skipped: no /bin/sh to set the descriptor limit");
        return;
    }
    /// Kills the child server when the test ends, however it ends.
    struct Child(std::process::Child);
    impl Drop for Child {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let exe = std::env::current_exe().expect("test binary");
    let child = std::process::Command::new("/bin/sh")
        .args(["-c", "ulimit -n 128 && exec \"$0\" \"$@\"", exe.to_str().expect("UTF-8 path")])
        .args(["--ignored", "--exact", "idle_connections_child_server", "--nocapture", "--test-threads=1"])
        .env("APIGEN_IDLE_CHILD", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("child server");
    let mut child = Child(child);
    let mut lines = std::io::BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        // The harness prints `test <name> ... ` on the same line.
        .find_map(|l| l.split("listening ").nth(1).map(str::to_string))
        .expect("the child prints its address");

    // 200 connections that send a request line and nothing else.
    let mut idle = Vec::new();
    for _ in 0..200 {
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            let _ = s.write_all(b"POST /documents HTTP/1.1\r\n");
            idle.push(s);
        }
    }
    std::thread::sleep(Duration::from_millis(300));

    // Normal requests, each on a new connection, each answered promptly.
    let document = r#"{"title":"t"}"#;
    let mut slowest = Duration::ZERO;
    for i in 0..20 {
        let started = Instant::now();
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        let request = format!(
            "POST /documents HTTP/1.1\r\nhost: {addr}\r\nx-api-key: {KEY}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{document}",
            document.len()
        );
        s.write_all(request.as_bytes()).expect("request");
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 201"), "request {i} got {answer:?} after {:?}", started.elapsed());
        slowest = slowest.max(started.elapsed());
    }
    eprintln!("{} idle connections open; slowest of 20 normal requests: {slowest:?}", idle.len());
    drop(idle);
    drop(child);
    assert!(slowest < Duration::from_secs(2), "a normal request waited {slowest:?} behind idle connections");
}

#[tokio::test]
async fn the_header_read_timeout_closes_silent_connections() {
    let _one = ONE_AT_A_TIME.lock().await;
    let limits = us::ConnectionLimits::default().header_read_timeout(Duration::from_millis(500));
    let base = serve(us::router(Uploads::default()), limits).await;
    let mut s = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.expect("connect");
    s.write_all(b"GET /documents HTTP/1.1\r\n").await.expect("request line");
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection was still open after 5 s");
    assert!(started.elapsed() >= Duration::from_millis(400), "closed before the timeout: {:?}", started.elapsed());
}
