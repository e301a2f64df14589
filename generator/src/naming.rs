//! Naming: the one place where wire names become Rust identifiers.
//!
//! Every emitter and template asks this module; nothing else decides a name.

use std::collections::{BTreeMap, BTreeSet};

/// Splits a wire name into lowercase words: `shortURL` -> `short url`, `user-id` -> `user id`,
/// `HOLDING_TANK` -> `holding tank`, `custom1` -> `custom1`.
pub fn words(input: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = input.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_uppercase() => {
                p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            }
            _ => false,
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `user-id` -> `UserId`; a name that starts with a digit gets the prefix `N` (`1040` ->
/// `N1040`), and `Self` (the one keyword in Pascal case, which cannot be raw) gets a `_` suffix,
/// so the result is always an identifier.
pub fn pascal_case(input: &str) -> String {
    let mut out: String = words(input)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_uppercase().chain(cs).collect::<String>()).unwrap_or_default()
        })
        .collect();
    if out.is_empty() {
        out.push_str("Unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    // The one PascalCase keyword, which cannot be a raw identifier either (and `Self_` is not
    // camel case).
    if out == "Self" {
        out.push_str("Type");
    }
    // A non-ASCII first letter becomes `uXXXX`: Pascal case starts with `U`.
    let mut out = ascii_only(out);
    if out.starts_with('u') {
        out.replace_range(..1, "U");
    }
    out
}

/// The name of a model type (`user-id` -> `UserId`): [`pascal_case`], and a `Model` suffix for
/// the prelude names generated code uses without a path ([`PRELUDE_NAMES`]: `Ok(..)`,
/// `TryFrom<String>`), which a model of that name would shadow. The suffix is a word, not `_`:
/// typify writes a name through heck's Pascal case, which drops a trailing `_`. The name is
/// also one heck's Pascal case keeps: single letters make capitals in a row (`d_a_t_a` ->
/// `DATA`), which typify would write as `Data`, the name of another component (`DATA`).
///
/// A name that the crate's root, `client` or `server` module gives a public item of its own
/// ([`reserved::PUBLIC_TYPES`]: `Error`, `Credentials`, `ApiError`, ...) gets the same suffix, so
/// that `use my_api::{client::Error, models::ErrorModel}` never imports two items of one name.
pub fn type_name(input: &str) -> String {
    let out = heck::ToPascalCase::to_pascal_case(pascal_case(input).as_str());
    if PRELUDE_NAMES.contains(&out.as_str()) || reserved::PUBLIC_TYPES.contains(&out.as_str()) {
        format!("{out}Model")
    } else {
        out
    }
}

/// Prelude items that the models module (typify's code in it) names without a path: `Ok(..)`,
/// `Some(..)`, `TryFrom<String>`. A model of the same name would shadow them. (`Result` is only
/// written bare inside typify's own `error` module, which a model cannot shadow.)
pub const PRELUDE_NAMES: &[&str] = &["Ok", "Err", "Some", "None", "String"];

/// `shortURL` -> `short_url`; Rust keywords get a raw prefix (`type` -> `r#type`), and the few
/// that cannot be raw get a `_` suffix (`self` -> `self_`).
pub fn snake_case(input: &str) -> String {
    let mut out = words(input).join("_");
    if out.is_empty() {
        out.push_str("unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    let out = ascii_only(out);
    escape_keyword(&out)
}

/// [`snake_case`] without raw identifiers: a keyword gets a `_` suffix (`type` -> `type_`), for
/// names that must also work where `r#` cannot go (inside format strings).
pub fn plain_snake_case(input: &str) -> String {
    let out = snake_case(input);
    match out.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => out,
    }
}

/// `holdingTank` -> `HOLDING_TANK`, for constants.
pub fn shouty_snake_case(input: &str) -> String {
    let out = snake_case(input);
    out.trim_start_matches("r#").to_uppercase()
}

/// Replaces non-ASCII letters so the identifier is valid in every edition and lint setting.
fn ascii_only(s: String) -> String {
    if s.is_ascii() {
        return s;
    }
    s.chars().map(|c| if c.is_ascii() { c.to_string() } else { format!("u{:x}", c as u32) }).collect()
}

const STRICT_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let",
    "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual",
    "yield",
];

/// Keywords that cannot be raw identifiers.
const NON_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// True for an identifier that needs no escaping: XID characters, not a keyword (a name the
/// settings give a type is used as written, so it must be one).
pub fn is_plain_ident(ident: &str) -> bool {
    let mut chars = ident.chars();
    chars.next().is_some_and(|c| is_xid_start(c) || c == '_')
        && chars.all(is_xid_continue)
        && ident != "_"
        && !STRICT_KEYWORDS.contains(&ident)
        && !NON_RAW.contains(&ident)
}

/// Escapes a keyword: `type` -> `r#type`, `self` -> `self_`.
pub fn escape_keyword(ident: &str) -> String {
    if NON_RAW.contains(&ident) {
        format!("{ident}_")
    } else if STRICT_KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_string()
    }
}

