//! Credentials that never print: [`Secret`], on [`secrecy`] (wiped from memory on drop) and
//! [`subtle`] (compared in constant time).

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// A secret (API key, token, password, or a credential taken from a request). Its `Debug` and
/// `Display` print `<redacted>`, so it never ends up in logs or error messages by accident; the
/// memory holding it is zeroed when it is dropped; comparisons take constant time.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(SecretString::from(secret.into()))
    }

    /// The secret itself. Call this only where the secret is sent or checked.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Compares with `expected` in constant time (see [`constant_time_eq`]).
    pub fn matches(&self, expected: &str) -> bool {
        constant_time_eq(self.expose().as_bytes(), expected.as_bytes())
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other.expose())
    }
}

impl Eq for Secret {}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<S: Into<String>> From<S> for Secret {
    fn from(s: S) -> Self {
        Self::new(s)
    }
}

/// Compares two byte strings without branching on their contents ([`subtle`]), so comparing
/// API keys leaks nothing about where they differ. Only the lengths are compared in variable
/// time.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_and_compares_by_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(s.expose(), "hunter2");
        assert!(s.matches("hunter2"));
        assert!(!s.matches("hunter3") && !s.matches("hunter") && !s.matches(""));
        assert_eq!(s, Secret::from("hunter2"));
        assert_ne!(s, Secret::from(String::from("other")));
        assert!(Secret::new("").is_empty());
    }

    #[test]
    fn constant_time_eq_is_equality() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
