//! The server side: the raw text of a request -> any `DeserializeOwned` value.
//!
//! Reading is two steps. [`collect`] finds the parameter's text in its location and splits it
//! by the style into one scalar, a list of items or a list of key/value pairs, on the raw
//! (still percent-encoded) bytes, so that a delimiter sent as `%2C` stays data. Then a serde
//! `Deserializer` hands the pieces to the target type, percent-decoding each one on its own
//! (borrowed unless it holds an escape): a typed target parses the text as what it asks for
//! (`deserialize_i64` parses an integer), an untyped one (`deserialize_any`: untagged unions,
//! `serde_json::Value`) gets the first kind of the [`Shape`] the text is a value of.

use std::borrow::Cow;

use base64::Engine as _;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::{Kinds, Location, Mode, Param, ParamError, Shape, Style};

/// The raw text of a request that a parameter is read from.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// The text the path template expression matched, still percent-encoded (see
    /// [`path_capture`]; not what a router decoded: a decoded `/` or `,` cannot be told from a
    /// delimiter).
    Path(&'a str),
    /// The whole query string, without `?` (empty when there is none).
    Query(&'a str),
    /// Every line of the parameter's header, in order (several lines are one comma-separated
    /// list, as HTTP defines).
    Header(&'a [&'a [u8]]),
    /// Every line of the request's `Cookie` header.
    Cookie(&'a [&'a [u8]]),
}

impl Input<'_> {
    fn location(&self) -> Location {
        match self {
            Input::Path(_) => Location::Path,
            Input::Query(_) => Location::Query,
            Input::Header(_) => Location::Header,
            Input::Cookie(_) => Location::Cookie,
        }
    }
}

/// Reads a parameter: `Ok(None)` when it is absent (the caller decides whether that is
/// allowed), else the value.
///
/// The style's empty form (`color=`, `;color`, `.`, an empty header) is `null` when the shape
/// is nullable, else the empty string, array or object.
///
/// # Errors
///
/// [`super::ParamErrorKind::Invalid`] when the text is not a value of `T` (the message says
/// what was expected, never the text), [`super::ParamErrorKind::Undefined`] for a combination
/// OpenAPI leaves undefined or `input` from another location than the parameter's.
pub fn decode<T: DeserializeOwned>(param: &Param<'_>, input: Input<'_>) -> Result<Option<T>, ParamError> {
    let mode = param.shape.mode();
    param.check_kind(mode)?;
    if input.location() != param.location {
        return Err(param.undefined(format!("a {} parameter read from the {}", param.location.as_str(), input.location().as_str())));
    }
    let mut scratch = Vec::new();
    let collected = collect(param, input, mode, &mut scratch)?;
    if let Collected::Absent = collected {
        return Ok(None);
    }
    T::deserialize(Top { collected, shape: param.shape }).map(Some).map_err(|e| param.invalid(e.0))
}

/// The raw (still percent-encoded) text that the expression `{name}` of a path `template`
/// (`/items/{id}`, `/files/{name}.{ext}`) matched in `path` (the request's path, not decoded),
/// or `None` when the template has no such expression or the path does not fit it (see
/// [`path_matches`]).
pub fn path_capture<'p>(template: &str, path: &'p str, name: &str) -> Option<&'p str> {
    if let Some(answer) = whole_segment_capture(template, path, name) {
        return answer;
    }
    let mut found = None;
    let fits = match_template(template, path, &mut |var, raw| {
        if found.is_none() && var == name {
            found = Some(raw);
        }
    });
    if fits {
        found
    } else {
        None
    }
}

/// How one segment of a path template reads for the whole-segment fast paths: `Some(None)`
/// literal text, `Some(Some(name))` one whole expression `{name}`, `None` anything else (text
/// around an expression, several expressions, an empty name), which the general matcher reads.
fn whole_segment(pattern: &str) -> Option<Option<&str>> {
    if !pattern.bytes().any(|b| b == b'{') {
        return Some(None);
    }
    let var = pattern.strip_prefix('{')?.strip_suffix('}')?;
    (!var.is_empty() && !var.bytes().any(|b| b == b'{' || b == b'}')).then_some(Some(var))
}

/// Whether every segment of `template` is literal text or one whole expression
/// (`/users/{id}/posts`): [`path_capture`] reads such a template segment against segment, and
/// any path the router's route of it (`server::axum_route`) matched fits it.
#[cfg(feature = "server")]
pub(crate) fn whole_segment_template(template: &str) -> bool {
    template.split('/').all(|segment| whole_segment(segment).is_some())
}