/// Names Cargo refuses for a package or its library, besides Rust's keywords: the built-in
/// crates and the device names Windows reserves.
const RESERVED_CRATE_NAMES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
];

/// What a valid crate name is, for messages.
pub const CRATE_NAME_RULES: &str = "a crate name starts with an ASCII letter, continues with ASCII letters, digits, `-` or `_` \
(at most 64 characters), and is not a Rust keyword (`type`, `box`, ...) or a name Cargo reserves (`std`, `core`, `test`, ...)";

/// Checks a crate name given by a user; returns it unchanged when Cargo and Rust accept it.
///
/// # Errors
///
/// Why the name is not valid (with [`CRATE_NAME_RULES`]).
pub fn check_crate_name(name: &str) -> Result<String, String> {
    let problem = if name.is_empty() {
        Some("it is empty".to_string())
    } else if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some("it does not start with an ASCII letter".to_string())
    } else if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        Some(format!("it contains {c:?}"))
    } else if name.len() > 64 {
        Some("it is longer than 64 characters".to_string())
    } else {
        let ident = name.replace('-', "_");
        let lower = ident.to_ascii_lowercase();
        if STRICT_KEYWORDS.contains(&ident.as_str()) || NON_RAW.contains(&ident.as_str()) {
            Some(format!("`{ident}` is a Rust keyword"))
        } else if RESERVED_CRATE_NAMES.contains(&lower.as_str()) {
            Some(format!("Cargo reserves `{lower}`"))
        } else {
            None
        }
    };
    match problem {
        None => Ok(name.to_string()),
        Some(p) => Err(format!("invalid crate name {name:?}: {p}; {CRATE_NAME_RULES}")),
    }
}

/// A valid crate name from any text (a folder name, a title): its words in snake case
/// (`My API` -> `my_api`), prefixed with `api_` when it would start with a digit and suffixed
/// with `_api` when it is a keyword or a reserved name (`box` -> `box_api`); `api` when the
/// text has no letters or digits.
pub fn crate_name_of(text: &str) -> String {
    let ascii: Vec<String> = words(text).into_iter().map(ascii_only).collect();
    let mut name = ascii.join("_");
    if name.is_empty() {
        return "api".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "api_");
    }
    name.truncate(60);
    if check_crate_name(&name).is_err() {
        name.push_str("_api");
    }
    // Whatever remains invalid (nothing known) falls back to the neutral name.
    check_crate_name(&name).unwrap_or_else(|_| "api".to_string())
}

/// The default crate name for an output directory: [`crate_name_of`] its last component
/// (`my-api` -> `my_api`, `.` -> the current folder's name).
pub fn crate_name_from(dir: &std::path::Path) -> String {
    let named = dir.file_name().map(std::ffi::OsStr::to_os_string).or_else(|| {
        // `.`, `..`, `/`: the name of the folder they stand for.
        std::path::absolute(dir).ok().and_then(|abs| {
            abs.components().rev().find_map(|c| match c {
                std::path::Component::Normal(n) => Some(n.to_os_string()),
                _ => None,
            })
        })
    });
    named.map_or_else(|| "api".to_string(), |n| crate_name_of(&n.to_string_lossy()))
}

/// True for characters that may start a Rust identifier (Unicode `XID_Start`), as typify and
/// the Rust lexer decide it: `ﱞ` is alphabetic but not `XID_Start`, and must not reach
/// `Ident::new`.
pub fn is_xid_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    syn::parse_str::<syn::Ident>(&c.to_string()).is_ok()
}

/// True for characters that may continue a Rust identifier (Unicode `XID_Continue`).
pub fn is_xid_continue(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    syn::parse_str::<syn::Ident>(&format!("a{c}")).is_ok()
}

/// The names the generated code itself uses, by the namespace where a name from the spec could
/// meet them. Names from the spec are given in [`Namespace`]s pre-filled with these, so an
/// operation called `authenticate`, a query parameter called `headers` or a security scheme
/// called `apply` gets a suffix instead of breaking the build. The runtime items are checked
/// against the templates by a unit test, so a new runtime item cannot be forgotten here.
pub mod reserved {
    /// Trait methods every generated type may have (derives and std traits): an inherent
    /// method of that name would shadow them.
    pub const TRAIT_METHODS: &[&str] =
        &["clone", "clone_from", "fmt", "eq", "ne", "default", "hash", "from", "into", "deref", "drop", "to_string", "to_owned"];

