//! Spec-level comparison of two bundled OpenAPI documents.
//!
//! Operations are matched by method and path template (path parameter names do not count:
//! `/users/{id}` and `/users/{userId}` are the same route), then by `operationId` for routes
//! that moved. Parameters, request bodies, responses, headers, security and servers are compared
//! as *closed* sets (something a side did not know about is a break for that side); schemas are
//! compared as sets of accepted values, following `$ref`s into `components/schemas` with a guard
//! against cycles.
//!
//! Every schema difference is either a *narrowing* (fewer values are valid: a new required
//! property, a smaller `maxLength`, a removed enum value), a *widening* (more values are valid),
//! or both (a type change). Who breaks follows from who writes and who reads the value:
//!
//! | where | writer | reader |
//! |---|---|---|
//! | request parameters and bodies | client | server |
//! | responses | server | client |
//!
//! A narrowing breaks the writer (what it sends may no longer be valid); a widening breaks the
//! reader (it may receive what it was never told about). Changes that no schema expresses
//! (operations, statuses, security, servers) follow the rules listed in
//! `generator/src/diff/RULES.md`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diag::{escape_token, join_pointer};

/// Whether a change breaks one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// Existing implementations of this side keep working.
    Compatible,
    /// Existing implementations of this side may fail against the other side built from the
    /// new document.
    Breaking,
}

impl Impact {
    fn from(breaks: bool) -> Self {
        if breaks {
            Self::Breaking
        } else {
            Self::Compatible
        }
    }

    /// True for [`Impact::Breaking`].
    pub fn is_breaking(self) -> bool {
        self == Self::Breaking
    }
}

/// Which document a pointer points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Document {
    /// The old document (for things that were removed).
    Old,
    /// The new document.
    New,
}

/// The kinds of change the comparison recognizes, with stable kebab-case ids (`--format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    OperationMoved,
    OperationIdChanged,
    OperationDeprecated,
    PathParameterRenamed,
    ParameterAdded,
    ParameterRemoved,
    ParameterBecameRequired,
    ParameterBecameOptional,
    ParameterStyleChanged,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyBecameRequired,
    RequestBodyBecameOptional,
    MediaTypeAdded,
    MediaTypeRemoved,
    ResponseAdded,
    ResponseRemoved,
    HeaderAdded,
    HeaderRemoved,
    HeaderBecameRequired,
    HeaderBecameOptional,
    PropertyAdded,
    PropertyRemoved,
    PropertyBecameRequired,
    PropertyBecameOptional,
    TypeChanged,
    NullableAdded,
    NullableRemoved,
    FormatChanged,
    EnumValueAdded,
    EnumValueRemoved,
    ConstraintNarrowed,
    ConstraintWidened,
    ConstraintChanged,
    VariantAdded,
    VariantRemoved,
    DefaultChanged,
    SchemaAdded,
    SchemaRemoved,
    SecurityAdded,
    SecurityRemoved,
    SecurityScopesAdded,
    SecurityScopesRemoved,
    SecuritySchemeChanged,
    ServerAdded,
    ServerRemoved,
    ServerVariableChanged,
    DescriptionChanged,
}

impl ChangeKind {
    /// The kebab-case id (`property-removed`).
    pub fn id(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    }
}

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecChange {
    /// What changed.
    pub kind: ChangeKind,
    /// Where: a JSON pointer into [`SpecChange::document`].
    pub pointer: String,
    /// The document the pointer points into (the old one for removals).
    pub document: Document,
    /// The change in words (`property \`age\` was removed`).
    pub message: String,
    /// Whether existing clients break.
    pub clients: Impact,
    /// Whether existing servers break.
    pub servers: Impact,
    /// The operations (`GET /users/{id}`) whose requests or responses the change touches.
    pub operations: Vec<String>,
    /// The enum value added or removed (`enum-value-added`, `enum-value-removed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl SpecChange {
    /// True when either side breaks.
    pub fn is_breaking(&self) -> bool {
        self.clients.is_breaking() || self.servers.is_breaking()
    }
}

/// Which way a value flows: who writes and who reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Flow {
    /// Client writes, server reads.
    Request,
    /// Server writes, client reads.
    Response,
    /// A component no operation uses: both readings, the stricter wins.
    Unused,
}

/// How a schema difference changes the set of valid values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Narrowed,
    Widened,
    Both,
    Neutral,
}

impl Effect {
    fn of(narrowed: bool, widened: bool) -> Self {
        match (narrowed, widened) {
            (true, true) => Self::Both,
            (true, false) => Self::Narrowed,
            (false, true) => Self::Widened,
            (false, false) => Self::Neutral,
        }
    }

    /// (clients break, servers break) for a value flowing `flow`.
    fn impacts(self, flow: Flow) -> (bool, bool) {
        let narrowed = matches!(self, Self::Narrowed | Self::Both);
        let widened = matches!(self, Self::Widened | Self::Both);
        match flow {
            // Narrowing breaks the writer, widening the reader.
            Flow::Request => (narrowed, widened),
            Flow::Response => (widened, narrowed),
            Flow::Unused => (narrowed || widened, narrowed || widened),
        }
    }
}

/// Compares two bundled documents and returns every change, sorted by pointer.
pub fn compare(old: &Value, new: &Value) -> Vec<SpecChange> {
    let mut cx = Cx { old, new, changes: BTreeMap::new(), visited: BTreeSet::new(), reached: BTreeSet::new(), op: None };
    cx.servers();
    cx.security_schemes();
    cx.operations();
    cx.unused_components();
    let mut changes: Vec<SpecChange> = cx.changes.into_values().collect();
    let reach = OperationReach::new(old, new);
    for c in &mut changes {
        reach.complete(c);
    }
    changes.sort_by(|a, b| (&a.pointer, a.kind, &a.message).cmp(&(&b.pointer, b.kind, &b.message)));
    changes
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One operation of a document.
struct Op<'a> {
    label: String,
    pointer: String,
    id: Option<&'a str>,
    item: &'a Value,
    op: &'a Value,
    path: &'a str,
}

/// The route key: method plus the path with parameter names erased.
fn route_key(method: &str, path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    format!("{method} {}", out.trim_end_matches('/'))
}

fn operations(doc: &Value) -> BTreeMap<String, Op<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let item = deref(doc, item);
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let op = deref(doc, op);
                out.insert(
                    route_key(method, path),
                    Op {
                        label: format!("{} {path}", method.to_uppercase()),
                        pointer: join_pointer(&join_pointer("/paths", path), method),
                        id: op.get("operationId").and_then(Value::as_str),
                        item,
                        op,
                        path,
                    },
                );
            }
        }
    }
    out
}

