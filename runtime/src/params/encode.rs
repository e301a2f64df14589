//! The client side: any `Serialize` value -> the text of one parameter.
//!
//! The value is first serialized into a small tree ([`Node`]: scalars as text, sequences and
//! maps in their serialization order, so an object keeps its field order), then written by
//! the style with RFC 6570's percent-encoding: the style's delimiters literal, the same
//! characters inside values percent-encoded.

use base64::Engine as _;
use serde::ser::{self, Serialize};

use super::{Kinds, Location, Mode, Param, ParamError, Shape, Style};

/// The wire text of a present parameter (see [`encode_into`]).
///
/// # Errors
///
/// As [`encode_into`].
pub fn encode<T: Serialize + ?Sized>(param: &Param<'_>, value: &T) -> Result<String, ParamError> {
    let mut out = String::new();
    encode_into(param, value, &mut out)?;
    Ok(out)
}

/// Appends the wire text of a present parameter to `out`, already percent-encoded:
///
/// - path: what replaces `{name}` in the path template (`blue`, `.blue`, `;color=blue`);
/// - query: `name=value` pairs joined by `&` (`color=blue&color=black`), preceded by `&` when
///   `out` already holds other pairs, so one `String` collects the whole query string; it is
///   sent as it is (set as the URL's query, never encoded again);
/// - header: the header's value (`blue,black`);
/// - cookie: `name=value` pairs joined by `; `, preceded by `; ` when `out` is not empty, so
///   one `String` collects the whole `Cookie` header.
///
/// Call it only for parameters that are present: an absent optional parameter is not sent,
/// while `null` (a `None` that reaches the serializer) is written as the style's empty form.
///
/// # Errors
///
/// [`super::ParamErrorKind::Undefined`] for a combination OpenAPI leaves undefined (see
/// [`Param::check`]; also arrays or objects nested in arrays or objects), and
/// [`super::ParamErrorKind::Unrepresentable`] when the value cannot be written unambiguously
/// (see the README) or does not serialize. `out` is left as it was.
pub fn encode_into<T: Serialize + ?Sized>(param: &Param<'_>, value: &T, out: &mut String) -> Result<(), ParamError> {
    let node = value.serialize(NodeSerializer).map_err(|e| param.unrepresentable(e.0))?;
    let top = Top::of(param, node)?;
    param.check_kind(match top {
        Top::Array(_) => Mode::Array,
        Top::Object(_) => Mode::Object,
        // `null` has the shape's kind: a nullable array is an array.
        Top::Null => param.shape.mode(),
        Top::Scalar(_) => Mode::Scalar,
    })?;
    let mark = out.len();
    let separator = match param.location {
        Location::Query => "&",
        Location::Cookie => "; ",
        Location::Path | Location::Header => "",
    };
    if !out.is_empty() && !separator.is_empty() && !out.ends_with(separator) {
        out.push_str(separator);
    }
    let start = out.len();
    let written = Writer { param, out: &mut *out }.write(&top);
    let result = match written {
        // An empty segment addresses another resource (`/items/` for `/items/{id}`), and `.`
        // or `..` is removed by URL normalization (RFC 3986 §5.2.4, the WHATWG URL parser
        // reqwest uses, most proxies; `%2E` alike): the request would go elsewhere.
        Ok(()) if param.location == Location::Path && matches!(&out[start..], "" | "." | "..") => {
            Err(param.unrepresentable("the path segment would be empty, `.` or `..`, which addresses another resource"))
        }
        other => other,
    };
    if result.is_err() {
        out.truncate(mark);
    }
    result
}