/// [`path_capture`] for a template whose segments are each literal text or one whole
/// expression (`/users/{id}/posts`, most templates), segment against segment without parsing
/// each one (it runs once per path parameter of every request); `None` for any other template.
fn whole_segment_capture<'p>(template: &str, path: &'p str, name: &str) -> Option<Option<&'p str>> {
    // Byte searches (segments are short: a loop beats `str::find`'s char searcher here).
    fn cut(text: &str) -> (&str, Option<&str>) {
        match text.bytes().position(|b| b == b'/') {
            Some(slash) => (&text[..slash], Some(&text[slash + 1..])),
            None => (text, None),
        }
    }
    let (mut template, mut path) = (template, path);
    let mut found = None;
    loop {
        let ((pattern, more_pattern), (segment, more_path)) = (cut(template), cut(path));
        match whole_segment(pattern)? {
            // A whole-segment expression takes the whole segment, empty or not.
            Some(var) if var == name && found.is_none() => found = Some(segment),
            Some(_) => {}
            // A literal segment that differs: the path does not fit, whatever follows.
            None if pattern != segment => return Some(None),
            None => {}
        }
        match (more_pattern, more_path) {
            (Some(next_pattern), Some(next_path)) => (template, path) = (next_pattern, next_path),
            (None, None) => return Some(found),
            // Not as many segments: no fit.
            _ => return Some(None),
        }
    }
}

/// Whether `path` (the request's path, not decoded) fits the OpenAPI path `template`: the
/// same number of segments, literal segments equal, and in each segment with expressions
/// (`v{page}.{kind}`) the literal pieces found in order around them. An expression extends to
/// the first occurrence of the literal that follows it, or, before the segment's last literal,
/// to where that literal ends the segment. A `{` without its `}` is literal text.
pub fn path_matches(template: &str, path: &str) -> bool {
    match_template(template, path, &mut |_, _| {})
}

/// Matches `path` against `template` segment by segment, calling `capture` with each
/// expression's name and raw text; `false` when the path does not fit.
fn match_template<'p>(template: &str, path: &'p str, capture: &mut impl FnMut(&str, &'p str)) -> bool {
    // Split on the ASCII byte `/` (a byte search, cheaper than `str::split`'s char searcher on
    // every request); both sides stay `str`s, cut at ASCII boundaries.
    fn split(text: &str) -> impl Iterator<Item = &str> {
        text.as_bytes().split(|&b| b == b'/').map(|piece| {
            let start = piece.as_ptr() as usize - text.as_ptr() as usize;
            &text[start..start + piece.len()]
        })
    }
    let mut segments = split(path);
    for pattern in split(template) {
        let Some(segment) = segments.next() else { return false };
        if !match_segment(pattern, segment, capture) {
            return false;
        }
    }
    segments.next().is_none()
}

/// Splits `pattern` at its first expression: the literal before it, and the expression's name
/// and the rest after it (`None` when there is no complete expression left).
fn next_expression(pattern: &str) -> (&str, Option<(&str, &str)>) {
    if let Some(open) = pattern.find('{') {
        if let Some((var, tail)) = pattern[open + 1..].split_once('}') {
            return (&pattern[..open], Some((var, tail)));
        }
    }
    (pattern, None)
}

/// One segment of [`match_template`].
fn match_segment<'p>(mut pattern: &str, segment: &'p str, capture: &mut impl FnMut(&str, &'p str)) -> bool {
    let mut rest = segment;
    loop {
        let (literal, expression) = next_expression(pattern);
        let Some(after) = rest.strip_prefix(literal) else { return false };
        rest = after;
        let Some((var, tail)) = expression else { return rest.is_empty() };
        let (following, next) = next_expression(tail);
        let end = if following.is_empty() {
            // The end of the segment (a next expression right after this one matches the
            // empty text).
            rest.len()
        } else if next.is_none() {
            // The segment's last literal: it ends the segment.
            match rest.len().checked_sub(following.len()) {
                Some(end) if rest.ends_with(following) => end,
                _ => return false,
            }
        } else {
            match rest.find(following) {
                Some(end) => end,
                None => return false,
            }
        };
        capture(var, &rest[..end]);
        rest = &rest[end..];
        pattern = tail;
    }
}

