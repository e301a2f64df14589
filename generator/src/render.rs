//! Rendering: minijinja templates (from `templates/`, embedded at build time) for the non-Rust
//! files. The static Rust every crate needs is not rendered: it is the `apigen-runtime` crate.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// Every template, by name. Embedded so the generator binary works from any directory.
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml.jinja", include_str!("../../templates/Cargo.toml.jinja")),
    ("README.md.jinja", include_str!("../../templates/README.md.jinja")),
];

/// The template environment: strict about undefined values, whitespace-controlled.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // A TOML basic string (JSON's escapes are TOML's; `tojson` also escapes `'` and `<` for
    // HTML, which a manifest does not need).
    env.add_filter("toml_str", |s: String| serde_json::to_string(&s).unwrap_or_default());
    env.add_filter("snake_case", |s: String| crate::naming::snake_case(&s));
    env.add_filter("pascal_case", |s: String| crate::naming::pascal_case(&s));
    for (name, source) in TEMPLATES {
        env.add_template(name, source).unwrap_or_else(|e| panic!("template {name} does not parse: {e}"));
    }
    env
}

/// Renders template `name` with `context`.
///
/// # Errors
///
/// A message naming the template; a failure is a bug in the template or its context.
pub fn render(name: &str, context: impl Serialize) -> Result<String, String> {
    let env = environment();
    let template = env.get_template(name).map_err(|e| format!("{name}: {e}"))?;
    template.render(context).map_err(|e| format!("{name}: {e:#}"))
}