/// A value, serialized.
#[derive(Debug)]
enum Node {
    Null,
    /// A string, number, boolean, char or unit variant, as text.
    Scalar(String),
    /// A `u8`, kept apart so that a `Vec<u8>` can be written as bytes.
    Byte(u8),
    Bytes(Vec<u8>),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// A piece of wire text before percent-encoding; `None` is `null` (written as nothing).
type Piece = Option<Vec<u8>>;

/// The value at the top, by the kinds the styles distinguish.
enum Top {
    Null,
    Scalar(Vec<u8>),
    Array(Vec<Piece>),
    Object(Vec<(String, Piece)>),
}

impl Top {
    fn of(param: &Param<'_>, node: Node) -> Result<Self, ParamError> {
        let shape = param.shape;
        Ok(match node {
            Node::Null => Top::Null,
            Node::Seq(items) if binary(shape) && items.iter().all(|n| matches!(n, Node::Byte(_))) => {
                Top::Scalar(bytes_text(bytes_of(items), shape))
            }
            Node::Seq(items) => Top::Array(items.into_iter().map(|n| piece(param, n, shape.item())).collect::<Result<_, _>>()?),
            Node::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    let value = piece(param, value, shape.property(&key))?;
                    out.push((key, value));
                }
                Top::Object(out)
            }
            other => Top::Scalar(piece(param, other, shape)?.unwrap_or_default()),
        })
    }

    /// Whether the style's empty form is written: `null`, `""`, `[]`, `{}`.
    fn is_empty(&self) -> bool {
        match self {
            Top::Null => true,
            Top::Scalar(s) => s.is_empty(),
            Top::Array(items) => items.is_empty(),
            Top::Object(entries) => entries.is_empty(),
        }
    }
}

/// Whether a shape holds bytes (`format: byte` or `binary`).
fn binary(shape: &Shape<'_>) -> bool {
    shape.kinds.intersects(Kinds::BYTE.with(Kinds::BINARY))
}

fn bytes_of(items: Vec<Node>) -> Vec<u8> {
    items.into_iter().filter_map(|n| if let Node::Byte(b) = n { Some(b) } else { None }).collect()
}

/// Bytes as the wire carries them: base64 for `format: byte`, raw otherwise.
fn bytes_text(bytes: Vec<u8>, shape: &Shape<'_>) -> Vec<u8> {
    if shape.kinds.contains(Kinds::BYTE) {
        base64::engine::general_purpose::STANDARD.encode(bytes).into_bytes()
    } else {
        bytes
    }
}

/// An item of an array or a property value: a scalar, never an array or object.
fn piece(param: &Param<'_>, node: Node, shape: &Shape<'_>) -> Result<Piece, ParamError> {
    Ok(match node {
        Node::Null => None,
        Node::Scalar(text) => Some(text.into_bytes()),
        Node::Byte(b) => Some(b.to_string().into_bytes()),
        Node::Bytes(bytes) => Some(bytes_text(bytes, shape)),
        Node::Seq(items) if binary(shape) && items.iter().all(|n| matches!(n, Node::Byte(_))) => Some(bytes_text(bytes_of(items), shape)),
        Node::Seq(_) | Node::Map(_) => {
            return Err(param
                .undefined(format!("arrays and objects inside an array or object are not defined for style `{}`", param.style.as_str())))
        }
    })
}

/// Which characters pass unencoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    /// RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`): names, and values in path and query.
    Unreserved,
    /// Unreserved without `.`: the pieces of an exploded `label` array or object.
    UnreservedNoDot,
    /// `allowReserved`: unreserved plus reserved characters that mean nothing in a query
    /// string (`: / ? @ ! $ ' ( ) * ;`, and `,` outside arrays and objects), and `%XX`
    /// triples, which pass as they are.
    Reserved { comma: bool },
    /// Header values: visible ASCII and inner spaces, except `%` (and `,` `=` in arrays and
    /// objects).
    Header { compound: bool },
    /// Cookie values: RFC 6265 cookie-octets except `%` (and `=` in arrays and objects).
    Cookie { compound: bool },
    /// Cookie names: RFC 9110 token characters except `%`.
    CookieName,
}