/// Reads a parameter from a request head: the path through [`path_capture`] against the
/// operation's path `template`, the query string, the parameter's header lines or the
/// `Cookie` lines. As [`decode`].
///
/// # Errors
///
/// As [`decode`].
#[cfg(feature = "server")]
pub fn from_request<T: DeserializeOwned>(
    param: &Param<'_>,
    template: &str,
    parts: &axum::http::request::Parts,
) -> Result<Option<T>, ParamError> {
    match param.location {
        Location::Path => match path_capture(template, parts.uri.path(), param.name) {
            Some(raw) => decode(param, Input::Path(raw)),
            None => Ok(None),
        },
        Location::Query => decode(param, Input::Query(parts.uri.query().unwrap_or_default())),
        Location::Header => with_lines(&parts.headers, param.name, |lines| decode(param, Input::Header(lines))),
        Location::Cookie => with_lines(&parts.headers, "cookie", |lines| decode(param, Input::Cookie(lines))),
    }
}

/// Calls `f` with the lines of header `name`, without allocating for zero or one line.
#[cfg(feature = "server")]
fn with_lines<R>(headers: &axum::http::HeaderMap, name: &str, f: impl FnOnce(&[&[u8]]) -> R) -> R {
    let all = headers.get_all(name);
    let mut lines = all.iter();
    match (lines.next(), lines.next()) {
        (None, _) => f(&[]),
        (Some(one), None) => f(&[one.as_bytes()]),
        (Some(first), Some(second)) => {
            let all: Vec<&[u8]> = [first, second].into_iter().chain(lines).map(|v| v.as_bytes()).collect();
            f(&all)
        }
    }
}

/// A piece of raw text and how it is unescaped.
#[derive(Debug, Clone, Copy)]
struct Raw<'a> {
    bytes: &'a [u8],
    /// `+` is a space (query strings, `application/x-www-form-urlencoded`).
    plus: bool,
}

impl<'a> Raw<'a> {
    fn new(bytes: &'a [u8], plus: bool) -> Self {
        Self { bytes, plus }
    }

    /// The bytes, percent-decoded; borrowed unless there was something to decode.
    fn decoded(self) -> Cow<'a, [u8]> {
        let plus = self.plus && self.bytes.contains(&b'+');
        if !plus && !self.bytes.contains(&b'%') {
            return Cow::Borrowed(self.bytes);
        }
        if plus {
            let spaced: Vec<u8> = self.bytes.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
            Cow::Owned(percent_encoding::percent_decode(&spaced).collect())
        } else {
            percent_encoding::percent_decode(self.bytes).into()
        }
    }

    /// The text, percent-decoded; it must be UTF-8.
    fn text(self) -> Result<Cow<'a, str>, DeError> {
        match self.decoded() {
            Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(|_| DeError::not_utf8()),
            Cow::Owned(b) => String::from_utf8(b).map(Cow::Owned).map_err(|_| DeError::not_utf8()),
        }
    }
}

/// What [`collect`] found.
#[derive(Debug)]
enum Collected<'a> {
    Absent,
    /// The style's empty form, for a nullable shape.
    Null,
    Scalar(Raw<'a>),
    Seq(Vec<Raw<'a>>),
    Map(Vec<(Cow<'a, str>, Raw<'a>)>),
}

/// The empty form: `null` when the shape admits it, else the empty value of the mode.
fn empty<'a>(shape: &Shape<'_>, mode: Mode, plus: bool) -> Collected<'a> {
    if shape.is_nullable() {
        return Collected::Null;
    }
    match mode {
        Mode::Scalar => Collected::Scalar(Raw::new(&[], plus)),
        Mode::Array => Collected::Seq(Vec::new()),
        Mode::Object => Collected::Map(Vec::new()),
    }
}

/// Splits `bytes` on `delimiter`.
fn split(bytes: &[u8], delimiter: u8) -> impl Iterator<Item = &[u8]> {
    bytes.split(move |&b| b == delimiter)
}

/// Splits on any of the encodings of a delimiter (`%20`, `+` and ` ` for spaces; `%7C`, `%7c`
/// and `|` for pipes).
fn split_any<'a>(bytes: &'a [u8], forms: &[&[u8]]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(form) = forms.iter().find(|f| bytes[i..].starts_with(f)) {
            out.push(&bytes[start..i]);
            i += form.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&bytes[start..]);
    out
}

/// `key=value` (or `key` alone, with an empty value).
fn key_value(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.iter().position(|&b| b == b'=') {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &[]),
    }
}

fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// A key, percent-decoded (lossy: a key is only compared and handed on as text).
fn key_text(raw: Raw<'_>) -> Cow<'_, str> {
    match raw.decoded() {
        Cow::Borrowed(b) => String::from_utf8_lossy(b),
        Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
    }
}

/// Whether a raw key is `name`, comparing without decoding when nothing is escaped.
fn key_is(raw: &[u8], name: &str, plus: bool) -> bool {
    let escaped = raw.contains(&b'%') || (plus && raw.contains(&b'+'));
    if !escaped {
        return raw == name.as_bytes();
    }
    key_text(Raw::new(raw, plus)) == name
}

/// The text of one value split by the style: one scalar, items on `delimiter`, or an object as
/// `k=v` pieces on `delimiter` (`pairs`) or alternating keys and values (`k,v,k,v`).
fn from_body<'a>(
    param: &Param<'_>,
    body: Raw<'a>,
    mode: Mode,
    delimiter: u8,
    pairs: bool,
    trim: bool,
) -> Result<Collected<'a>, ParamError> {
    let plus = body.plus;
    let piece = |b: &'a [u8]| Raw::new(if trim { trim_ows(b) } else { b }, plus);
    let bytes = if trim { trim_ows(body.bytes) } else { body.bytes };
    if bytes.is_empty() {
        return Ok(empty(param.shape, mode, plus));
    }
    Ok(match mode {
        Mode::Scalar => Collected::Scalar(Raw::new(bytes, plus)),
        Mode::Array => Collected::Seq(split(bytes, delimiter).map(piece).collect()),
        Mode::Object if pairs => Collected::Map(
            split(bytes, delimiter)
                .map(|p| {
                    let (k, v) = key_value(p);
                    if !p.contains(&b'=') {
                        return Err(param.invalid("each property must be written `name=value`"));
                    }
                    Ok((key_text(piece(k)), piece(v)))
                })
                .collect::<Result<_, _>>()?,
        ),
        Mode::Object => alternating(param, split(bytes, delimiter).map(piece).collect())?,
    })
}

/// `k,v,k,v` -> an object.
fn alternating<'a>(param: &Param<'_>, pieces: Vec<Raw<'a>>) -> Result<Collected<'a>, ParamError> {
    if !pieces.len().is_multiple_of(2) {
        return Err(param.invalid("an object must be written as names and values in turn"));
    }
    Ok(Collected::Map(pieces.chunks_exact(2).map(|kv| (key_text(kv[0]), kv[1])).collect()))
}

/// The pairs of a query string or of `Cookie` lines.
fn pairs<'a>(input: Input<'a>) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
    let (query, cookies): (&'a [u8], &'a [&'a [u8]]) = match input {
        Input::Query(q) => (q.as_bytes(), &[]),
        Input::Cookie(lines) => (&[], lines),
        Input::Path(_) | Input::Header(_) => (&[], &[]),
    };
    let query = split(query, b'&').filter(|p| !p.is_empty()).map(key_value);
    let cookies = cookies.iter().flat_map(|line| split(line, b';')).map(trim_ows).filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = key_value(p);
        // RFC 6265 allows a cookie value in double quotes.
        let v = match v {
            [b'"', inner @ .., b'"'] => inner,
            other => other,
        };
        (trim_ows(k), v)
    });
    query.chain(cookies)
}

/// Finds and splits the parameter's text.
fn collect<'a>(param: &Param<'_>, input: Input<'a>, mode: Mode, scratch: &'a mut Vec<u8>) -> Result<Collected<'a>, ParamError> {
    let explode = param.explode;
    match input {
        Input::Path(text) => {
            let bytes = text.as_bytes();
            match param.style {
                Style::Simple => from_body(param, Raw::new(bytes, false), mode, b',', explode, false),
                Style::Label => {
                    let body = bytes.strip_prefix(b".").ok_or_else(|| param.invalid("a label-style value starts with `.`"))?;
                    let delimiter = if explode && mode != Mode::Scalar { b'.' } else { b',' };
                    from_body(param, Raw::new(body, false), mode, delimiter, explode, false)
                }
                Style::Matrix => matrix(param, bytes, mode),
                _ => Err(param.undefined(format!("style `{}` is not defined for path parameters", param.style.as_str()))),
            }
        }
        Input::Header(lines) => {
            let body: &'a [u8] = match lines {
                [] => return Ok(Collected::Absent),
                [one] => one,
                // Several lines are one list: joined as HTTP does.
                many => {
                    *scratch = many.join(&b","[..]);
                    scratch.as_slice()
                }
            };
            from_body(param, Raw::new(body, false), mode, b',', explode, true)
        }
        Input::Query(_) | Input::Cookie(_) => {
            let plus = matches!(input, Input::Query(_));
            let own = move || pairs(input).filter(move |(k, _)| key_is(k, param.name, plus));
            let first = || own().next().map(|(_, v)| Raw::new(v, plus));
            match (param.style, mode) {
                (Style::Form, Mode::Array) if explode => {
                    let items: Vec<Raw<'a>> = own().map(|(_, v)| Raw::new(v, plus)).collect();
                    Ok(match items.as_slice() {
                        [] => Collected::Absent,
                        [only] if only.bytes.is_empty() => empty(param.shape, mode, plus),
                        _ => Collected::Seq(items),
                    })
                }
                (Style::Form, Mode::Object) if explode => Ok(exploded_object(param, input, plus)),
                (Style::Form, _) => match first() {
                    None => Ok(Collected::Absent),
                    Some(body) => from_body(param, body, mode, b',', false, false),
                },
                (Style::SpaceDelimited | Style::PipeDelimited, _) => {
                    let Some(body) = first() else { return Ok(Collected::Absent) };
                    if body.bytes.is_empty() {
                        return Ok(empty(param.shape, mode, plus));
                    }
                    let forms: &[&[u8]] =
                        if param.style == Style::SpaceDelimited { &[b"%20", b"+", b" "] } else { &[b"%7C", b"%7c", b"|"] };
                    let pieces: Vec<Raw<'a>> = split_any(body.bytes, forms).into_iter().map(|p| Raw::new(p, plus)).collect();
                    match mode {
                        Mode::Object => alternating(param, pieces),
                        _ => Ok(Collected::Seq(pieces)),
                    }
                }
                (Style::DeepObject, _) => deep_object(param, input, mode, plus),
                _ => Err(param.undefined(format!("style `{}` is not defined here", param.style.as_str()))),
            }
        }
    }
}