/// Follows local `$ref`s (at most 32 hops).
fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(ptr) => match doc.pointer(ptr) {
                Some(target) => value = target,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

/// The pointer a local `$ref` points to, after following every hop.
fn ref_target(doc: &Value, value: &Value) -> Option<String> {
    let mut target = None;
    let mut value = value;
    for _ in 0..32 {
        let Some(ptr) = value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) else { break };
        target = Some(ptr.to_string());
        match doc.pointer(ptr) {
            Some(v) => value = v,
            None => break,
        }
    }
    target
}

struct Cx<'a> {
    old: &'a Value,
    new: &'a Value,
    /// Keyed by (pointer, kind, message): the same component change reached from several
    /// operations is reported once, with the impacts of every use.
    changes: BTreeMap<(String, ChangeKind, String), SpecChange>,
    /// Schema pairs already compared in a flow.
    visited: BTreeSet<(String, String, Flow)>,
    /// Schemas (pointers, in either document) that some operation reaches.
    reached: BTreeSet<String>,
    /// The operation being compared.
    op: Option<String>,
}

/// Where a compared value sits in each document.
#[derive(Clone)]
struct At {
    old: String,
    new: String,
}

impl At {
    fn new(old: impl Into<String>, new: impl Into<String>) -> Self {
        Self { old: old.into(), new: new.into() }
    }

    fn same(ptr: impl Into<String>) -> Self {
        let p = ptr.into();
        Self { old: p.clone(), new: p }
    }

    fn join(&self, token: &str) -> Self {
        Self { old: join_pointer(&self.old, token), new: join_pointer(&self.new, token) }
    }
}