    /// Items at the top of the client module: the runtime's (`client_runtime.rs.jinja`) and the
    /// emitter's own.
    pub const CLIENT_ITEMS: &[&str] = &[
        "ApiError",
        "Arc",
        "BaseUrl",
        "BuildError",
        "Client",
        "ClientBuilder",
        "Credentials",
        "CrossOrigin",
        "DEFAULT_USER_AGENT",
        "Duration",
        "Error",
        "Inner",
        "RawResponse",
        "RedirectPolicy",
        "Response",
        "RetryPolicy",
        "Scheme",
        "SecretString",
        "StreamExt",
        "TransportError",
        "WithHeaders",
        "api_error_json",
        "api_json",
        "decode_json",
        "decode_text",
        "encode_path",
        "form_pairs",
        "jitter",
        "ok_json",
        "page_count",
        "page_flag",
        "page_text",
        "paginate",
        "retry_after",
        "rt",
        "sensitive",
        "transport",
    ];

    /// Items at the top of the server module: the runtime's (`server_runtime.rs.jinja`) and the
    /// emitter's own.
    pub const SERVER_ITEMS: &[&str] = &[
        "Api",
        "ConnectionLimits",
        "SPEC",
        "SecurityScheme",
        "ServerConfig",
        "TcpListener",
        "router_with",
        "rt",
        "serve",
        "serve_with_shutdown",
        "At",
        "BODY_SCHEMAS",
        "Authenticated",
        "CatchUnwind",
        "DEFAULT_BODY_LIMIT",
        "DEFINITIONS",
        "ERROR_TEMPLATES",
        "ErrorAnswer",
        "Incoming",
        "MAX_FORM_DEPTH",
        "Rejection",
        "Scheme",
        "Secret",
        "Shared",
        "authenticate",
        "bearer_token",
        "body_schema",
        "constant_time_eq",
        "decode_json",
        "fill",
        "finish_body",
        "form_decode",
        "form_name_segments",
        "form_object",
        "form_pieces",
        "guarded",
        "header_text",
        "internal_answer",
        "json_response",
        "method_not_allowed",
        "mock",
        "multipart_fields",
        "not_found",
        "parse_param",
        "path_params",
        "path_value",
        "query_value",
        "raw_param",
        "read_body",
        "router",
        "router_with_body_limit",
        "schema_check",
    ];

    /// The public types of a generated crate's root, `client` and `server` modules that do not
    /// come from the document (the runtime's re-exports and the emitters' own), which models must
    /// not be named (`naming::type_name`). Client and server name their own items apart:
    /// the client's `BaseUrl` (not `Server`, beside the `server` module) and `Credentials`, the
    /// server's `Authenticated` (what a request was authenticated with).
    pub const PUBLIC_TYPES: &[&str] = &[
        // The root.
        "Scheme",
        "SecurityScheme",
        "Validate",
        "ValidationErrors",
        "Violation",
        // The client.
        "ApiError",
        "BaseUrl",
        "BuildError",
        "Client",
        "ClientBuilder",
        "Credentials",
        "CrossOrigin",
        "Error",
        "RawResponse",
        "RedirectPolicy",
        "Response",
        "RetryPolicy",
        "SecretString",
        "TransportError",
        "WithHeaders",
        // The server.
        "Api",
        "Authenticated",
        "ConnectionLimits",
        "ErrorAnswer",
        "Rejection",
        "Secret",
        "ServerConfig",
        "TcpListener",
    ];

    /// Items of the models module besides the models (Pascal-case type names, which these
    /// cannot be): the document's JSON Schemas and the lookup of a model's schema by name, for
    /// the `schemars::JsonSchema` impls (`emit::models`).
    pub const MODEL_ITEMS: &[&str] = &["SCHEMAS", "schema_of"];

    /// The suffixes of the per-operation types of the client module (`<Op>Params`, ...).
    pub const CLIENT_TYPE_SUFFIXES: &[&str] = &["Params", "Error", "Success"];

    /// The suffixes of the per-operation types of the server module (`<Op>Input`, ...).
    pub const SERVER_TYPE_SUFFIXES: &[&str] = &["Input", "Response"];

    /// Methods of the runtime's `Client` (besides one per operation and `<op>_stream`).
    pub const CLIENT_METHODS: &[&str] = &["base_url", "builder", "execute", "new", "send"];

    /// Methods of the server's `Api` trait besides one per operation.
    pub const API_METHODS: &[&str] = &["authenticate"];