/// `;color=...` (one part), or `;color=a;color=b` and `;R=100;G=200` exploded.
fn matrix<'a>(param: &Param<'_>, bytes: &'a [u8], mode: Mode) -> Result<Collected<'a>, ParamError> {
    let body = bytes.strip_prefix(b";").ok_or_else(|| param.invalid("a matrix-style value starts with `;`"))?;
    let parts: Vec<&'a [u8]> = split(body, b';').collect();
    // `;color` alone is the empty form.
    if let [only] = parts.as_slice() {
        if !only.contains(&b'=') && key_is(only, param.name, false) {
            return Ok(empty(param.shape, mode, false));
        }
    }
    match mode {
        Mode::Array if param.explode => {
            let mut items = Vec::with_capacity(parts.len());
            for part in parts {
                let (k, v) = key_value(part);
                if !key_is(k, param.name, false) {
                    return Err(param.invalid(format!("each item must be written `;{}=value`", param.name)));
                }
                items.push(Raw::new(v, false));
            }
            Ok(Collected::Seq(items))
        }
        Mode::Object if param.explode => {
            Ok(Collected::Map(parts.into_iter().map(key_value).map(|(k, v)| (key_text(Raw::new(k, false)), Raw::new(v, false))).collect()))
        }
        _ => match parts.as_slice() {
            [one] if key_is(key_value(one).0, param.name, false) => {
                from_body(param, Raw::new(key_value(one).1, false), mode, b',', false, false)
            }
            _ => Err(param.invalid(format!("a matrix-style value is written `;{}=value`", param.name))),
        },
    }
}

/// `R=100&G=200` (query) or `R=100; G=200` (cookies): the pairs of the shape's properties, or
/// of every name but the operation's other parameters when the object admits any property.
/// `color=` alone is the empty form.
fn exploded_object<'a>(param: &Param<'_>, input: Input<'a>, plus: bool) -> Collected<'a> {
    let shape = param.shape;
    let mut entries = Vec::new();
    let mut marker = false;
    for (k, v) in pairs(input) {
        let key = key_text(Raw::new(k, plus));
        let declared = shape.properties.iter().any(|(name, _)| *name == key);
        if !declared && key == param.name && v.is_empty() {
            marker = true;
            continue;
        }
        let claimed = declared || (shape.open() && !param.siblings.contains(&key.as_ref()));
        if !claimed {
            continue;
        }
        entries.push((key, Raw::new(v, plus)));
    }
    match (entries.is_empty(), marker) {
        (false, _) => Collected::Map(entries),
        (true, true) => empty(shape, Mode::Object, plus),
        (true, false) => Collected::Absent,
    }
}

