//! Serving a router with the connection-level limits axum's `serve` does not expose: hyper's
//! header-read timeout (which also bounds keep-alive idleness), and a connection cap that
//! makes room by closing the connection idle the longest, both when the cap is reached and
//! when accepting fails for lack of file descriptors. An idle connection is one waiting for
//! a request (or for the rest of its head); one serving a request is never closed early.

use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::ConnectionLimits;

/// Serves `router` on `listener` with the connection limits `limits` until the process ends.
/// HTTP/1.1 only.
///
/// # Errors
///
/// None in practice: accept errors (out of descriptors, aborted handshakes) are handled by
/// closing idle connections and retrying.
pub async fn serve(listener: TcpListener, router: Router, limits: &ConnectionLimits) -> std::io::Result<()> {
    serve_with_shutdown(listener, router, limits, std::future::pending()).await
}

/// [`serve`] until `shutdown` completes; then stops accepting, closes idle connections, lets
/// each busy one finish the request it is serving, and returns when all are closed.
///
/// # Errors
///
/// As [`serve`].
pub async fn serve_with_shutdown(
    listener: TcpListener,
    router: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::default());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).max_buf_size(limits.read_buffer_size.max(8192));
    let mut shutdown = pin!(shutdown);
    loop {
        // At the cap: close the idlest connection, or wait for one to end.
        while registry.len() >= limits.max_connections {
            if !registry.evict_idlest() {
                tokio::select! {
                    _ = registry.changed.notified() => {}
                    _ = &mut shutdown => return drain(&registry).await,
                }
            } else {
                tokio::task::yield_now().await;
            }
        }
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => return drain(&registry).await,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if is_connection_error(&e) => continue,
            Err(_) => {
                // Out of file descriptors (or memory): free one by closing the idlest
                // connection, then try again; with none to close, back off a little.
                let pause = if registry.evict_idlest() { 1 } else { 50 };
                tokio::time::sleep(Duration::from_millis(pause)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (id, state) = registry.insert();
        let service = Tracked { router: router.clone(), state: state.clone() };
        let http = http.clone();
        let registry = registry.clone();
        tokio::spawn(async move {
            let mut connection = pin!(http.serve_connection(TokioIo::new(stream), service));
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    _ = state.signal.notified() => match state.mode.load(Ordering::Acquire) {
                        EVICT => break,
                        _ => connection.as_mut().graceful_shutdown(),
                    },
                }
            }
            registry.remove(id);
        });
    }
}

async fn drain(registry: &Registry) -> std::io::Result<()> {
    registry.shut_down_all();
    while registry.len() > 0 {
        let changed = registry.changed.notified();
        if registry.len() == 0 {
            break;
        }
        changed.await;
    }
    Ok(())
}

/// Errors of one incoming connection, not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

const RUNNING: u8 = 0;
const EVICT: u8 = 1;
const SHUT_DOWN: u8 = 2;
/// `ConnectionState::idle_since` of a connection serving a request.
const BUSY: u64 = u64::MAX;

/// One connection, as the accept loop sees it.
#[derive(Debug)]
struct ConnectionState {
    /// Milliseconds since the registry's start when the connection last became idle, or
    /// [`BUSY`].
    idle_since: AtomicU64,
    /// What [`ConnectionState::signal`] asks for: [`EVICT`] or [`SHUT_DOWN`].
    mode: AtomicU8,
    signal: Notify,
    start: Instant,
}

impl ConnectionState {
    fn set_idle(&self) {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(BUSY - 1);
        self.idle_since.store(now, Ordering::Release);
    }
}

/// The open connections.
#[derive(Debug)]
struct Registry {
    connections: Mutex<HashMap<u64, Arc<ConnectionState>>>,
    next: AtomicU64,
    changed: Notify,
    start: Instant,
}

impl Default for Registry {
    fn default() -> Self {
        Self { connections: Mutex::default(), next: AtomicU64::new(0), changed: Notify::new(), start: Instant::now() }
    }
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<ConnectionState>>> {
        self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn insert(&self) -> (u64, Arc<ConnectionState>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnectionState {
            idle_since: AtomicU64::new(0),
            mode: AtomicU8::new(RUNNING),
            signal: Notify::new(),
            start: self.start,
        });
        state.set_idle();
        self.lock().insert(id, state.clone());
        (id, state)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
        self.changed.notify_waiters();
    }

    /// Closes the connection idle the longest; false when every connection is busy.
    fn evict_idlest(&self) -> bool {
        let connections = self.lock();
        let idlest = connections
            .values()
            .filter(|c| c.mode.load(Ordering::Acquire) == RUNNING)
            .filter(|c| c.idle_since.load(Ordering::Acquire) != BUSY)
            .min_by_key(|c| c.idle_since.load(Ordering::Acquire));
        match idlest {
            Some(c) => {
                c.mode.store(EVICT, Ordering::Release);
                c.signal.notify_one();
                true
            }
            None => false,
        }
    }

    /// Closes idle connections now, and lets busy ones finish their request first.
    fn shut_down_all(&self) {
        for c in self.lock().values() {
            let mode = if c.idle_since.load(Ordering::Acquire) == BUSY { SHUT_DOWN } else { EVICT };
            c.mode.store(mode, Ordering::Release);
            c.signal.notify_one();
        }
    }
}

/// The router as one connection's hyper service: marks the connection busy from the request's
/// head until its response body is dropped (sent, or abandoned).
#[derive(Clone)]
struct Tracked {
    router: Router,
    state: Arc<ConnectionState>,
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for Tracked {
    type Response = Response<TrackedBody>;
    type Error = std::convert::Infallible;
    type Future = TrackedFuture;

    fn call(&self, request: Request<hyper::body::Incoming>) -> Self::Future {
        self.state.idle_since.store(BUSY, Ordering::Release);
        let future = tower::Service::call(&mut self.router.clone(), request.map(Body::new));
        TrackedFuture { future, state: Some(self.state.clone()) }
    }
}

/// The response future of [`Tracked`].
struct TrackedFuture {
    future: axum::routing::future::RouteFuture<std::convert::Infallible>,
    state: Option<Arc<ConnectionState>>,
}

impl Future for TrackedFuture {
    type Output = Result<Response<TrackedBody>, std::convert::Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = match Pin::new(&mut self.future).poll(cx) {
            Poll::Ready(Ok(response)) => response,
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => return Poll::Pending,
        };
        let guard = IdleOnDrop(self.state.take());
        Poll::Ready(Ok(response.map(|body| TrackedBody { body, _guard: guard })))
    }
}

/// Marks the connection idle when dropped.
struct IdleOnDrop(Option<Arc<ConnectionState>>);

impl Drop for IdleOnDrop {
    fn drop(&mut self) {
        if let Some(state) = &self.0 {
            state.set_idle();
        }
    }
}

/// A response body that marks its connection idle once it is dropped.
struct TrackedBody {
    body: Body,
    _guard: IdleOnDrop,
}

impl hyper::body::Body for TrackedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}