    /// The names a parameter's identifier must avoid: the arguments and locals of the client
    /// methods, pagination streams and server handlers it is in scope with, and the fields of
    /// the `<Op>Input` structs besides the parameters.
    pub const PARAMETER: &[&str] = &[
        "body",
        "bytes",
        "credentials",
        "e",
        "error",
        "fields",
        "first_page",
        "form",
        "has_more",
        "headers",
        "input",
        "next_page",
        "page_body",
        "page_items",
        "page_number",
        "page_result",
        "params",
        "path",
        "query",
        "raw",
        "request",
        "response",
        "rq",
        "shared",
        "url",
    ];

    /// Methods of the client's `Credentials` besides one setter per scheme (named like the
    /// scheme's field), and of the server's.
    pub const CREDENTIALS_METHODS: &[&str] = &["apply", "authorize", "from_api_key", "has", "new", "set"];

    /// Variants of the client's `BaseUrl` enum besides one per documented server.
    pub const SERVER_VARIANTS: &[&str] = &["Custom"];

    /// Methods of the client's `BaseUrl` enum besides one constructor per templated server
    /// (named like its variant, in snake case).
    pub const SERVER_METHODS: &[&str] = &["url"];
}

/// One namespace of identifiers that must stay distinct, pre-filled with the names the
/// generated code already uses there ([`reserved`]). Names compare without their `r#` prefix.
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace where `reserved` (lists of names) are already taken.
    pub fn new(reserved: &[&[&str]]) -> Self {
        Self { taken: reserved.iter().flat_map(|list| list.iter()).map(|s| s.to_string()).collect() }
    }

    /// True when `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(bare(name))
    }

    /// Marks `name` as taken.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(bare(name).to_string());
    }

    /// Claims `candidate` (an identifier from [`snake_case`] or [`pascal_case`]) or, when it is
    /// taken, the first free of `candidate2`, `candidate3`, ... (keywords escaped again).
    pub fn claim(&mut self, candidate: &str) -> String {
        self.claim_where(candidate, |_| true)
    }

    /// [`Self::claim`], where a name is free only if `acceptable` also says so (for names that
    /// derive others, such as `<op>_stream` or `<Op>Error`).
    pub fn claim_where(&mut self, candidate: &str, acceptable: impl Fn(&str) -> bool) -> String {
        let chosen = self.first_free(candidate, acceptable);
        self.reserve(&chosen);
        chosen
    }

    /// The name [`Self::claim_where`] would claim, without claiming it.
    pub fn first_free(&self, candidate: &str, acceptable: impl Fn(&str) -> bool) -> String {
        let base = bare(candidate);
        let free = |name: &str| !self.taken.contains(name) && acceptable(name);
        if free(base) {
            return candidate.to_string();
        }
        let chosen = (2..).map(|n| format!("{base}{n}")).find(|c| free(c)).expect("an unbounded counter always finds a free name");
        escape_keyword(&chosen)
    }
}

/// An identifier without its raw prefix.
fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// The names of one operation: its method (client and `Api` trait) and the prefix of its types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationNames {
    /// The method name (`list_user_communities`).
    pub method: String,
    /// The type prefix (`ListUserCommunities`).
    pub type_name: String,
}

/// Gives operations their names, unique among each other and free of every name the client and
/// server modules use: a method `m` also implies `m_stream` (pagination) and `handle_m` (the
/// server's handler), a type prefix `T` implies `TParams`, `TError`, `TSuccess`, `TInput` and
/// `TResponse` ([`OperationNamer::type_names`]), none of which may be a model's name (users
/// import `models::*` beside `client::*` or `server::*`).
#[derive(Debug, Clone)]
pub struct OperationNamer {
    methods: Namespace,
    types: Namespace,
}

impl Default for OperationNamer {
    fn default() -> Self {
        Self {
            methods: Namespace::new(&[reserved::CLIENT_METHODS, reserved::API_METHODS, reserved::TRAIT_METHODS]),
            types: Namespace::default(),
        }
    }
}

impl OperationNamer {
    /// The names of the operation `id` (its operationId, or `get /path`), whose types avoid
    /// every name of `models` (the model types named so far).
    pub fn name(&mut self, id: &str, models: &BTreeSet<String>) -> OperationNames {
        let method = self.methods.first_free(&snake_case(id), |m| {
            !self.methods.is_taken(&stream_method(m)) && !reserved::SERVER_ITEMS.contains(&format!("handle_{m}").as_str())
        });
        self.methods.reserve(&method);
        self.methods.reserve(&stream_method(&method));
        let type_name = self.types.claim_where(&pascal_case(id), |t| {
            reserved::CLIENT_TYPE_SUFFIXES.iter().all(|s| !reserved::CLIENT_ITEMS.contains(&format!("{t}{s}").as_str()))
                && reserved::SERVER_TYPE_SUFFIXES.iter().all(|s| !reserved::SERVER_ITEMS.contains(&format!("{t}{s}").as_str()))
                && Self::type_names(t).iter().all(|n| !models.contains(n))
        });
        OperationNames { method, type_name }
    }