/// `color[R]=100&color[G]=200` (brackets usually percent-encoded); `color=` alone is the empty
/// form.
fn deep_object<'a>(param: &Param<'_>, input: Input<'a>, mode: Mode, plus: bool) -> Result<Collected<'a>, ParamError> {
    let mut entries = Vec::new();
    let mut marker = false;
    for (k, v) in pairs(input) {
        let key = key_text(Raw::new(k, plus));
        let name = param.name;
        let ours = key.len() >= name.len() + 2 && key.starts_with(name) && key[name.len()..].starts_with('[') && key.ends_with(']');
        if !ours {
            marker |= key == name && v.is_empty();
            continue;
        }
        let range = name.len() + 1..key.len() - 1;
        if key[range.clone()].contains(['[', ']']) {
            return Err(param.undefined("nested objects are not defined for style `deepObject`".into()));
        }
        let inner = match key {
            Cow::Borrowed(k) => Cow::Borrowed(&k[range]),
            Cow::Owned(k) => Cow::Owned(k[range].to_string()),
        };
        entries.push((inner, Raw::new(v, plus)));
    }
    Ok(match (entries.is_empty(), marker) {
        (false, _) => Collected::Map(entries),
        (true, true) => empty(param.shape, mode, plus),
        (true, false) => Collected::Absent,
    })
}

/// A deserialization error. Its message never holds the text it was given.
#[derive(Debug)]
struct DeError(String);

impl DeError {
    fn not_utf8() -> Self {
        Self("must be UTF-8 text".into())
    }

    fn expected(what: impl std::fmt::Display) -> Self {
        Self(format!("must be {what}"))
    }
}

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }

    // serde's defaults quote the unexpected value; these name only its kind.
    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self(format!("must be {expected}, not {}", kind_of(unexpected)))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self(format!("must be {expected}, not this {}", kind_of(unexpected)))
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        let names: Vec<String> = expected.iter().map(|v| format!("`{v}`")).collect();
        Self(format!("must be one of {}", names.join(", ")))
    }

    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Self("has a property the schema does not allow".into())
    }
}

/// The kind of an unexpected value, without the value.
fn kind_of(unexpected: de::Unexpected<'_>) -> &'static str {
    use de::Unexpected as U;
    match unexpected {
        U::Bool(_) => "boolean",
        U::Unsigned(_) | U::Signed(_) => "integer",
        U::Float(_) => "number",
        U::Char(_) | U::Str(_) => "string",
        U::Bytes(_) => "byte string",
        U::Unit | U::Option => "empty value",
        U::Seq => "array",
        U::Map => "object",
        _ => "value",
    }
}

/// Whether `text` is a JSON number (`-12`, `1.5e3`; not `+1`, `.5`, `NaN`, `inf`).
fn is_json_number(text: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let s = text.strip_prefix('-').unwrap_or(text);
    let int = digits(s);
    if int == 0 {
        return false;
    }
    let mut rest = &s[int..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = digits(frac);
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    if let Some(exp) = rest.strip_prefix(['e', 'E']) {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        let n = digits(exp);
        if n == 0 {
            return false;
        }
        rest = &exp[n..];
    }
    rest.is_empty()
}

/// Scalar targets of [`Top`] read its one piece with the piece's typed method.
macro_rules! to_piece {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.piece()?.$method(visitor)
        }
    )*};
}

/// The whole parameter.
struct Top<'a, 's> {
    collected: Collected<'a>,
    shape: &'s Shape<'s>,
}

