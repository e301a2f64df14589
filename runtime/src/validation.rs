//! Validation of values against the rules of a spec that Rust types cannot express
//! (lengths, patterns, formats, bounds, conditional requirements): the checks the generated
//! `Validate` impls and parameter readers call.
//!
//! Every check collects *all* violations of a value instead of stopping at the first. A
//! [`Violation`] names the field path, the rule and what it requires, and never holds the value
//! itself, so secrets cannot leak through error messages.

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    /// The path of the offending field (`username`, `members[2].emailAddress`); empty for the
    /// value itself.
    pub path: String,
    /// The JSON Schema keyword of the rule (`minLength`, `pattern`, `format`, `required`).
    pub rule: String,
    /// What the rule requires, in words.
    pub message: String,
}

impl Violation {
    /// A violation of `rule` at `path`.
    pub fn new(path: impl Into<String>, rule: &str, message: impl Into<String>) -> Self {
        Self { path: path.into(), rule: rule.to_string(), message: message.into() }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} ({})", self.message, self.rule)
        } else {
            write!(f, "{}: {} ({})", self.path, self.message, self.rule)
        }
    }
}

/// Every rule a value breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// Wraps a non-empty list of violations.
    pub fn new(violations: Vec<Violation>) -> Self {
        Self { violations }
    }

    /// The violations, in field order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Takes the violations out.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.violations.len();
        write!(f, "{n} rule violation{}: ", if n == 1 { "" } else { "s" })?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            std::fmt::Display::fmt(v, f)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A value that can check itself against the spec's rules.
pub trait Validate {
    /// Appends every violation found in `self`, whose path is `path`, to `errors`.
    fn validate_into(&self, path: &str, errors: &mut Vec<Violation>);

    /// Checks every rule.
    ///
    /// # Errors
    ///
    /// Every violation, collected.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        self.validate_into("", &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors::new(errors))
        }
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, path: &str, errors: &mut Vec<Violation>) {
        if let Some(v) = self {
            v.validate_into(path, errors);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, path: &str, errors: &mut Vec<Violation>) {
        for (i, v) in self.iter().enumerate() {
            v.validate_into(&index(path, i), errors);
        }
    }
}