    /// The per-operation types a type prefix `t` names in the client and server modules
    /// (`ListPetsParams`, ..., `ListPetsResponse`), which models named later must avoid.
    pub fn type_names(t: &str) -> Vec<String> {
        reserved::CLIENT_TYPE_SUFFIXES.iter().chain(reserved::SERVER_TYPE_SUFFIXES).map(|s| format!("{t}{s}")).collect()
    }
}

/// The client method that streams every item of a paginated operation's pages: `list` ->
/// `list_stream`, `super_` -> `super_stream`.
pub fn stream_method(method: &str) -> String {
    format!("{}_stream", bare(method).trim_end_matches('_'))
}

/// The name of the `n`-th field of one name in a struct (properties that sanitize alike:
/// `user_name`, `userName`): `user_name_2`, made unique among `taken`, and recorded. The rule of
/// the field table, also applied to the struct variants the table does not hold.
pub fn numbered_field(name: &str, n: usize, taken: &mut BTreeSet<String>) -> String {
    let base = name.trim_start_matches("r#").trim_end_matches('_');
    unique_ident_from(format!("{base}_{n}"), taken)
}

/// The Rust type name of every component schema (the `components/schemas` keys, in document
/// order): [`type_name`] of each, made unique in that order (`user-profile` and `UserProfile`
/// would both be `UserProfile`: the later one becomes `UserProfile2`). The one home of
/// "component name -> Rust type name": lowering names the models with it and the diff report
/// names components with it. Returns the names and the set of names taken.
pub fn component_type_names<'a>(components: impl IntoIterator<Item = &'a str>) -> (BTreeMap<String, String>, BTreeSet<String>) {
    component_type_names_with(components, &BTreeMap::new())
}

/// [`component_type_names`], where `fixed` (component -> Rust name, e.g. the renames of the
/// settings, each already checked to be free) is taken first.
pub fn component_type_names_with<'a>(
    components: impl IntoIterator<Item = &'a str>,
    fixed: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeSet<String>) {
    let mut taken: BTreeSet<String> = fixed.values().cloned().collect();
    let mut names = fixed.clone();
    for name in components {
        if !names.contains_key(name) {
            names.insert(name.to_string(), unique_ident_from(type_name(name), &mut taken));
        }
    }
    (names, taken)
}

/// The `rename = "..."` of a field's serde attributes, read from the tokens (typify writes it
/// as a plain name-value pair).
pub fn serde_rename(f: &syn::Field) -> Option<String> {
    serde_rename_of(&f.attrs)
}

/// The `rename = "..."` of serde attributes `attrs` (of a field or a variant).
pub fn serde_rename_of(attrs: &[syn::Attribute]) -> Option<String> {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let syn::Meta::List(list) = &attr.meta else { continue };
        let mut tokens = list.tokens.clone().into_iter();
        while let Some(token) = tokens.next() {
            let proc_macro2::TokenTree::Ident(name) = token else { continue };
            if name != "rename" {
                continue;
            }
            let (Some(proc_macro2::TokenTree::Punct(eq)), Some(proc_macro2::TokenTree::Literal(lit))) = (tokens.next(), tokens.next())
            else {
                continue;
            };
            if eq.as_char() == '=' {
                return syn::parse2::<syn::LitStr>(proc_macro2::TokenTree::Literal(lit).into()).ok().map(|l| l.value());
            }
        }
    }
    None
}

/// What an untagged union's member says about its values, for [`union_variant_names`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// The member's `title`, a `$ref`'s component (its Rust name), or a `format` that is not a
    /// storage size (`date-time`, `uuid`, `uri`): a name, with the member's kind.
    Named(String, &'static str),
    /// Only its JSON kind: `string`, `integer`, `number`, `boolean`, `array`, `object` (with
    /// properties), `map` (an object of `additionalProperties` only), `null`, or `any`.
    Kind(&'static str),
}

/// The variant of each kind of member ([`Meaning::Kind`]): `Text`, `Integer`, `Number`,
/// `Bool`, `List`, `Object`, `Map`, `Null`, `Any` (not `String`, `Vec` or `Value`, which read as
/// Rust types).
pub fn kind_variant(kind: &str) -> &'static str {
    match kind {
        "string" => "Text",
        "integer" => "Integer",
        "number" => "Number",
        "boolean" => "Bool",
        "array" => "List",
        "object" => "Object",
        "map" => "Map",
        "null" => "Null",
        _ => "Any",
    }
}