impl Set {
    fn keeps(self, b: u8) -> bool {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        match self {
            Set::Unreserved => unreserved,
            Set::UnreservedNoDot => unreserved && b != b'.',
            Set::Reserved { comma } => unreserved || b"/:?@!$'()*;".contains(&b) || (comma && b == b','),
            Set::Header { compound } => (0x20..0x7f).contains(&b) && b != b'%' && !(compound && matches!(b, b',' | b'=')),
            Set::Cookie { compound } => {
                matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e) && b != b'%' && !(compound && b == b'=')
            }
            Set::CookieName => unreserved || b"!#$&'*+^`|".contains(&b),
        }
    }
}

/// Appends `bytes` percent-encoded: what `set` keeps as it is, everything else as `%XX`.
fn push(out: &mut String, bytes: &[u8], set: Set) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let last = bytes.len().saturating_sub(1);
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match set {
            // `allowReserved` leaves percent-encoded triples alone (RFC 6570 reserved expansion).
            Set::Reserved { .. } if b == b'%' => bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
            // Spaces at the ends of a header value or list member are optional whitespace, which
            // HTTP strips.
            Set::Header { .. } if b == b' ' => i != 0 && i != last,
            _ => set.keeps(b),
        };
        if keep {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// Writes one parameter by its style.
struct Writer<'p, 'o> {
    param: &'p Param<'p>,
    out: &'o mut String,
}

impl Writer<'_, '_> {
    fn write(mut self, top: &Top) -> Result<(), ParamError> {
        match self.param.location {
            Location::Path => self.path(top),
            Location::Query => self.query(top),
            Location::Header => self.header(top),
            Location::Cookie => self.cookie(top),
        }
    }

    fn name(&mut self, set: Set) {
        push(self.out, self.param.name.as_bytes(), set);
    }

    /// The pieces of an array or object joined by `delimiter`; exploded objects as `k=v`,
    /// others as `k,v`.
    fn joined(&mut self, top: &Top, delimiter: &str, set: Set, kv: &str) {
        match top {
            Top::Null => {}
            Top::Scalar(s) => push(self.out, s, set),
            Top::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(delimiter);
                    }
                    push(self.out, item.as_deref().unwrap_or_default(), set);
                }
            }
            Top::Object(entries) => {
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(delimiter);
                    }
                    push(self.out, key.as_bytes(), set);
                    self.out.push_str(kv);
                    push(self.out, value.as_deref().unwrap_or_default(), set);
                }
            }
        }
    }

    fn path(&mut self, top: &Top) -> Result<(), ParamError> {
        let explode = self.param.explode;
        let kv = if explode { "=" } else { "," };
        match self.param.style {
            Style::Simple => self.joined(top, ",", Set::Unreserved, kv),
            Style::Label => {
                self.out.push('.');
                let compound = matches!(top, Top::Array(_) | Top::Object(_));
                let (delimiter, set) = if explode && compound { (".", Set::UnreservedNoDot) } else { (",", Set::Unreserved) };
                self.joined(top, delimiter, set, kv);
            }
            Style::Matrix => match top {
                _ if top.is_empty() => {
                    self.out.push(';');
                    self.name(Set::Unreserved);
                }
                Top::Array(items) if explode => {
                    for item in items {
                        self.out.push(';');
                        self.name(Set::Unreserved);
                        self.out.push('=');
                        push(self.out, item.as_deref().unwrap_or_default(), Set::Unreserved);
                    }
                }
                Top::Object(_) if explode => {
                    self.out.push(';');
                    self.joined(top, ";", Set::Unreserved, "=");
                }
                _ => {
                    self.out.push(';');
                    self.name(Set::Unreserved);
                    self.out.push('=');
                    self.joined(top, ",", Set::Unreserved, ",");
                }
            },
            _ => unreachable_style(self.param)?,
        }
        Ok(())
    }

    fn query(&mut self, top: &Top) -> Result<(), ParamError> {
        let reserved = self.param.allow_reserved;
        let compound = matches!(top, Top::Array(_) | Top::Object(_));
        let set = if reserved { Set::Reserved { comma: !compound } } else { Set::Unreserved };
        match self.param.style {
            _ if top.is_empty() => {
                self.name(Set::Unreserved);
                self.out.push('=');
            }
            Style::Form if self.param.explode && compound => match top {
                Top::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.out.push('&');
                        }
                        self.name(Set::Unreserved);
                        self.out.push('=');
                        push(self.out, item.as_deref().unwrap_or_default(), set);
                    }
                }
                Top::Object(entries) => {
                    for (i, (key, value)) in entries.iter().enumerate() {
                        if i > 0 {
                            self.out.push('&');
                        }
                        push(self.out, key.as_bytes(), Set::Unreserved);
                        self.out.push('=');
                        push(self.out, value.as_deref().unwrap_or_default(), set);
                    }
                }
                Top::Null | Top::Scalar(_) => {}
            },
            Style::Form => {
                self.name(Set::Unreserved);
                self.out.push('=');
                self.joined(top, ",", set, ",");
            }
            Style::SpaceDelimited | Style::PipeDelimited => {
                let (delimiter, encoded, what) =
                    if self.param.style == Style::SpaceDelimited { (b' ', "%20", "a space") } else { (b'|', "%7C", "`|`") };
                if pieces(top).iter().any(|p| p.contains(&delimiter)) {
                    return Err(self.param.unrepresentable(format!(
                        "an item holding {what} cannot be sent in style `{}` (it is the delimiter)",
                        self.param.style.as_str()
                    )));
                }
                self.name(Set::Unreserved);
                self.out.push('=');
                self.joined(top, encoded, set, encoded);
            }
            Style::DeepObject => {
                let Top::Object(entries) = top else { return unreachable_style(self.param) };
                if entries.iter().any(|(k, _)| k.contains(['[', ']'])) {
                    return Err(self.param.unrepresentable("a property name holding `[` or `]` cannot be sent in style `deepObject`"));
                }
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push('&');
                    }
                    self.name(Set::Unreserved);
                    self.out.push_str("%5B");
                    push(self.out, key.as_bytes(), Set::Unreserved);
                    self.out.push_str("%5D=");
                    push(self.out, value.as_deref().unwrap_or_default(), set);
                }
            }
            _ => unreachable_style(self.param)?,
        }
        Ok(())
    }

    fn header(&mut self, top: &Top) -> Result<(), ParamError> {
        let compound = matches!(top, Top::Array(_) | Top::Object(_));
        let kv = if self.param.explode { "=" } else { "," };
        self.joined(top, ",", Set::Header { compound }, kv);
        Ok(())
    }

    fn cookie(&mut self, top: &Top) -> Result<(), ParamError> {
        let compound = matches!(top, Top::Array(_) | Top::Object(_));
        let set = Set::Cookie { compound };
        match top {
            Top::Array(items) if self.param.explode && !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str("; ");
                    }
                    self.name(Set::CookieName);
                    self.out.push('=');
                    push(self.out, item.as_deref().unwrap_or_default(), set);
                }
            }
            Top::Object(entries) if self.param.explode && !entries.is_empty() => {
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str("; ");
                    }
                    push(self.out, key.as_bytes(), Set::CookieName);
                    self.out.push('=');
                    push(self.out, value.as_deref().unwrap_or_default(), set);
                }
            }
            _ => {
                self.name(Set::CookieName);
                self.out.push('=');
                self.joined(top, ",", set, ",");
            }
        }
        Ok(())
    }
}