impl Cx<'_> {
    fn push(&mut self, kind: ChangeKind, at: &At, document: Document, message: String, clients: bool, servers: bool) {
        let pointer = match document {
            Document::Old => at.old.clone(),
            Document::New => at.new.clone(),
        };
        let key = (pointer.clone(), kind, message.clone());
        let op = self.op.clone();
        let entry = self.changes.entry(key).or_insert_with(|| SpecChange {
            kind,
            pointer,
            document,
            message,
            clients: Impact::Compatible,
            servers: Impact::Compatible,
            operations: Vec::new(),
            value: None,
        });
        entry.clients = entry.clients.max(Impact::from(clients));
        entry.servers = entry.servers.max(Impact::from(servers));
        if let Some(op) = op {
            if !entry.operations.contains(&op) {
                entry.operations.push(op);
            }
        }
    }

    fn push_effect(&mut self, kind: ChangeKind, at: &At, message: String, effect: Effect, flow: Flow) {
        let (c, s) = effect.impacts(flow);
        let document = if matches!(kind, ChangeKind::PropertyRemoved | ChangeKind::VariantRemoved | ChangeKind::EnumValueRemoved) {
            Document::Old
        } else {
            Document::New
        };
        self.push(kind, at, document, message, c, s);
    }

    fn set_value(&mut self, pointer: &str, kind: ChangeKind, message: String, value: &Value) {
        if let Some(c) = self.changes.get_mut(&(pointer.to_string(), kind, message)) {
            c.value = Some(value.clone());
        }
    }

    // ---- servers and security schemes -------------------------------------------------------

    fn servers(&mut self) {
        let urls = |doc: &Value| -> BTreeMap<String, (usize, Value)> {
            doc.get("servers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter_map(|(i, s)| Some((s.get("url")?.as_str()?.trim_end_matches('/').to_string(), (i, s.clone()))))
                .collect()
        };
        let (old, new) = (urls(self.old), urls(self.new));
        for (url, (i, _)) in &old {
            if !new.contains_key(url) {
                // Clients configured with this base URL no longer reach the API.
                self.push(
                    ChangeKind::ServerRemoved,
                    &At::same(format!("/servers/{i}")),
                    Document::Old,
                    format!("server `{url}` was removed"),
                    true,
                    false,
                );
            }
        }
        for (url, (i, _)) in &new {
            if !old.contains_key(url) {
                self.push(
                    ChangeKind::ServerAdded,
                    &At::same(format!("/servers/{i}")),
                    Document::New,
                    format!("server `{url}` was added"),
                    false,
                    false,
                );
            }
        }
        for (url, (oi, o)) in &old {
            let Some((ni, n)) = new.get(url) else { continue };
            let at = At::new(format!("/servers/{oi}/variables"), format!("/servers/{ni}/variables"));
            let empty = Map::new();
            let ov = o.get("variables").and_then(Value::as_object).unwrap_or(&empty);
            let nv = n.get("variables").and_then(Value::as_object).unwrap_or(&empty);
            for (name, o) in ov {
                let at = at.join(name);
                let Some(n) = nv.get(name) else {
                    self.push(
                        ChangeKind::ServerVariableChanged,
                        &at,
                        Document::Old,
                        format!("server variable `{name}` of `{url}` was removed"),
                        true,
                        false,
                    );
                    continue;
                };
                if o.get("default") != n.get("default") {
                    self.push(
                        ChangeKind::ServerVariableChanged,
                        &at.join("default"),
                        Document::New,
                        format!(
                            "the default of server variable `{name}` of `{url}` changed from {} to {}",
                            show(o.get("default")),
                            show(n.get("default"))
                        ),
                        true,
                        false,
                    );
                }
                let values = |v: &Value| -> BTreeSet<String> {
                    v.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()
                };
                let (oe, ne) = (values(o), values(n));
                for gone in oe.difference(&ne).filter(|_| !ne.is_empty()) {
                    self.push(
                        ChangeKind::ServerVariableChanged,
                        &at.join("enum"),
                        Document::New,
                        format!("server variable `{name}` of `{url}` no longer allows `{gone}`"),
                        true,
                        false,
                    );
                }
            }
        }
    }

    fn security_schemes(&mut self) {
        let empty = Map::new();
        let schemes =
            |doc: &Value| doc.pointer("/components/securitySchemes").and_then(Value::as_object).cloned().unwrap_or_else(|| empty.clone());
        let (old, new) = (schemes(self.old), schemes(self.new));
        for (name, o) in &old {
            let Some(n) = new.get(name) else { continue };
            let (o, n) = (deref(self.old, o), deref(self.new, n));
            for key in ["type", "in", "name", "scheme"] {
                let norm = |v: Option<&Value>| {
                    v.and_then(Value::as_str).map(|s| if key == "scheme" || key == "type" { s.to_ascii_lowercase() } else { s.to_string() })
                };
                if norm(o.get(key)) != norm(n.get(key)) {
                    let at = At::same(join_pointer(&join_pointer("/components/securitySchemes", name), key));
                    self.push(
                        ChangeKind::SecuritySchemeChanged,
                        &at,
                        Document::New,
                        format!("security scheme `{name}`: `{key}` changed from {} to {}", show(o.get(key)), show(n.get(key))),
                        true,
                        true,
                    );
                }
            }
        }
    }

    // ---- operations --------------------------------------------------------------------------

    fn operations(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        // Routes that disappeared but whose operationId lives on elsewhere moved.
        let new_by_id: BTreeMap<&str, &str> =
            new_ops.iter().filter(|(k, _)| !old_ops.contains_key(*k)).filter_map(|(k, o)| Some((o.id?, k.as_str()))).collect();
        let mut moved_to = BTreeMap::new();
        for (key, o) in &old_ops {
            if new_ops.contains_key(key) {
                continue;
            }
            if let Some(target) = o.id.and_then(|id| new_by_id.get(id)) {
                moved_to.insert(key.clone(), target.to_string());
            }
        }
        let moved_targets: BTreeSet<&String> = moved_to.values().collect();
        for (key, o) in &old_ops {
            if let Some(target) = moved_to.get(key) {
                let n = &new_ops[target];
                self.op = Some(n.label.clone());
                self.push(
                    ChangeKind::OperationMoved,
                    &At::new(o.pointer.clone(), n.pointer.clone()),
                    Document::New,
                    format!("operation `{}` moved from `{}` to `{}`", o.id.unwrap_or_default(), o.label, n.label),
                    true,
                    true,
                );
                self.operation(o, n);
            } else if !new_ops.contains_key(key) {
                self.op = Some(o.label.clone());
                self.push(
                    ChangeKind::OperationRemoved,
                    &At::same(o.pointer.clone()),
                    Document::Old,
                    format!("operation `{}` was removed", o.label),
                    true,
                    false,
                );
            }
        }
        for (key, n) in &new_ops {
            if moved_targets.contains(key) {
                continue;
            }
            match old_ops.get(key) {
                // Old servers do not implement it (and a generated server trait gains a method).
                None => {
                    self.op = Some(n.label.clone());
                    self.push(
                        ChangeKind::OperationAdded,
                        &At::same(n.pointer.clone()),
                        Document::New,
                        format!("operation `{}` was added", n.label),
                        false,
                        true,
                    );
                }
                Some(o) => {
                    self.op = Some(n.label.clone());
                    self.operation(o, n);
                }
            }
        }
        self.op = None;
    }

    fn operation(&mut self, o: &Op<'_>, n: &Op<'_>) {
        let at = At::new(o.pointer.clone(), n.pointer.clone());
        if o.id.is_some() && n.id.is_some() && o.id != n.id {
            // The wire is the same, but generated method and type names come from it.
            self.push(
                ChangeKind::OperationIdChanged,
                &at.join("operationId"),
                Document::New,
                format!(
                    "operationId changed from `{}` to `{}` (generated names follow it)",
                    o.id.unwrap_or_default(),
                    n.id.unwrap_or_default()
                ),
                true,
                true,
            );
        }
        if !flag(o.op, "deprecated") && flag(n.op, "deprecated") {
            self.push(
                ChangeKind::OperationDeprecated,
                &at.join("deprecated"),
                Document::New,
                format!("operation `{}` is deprecated", n.label),
                false,
                false,
            );
        }
        self.describe(&at.join("summary"), o.op.get("summary"), n.op.get("summary"), "summary");
        self.describe(&at.join("description"), o.op.get("description"), n.op.get("description"), "description");
        self.parameters(o, n, &at);
        self.request_body(o, n, &at);
        self.responses(o, n, &at);
        self.security(o, n, &at);
    }

    fn describe(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>, what: &str) {
        if old != new && (old.is_some_and(Value::is_string) || new.is_some_and(Value::is_string)) {
            self.push(ChangeKind::DescriptionChanged, at, Document::New, format!("the {what} changed"), false, false);
        }
    }

    /// Effective parameters: path-item ones overridden by the operation's, keyed by location
    /// and name (path parameters by position, since their names are not on the wire).
    fn params<'d>(doc: &'d Value, op: &Op<'d>) -> BTreeMap<(String, String), (String, &'d Value)> {
        let mut out = BTreeMap::new();
        let path_names: Vec<String> = op.path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string())).collect();
        let item_ptr = op.pointer.rsplit_once('/').map_or("", |(p, _)| p).to_string();
        for (base, list) in [
            (join_pointer(&item_ptr, "parameters"), op.item.get("parameters")),
            (join_pointer(&op.pointer, "parameters"), op.op.get("parameters")),
        ] {
            for (i, p) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
                let p = deref(doc, p);
                let (Some(name), Some(location)) = (p.get("name").and_then(Value::as_str), p.get("in").and_then(Value::as_str)) else {
                    continue;
                };
                let key = if location == "path" {
                    path_names.iter().position(|n| n == name).map_or_else(|| name.to_string(), |i| format!("#{i}"))
                } else if location == "header" {
                    name.to_ascii_lowercase()
                } else {
                    name.to_string()
                };
                out.insert((location.to_string(), key), (format!("{base}/{i}"), p));
            }
        }
        out
    }

    fn parameters(&mut self, o: &Op<'_>, n: &Op<'_>, _at: &At) {
        let old = Self::params(self.old, o);
        let new = Self::params(self.new, n);
        for (key, (ptr, p)) in &old {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let required = flag(p, "required") || key.0 == "path";
            if !new.contains_key(key) {
                // Old clients send it and it means nothing now; old servers that required it
                // no longer get it.
                self.push(
                    ChangeKind::ParameterRemoved,
                    &At::same(ptr.clone()),
                    Document::Old,
                    format!("{} parameter `{name}` was removed", key.0),
                    true,
                    required,
                );
            }
        }
        for (key, (nptr, np)) in &new {
            let name = np.get("name").and_then(Value::as_str).unwrap_or_default();
            let required = flag(np, "required") || key.0 == "path";
            let Some((optr, op)) = old.get(key) else {
                // A closed set: old servers do not know the parameter; a required one is
                // missing from old clients' requests.
                self.push(
                    ChangeKind::ParameterAdded,
                    &At::same(nptr.clone()),
                    Document::New,
                    format!("{} {} parameter `{name}` was added", if required { "required" } else { "optional" }, key.0),
                    required,
                    true,
                );
                continue;
            };
            let at = At::new(optr.clone(), nptr.clone());
            let old_name = op.get("name").and_then(Value::as_str).unwrap_or_default();
            if key.0 == "path" && old_name != name {
                self.push(
                    ChangeKind::PathParameterRenamed,
                    &at.join("name"),
                    Document::New,
                    format!("path parameter `{old_name}` was renamed to `{name}` (the URL is unchanged)"),
                    false,
                    false,
                );
            }
            let was_required = flag(op, "required") || key.0 == "path";
            if !was_required && required {
                self.push(
                    ChangeKind::ParameterBecameRequired,
                    &at.join("required"),
                    Document::New,
                    format!("{} parameter `{name}` became required", key.0),
                    true,
                    false,
                );
            } else if was_required && !required {
                self.push(
                    ChangeKind::ParameterBecameOptional,
                    &at.join("required"),
                    Document::New,
                    format!("{} parameter `{name}` became optional", key.0),
                    false,
                    true,
                );
            }
            for k in ["style", "explode", "allowReserved"] {
                if op.get(k) != np.get(k) {
                    self.push(
                        ChangeKind::ParameterStyleChanged,
                        &at.join(k),
                        Document::New,
                        format!("{} parameter `{name}`: `{k}` changed from {} to {}", key.0, show(op.get(k)), show(np.get(k))),
                        true,
                        true,
                    );
                }
            }
            self.describe(
                &at.join("description"),
                op.get("description"),
                np.get("description"),
                &format!("description of parameter `{name}`"),
            );
            if let (Some(os), Some(ns)) = (op.get("schema"), np.get("schema")) {
                self.schema(os, ns, &at.join("schema"), Flow::Request);
            }
            if let (Some(oc), Some(nc)) = (op.get("content"), np.get("content")) {
                self.content(oc, nc, &at.join("content"), Flow::Request, &format!("parameter `{name}`"));
            }
        }
    }

    fn request_body(&mut self, o: &Op<'_>, n: &Op<'_>, at: &At) {
        let at = at.join("requestBody");
        match (o.op.get("requestBody"), n.op.get("requestBody")) {
            (None, None) => {}
            (Some(ob), None) => {
                let required = flag(deref(self.old, ob), "required");
                self.push(ChangeKind::RequestBodyRemoved, &at, Document::Old, "the request body was removed".into(), true, required);
            }
            (None, Some(nb)) => {
                let required = flag(deref(self.new, nb), "required");
                let words = if required { "a required request body was added" } else { "an optional request body was added" };
                self.push(ChangeKind::RequestBodyAdded, &at, Document::New, words.into(), required, true);
            }
            (Some(ob), Some(nb)) => {
                let (ob, nb) = (deref(self.old, ob), deref(self.new, nb));
                match (flag(ob, "required"), flag(nb, "required")) {
                    (false, true) => self.push(
                        ChangeKind::RequestBodyBecameRequired,
                        &at.join("required"),
                        Document::New,
                        "the request body became required".into(),
                        true,
                        false,
                    ),
                    (true, false) => self.push(
                        ChangeKind::RequestBodyBecameOptional,
                        &at.join("required"),
                        Document::New,
                        "the request body became optional".into(),
                        false,
                        true,
                    ),
                    _ => {}
                }
                self.describe(&at.join("description"), ob.get("description"), nb.get("description"), "description of the request body");
                if let (Some(oc), Some(nc)) = (ob.get("content"), nb.get("content")) {
                    self.content(oc, nc, &at.join("content"), Flow::Request, "the request body");
                }
            }
        }
    }

    fn content(&mut self, oc: &Value, nc: &Value, at: &At, flow: Flow, what: &str) {
        let empty = Map::new();
        let om = oc.as_object().unwrap_or(&empty);
        let nm = nc.as_object().unwrap_or(&empty);
        let norm = |m: &str| m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase();
        let find =
            |map: &Map<String, Value>, key: &str| map.iter().find(|(k, _)| norm(k) == norm(key)).map(|(k, v)| (k.clone(), v.clone()));
        for (media, _) in om {
            if find(nm, media).is_none() {
                // Requests: old clients send it and get 415; responses: clients that asked for it
                // no longer get it, and old servers still answer it.
                self.push(
                    ChangeKind::MediaTypeRemoved,
                    &at.join(media),
                    Document::Old,
                    format!("media type `{media}` of {what} was removed"),
                    true,
                    flow == Flow::Response,
                );
            }
        }
        for (media, nv) in nm {
            match find(om, media) {
                None => {
                    // Requests: old servers answer 415 to it. Responses: clients negotiate with
                    // `Accept`, old servers never send it.
                    self.push(
                        ChangeKind::MediaTypeAdded,
                        &at.join(media),
                        Document::New,
                        format!("media type `{media}` of {what} was added"),
                        false,
                        flow == Flow::Request,
                    );
                }
                Some((okey, ov)) => {
                    let mat = At::new(join_pointer(&at.old, &okey), join_pointer(&at.new, media));
                    if let (Some(os), Some(ns)) = (ov.get("schema"), nv.get("schema")) {
                        self.schema(os, ns, &mat.join("schema"), flow);
                    }
                }
            }
        }
    }

    fn responses(&mut self, o: &Op<'_>, n: &Op<'_>, at: &At) {
        let at = at.join("responses");
        let empty = Map::new();
        let or = o.op.get("responses").and_then(Value::as_object).unwrap_or(&empty);
        let nr = n.op.get("responses").and_then(Value::as_object).unwrap_or(&empty);
        let success = |status: &str| status.starts_with('2');
        for status in or.keys() {
            if !nr.contains_key(status) {
                self.push(
                    ChangeKind::ResponseRemoved,
                    &at.join(status),
                    Document::Old,
                    format!("response `{status}` was removed"),
                    success(status),
                    true,
                );
            }
        }
        for (status, nv) in nr {
            let Some(ov) = or.get(status) else {
                self.push(
                    ChangeKind::ResponseAdded,
                    &at.join(status),
                    Document::New,
                    format!("response `{status}` was added"),
                    false,
                    false,
                );
                continue;
            };
            let rat = at.join(status);
            let (ov, nv) = (deref(self.old, ov), deref(self.new, nv));
            self.describe(
                &rat.join("description"),
                ov.get("description"),
                nv.get("description"),
                &format!("description of response `{status}`"),
            );
            self.headers(ov, nv, &rat.join("headers"), status);
            match (ov.get("content"), nv.get("content")) {
                (Some(oc), Some(nc)) => self.content(oc, nc, &rat.join("content"), Flow::Response, &format!("response `{status}`")),
                (Some(_), None) => self.push(
                    ChangeKind::MediaTypeRemoved,
                    &rat.join("content"),
                    Document::Old,
                    format!("response `{status}` no longer has a body"),
                    true,
                    true,
                ),
                (None, Some(_)) => self.push(
                    ChangeKind::MediaTypeAdded,
                    &rat.join("content"),
                    Document::New,
                    format!("response `{status}` now has a body"),
                    false,
                    true,
                ),
                (None, None) => {}
            }
        }
    }

    fn headers(&mut self, ov: &Value, nv: &Value, at: &At, status: &str) {
        let empty = Map::new();
        let oh = ov.get("headers").and_then(Value::as_object).unwrap_or(&empty);
        let nh = nv.get("headers").and_then(Value::as_object).unwrap_or(&empty);
        let find = |map: &Map<String, Value>, key: &str| {
            map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(k, v)| (k.clone(), v.clone()))
        };
        for (name, h) in oh {
            if find(nh, name).is_none() {
                let required = flag(deref(self.old, h), "required");
                self.push(
                    ChangeKind::HeaderRemoved,
                    &at.join(name),
                    Document::Old,
                    format!("header `{name}` of response `{status}` was removed"),
                    required,
                    false,
                );
            }
        }
        for (name, h) in nh {
            let h = deref(self.new, h);
            match find(oh, name) {
                None => {
                    let required = flag(h, "required");
                    self.push(
                        ChangeKind::HeaderAdded,
                        &at.join(name),
                        Document::New,
                        format!("header `{name}` of response `{status}` was added"),
                        false,
                        required,
                    );
                }
                Some((okey, o)) => {
                    let o = deref(self.old, &o);
                    let hat = At::new(join_pointer(&at.old, &okey), join_pointer(&at.new, name));
                    match (flag(o, "required"), flag(h, "required")) {
                        (false, true) => self.push(
                            ChangeKind::HeaderBecameRequired,
                            &hat.join("required"),
                            Document::New,
                            format!("header `{name}` of response `{status}` became required"),
                            false,
                            true,
                        ),
                        (true, false) => self.push(
                            ChangeKind::HeaderBecameOptional,
                            &hat.join("required"),
                            Document::New,
                            format!("header `{name}` of response `{status}` became optional"),
                            true,
                            false,
                        ),
                        _ => {}
                    }
                    if let (Some(os), Some(ns)) = (o.get("schema"), h.get("schema")) {
                        self.schema(os, ns, &hat.join("schema"), Flow::Response);
                    }
                }
            }
        }
    }

    /// Effective security: the operation's, else the document's. Each alternative is a map
    /// scheme -> scopes.
    fn effective_security(doc: &Value, op: &Value) -> (Vec<BTreeMap<String, BTreeSet<String>>>, bool) {
        let (list, own) = match op.get("security") {
            Some(s) => (s, true),
            None => (doc.get("security").unwrap_or(&Value::Null), false),
        };
        let alts = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|alt| {
                alt.iter()
                    .map(|(k, v)| (k.clone(), v.as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()))
                    .collect()
            })
            .collect();
        (alts, own)
    }

    fn security(&mut self, o: &Op<'_>, n: &Op<'_>, at: &At) {
        let (old, _) = Self::effective_security(self.old, o.op);
        let (new, own) = Self::effective_security(self.new, n.op);
        let at = if own { at.join("security") } else { At::new(join_pointer(&at.old, "security"), "/security".to_string()) };
        let anonymous = |alts: &[BTreeMap<String, BTreeSet<String>>]| alts.is_empty() || alts.iter().any(BTreeMap::is_empty);
        let keys = |alt: &BTreeMap<String, BTreeSet<String>>| alt.keys().cloned().collect::<BTreeSet<_>>();
        let show_alt = |alt: &BTreeMap<String, BTreeSet<String>>| {
            if alt.is_empty() {
                "no authentication".to_string()
            } else {
                alt.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" + ")
            }
        };
        if anonymous(&old) && !anonymous(&new) {
            self.push(ChangeKind::SecurityAdded, &at, Document::New, "the operation now requires authentication".into(), true, false);
            return;
        }
        if !anonymous(&old) && anonymous(&new) {
            self.push(
                ChangeKind::SecurityRemoved,
                &at,
                Document::New,
                "the operation no longer requires authentication".into(),
                false,
                true,
            );
            return;
        }
        for alt in &old {
            match new.iter().find(|n| keys(n) == keys(alt)) {
                None => self.push(
                    ChangeKind::SecurityRemoved,
                    &at,
                    Document::New,
                    format!("authentication with {} is no longer accepted", show_alt(alt)),
                    true,
                    false,
                ),
                Some(n) => {
                    for (scheme, scopes) in n {
                        let added: Vec<&String> = scopes.difference(&alt[scheme]).collect();
                        if !added.is_empty() {
                            self.push(
                                ChangeKind::SecurityScopesAdded,
                                &at,
                                Document::New,
                                format!("scheme `{scheme}` now needs scopes {added:?}"),
                                true,
                                false,
                            );
                        }
                        let removed: Vec<&String> = alt[scheme].difference(scopes).collect();
                        if !removed.is_empty() {
                            self.push(
                                ChangeKind::SecurityScopesRemoved,
                                &at,
                                Document::New,
                                format!("scheme `{scheme}` no longer needs scopes {removed:?}"),
                                false,
                                true,
                            );
                        }
                    }
                }
            }
        }
        for alt in &new {
            if !old.iter().any(|o| keys(o) == keys(alt)) {
                // Old servers do not accept the new alternative.
                self.push(
                    ChangeKind::SecurityAdded,
                    &at,
                    Document::New,
                    format!("authentication with {} is now accepted", show_alt(alt)),
                    false,
                    true,
                );
            }
        }
    }

    // ---- schemas -----------------------------------------------------------------------------

    fn schema(&mut self, o: &Value, n: &Value, at: &At, flow: Flow) {
        // Follow references: changes are reported where the schema is written.
        let mut at = at.clone();
        if let Some(t) = ref_target(self.old, o) {
            at.old = t;
        }
        if let Some(t) = ref_target(self.new, n) {
            at.new = t;
        }
        if !self.visited.insert((at.old.clone(), at.new.clone(), flow)) {
            return;
        }
        if flow != Flow::Unused {
            self.reached.insert(at.old.clone());
            self.reached.insert(at.new.clone());
            // `allOf` members are compared merged into this schema: they are reached too.
            for (doc, schema) in [(self.old, o), (self.new, n)] {
                let mut stack = vec![deref(doc, schema)];
                while let Some(s) = stack.pop() {
                    for m in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
                        if let Some(t) = ref_target(doc, m) {
                            if self.reached.insert(t) {
                                stack.push(deref(doc, m));
                            }
                        }
                    }
                }
            }
        }
        let (o, n) = (deref(self.old, o), deref(self.new, n));
        if o == n && ref_free(o) {
            return;
        }
        // `allOf` members are merged into one schema first, so moving properties into (or out
        // of) a shared base schema is no change.
        let (o, old_origins) = flatten(self.old, &bool_schema(o), &at.old, 0);
        let (n, new_origins) = flatten(self.new, &bool_schema(n), &at.new, 0);
        self.types(&o, &n, &at, flow);
        self.format(&o, &n, &at, flow);
        self.enums(&o, &n, &at, flow);
        self.bounds(&o, &n, &at, flow);
        self.object(&o, &n, &at, flow, (&old_origins, &new_origins));
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            if oi.is_object() && ni.is_object() {
                self.schema(oi, ni, &at.join("items"), flow);
            }
        }
        for key in ["oneOf", "anyOf"] {
            self.variants(&o, &n, &at, flow, key);
        }
        self.all_of(&o, &n, &at, flow);
        if flow == Flow::Request && o.get("default") != n.get("default") && (o.get("default").is_some() || n.get("default").is_some()) {
            // Old clients that leave the value out now get another behavior.
            self.push(
                ChangeKind::DefaultChanged,
                &at.join("default"),
                Document::New,
                format!("the default changed from {} to {}", show(o.get("default")), show(n.get("default"))),
                true,
                false,
            );
        }
        self.describe(&at.join("description"), o.get("description"), n.get("description"), "description");
    }

    fn types(&mut self, o: &Value, n: &Value, at: &At, flow: Flow) {
        let (ot, nt) = (type_set(o), type_set(n));
        if ot.is_empty() || nt.is_empty() || ot == nt {
            return;
        }
        let covered = |t: &String, set: &BTreeSet<String>| set.contains(t) || (t == "integer" && set.contains("number"));
        let widened = nt.iter().any(|t| !covered(t, &ot));
        let narrowed = ot.iter().any(|t| !covered(t, &nt));
        let strip = |s: &BTreeSet<String>| s.iter().filter(|t| *t != "null").cloned().collect::<BTreeSet<_>>();
        if strip(&ot) == strip(&nt) {
            if nt.contains("null") {
                self.push_effect(ChangeKind::NullableAdded, &at.join("type"), "the value may now be null".into(), Effect::Widened, flow);
            } else {
                self.push_effect(
                    ChangeKind::NullableRemoved,
                    &at.join("type"),
                    "the value may no longer be null".into(),
                    Effect::Narrowed,
                    flow,
                );
            }
            return;
        }
        let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(" | ");
        self.push_effect(
            ChangeKind::TypeChanged,
            &at.join("type"),
            format!("the type changed from `{}` to `{}`", list(&ot), list(&nt)),
            Effect::of(narrowed, widened),
            flow,
        );
    }

    fn format(&mut self, o: &Value, n: &Value, at: &At, flow: Flow) {
        let (of, nf) = (o.get("format").and_then(Value::as_str), n.get("format").and_then(Value::as_str));
        if of == nf {
            return;
        }
        let effect = Effect::of(nf.is_some(), of.is_some());
        let message = match (of, nf) {
            (None, Some(f)) => format!("format `{f}` was added"),
            (Some(f), None) => format!("format `{f}` was removed"),
            (Some(a), Some(b)) => format!("the format changed from `{a}` to `{b}`"),
            (None, None) => return,
        };
        self.push_effect(ChangeKind::FormatChanged, &at.join("format"), message, effect, flow);
    }

    fn enums(&mut self, o: &Value, n: &Value, at: &At, flow: Flow) {
        let values = |v: &Value| -> Option<Vec<Value>> {
            v.get("enum").and_then(Value::as_array).cloned().or_else(|| v.get("const").map(|c| vec![c.clone()]))
        };
        let key = if n.get("enum").is_some() || o.get("enum").is_some() { "enum" } else { "const" };
        match (values(o), values(n)) {
            (None, None) => {}
            (None, Some(_)) => self.push_effect(
                ChangeKind::ConstraintNarrowed,
                &at.join(key),
                format!("`{key}` was added: only listed values are valid"),
                Effect::Narrowed,
                flow,
            ),
            (Some(_), None) => self.push_effect(
                ChangeKind::ConstraintWidened,
                &at.join(key),
                format!("`{key}` was removed: any value is valid"),
                Effect::Widened,
                flow,
            ),
            (Some(ov), Some(nv)) => {
                for v in ov.iter().filter(|v| !nv.contains(v)) {
                    let message = format!("enum value {v} was removed");
                    self.push_effect(ChangeKind::EnumValueRemoved, &at.join(key), message.clone(), Effect::Narrowed, flow);
                    self.set_value(&join_pointer(&at.old, key), ChangeKind::EnumValueRemoved, message, v);
                }
                for v in nv.iter().filter(|v| !ov.contains(v)) {
                    let message = format!("enum value {v} was added");
                    self.push_effect(ChangeKind::EnumValueAdded, &at.join(key), message.clone(), Effect::Widened, flow);
                    self.set_value(&join_pointer(&at.new, key), ChangeKind::EnumValueAdded, message, v);
                }
            }
        }
    }

    fn bounds(&mut self, o: &Value, n: &Value, at: &At, flow: Flow) {
        // (keyword, true for upper bounds)
        const BOUNDS: [(&str, bool); 10] = [
            ("maximum", true),
            ("exclusiveMaximum", true),
            ("maxLength", true),
            ("maxItems", true),
            ("maxProperties", true),
            ("minimum", false),
            ("exclusiveMinimum", false),
            ("minLength", false),
            ("minItems", false),
            ("minProperties", false),
        ];
        for (key, upper) in BOUNDS {
            let (ov, nv) = (o.get(key), n.get(key));
            if ov == nv {
                continue;
            }
            let (narrowed, widened) = match (ov.and_then(num), nv.and_then(num)) {
                (Some(a), Some(b)) => {
                    let tighter = if upper { b < a } else { b > a };
                    (tighter, !tighter)
                }
                (None, Some(_)) => (true, false),
                (Some(_), None) => (false, true),
                // OpenAPI 3.0's boolean exclusiveMaximum/Minimum.
                (None, None) => {
                    let (a, b) = (ov.and_then(Value::as_bool).unwrap_or(false), nv.and_then(Value::as_bool).unwrap_or(false));
                    (b && !a, a && !b)
                }
            };
            let effect = Effect::of(narrowed, widened);
            let kind = if narrowed { ChangeKind::ConstraintNarrowed } else { ChangeKind::ConstraintWidened };
            self.push_effect(kind, &at.join(key), format!("`{key}` changed from {} to {}", show(ov), show(nv)), effect, flow);
        }
        for key in ["pattern", "multipleOf"] {
            let (ov, nv) = (o.get(key), n.get(key));
            if ov == nv {
                continue;
            }
            let effect = Effect::of(nv.is_some(), ov.is_some());
            let kind = match effect {
                Effect::Narrowed => ChangeKind::ConstraintNarrowed,
                Effect::Widened => ChangeKind::ConstraintWidened,
                _ => ChangeKind::ConstraintChanged,
            };
            self.push_effect(kind, &at.join(key), format!("`{key}` changed from {} to {}", show(ov), show(nv)), effect, flow);
        }
        let (ou, nu) = (flag(o, "uniqueItems"), flag(n, "uniqueItems"));
        if ou != nu {
            let (kind, effect) =
                if nu { (ChangeKind::ConstraintNarrowed, Effect::Narrowed) } else { (ChangeKind::ConstraintWidened, Effect::Widened) };
            self.push_effect(kind, &at.join("uniqueItems"), format!("`uniqueItems` changed from {ou} to {nu}"), effect, flow);
        }
    }

    fn object(&mut self, o: &Value, n: &Value, at: &At, flow: Flow, origins: (&Origins, &Origins)) {
        let empty = Map::new();
        let op = o.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let np = n.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let required = |v: &Value| -> BTreeSet<String> {
            v.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()
        };
        let (or, nr) = (required(o), required(n));
        let closed = |v: &Value| v.get("additionalProperties") == Some(&Value::Bool(false));
        let (oc, nc) = (closed(o), closed(n));
        // (clients, servers) for a writer or a reader breaking.
        let sides = |writer: bool, reader: bool| -> (bool, bool) {
            match flow {
                Flow::Request => (writer, reader),
                Flow::Response => (reader, writer),
                Flow::Unused => (writer || reader, writer || reader),
            }
        };
        let pat = at.join("properties");
        // Where a property is written (an `allOf` member, for merged schemas).
        let prop_at = |name: &str| {
            let default = pat.join(name);
            At::new(origins.0.get(name).cloned().unwrap_or(default.old), origins.1.get(name).cloned().unwrap_or(default.new))
        };
        for (name, _) in op {
            if np.contains_key(name) {
                continue;
            }
            // Readers that relied on a required property break; writers that still send it
            // break only where the new object is closed.
            let (c, s) = sides(nc, or.contains(name));
            let words = if or.contains(name) { "required" } else { "optional" };
            self.push(ChangeKind::PropertyRemoved, &prop_at(name), Document::Old, format!("{words} property `{name}` was removed"), c, s);
        }
        for (name, nv) in np {
            let Some(ov) = op.get(name) else {
                // Writers must now send a required property; old readers of a closed object
                // reject it.
                let (c, s) = sides(nr.contains(name), oc);
                let words = if nr.contains(name) { "required" } else { "optional" };
                self.push(ChangeKind::PropertyAdded, &prop_at(name), Document::New, format!("{words} property `{name}` was added"), c, s);
                continue;
            };
            let at = prop_at(name);
            match (or.contains(name), nr.contains(name)) {
                (false, true) => self.push_effect(
                    ChangeKind::PropertyBecameRequired,
                    &at,
                    format!("property `{name}` became required"),
                    Effect::Narrowed,
                    flow,
                ),
                (true, false) => self.push_effect(
                    ChangeKind::PropertyBecameOptional,
                    &at,
                    format!("property `{name}` became optional"),
                    Effect::Widened,
                    flow,
                ),
                _ => {}
            }
            self.schema(ov, nv, &at, flow);
        }
        // Required names without a property schema.
        for name in nr.difference(&or).filter(|n| !np.contains_key(*n) && op.is_empty()) {
            self.push_effect(
                ChangeKind::PropertyBecameRequired,
                &at.join("required"),
                format!("property `{name}` became required"),
                Effect::Narrowed,
                flow,
            );
        }
        match (o.get("additionalProperties"), n.get("additionalProperties")) {
            (a, b) if a == b => {}
            (Some(a), Some(b)) if a.is_object() && b.is_object() => self.schema(a, b, &at.join("additionalProperties"), flow),
            (a, b) => {
                let (ac, bc) = (a == Some(&Value::Bool(false)), b == Some(&Value::Bool(false)));
                if ac != bc {
                    let (kind, effect) = if bc {
                        (ChangeKind::ConstraintNarrowed, Effect::Narrowed)
                    } else {
                        (ChangeKind::ConstraintWidened, Effect::Widened)
                    };
                    let words = if bc { "unknown properties are no longer allowed" } else { "unknown properties are now allowed" };
                    self.push_effect(kind, &at.join("additionalProperties"), words.into(), effect, flow);
                } else if a.is_some_and(Value::is_object) != b.is_some_and(Value::is_object) {
                    self.push_effect(
                        ChangeKind::ConstraintChanged,
                        &at.join("additionalProperties"),
                        "the schema of additional properties changed".into(),
                        Effect::Both,
                        flow,
                    );
                }
            }
        }
    }

    fn variants(&mut self, o: &Value, n: &Value, at: &At, flow: Flow, key: &str) {
        let list = |v: &Value| v.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
        let (ol, nl) = (list(o), list(n));
        if ol.is_empty() && nl.is_empty() {
            return;
        }
        let name = |v: &Value| v.get("$ref").and_then(Value::as_str).map(String::from);
        let mut unmatched_new: Vec<usize> = (0..nl.len()).collect();
        let mut pairs = Vec::new();
        let mut removed = Vec::new();
        for (i, ov) in ol.iter().enumerate() {
            let found = match name(ov) {
                Some(r) => unmatched_new.iter().position(|&j| name(&nl[j]).as_deref() == Some(r.as_str())),
                None => unmatched_new.iter().position(|&j| name(&nl[j]).is_none() && type_set(&nl[j]) == type_set(ov)),
            };
            match found {
                Some(pos) => pairs.push((i, unmatched_new.remove(pos))),
                None => removed.push(i),
            }
        }
        // Positional pairing of what is left, when the counts agree.
        if removed.len() == unmatched_new.len() {
            pairs.extend(removed.drain(..).zip(unmatched_new.drain(..)));
        }
        for (i, j) in pairs {
            self.schema(&ol[i], &nl[j], &At::new(format!("{}/{key}/{i}", at.old), format!("{}/{key}/{j}", at.new)), flow);
        }
        let label = |v: &Value| {
            name(v).map_or_else(
                || format!("`{}`", type_set(v).into_iter().collect::<Vec<_>>().join("|")),
                |r| format!("`{}`", r.rsplit('/').next().unwrap_or(&r)),
            )
        };
        for i in removed {
            self.push_effect(
                ChangeKind::VariantRemoved,
                &At::same(format!("{}/{key}/{i}", at.old)),
                format!("`{key}` variant {} was removed", label(&ol[i])),
                Effect::Narrowed,
                flow,
            );
        }
        for j in unmatched_new {
            self.push_effect(
                ChangeKind::VariantAdded,
                &At::same(format!("{}/{key}/{j}", at.new)),
                format!("`{key}` variant {} was added", label(&nl[j])),
                Effect::Widened,
                flow,
            );
        }
    }

    fn all_of(&mut self, o: &Value, n: &Value, at: &At, flow: Flow) {
        let list = |v: &Value| v.get("allOf").and_then(Value::as_array).cloned().unwrap_or_default();
        let (ol, nl) = (list(o), list(n));
        let common = ol.len().min(nl.len());
        for i in 0..common {
            self.schema(&ol[i], &nl[i], &At::new(format!("{}/allOf/{i}", at.old), format!("{}/allOf/{i}", at.new)), flow);
        }
        for i in common..ol.len() {
            self.push_effect(
                ChangeKind::ConstraintWidened,
                &At::new(format!("{}/allOf/{i}", at.old), at.new.clone()),
                format!("`allOf` member {i} was removed"),
                Effect::Widened,
                flow,
            );
        }
        for i in common..nl.len() {
            self.push_effect(
                ChangeKind::ConstraintNarrowed,
                &At::same(format!("{}/allOf/{i}", at.new)),
                format!("`allOf` member {i} was added"),
                Effect::Narrowed,
                flow,
            );
        }
    }

    /// Component schemas no operation reached: added, removed, or compared with both flows.
    fn unused_components(&mut self) {
        let empty = Map::new();
        let old = self.old.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
        let new = self.new.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
        self.op = None;
        for name in old.keys() {
            if !new.contains_key(name) {
                let at = At::same(join_pointer("/components/schemas", name));
                self.push(ChangeKind::SchemaRemoved, &at, Document::Old, format!("schema `{name}` was removed"), false, false);
            }
        }
        for (name, nv) in new {
            let at = At::same(join_pointer("/components/schemas", name));
            match old.get(name) {
                None => self.push(ChangeKind::SchemaAdded, &at, Document::New, format!("schema `{name}` was added"), false, false),
                Some(ov) => {
                    let reached = self.reached.contains(&at.old);
                    if !reached {
                        self.schema(ov, nv, &at, Flow::Unused);
                    }
                }
            }
        }
    }
}