/// `format`s that only say how big a number is stored: a member's kind names it better
/// (`Integer`, not `Int64`).
pub const STORAGE_FORMATS: &[&str] =
    &["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float", "double", "decimal"];

/// The variants of an untagged union (`oneOf`/`anyOf` without a discriminator, a `type` array),
/// one per member in order: by meaning where the schema gives one ([`Meaning::Named`], in
/// Pascal case), else by kind ([`kind_variant`]). A name that several members share gets each
/// one's kind (`AnimationText`, `AnimationMap`); one still given twice is numbered from the
/// second (`Integer`, `Integer2`), so the names are always distinct identifiers.
pub fn union_variant_names(members: &[Meaning]) -> Vec<String> {
    let base: Vec<String> = members
        .iter()
        .map(|m| match m {
            Meaning::Named(name, _) => pascal_case(name),
            Meaning::Kind(kind) => kind_variant(kind).to_string(),
        })
        .collect();
    let mut taken = BTreeSet::new();
    members
        .iter()
        .zip(&base)
        .map(|(m, name)| {
            let shared = base.iter().filter(|b| *b == name).count() > 1;
            let candidate = match m {
                Meaning::Named(_, kind) if shared => format!("{name}{}", kind_variant(kind)),
                _ => name.clone(),
            };
            unique_ident_from(candidate, &mut taken)
        })
        .collect()
}

/// The variant names of an enum with `x-enum-varnames` (or `x-enum-names`): each name in Pascal
/// case, or `None` when two names collide once converted (the caller keeps the value-derived
/// names and warns).
pub fn enum_varnames(names: &[&str]) -> Option<Vec<String>> {
    let out: Vec<String> = names.iter().map(|n| pascal_case(n)).collect();
    let distinct: BTreeSet<&String> = out.iter().collect();
    (distinct.len() == out.len()).then_some(out)
}

/// The associated constants of an integer enum with `x-enum-varnames`: each name in shouty
/// snake case (`MessageStatus::SUCCESS`), or `None` when two collide once converted.
pub fn enum_constants(names: &[&str]) -> Option<Vec<String>> {
    let out: Vec<String> = names
        .iter()
        .map(|n| shouty_snake_case(n))
        .map(|n| match n.strip_prefix('_') {
            Some(digits) if digits.starts_with(|c: char| c.is_ascii_digit()) => format!("N{digits}"),
            _ => n,
        })
        .collect();
    let distinct: BTreeSet<&String> = out.iter().collect();
    (distinct.len() == out.len() && out.iter().all(|n| is_plain_ident(n))).then_some(out)
}