/// Every piece of text of a value: keys, items, property values.
fn pieces(top: &Top) -> Vec<&[u8]> {
    match top {
        Top::Null => Vec::new(),
        Top::Scalar(s) => vec![s.as_slice()],
        Top::Array(items) => items.iter().map(|p| p.as_deref().unwrap_or_default()).collect(),
        Top::Object(entries) => entries.iter().flat_map(|(k, v)| [k.as_bytes(), v.as_deref().unwrap_or_default()]).collect(),
    }
}

/// A style at a location that [`Param::check_kind`] has already refused.
fn unreachable_style(param: &Param<'_>) -> Result<(), ParamError> {
    Err(param.undefined(format!("style `{}` is not defined here", param.style.as_str())))
}

/// A serialization error (a map key that is not a scalar, a custom error of the value).
#[derive(Debug)]
struct SerError(String);

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self(format!("the value does not serialize: {msg}"))
    }
}

/// Serializes a value into a [`Node`].
struct NodeSerializer;

fn text(s: impl ToString) -> Result<Node, SerError> {
    Ok(Node::Scalar(s.to_string()))
}

fn finite(x: f64) -> Result<(), SerError> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(SerError("a number that is not finite has no text in OpenAPI".into()))
    }
}

impl ser::Serializer for NodeSerializer {
    type Ok = Node;
    type Error = SerError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantBuilder<MapBuilder>;