/// Property name -> the pointer of its schema.
type Origins = BTreeMap<String, String>;

/// A schema with its `allOf` members (followed through `$ref`s) merged in: properties and
/// `required` are united, other keywords taken from the first member that has them. Members
/// that are unions (`oneOf`/`anyOf`) are left unmerged. Also returns where each property is
/// written.
fn flatten(doc: &Value, schema: &Value, ptr: &str, depth: usize) -> (Value, Origins) {
    let mut origins = Origins::new();
    let Some(map) = schema.as_object() else { return (schema.clone(), origins) };
    for name in map.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k) {
        origins.insert(name.clone(), join_pointer(&join_pointer(ptr, "properties"), name));
    }
    let Some(members) = map.get("allOf").and_then(Value::as_array) else { return (schema.clone(), origins) };
    let union = |m: &Value| {
        let m = deref(doc, m);
        m.get("oneOf").is_some() || m.get("anyOf").is_some() || !m.is_object()
    };
    if depth > 16 || members.iter().any(union) {
        return (schema.clone(), origins);
    }
    let mut merged = map.clone();
    merged.remove("allOf");
    for (i, member) in members.iter().enumerate() {
        let member_ptr = ref_target(doc, member).unwrap_or_else(|| format!("{ptr}/allOf/{i}"));
        let (flat, member_origins) = flatten(doc, deref(doc, member), &member_ptr, depth + 1);
        for (key, value) in flat.as_object().into_iter().flatten() {
            match key.as_str() {
                "properties" => {
                    if let Some(props) = merged.entry("properties").or_insert_with(|| Value::Object(Map::new())).as_object_mut() {
                        for (name, schema) in value.as_object().into_iter().flatten() {
                            props.entry(name.clone()).or_insert_with(|| schema.clone());
                        }
                    }
                }
                "required" => {
                    if let Some(list) = merged.entry("required").or_insert_with(|| Value::Array(Vec::new())).as_array_mut() {
                        for name in value.as_array().into_iter().flatten() {
                            if !list.contains(name) {
                                list.push(name.clone());
                            }
                        }
                    }
                }
                // A member's documentation is not the composite's.
                "description" | "title" | "example" | "examples" => {}
                _ => {
                    merged.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        for (name, at) in member_origins {
            origins.entry(name).or_insert(at);
        }
    }
    (Value::Object(merged), origins)
}

/// Which operations reach which components (transitively), in either document.
struct OperationReach {
    by_component: BTreeMap<String, BTreeSet<String>>,
}

impl OperationReach {
    fn new(old: &Value, new: &Value) -> Self {
        let mut by_component: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for doc in [old, new] {
            for op in operations(doc).values() {
                let mut seen = BTreeSet::new();
                let mut stack = vec![op.op, op.item];
                while let Some(v) = stack.pop() {
                    match v {
                        Value::Object(m) => {
                            if let Some(r) = m.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
                                if seen.insert(r.to_string()) {
                                    if let Some(t) = doc.pointer(r) {
                                        stack.push(t);
                                    }
                                }
                            }
                            stack.extend(m.values());
                        }
                        Value::Array(a) => stack.extend(a),
                        _ => {}
                    }
                }
                for r in seen {
                    by_component.entry(r).or_default().insert(op.label.clone());
                }
            }
        }
        Self { by_component }
    }

    /// Adds every operation that reaches the component the change is in.
    fn complete(&self, change: &mut SpecChange) {
        let Some(rest) = change.pointer.strip_prefix("/components/") else { return };
        let mut parts = rest.splitn(3, '/');
        let (Some(section), Some(name)) = (parts.next(), parts.next()) else { return };
        let key = format!("/components/{section}/{name}");
        for op in self.by_component.get(&key).into_iter().flatten() {
            if !change.operations.contains(op) {
                change.operations.push(op.clone());
            }
        }
        change.operations.sort();
    }
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(none)".to_string(), |v| format!("`{v}`"))
}

/// True when the value holds no `$ref` (so equal values mean equal schemas).
fn ref_free(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.contains_key("$ref") && m.values().all(ref_free),
        Value::Array(a) => a.iter().all(ref_free),
        _ => true,
    }
}

/// `true`/`false` schemas as objects.
fn bool_schema(v: &Value) -> Value {
    match v {
        Value::Bool(true) => Value::Object(Map::new()),
        Value::Bool(false) => serde_json::json!({ "not": {} }),
        other => other.clone(),
    }
}

/// The JSON types a schema allows, `null` included (3.1 type arrays and 3.0 `nullable`).
/// Empty when the schema does not say.
fn type_set(v: &Value) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = match v.get("type") {
        Some(Value::String(t)) => [t.clone()].into(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(String::from).collect(),
        _ => BTreeSet::new(),
    };
    if !out.is_empty() && flag(v, "nullable") {
        out.insert("null".into());
    }
    out
}

/// `/paths/~1users/get` for an operation label.
pub fn operation_pointer(path: &str, method: &str) -> String {
    format!("/paths/{}/{}", escape_token(path), method.to_ascii_lowercase())
}
