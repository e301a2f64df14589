//! # apigen-runtime
//!
//! The runtime of the crates [apigen](https://github.com/) generates from OpenAPI documents.
//! A generated crate holds only what differs per API (models, the `Server` enum, credentials,
//! one method, input and response type per operation); everything else lives here, so a fix
//! ships as a release of this crate instead of a diff in every generated crate.
//!
//! Features (all off by default, so a client-only user never compiles axum):
//!
//! - `client`: the async client transport ([`client`]): reqwest with rustls, retries of
//!   idempotent requests with exponential backoff and `Retry-After` (backon), typed responses
//!   and errors that never show a secret or a URL.
//! - `server`: the axum plumbing of generated servers ([`server`]): authentication against the
//!   API's security schemes, parameter and body reading (JSON, forms, multipart streamed part
//!   by part), the API's own error envelopes, and [`server::serve`], which adds the connection
//!   limits axum's `serve` lacks (header-read timeout, connection cap with idle eviction).
//! - `mock`: `server` plus the multi-threaded runtime the generated mock binaries run on.
//!
//! - `schemars`: `JsonSchema` for [`Binary`], for generated crates built with `schemars`.
//!
//! Always present: [`Secret`] (credentials that never print), [`Binary`] (the bytes of a
//! `format: binary` value), [`validation`] (the rule checks the generated `Validate` impls
//! call), [`params`] (parameters by OpenAPI's style/explode table, written by clients and read
//! by servers) and [`SecurityScheme`]/[`Placement`] (how a scheme's credential travels, shared
//! by client and server).
//!
//! Versioning: semver. Generated crates state `apigen-runtime = "MAJOR.MINOR"` (for 0.x,
//! `0.MINOR`) with the version of the runtime they were generated against; code a generated
//! crate calls is public API of this crate, and changing it incompatibly is a new minor (0.x)
//! or major version.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
// Client errors keep the whole response (status, headers, raw body) by value, and server
// handlers return an early answer as `Err(Response)`: both are the cold path, and boxing would
// cost an allocation on every error.
#![allow(clippy::result_large_err)]

pub mod binary;
pub mod params;
pub mod secret;
pub mod validation;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod server;

pub use binary::{Binary, BinaryParts};
pub use secret::{constant_time_eq, Secret};
pub use validation::{Validate, ValidationErrors, Violation};

// The crates generated code names, re-exported so that a generated crate and its runtime always
// agree on their versions.
#[cfg(feature = "server")]
pub use axum;
#[cfg(feature = "client")]
pub use {bytes, futures_util, reqwest};
pub use {regress, serde, serde_json};

/// Where the credential of a security scheme travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// An API key in the named header.
    Header(&'static str),
    /// An API key in the named query parameter.
    Query(&'static str),
    /// An API key in the named cookie.
    Cookie(&'static str),
    /// A token sent as `Authorization: Bearer <token>`.
    Bearer,
    /// `user:password` sent as `Authorization: Basic`.
    Basic,
    /// A scheme the runtime cannot place by itself (OAuth 2 flows, OpenID Connect, mutual TLS):
    /// the client sends nothing for it, the server hands the whole `Authorization` header to
    /// the implementation.
    Other,
}

impl Placement {
    /// The header, query parameter or cookie that carries the credential.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Header(name) | Self::Query(name) | Self::Cookie(name) => name,
            Self::Bearer | Self::Basic | Self::Other => "Authorization",
        }
    }
}

/// A security scheme of an API (the generated `Scheme` enum implements it).
pub trait SecurityScheme: Copy + std::fmt::Debug + Send + Sync + 'static {
    /// The key of the scheme in the document's `components/securitySchemes`.
    fn key(self) -> &'static str;
    /// Where its credential travels.
    fn placement(self) -> Placement;
}