    fn serialize_bool(self, v: bool) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_i8(self, v: i8) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_i16(self, v: i16) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_i32(self, v: i32) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_i64(self, v: i64) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_i128(self, v: i128) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Node, SerError> {
        Ok(Node::Byte(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_u32(self, v: u32) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_u128(self, v: u128) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Node, SerError> {
        finite(f64::from(v))?;
        text(v)
    }
    fn serialize_f64(self, v: f64) -> Result<Node, SerError> {
        finite(v)?;
        text(v)
    }
    fn serialize_char(self, v: char) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_str(self, v: &str) -> Result<Node, SerError> {
        text(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, SerError> {
        Ok(Node::Bytes(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Node, SerError> {
        Ok(Node::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, SerError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, SerError> {
        Ok(Node::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Node, SerError> {
        Ok(Node::Null)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Node, SerError> {
        text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<Node, SerError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node, SerError> {
        Ok(Node::Map(vec![(variant.to_string(), value.serialize(self)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, SerError> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0).min(1024))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqBuilder, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder>, SerError> {
        Ok(VariantBuilder(variant, self.serialize_seq(Some(len))?))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, SerError> {
        Ok(MapBuilder(Vec::with_capacity(len.unwrap_or(0).min(1024)), None))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<MapBuilder, SerError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<MapBuilder>, SerError> {
        Ok(VariantBuilder(variant, self.serialize_map(Some(len))?))
    }
}

/// The items of a sequence or tuple.
struct SeqBuilder(Vec<Node>);

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Node;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.0.push(value.serialize(NodeSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Seq(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Node;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Node, SerError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Node, SerError> {
        ser::SerializeSeq::end(self)
    }
}

/// The entries of a map or struct, in order; the pending key of a map.
struct MapBuilder(Vec<(String, Node)>, Option<String>);

impl ser::SerializeMap for MapBuilder {
    type Ok = Node;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.1 = Some(match key.serialize(NodeSerializer)? {
            Node::Scalar(text) => text,
            Node::Byte(b) => b.to_string(),
            _ => return Err(SerError("a map key must be a string, number or boolean".into())),
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let key = self.1.take().ok_or_else(|| SerError("a map value without a key".into()))?;
        self.0.push((key, value.serialize(NodeSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Map(self.0))
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
        self.0.push((key.to_string(), value.serialize(NodeSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Map(self.0))
    }
}

/// An externally tagged variant with fields: `{variant: fields}`.
struct VariantBuilder<B>(&'static str, B);

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder> {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(&mut self.1, value)
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Map(vec![(self.0.to_string(), ser::SerializeSeq::end(self.1)?)]))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<MapBuilder> {
    type Ok = Node;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
    }
    fn end(self) -> Result<Node, SerError> {
        Ok(Node::Map(vec![(self.0.to_string(), ser::SerializeStruct::end(self.1)?)]))
    }
}