/// Makes `candidate` unique among `taken` by appending a counter, and records it.
pub fn unique_ident_from(candidate: String, taken: &mut BTreeSet<String>) -> String {
    if taken.insert(candidate.clone()) {
        return candidate;
    }
    (2..).map(|n| format!("{candidate}{n}")).find(|c| taken.insert(c.clone())).expect("an unbounded counter always finds a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal_case("user-id"), "UserId");
        assert_eq!(pascal_case("community-list-response"), "CommunityListResponse");
        assert_eq!(snake_case("shortURL"), "short_url");
        assert_eq!(snake_case("requestID"), "request_id");
        assert_eq!(snake_case("emailAddress"), "email_address");
        assert_eq!(snake_case("custom1"), "custom1");
        assert_eq!(snake_case("type"), "r#type");
        assert_eq!(snake_case("self"), "self_");
        assert_eq!(plain_snake_case("type"), "type_");
        assert_eq!(plain_snake_case("self"), "self_");
        assert_eq!(plain_snake_case("host"), "host");
        assert_eq!(snake_case("1st"), "_1st");
        assert_eq!(pascal_case("HOLDING_TANK"), "HoldingTank");
        assert_eq!(pascal_case("404"), "N404");
        assert_eq!(pascal_case("self"), "SelfType");
        assert_eq!(pascal_case("Self"), "SelfType");
        assert_eq!(pascal_case("selfie"), "Selfie");
        assert_eq!(type_name("ok"), "OkModel");
        assert_eq!(type_name("none"), "NoneModel");
        assert_eq!(type_name("string"), "StringModel");
        assert_eq!(type_name("okay"), "Okay");
        assert_eq!(type_name("self"), "SelfType");
        assert_eq!(shouty_snake_case("holdingTank"), "HOLDING_TANK");
        assert_eq!(pascal_case("größe"), "Gruf6udfe");
        assert_eq!(pascal_case("日本語"), "U65e5u672cu8a9e");
    }

    #[test]
    fn crate_names() {
        for ok in ["questionpro", "corpus-petstore", "my_api", "a1"] {
            assert_eq!(check_crate_name(ok).as_deref(), Ok(ok));
        }
        for bad in ["", "box", "type", "self", "Self", "bad name!", "1st", "-x", "test", "std", "café", "CON"] {
            let err = check_crate_name(bad).expect_err(bad);
            assert!(err.contains("a crate name starts with"), "{err}");
        }
        assert_eq!(crate_name_of("box"), "box_api");
        assert_eq!(crate_name_of("type"), "type_api");
        assert_eq!(crate_name_of("bad name!"), "bad_name");
        assert_eq!(crate_name_of("1st api"), "api_1st_api");
        assert_eq!(crate_name_of("!!!"), "api");
        assert_eq!(crate_name_of("Café"), "cafue9");
        assert_eq!(crate_name_of("test"), "test_api");
        assert_eq!(crate_name_from(std::path::Path::new("/tmp/My API")), "my_api");
        assert_eq!(crate_name_from(std::path::Path::new("/")), "api");
        for text in ["box", "Self", "_", "crate", "super", "1", "😀", "a b c", "gen", "async"] {
            let name = crate_name_of(text);
            assert!(check_crate_name(&name).is_ok(), "{text:?} -> {name:?}");
        }
    }

    /// Every item the generated client and server modules define or import for themselves
    /// (read back from a crate generated for a document with no operations, so nothing in them
    /// comes from the spec) is reserved in its module, and so is every method of `Client`: a
    /// name from the spec cannot meet one.
    #[test]
    fn the_runtime_names_are_reserved() {
        fn items(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
            let file = syn::parse_file(text).expect("parses");
            let mut names = BTreeSet::new();
            let mut client_methods = BTreeSet::new();
            for item in &file.items {
                let name = match item {
                    syn::Item::Const(i) => Some(i.ident.to_string()),
                    syn::Item::Enum(i) => Some(i.ident.to_string()),
                    syn::Item::Fn(i) => Some(i.sig.ident.to_string()),
                    syn::Item::Mod(i) => Some(i.ident.to_string()),
                    syn::Item::Static(i) => Some(i.ident.to_string()),
                    syn::Item::Struct(i) => Some(i.ident.to_string()),
                    syn::Item::Trait(i) => Some(i.ident.to_string()),
                    syn::Item::Type(i) => Some(i.ident.to_string()),
                    syn::Item::Use(u) => {
                        let mut found = Vec::new();
                        let mut stack = vec![&u.tree];
                        while let Some(tree) = stack.pop() {
                            match tree {
                                syn::UseTree::Path(p) => stack.push(&p.tree),
                                syn::UseTree::Name(n) => found.push(n.ident.to_string()),
                                syn::UseTree::Rename(r) => found.push(r.rename.to_string()),
                                syn::UseTree::Group(g) => stack.extend(g.items.iter()),
                                syn::UseTree::Glob(_) => {}
                            }
                        }
                        names.extend(found.into_iter().filter(|n| n != "_"));
                        None
                    }
                    syn::Item::Impl(i) if i.trait_.is_none() => {
                        if let syn::Type::Path(p) = &*i.self_ty {
                            if p.path.is_ident("Client") {
                                for f in &i.items {
                                    if let syn::ImplItem::Fn(f) = f {
                                        client_methods.insert(f.sig.ident.to_string());
                                    }
                                }
                            }
                        }
                        None
                    }
                    _ => None,
                };
                names.extend(name);
            }
            (names, client_methods)
        }
        let dir = std::env::temp_dir().join(format!("apigen-reserved-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let spec = dir.join("openapi.json");
        std::fs::write(
            &spec,
            r#"{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {},
                "components": {"securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "k"}, "b": {"type": "http", "scheme": "bearer"}}}}"#,
        )
        .expect("spec");
        let out = crate::generate(&spec, &crate::GeneratorSettings::new("t")).expect("generates");
        let _ = std::fs::remove_dir_all(&dir);
        let file = |name: &str| out.files.get(std::path::Path::new(name)).unwrap_or_else(|| panic!("{name}"));
        let (client, methods) = items(file("src/client.rs"));
        assert!(client.contains("Client") && methods.contains("new"), "the reader sees the client: {client:?}");
        for name in &client {
            assert!(reserved::CLIENT_ITEMS.contains(&name.as_str()), "reserve `{name}` in naming::reserved::CLIENT_ITEMS");
        }
        for name in &methods {
            assert!(reserved::CLIENT_METHODS.contains(&name.as_str()), "reserve `{name}` in naming::reserved::CLIENT_METHODS");
        }
        let (server, _) = items(file("src/server.rs"));
        assert!(server.contains("Api"), "the reader sees the server: {server:?}");
        for name in &server {
            assert!(reserved::SERVER_ITEMS.contains(&name.as_str()), "reserve `{name}` in naming::reserved::SERVER_ITEMS");
        }
    }

    #[test]
    fn union_variants_are_named_by_meaning_else_by_kind() {
        use Meaning::{Kind, Named};
        assert_eq!(union_variant_names(&[Kind("integer"), Kind("string")]), ["Integer", "Text"]);
        assert_eq!(union_variant_names(&[Kind("string"), Kind("array")]), ["Text", "List"]);
        assert_eq!(
            union_variant_names(&[Kind("boolean"), Kind("number"), Kind("map"), Kind("object")]),
            ["Bool", "Number", "Map", "Object"]
        );
        assert_eq!(union_variant_names(&[Named("date-time".into(), "string"), Named("uuid".into(), "string")]), ["DateTime", "Uuid"]);
        assert_eq!(union_variant_names(&[Named("Pet".into(), "object"), Kind("string")]), ["Pet", "Text"]);
        // Collision-free: a shared name takes each member's kind, a shared kind a number.
        assert_eq!(union_variant_names(&[Named("Spec".into(), "string"), Named("Spec".into(), "map")]), ["SpecText", "SpecMap"]);
        assert_eq!(union_variant_names(&[Kind("integer"), Kind("integer"), Kind("integer")]), ["Integer", "Integer2", "Integer3"]);
        assert_eq!(union_variant_names(&[Named("Text".into(), "object"), Kind("string")]), ["TextObject", "Text"]);
    }

    #[test]
    fn enum_varnames_must_be_distinct_identifiers() {
        assert_eq!(enum_varnames(&["agreed", "not agreed"]), Some(vec!["Agreed".to_string(), "NotAgreed".to_string()]));
        assert_eq!(enum_varnames(&["a-b", "A_B"]), None);
        assert_eq!(enum_constants(&["Success", "Pending"]), Some(vec!["SUCCESS".to_string(), "PENDING".to_string()]));
        assert_eq!(enum_constants(&["1xx", "CodeNone"]), Some(vec!["N1XX".to_string(), "CODE_NONE".to_string()]));
        assert_eq!(enum_constants(&["fail", "Fail"]), None);
    }

    #[test]
    fn models_avoid_the_crates_own_public_names() {
        assert_eq!(type_name("Error"), "ErrorModel");
        assert_eq!(type_name("credentials"), "CredentialsModel");
        assert_eq!(type_name("api-error"), "ApiErrorModel");
        assert_eq!(type_name("ErrorBody"), "ErrorBody");
    }

    #[test]
    fn operation_names_avoid_the_generated_ones() {
        let mut namer = OperationNamer::default();
        let none = BTreeSet::new();
        assert_eq!(namer.name("authenticate", &none).method, "authenticate2");
        assert_eq!(namer.name("list", &none).method, "list");
        assert_eq!(namer.name("list_stream", &none).method, "list_stream2");
        assert_eq!(namer.name("new", &none).method, "new2");
        assert_eq!(namer.name("clone", &none).method, "clone2");
        assert_eq!(namer.name("type", &none).method, "r#type");
        assert_eq!(namer.name("type", &none).method, "type2");
        // `RawResponse` is a client type, but `Raw` makes no client type of that name.
        assert_eq!(namer.name("raw", &none).type_name, "Raw");
        assert_eq!(namer.name("transport", &none).type_name, "Transport2", "TransportError is the runtime's");
        assert_eq!(namer.name("self", &none).type_name, "SelfType");
        // A model `ListPetsResponse` keeps `list_pets`'s types off its name.
        let models = BTreeSet::from(["ListPetsResponse".to_string()]);
        let names = namer.name("listPets", &models);
        assert_eq!((names.method.as_str(), names.type_name.as_str()), ("list_pets", "ListPets2"));
    }

    #[test]
    fn namespaces_compare_without_raw_prefixes() {
        let mut ns = Namespace::new(&[reserved::PARAMETER]);
        assert_eq!(ns.claim("headers"), "headers2");
        assert_eq!(ns.claim("r#type"), "r#type");
        assert_eq!(ns.claim("r#type"), "type2");
        assert_eq!(ns.claim("self_"), "self_");
        assert_eq!(ns.claim("self_"), "self_2");
        assert_eq!(pascal_case("self"), "SelfType");
    }

    #[test]
    fn unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_ident_from("A".into(), &mut taken), "A");
        assert_eq!(unique_ident_from("A".into(), &mut taken), "A2");
    }
}