impl<'de> de::Deserializer<'de> for Top<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.collected {
            Collected::Absent | Collected::Null => visitor.visit_unit(),
            Collected::Scalar(raw) => Piece::raw(raw, self.shape).deserialize_any(visitor),
            Collected::Seq(items) => visitor.visit_seq(Items::new(items, self.shape.item())),
            Collected::Map(entries) => visitor.visit_map(Entries::new(entries, self.shape)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.collected {
            Collected::Absent | Collected::Null => visitor.visit_none(),
            Collected::Scalar(raw) => Piece::raw(raw, self.shape).deserialize_option(visitor),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.collected {
            Collected::Absent | Collected::Null => visitor.visit_seq(Items::new(Vec::new(), self.shape)),
            Collected::Seq(items) => visitor.visit_seq(Items::new(items, self.shape.item())),
            Collected::Scalar(raw) => Piece::raw(raw, self.shape).deserialize_seq(visitor),
            Collected::Map(_) => Err(de::Error::invalid_type(de::Unexpected::Map, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.collected {
            Collected::Absent | Collected::Null => visitor.visit_map(Entries::new(Vec::new(), self.shape)),
            Collected::Map(entries) => visitor.visit_map(Entries::new(entries, self.shape)),
            Collected::Scalar(raw) => Piece::raw(raw, self.shape).deserialize_map(visitor),
            Collected::Seq(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.piece()?.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.piece()?.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    to_piece! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier
    }
}

impl<'a, 's> Top<'a, 's> {
    /// The one piece of text of a scalar target: the scalar, or the empty text of the empty
    /// form.
    fn piece(self) -> Result<Piece<'a, 's>, DeError> {
        match self.collected {
            Collected::Scalar(raw) => Ok(Piece::raw(raw, self.shape)),
            Collected::Absent | Collected::Null => Ok(Piece::raw(Raw::new(&[], false), self.shape)),
            Collected::Seq(_) => Err(DeError::expected("one value, not an array")),
            Collected::Map(_) => Err(DeError::expected("one value, not an object")),
        }
    }
}

/// One piece of text: a scalar parameter, an item, a key or a property value.
struct Piece<'a, 's> {
    text: Text<'a>,
    shape: &'s Shape<'s>,
}

/// Raw text, or text already decoded (keys).
enum Text<'a> {
    Raw(Raw<'a>),
    Decoded(Cow<'a, str>),
}

impl<'a, 's> Piece<'a, 's> {
    fn raw(raw: Raw<'a>, shape: &'s Shape<'s>) -> Self {
        Self { text: Text::Raw(raw), shape }
    }

    fn is_empty(&self) -> bool {
        match &self.text {
            Text::Raw(raw) => raw.bytes.is_empty(),
            Text::Decoded(text) => text.is_empty(),
        }
    }

    fn text(self) -> Result<Cow<'a, str>, DeError> {
        match self.text {
            Text::Raw(raw) => raw.text(),
            Text::Decoded(text) => Ok(text),
        }
    }

    fn bytes(self) -> Cow<'a, [u8]> {
        match self.text {
            Text::Raw(raw) => raw.decoded(),
            Text::Decoded(Cow::Borrowed(text)) => Cow::Borrowed(text.as_bytes()),
            Text::Decoded(Cow::Owned(text)) => Cow::Owned(text.into_bytes()),
        }
    }

    /// The octets a `format: byte` or `binary` value carries.
    fn octets(self) -> Result<Cow<'a, [u8]>, DeError> {
        if self.shape.kinds.contains(Kinds::BYTE) {
            let text = self.text()?;
            base64::engine::general_purpose::STANDARD.decode(text.as_bytes()).map(Cow::Owned).map_err(|_| DeError::expected("base64 text"))
        } else {
            Ok(self.bytes())
        }
    }

    fn visit_text<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.text()? {
            Cow::Borrowed(text) => visitor.visit_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn parse<T: std::str::FromStr>(self, what: &str) -> Result<T, DeError> {
        self.text()?.parse().map_err(|_| DeError::expected(what))
    }
}

macro_rules! parse_integers {
    ($($method:ident $visit:ident $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            visitor.$visit(self.parse::<$ty>("an integer")?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Piece<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let kinds = self.shape.kinds;
        if self.is_empty() {
            return if kinds.contains(Kinds::NULL) {
                visitor.visit_unit()
            } else if kinds.intersects(Kinds::STRING.with(Kinds::BYTE).with(Kinds::BINARY)) {
                visitor.visit_str("")
            } else {
                Err(DeError::expected(kinds.describe()))
            };
        }
        if kinds.contains(Kinds::BINARY) && !kinds.contains(Kinds::STRING) {
            return match self.octets()? {
                Cow::Borrowed(b) => visitor.visit_bytes(b),
                Cow::Owned(b) => visitor.visit_byte_buf(b),
            };
        }
        let text = self.text()?;
        if kinds.contains(Kinds::BOOLEAN) {
            match text.as_ref() {
                "true" => return visitor.visit_bool(true),
                "false" => return visitor.visit_bool(false),
                _ => {}
            }
        }
        if kinds.intersects(Kinds::INTEGER.with(Kinds::NUMBER)) && is_json_number(&text) {
            if let Ok(n) = text.parse::<i64>() {
                return visitor.visit_i64(n);
            }
            if let Ok(n) = text.parse::<u64>() {
                return visitor.visit_u64(n);
            }
            if kinds.contains(Kinds::NUMBER) {
                if let Ok(x) = text.parse::<f64>() {
                    return visitor.visit_f64(x);
                }
            }
        }
        if kinds.intersects(Kinds::STRING.with(Kinds::BYTE)) || kinds == Kinds(0) {
            return match text {
                Cow::Borrowed(text) => visitor.visit_str(text),
                Cow::Owned(text) => visitor.visit_string(text),
            };
        }
        Err(DeError::expected(kinds.describe()))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.text()?.as_ref() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(DeError::expected("true or false")),
        }
    }

    parse_integers! {
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_i128 visit_i128 i128,
        deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16, deserialize_u32 visit_u32 u32,
        deserialize_u64 visit_u64 u64, deserialize_u128 visit_u128 u128,
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let x: f32 = self.parse("a number")?;
        if !x.is_finite() {
            return Err(DeError::expected("a number"));
        }
        visitor.visit_f32(x)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let x: f64 = self.parse("a number")?;
        if !x.is_finite() {
            return Err(DeError::expected("a number"));
        }
        visitor.visit_f64(x)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let text = self.text()?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => Err(DeError::expected("one character")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.visit_text(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.visit_text(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.octets()? {
            Cow::Borrowed(b) => visitor.visit_bytes(b),
            Cow::Owned(b) => visitor.visit_byte_buf(b),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let stringy = self.shape.kinds.intersects(Kinds::STRING.with(Kinds::BYTE).with(Kinds::BINARY));
        if self.is_empty() && (self.shape.is_nullable() || !stringy) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.is_empty() {
            visitor.visit_unit()
        } else {
            Err(DeError::expected("empty"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    /// Bytes (`Vec<u8>`) for `format: byte`/`binary`; no other array fits in one piece.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.shape.kinds.intersects(Kinds::BYTE.with(Kinds::BINARY)) {
            let octets = self.octets()?;
            return visitor.visit_seq(de::value::SeqDeserializer::<_, DeError>::new(octets.iter().copied()));
        }
        Err(DeError("arrays inside an array or object are not defined for parameters".into()))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, DeError> {
        Err(DeError("objects inside an array or object are not defined for parameters".into()))
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    /// Unit variants by name (a string enum).
    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_enum(self.text()?.into_deserializer())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.visit_text(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// The items of an array.
struct Items<'a, 's> {
    items: std::vec::IntoIter<Raw<'a>>,
    shape: &'s Shape<'s>,
}

impl<'a, 's> Items<'a, 's> {
    fn new(items: Vec<Raw<'a>>, shape: &'s Shape<'s>) -> Self {
        Self { items: items.into_iter(), shape }
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(raw) => seed.deserialize(Piece::raw(raw, self.shape)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The properties of an object.
struct Entries<'a, 's> {
    entries: std::vec::IntoIter<(Cow<'a, str>, Raw<'a>)>,
    value: Option<(Raw<'a>, &'s Shape<'s>)>,
    shape: &'s Shape<'s>,
}

impl<'a, 's> Entries<'a, 's> {
    fn new(entries: Vec<(Cow<'a, str>, Raw<'a>)>, shape: &'s Shape<'s>) -> Self {
        Self { entries: entries.into_iter(), value: None, shape }
    }
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some((value, self.shape.property(&key)));
        seed.deserialize(Piece { text: Text::Decoded(key), shape: &Shape::STRING }).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (raw, shape) = self.value.take().ok_or_else(|| DeError("a value without a key".into()))?;
        seed.deserialize(Piece::raw(raw, shape))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general matcher's answer, for comparison with the fast path.
    fn general<'p>(template: &str, path: &'p str, name: &str) -> Option<&'p str> {
        let mut found = None;
        let fits = match_template(template, path, &mut |var, raw| {
            if found.is_none() && var == name {
                found = Some(raw);
            }
        });
        fits.then_some(found).flatten()
    }

    #[test]
    fn whole_segment_captures_answer_as_the_general_matcher() {
        let templates = ["/users/{id}", "/users/{id}/posts/{post}", "/{a}/{a}", "users/{id}", "/", "/a/b", "/x}/{id}", "/{id}/"];
        let paths = ["/users/7", "/users/7/posts/9", "/users/", "/users//posts/", "/users/7/x", "/a/b", "/x}/3", "/7/", "", "/users/a%2Fb"];
        let mut compared = 0;
        for template in templates {
            for path in paths {
                for name in ["id", "post", "a", "zz"] {
                    let fast = whole_segment_capture(template, path, name).expect("a whole-segment template");
                    assert_eq!(fast, general(template, path, name), "{template} {path} {name}");
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, 320);
        // Other templates go to the general matcher once the walk reaches their first segment
        // of another kind (before it, a path that does not fit is answered at once); either
        // way `path_capture` answers as the general matcher.
        for (other, path) in [("/v{page}.{kind}", "/v1.x"), ("/files/{name}.json", "/files/a.json"), ("/{a}{b}", "/xy"), ("/{", "/{")] {
            assert_eq!(whole_segment_capture(other, path, "page"), None, "{other} goes to the general matcher");
            assert_eq!(path_capture(other, "/nope/x/y", "page"), general(other, "/nope/x/y", "page"), "{other}");
            assert_eq!(path_capture(other, path, "page"), general(other, path, "page"));
        }
    }
}