impl<T: Validate> Validate for [T] {
    fn validate_into(&self, path: &str, errors: &mut Vec<Violation>) {
        for (i, v) in self.iter().enumerate() {
            v.validate_into(&index(path, i), errors);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate_into(&self, path: &str, errors: &mut Vec<Violation>) {
        (**self).validate_into(path, errors);
    }
}

/// `path.field`, or `field` at the root.
pub fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// `path[i]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// `minLength`: counted in characters, as JSON Schema counts.
pub fn min_length(value: &str, min: u64, path: &str, errors: &mut Vec<Violation>) {
    if (value.chars().count() as u64) < min {
        errors.push(Violation::new(path, "minLength", format!("must be at least {min} characters long")));
    }
}

/// `maxLength`: counted in characters.
pub fn max_length(value: &str, max: u64, path: &str, errors: &mut Vec<Violation>) {
    if (value.chars().count() as u64) > max {
        errors.push(Violation::new(path, "maxLength", format!("must be at most {max} characters long")));
    }
}

/// `pattern`: an ECMA 262 regular expression that must match somewhere in the value.
pub fn pattern(value: &str, regex: Option<&regress::Regex>, source: &str, path: &str, errors: &mut Vec<Violation>) {
    let matched = regex.is_some_and(|r| r.find(value).is_some());
    if !matched {
        errors.push(Violation::new(path, "pattern", format!("must match the pattern `{source}`")));
    }
}

/// `format: email`: one `@` between a non-empty local part and a dotted domain, no spaces.
pub fn email(value: &str, path: &str, errors: &mut Vec<Violation>) {
    if !is_email(value) {
        errors.push(Violation::new(path, "format", "must be an e-mail address"));
    }
}

/// True for values that look like an e-mail address (`local@domain.tld`).
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && !domain.contains('@')
}

/// `minimum` / `exclusiveMinimum`.
pub fn minimum(value: f64, min: f64, exclusive: bool, path: &str, errors: &mut Vec<Violation>) {
    if value < min || (exclusive && value <= min) {
        let (rule, word) = if exclusive { ("exclusiveMinimum", "greater than") } else { ("minimum", "at least") };
        errors.push(Violation::new(path, rule, format!("must be {word} {min}")));
    }
}

/// `maximum` / `exclusiveMaximum`.
pub fn maximum(value: f64, max: f64, exclusive: bool, path: &str, errors: &mut Vec<Violation>) {
    if value > max || (exclusive && value >= max) {
        let (rule, word) = if exclusive { ("exclusiveMaximum", "less than") } else { ("maximum", "at most") };
        errors.push(Violation::new(path, rule, format!("must be {word} {max}")));
    }
}

/// `minItems`.
pub fn min_items(len: usize, min: u64, path: &str, errors: &mut Vec<Violation>) {
    if (len as u64) < min {
        errors.push(Violation::new(path, "minItems", format!("must have at least {min} items")));
    }
}

/// `maxItems`.
pub fn max_items(len: usize, max: u64, path: &str, errors: &mut Vec<Violation>) {
    if (len as u64) > max {
        errors.push(Violation::new(path, "maxItems", format!("must have at most {max} items")));
    }
}

/// True when `value` serializes to the JSON text `expected` (for `if`/`const` conditions).
pub fn json_eq<T: serde::Serialize>(value: &T, expected: &str) -> bool {
    match (serde_json::to_value(value), serde_json::from_str::<serde_json::Value>(expected)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_violation_without_values() {
        let mut errors = Vec::new();
        min_length("é", 2, "name", &mut errors);
        max_length("abc", 2, "name", &mut errors);
        let regex = regress::Regex::new("^[a-z]+$").ok();
        pattern("ABC", regex.as_ref(), "^[a-z]+$", "code", &mut errors);
        pattern("anything", None, "(", "bad", &mut errors);
        email("not an email", "mail", &mut errors);
        minimum(0.0, 0.0, true, "n", &mut errors);
        maximum(3.0, 2.0, false, "n", &mut errors);
        min_items(0, 1, "list", &mut errors);
        max_items(3, 2, "list", &mut errors);
        let rules: Vec<&str> = errors.iter().map(|v| v.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["minLength", "maxLength", "pattern", "pattern", "format", "exclusiveMinimum", "maximum", "minItems", "maxItems"]
        );
        let text = ValidationErrors::new(errors).to_string();
        assert!(text.starts_with("9 rule violations: name: must be at least 2 characters long (minLength)"), "{text}");
        assert!(!text.contains("not an email") && !text.contains("ABC"), "{text}");
    }

    #[test]
    fn accepts_what_the_rules_allow() {
        let mut errors = Vec::new();
        min_length("ab", 2, "", &mut errors);
        max_length("éé", 2, "", &mut errors);
        email("a.b@example.com", "", &mut errors);
        minimum(1.0, 1.0, false, "", &mut errors);
        maximum(1.0, 2.0, true, "", &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("a", "b"), "a.b");
        assert_eq!(index("a", 2), "a[2]");
        assert!(json_eq(&"x", "\"x\""));
        assert!(!is_email("a@b") && !is_email("@b.c") && !is_email("a b@c.d"));
    }

    #[test]
    fn containers_validate_their_items() {
        struct Short(&'static str);
        impl Validate for Short {
            fn validate_into(&self, path: &str, errors: &mut Vec<Violation>) {
                max_length(self.0, 1, path, errors);
            }
        }
        let items = vec![Short("a"), Short("bb")];
        let errors = items.validate().expect_err("the second item is too long");
        assert_eq!(errors.violations()[0].path, "[1]");
        assert!(Some(Box::new(Short("a"))).validate().is_ok());
    }
}
