//! What the settings decide about the crate as a whole, carried in the IR for the emitters:
//! which parts are generated ([`Parts`]) and the crate metadata ([`Package`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Which parts of the crate (or module) are generated besides the models. The models are what
/// the client and the server are written in, so they are always generated: `models` is accepted
/// as a part name (`parts = ["models"]` is [`Parts::models_only`]) but is no switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Parts {
    /// `client`: the async reqwest client.
    pub client: bool,
    /// `server`: the axum server stubs.
    pub server: bool,
    /// The mock server (`MockApi` and the `<crate>-mock` binary); implies the server.
    pub mock: bool,
}

impl Default for Parts {
    /// Everything.
    fn default() -> Self {
        Self { client: true, server: true, mock: true }
    }
}

impl Parts {
    /// Only the models.
    pub fn models_only() -> Self {
        Self { client: false, server: false, mock: false }
    }

    /// The models and the client (what a build.rs usually wants).
    pub fn models_and_client() -> Self {
        Self { client: true, ..Self::models_only() }
    }

    /// The parts named in `names` (`models`, `client`, `server`, `mock`).
    ///
    /// # Errors
    ///
    /// The first name that is not a part.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut parts = Self { client: false, server: false, mock: false };
        for name in names {
            match name {
                "models" => {}
                "client" => parts.client = true,
                "server" => parts.server = true,
                "mock" => {
                    parts.server = true;
                    parts.mock = true;
                }
                other => return Err(format!("unknown part `{other}`: expected `models`, `client`, `server` or `mock`")),
            }
        }
        Ok(parts)
    }
}

/// Crate metadata written into `Cargo.toml`. Lowering fills what the settings leave unset
/// from the document ([`crate::lower`]: `info.summary`/`description`, `info.license`,
/// `externalDocs.url`/`info.contact.url`); what the settings set wins. The version is never
/// taken from `info.version` (an API's version is not a crate's semver).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// `version`.
    pub version: Option<String>,
    /// `license` (an SPDX expression).
    pub license: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `repository` (a URL).
    pub repository: Option<String>,
    /// `homepage` (a URL).
    pub homepage: Option<String>,
    /// `publish`: `Some(false)` writes `publish = false`; unset leaves cargo's default.
    pub publish: Option<bool>,
    /// Extra dependencies, name -> version requirement: the crates that replacements and
    /// format types name (`time = "0.3"`).
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
}
