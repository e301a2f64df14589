//! Parameters by OpenAPI's style/explode table (`apigen_runtime::params`): the spec's "Style
//! Examples" table verbatim, a table of client -> server round trips over every location,
//! style and explode and every kind of value, property tests of random values (reserved,
//! non-ASCII and empty strings, empty arrays) for every defined combination, and the
//! decisions for what OpenAPI leaves open (see the README, section "Parameters").

use std::collections::BTreeMap;
use std::fmt::Debug;

use apigen_runtime::params::{
    decode, encode, encode_into, path_capture, path_matches, Input, Kinds, Location, Param, ParamErrorKind, Shape, Style,
};
use apigen_runtime::Binary;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Values

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rgb {
    #[serde(rename = "R")]
    r: i64,
    #[serde(rename = "G")]
    g: i64,
    #[serde(rename = "B")]
    b: i64,
}

const RGB: Shape = Shape::object(&[("R", Shape::INTEGER), ("G", Shape::INTEGER), ("B", Shape::INTEGER)]);
const STRINGS: Shape = Shape::array(&Shape::STRING);
const INTEGERS: Shape = Shape::array(&Shape::INTEGER);
const NULLABLE_INTEGERS: Shape = Shape::array(&Shape::INTEGER.nullable());
const STRING_MAP: Shape = Shape::map(&Shape::STRING);

/// A string enum (typify's shape: unit variants renamed to the wire values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Status {
    #[serde(rename = "in-stock")]
    InStock,
    #[serde(rename = "sold out")]
    SoldOut,
    #[serde(rename = "a,b;c")]
    Delimited,
}

const STATUS: Shape = Shape::STRING;

/// An integer-or-string union (`oneOf: [{type: integer}, {type: string}]`): typify writes an
/// untagged enum, which only `deserialize_any` can read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum IdOrName {
    Id(i64),
    Name(String),
}

const ID_OR_NAME: Shape = Shape::scalar(Kinds::INTEGER.with(Kinds::STRING));

/// A `const` union (`oneOf: [{const: 1}, {const: true}, {const: "all"}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Limit {
    Count(u32),
    Flag(bool),
    Word(String),
}

const LIMIT: Shape = Shape::scalar(Kinds::INTEGER.with(Kinds::BOOLEAN).with(Kinds::STRING));

/// An object with properties of several kinds, one optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Filter {
    name: String,
    min: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    max: Option<f64>,
    active: bool,
    status: Status,
}

const FILTER: Shape = Shape::object(&[
    ("name", Shape::STRING),
    ("min", Shape::INTEGER),
    ("max", Shape::NUMBER),
    ("active", Shape::BOOLEAN),
    ("status", STATUS),
]);

// ---------------------------------------------------------------------------------------------
// Combinations

use Location::{Cookie, Header, Path, Query};
use Style::{DeepObject, Form, Label, Matrix, PipeDelimited, Simple, SpaceDelimited};

/// Every (location, style, explode) OpenAPI defines for some kind of value.
const DEFINED: &[(Location, Style, bool)] = &[
    (Path, Simple, false),
    (Path, Simple, true),
    (Path, Label, false),
    (Path, Label, true),
    (Path, Matrix, false),
    (Path, Matrix, true),
    (Query, Form, false),
    (Query, Form, true),
    (Query, SpaceDelimited, false),
    (Query, PipeDelimited, false),
    (Query, DeepObject, true),
    (Header, Simple, false),
    (Header, Simple, true),
    (Cookie, Form, false),
    (Cookie, Form, true),
];

/// Combinations OpenAPI leaves undefined for every value: the table's all-n/a rows and styles
/// at locations that do not have them.
const UNDEFINED: &[(Location, Style, bool)] = &[
    (Query, SpaceDelimited, true),
    (Query, PipeDelimited, true),
    (Query, DeepObject, false),
    (Path, Form, true),
    (Path, DeepObject, true),
    (Query, Simple, false),
    (Query, Matrix, false),
    (Query, Label, true),
    (Header, Form, false),
    (Header, Label, false),
    (Cookie, Simple, false),
    (Cookie, DeepObject, true),
];

fn param<'a>(location: Location, style: Style, explode: bool, shape: &'a Shape<'a>) -> Param<'a> {
    Param::new(location, "color", shape).with_style(style).with_explode(explode)
}

/// What a server receives for `text`, the client's wire text of the parameter, and reads.
fn read<T: DeserializeOwned>(p: &Param<'_>, text: &str) -> Result<Option<T>, apigen_runtime::params::ParamError> {
    let line = [text.as_bytes()];
    let input = match p.location {
        Path => Input::Path(text),
        Query => Input::Query(text),
        Header => Input::Header(&line),
        Cookie => Input::Cookie(&line),
    };
    decode(p, input)
}

/// Client -> server: the value the server reads back, or the client's error.
fn round_trip<T: Serialize + DeserializeOwned>(p: &Param<'_>, value: &T) -> Result<T, apigen_runtime::params::ParamError> {
    let text = encode(p, value)?;
    let back = read::<T>(p, &text)?;
    Ok(back.unwrap_or_else(|| panic!("{p:?}: the server found nothing in {text:?}")))
}

/// The kind of value a combination is defined for (`scalar`, `array`, `object`).
fn defined_for(style: Style, kind: &str) -> bool {
    match style {
        SpaceDelimited | PipeDelimited => kind != "scalar",
        DeepObject => kind == "object",
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI 3.1 "Style Examples" table

/// The rows of OpenAPI 3.1.1 §4.8.12.4 "Style Examples" (identical in 3.0.4 and 3.2.0, whose
/// first column is named `undefined`), copied verbatim: `color` is `""` (the first column),
/// `"blue"`, `["blue","black","brown"]` and `{"R":100,"G":200,"B":150}`. `None` is n/a.
const STYLE_EXAMPLES: &[(Style, bool, [Option<&str>; 4])] = &[
    (Matrix, false, [Some(";color"), Some(";color=blue"), Some(";color=blue,black,brown"), Some(";color=R,100,G,200,B,150")]),
    (Matrix, true, [Some(";color"), Some(";color=blue"), Some(";color=blue;color=black;color=brown"), Some(";R=100;G=200;B=150")]),
    (Label, false, [Some("."), Some(".blue"), Some(".blue,black,brown"), Some(".R,100,G,200,B,150")]),
    (Label, true, [Some("."), Some(".blue"), Some(".blue.black.brown"), Some(".R=100.G=200.B=150")]),
    (Simple, false, [Some(""), Some("blue"), Some("blue,black,brown"), Some("R,100,G,200,B,150")]),
    (Simple, true, [Some(""), Some("blue"), Some("blue,black,brown"), Some("R=100,G=200,B=150")]),
    (Form, false, [Some("?color="), Some("?color=blue"), Some("?color=blue,black,brown"), Some("?color=R,100,G,200,B,150")]),
    (Form, true, [Some("?color="), Some("?color=blue"), Some("?color=blue&color=black&color=brown"), Some("?R=100&G=200&B=150")]),
    (SpaceDelimited, false, [None, None, Some("?color=blue%20black%20brown"), Some("?color=R%20100%20G%20200%20B%20150")]),
    (SpaceDelimited, true, [None, None, None, None]),
    (PipeDelimited, false, [None, None, Some("?color=blue%7Cblack%7Cbrown"), Some("?color=R%7C100%7CG%7C200%7CB%7C150")]),
    (PipeDelimited, true, [None, None, None, None]),
    (DeepObject, false, [None, None, None, None]),
    (DeepObject, true, [None, None, None, Some("?color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150")]),
];

fn blue_black_brown() -> Vec<String> {
    vec!["blue".into(), "black".into(), "brown".into()]
}

fn rgb() -> Rgb {
    Rgb { r: 100, g: 200, b: 150 }
}

/// The locations a style of the table is used at: path styles also at the header (`simple`),
/// query styles at the query (the table's `?` dropped).
fn table_locations(style: Style) -> &'static [Location] {
    match style {
        Matrix | Label => &[Path],
        Simple => &[Path, Header],
        _ => &[Query],
    }
}

#[test]
fn the_spec_style_examples_are_written_and_read_verbatim() {
    let mut checked = 0;
    for &(style, explode, cells) in STYLE_EXAMPLES {
        for &location in table_locations(style) {
            let at = format!("{location:?} {style:?} explode={explode}");
            let [empty, string, array, object] = cells.map(|c| c.map(|c| c.strip_prefix('?').unwrap_or(c)));
            let (ps, pn) = (param(location, style, explode, &Shape::STRING), param(location, style, explode, &Shape::STRING));
            let pn_shape = Shape::STRING.nullable();
            let pn = Param { shape: &pn_shape, ..pn };
            let (pa, po) = (param(location, style, explode, &STRINGS), param(location, style, explode, &RGB));

            match string {
                Some(expected) => {
                    assert_eq!(encode(&ps, "blue").as_deref(), Ok(expected), "{at}: string");
                    assert_eq!(read::<String>(&ps, expected), Ok(Some("blue".into())), "{at}: string read");
                }
                None => {
                    assert_eq!(encode(&ps, "blue").map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{at}: string n/a");
                    assert_eq!(read::<String>(&ps, "color=blue").map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{at}");
                }
            }
            match array {
                Some(expected) => {
                    assert_eq!(encode(&pa, &blue_black_brown()).as_deref(), Ok(expected), "{at}: array");
                    assert_eq!(read::<Vec<String>>(&pa, expected), Ok(Some(blue_black_brown())), "{at}: array read");
                }
                None => assert_eq!(encode(&pa, &blue_black_brown()).map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{at}"),
            }
            match object {
                Some(expected) => {
                    assert_eq!(encode(&po, &rgb()).as_deref(), Ok(expected), "{at}: object");
                    assert_eq!(read::<Rgb>(&po, expected), Ok(Some(rgb())), "{at}: object read");
                    // An untyped target keeps the property order and types the values.
                    let value: serde_json::Value = read(&po, expected).expect("read").expect("present");
                    assert_eq!(value, serde_json::json!({"R": 100, "G": 200, "B": 150}), "{at}: object as a Value");
                }
                None => assert_eq!(encode(&po, &rgb()).map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{at}"),
            }
            match empty {
                // The empty string and `null` (the 3.2 column `undefined`) have the same text:
                // read back as "" for a string, as `null` for a nullable one.
                Some(expected) => {
                    assert_eq!(read::<String>(&ps, expected), Ok(Some(String::new())), "{at}: empty read");
                    assert_eq!(read::<Option<String>>(&pn, expected), Ok(Some(None)), "{at}: null read");
                    if location == Path && matches!(expected, "" | ".") {
                        // Decision: a path segment that is empty or `.` would address another
                        // resource once the URL is normalized; the client refuses it.
                        assert_eq!(encode(&ps, "").map_err(|e| e.kind()), Err(ParamErrorKind::Unrepresentable), "{at}: empty");
                    } else {
                        assert_eq!(encode(&ps, "").as_deref(), Ok(expected), "{at}: empty");
                        assert_eq!(encode(&pn, &None::<String>).as_deref(), Ok(expected), "{at}: null");
                    }
                }
                None => assert_eq!(encode(&ps, "").map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{at}: empty n/a"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

/// Cookies: `form` as the table writes it for a single value and `explode: false`; exploded
/// pairs are separated by `; `, as a `Cookie` header requires (OpenAPI 3.1.1 Appendix D: `&`
/// is "incorrect" for cookies).
#[test]
fn cookies_follow_the_form_row_with_cookie_separators() {
    let cases: [(bool, [&str; 4]); 2] = [
        (false, ["color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"]),
        (true, ["color=", "color=blue", "color=blue; color=black; color=brown", "R=100; G=200; B=150"]),
    ];
    for (explode, [empty, string, array, object]) in cases {
        let (ps, pa, po) =
            (param(Cookie, Form, explode, &Shape::STRING), param(Cookie, Form, explode, &STRINGS), param(Cookie, Form, explode, &RGB));
        assert_eq!(encode(&ps, "").as_deref(), Ok(empty));
        assert_eq!(encode(&ps, "blue").as_deref(), Ok(string));
        assert_eq!(encode(&pa, &blue_black_brown()).as_deref(), Ok(array));
        assert_eq!(encode(&po, &rgb()).as_deref(), Ok(object));
        assert_eq!(read::<String>(&ps, string), Ok(Some("blue".into())));
        assert_eq!(read::<Vec<String>>(&pa, array), Ok(Some(blue_black_brown())));
        assert_eq!(read::<Rgb>(&po, object), Ok(Some(rgb())));
    }
}

// ---------------------------------------------------------------------------------------------
// The round-trip table: every combination x every kind of value

/// Asserts the value comes back, or that the combination is refused as undefined when
/// OpenAPI does not define it for this kind of value.
fn expect_round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    combo: (Location, Style, bool),
    shape: &Shape<'_>,
    kind: &str,
    value: T,
) {
    let (location, style, explode) = combo;
    let p = param(location, style, explode, shape);
    let result = round_trip(&p, &value);
    if defined_for(style, kind) {
        assert_eq!(result.as_ref().ok(), Some(&value), "{combo:?} {kind}: {value:?} -> {result:?} via {:?}", encode(&p, &value));
    } else {
        assert_eq!(result.map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{combo:?} {kind}: {value:?}");
    }
}

#[test]
fn every_defined_combination_round_trips_every_kind_of_value() {
    for &combo in DEFINED {
        // Primitives, with the characters that delimit something somewhere.
        expect_round_trip(combo, &Shape::STRING, "scalar", "a b,c;d=e&f.g|h[i]j/k?l#m%n+o:p\"q'r\\sé€😀".to_string());
        expect_round_trip(combo, &Shape::INTEGER, "scalar", i64::MIN);
        expect_round_trip(combo, &Shape::INTEGER, "scalar", u64::MAX);
        expect_round_trip(combo, &Shape::NUMBER, "scalar", -1.5e-7_f64);
        expect_round_trip(combo, &Shape::NUMBER, "scalar", 0.1_f32);
        expect_round_trip(combo, &Shape::BOOLEAN, "scalar", false);
        // Enums and unions.
        for status in [Status::InStock, Status::SoldOut, Status::Delimited] {
            expect_round_trip(combo, &STATUS, "scalar", status);
        }
        expect_round_trip(combo, &ID_OR_NAME, "scalar", IdOrName::Id(-42));
        expect_round_trip(combo, &ID_OR_NAME, "scalar", IdOrName::Name("forty-two".into()));
        expect_round_trip(combo, &LIMIT, "scalar", Limit::Count(7));
        expect_round_trip(combo, &LIMIT, "scalar", Limit::Flag(true));
        expect_round_trip(combo, &LIMIT, "scalar", Limit::Word("all".into()));
        // Bytes: `format: binary` raw (any octet), `format: byte` base64.
        expect_round_trip(combo, &Shape::BINARY, "scalar", vec![0_u8, 1, b',', b'%', 0x7f, 0x80, 0xff]);
        expect_round_trip(combo, &Shape::BINARY, "scalar", Binary::new(vec![0xfe_u8, b'.', b' ']));
        expect_round_trip(combo, &Shape::BYTE, "scalar", vec![0xfb_u8, 0xff, 0xbf, 0]);
        expect_round_trip(combo, &Shape::BYTE, "scalar", "+/+/AA==".to_string());
        // Nullable: null and a value.
        // `null` has the empty form, which a `simple` or `label` path segment cannot carry.
        let segment_can_be_empty = !matches!(combo, (Path, Simple | Label, _));
        let nullable = Shape::INTEGER.nullable();
        if segment_can_be_empty {
            expect_round_trip(combo, &nullable, "scalar", None::<i64>);
        }
        expect_round_trip(combo, &nullable, "scalar", Some(0_i64));
        let nullable_union = ID_OR_NAME.nullable();
        expect_round_trip(combo, &nullable_union, "scalar", Some(IdOrName::Name("x".into())));
        // Arrays.
        expect_round_trip(combo, &STRINGS, "array", vec!["a,b".to_string(), "c d".replace(' ', "_"), "é;=".into()]);
        expect_round_trip(combo, &INTEGERS, "array", vec![1_i64, -2, 3]);
        expect_round_trip(combo, &Shape::array(&ID_OR_NAME), "array", vec![IdOrName::Id(1), IdOrName::Name("two".into())]);
        expect_round_trip(combo, &Shape::array(&STATUS), "array", vec![Status::InStock, Status::Delimited]);
        expect_round_trip(combo, &NULLABLE_INTEGERS, "array", vec![Some(1_i64), None, Some(3)]);
        expect_round_trip(combo, &Shape::array(&Shape::BYTE), "array", vec![vec![1_u8, 2], vec![0xff]]);
        if segment_can_be_empty {
            expect_round_trip(combo, &STRINGS.nullable(), "array", None::<Vec<String>>);
        }
        if combo.0 != Path {
            // An empty array has the empty form: a path segment cannot be empty.
            expect_round_trip(combo, &INTEGERS, "array", Vec::<i64>::new());
        }
        // Objects.
        expect_round_trip(combo, &RGB, "object", rgb());
        let filter = Filter { name: "a=b,c".into(), min: -1, max: Some(2.5), active: true, status: Status::Delimited };
        expect_round_trip(combo, &FILTER, "object", filter.clone());
        expect_round_trip(combo, &FILTER, "object", Filter { max: None, ..filter });
        let map: BTreeMap<String, String> = [("k;1", "v,1"), ("k 2", "v=2"), ("ключ", "")].map(|(k, v)| (k.into(), v.into())).into();
        let map = if matches!(combo.1, SpaceDelimited) { map.into_iter().map(|(k, v)| (k.replace(' ', "_"), v)).collect() } else { map };
        expect_round_trip(combo, &STRING_MAP, "object", map);
        let nullable_object = RGB.nullable();
        if segment_can_be_empty {
            expect_round_trip(combo, &nullable_object, "object", None::<Rgb>);
        }
        if combo.0 != Path {
            expect_round_trip(combo, &STRING_MAP, "object", BTreeMap::<String, String>::new());
        }
    }
}

#[test]
fn undefined_combinations_are_errors_on_both_sides() {
    for &(location, style, explode) in UNDEFINED {
        for (shape, text) in [(&Shape::STRING, "color=blue"), (&STRINGS, "color=blue,black"), (&RGB, "color=R,100,G,200,B,150")] {
            let p = param(location, style, explode, shape);
            assert_eq!(p.check().map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{p:?}");
            let sent = match shape.kinds {
                k if k.contains(Kinds::OBJECT) => encode(&p, &rgb()),
                k if k.contains(Kinds::ARRAY) => encode(&p, &blue_black_brown()),
                _ => encode(&p, "blue"),
            };
            assert_eq!(sent.map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{p:?}");
            let line = [text.as_bytes()];
            let input = match location {
                Path => Input::Path(text),
                Query => Input::Query(text),
                Header => Input::Header(&line),
                Cookie => Input::Cookie(&line),
            };
            assert_eq!(decode::<serde_json::Value>(&p, input).map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{p:?}");
        }
    }
    // Arrays and objects inside arrays and objects: RFC 6570 has one level.
    for &(location, style, explode) in DEFINED {
        let p = param(location, style, explode, &STRINGS);
        let nested = encode(&p, &vec![vec!["a"]]);
        assert_eq!(nested.map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{p:?}");
        let o = param(location, style, explode, &STRING_MAP);
        let nested: BTreeMap<&str, Vec<&str>> = [("a", vec!["b"])].into();
        assert_eq!(encode(&o, &nested).map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{o:?}");
    }
    assert_eq!(
        read::<BTreeMap<String, String>>(&param(Query, DeepObject, true, &STRING_MAP), "color[a][b]=1").map_err(|e| e.kind()),
        Err(ParamErrorKind::Undefined)
    );
}

// ---------------------------------------------------------------------------------------------
// Decisions for what OpenAPI leaves open

#[test]
fn delimiters_inside_values_are_data_and_the_raw_text_is_split_before_decoding() {
    let p = param(Query, Form, false, &STRINGS);
    assert_eq!(encode(&p, &["a,b", "c"]).as_deref(), Ok("color=a%2Cb,c"));
    assert_eq!(read::<Vec<String>>(&p, "color=a%2Cb,c"), Ok(Some(vec!["a,b".into(), "c".into()])));
    // `+` is a space in a query (form-urlencoded), `%2B` a plus; in a path `+` is itself.
    assert_eq!(read::<String>(&param(Query, Form, true, &Shape::STRING), "color=a+b%2B"), Ok(Some("a b+".into())));
    assert_eq!(read::<String>(&param(Path, Simple, false, &Shape::STRING), "a+b"), Ok(Some("a+b".into())));
    // A label-style item with a dot: the dot is encoded when it would delimit.
    let label = param(Path, Label, true, &STRINGS);
    assert_eq!(encode(&label, &["a.b", "c"]).as_deref(), Ok(".a%2Eb.c"));
    assert_eq!(encode(&param(Path, Label, true, &Shape::STRING), "a.b").as_deref(), Ok(".a.b"));
    assert_eq!(read::<String>(&param(Path, Label, true, &Shape::STRING), ".a.b"), Ok(Some("a.b".into())));
    // spaceDelimited and pipeDelimited: the delimiter has no other encoding, so an item that
    // holds it cannot be sent; a server accepts `%20`, `+` and ` ` (and `%7C`, `%7c`, `|`).
    let space = param(Query, SpaceDelimited, false, &STRINGS);
    assert_eq!(encode(&space, &["a b"]).map_err(|e| e.kind()), Err(ParamErrorKind::Unrepresentable));
    assert_eq!(encode(&space, &["a+b"]).as_deref(), Ok("color=a%2Bb"));
    assert_eq!(read::<Vec<String>>(&space, "color=a+b%20c"), Ok(Some(vec!["a".into(), "b".into(), "c".into()])));
    let pipe = param(Query, PipeDelimited, false, &STRINGS);
    assert_eq!(encode(&pipe, &["a|b"]).map_err(|e| e.kind()), Err(ParamErrorKind::Unrepresentable));
    assert_eq!(read::<Vec<String>>(&pipe, "color=a|b%7cc%7Cd"), Ok(Some(vec!["a".into(), "b".into(), "c".into(), "d".into()])));
    // deepObject property names with brackets.
    let deep = param(Query, DeepObject, true, &STRING_MAP);
    let bracketed: BTreeMap<&str, &str> = [("a[b]", "c")].into();
    assert_eq!(encode(&deep, &bracketed).map_err(|e| e.kind()), Err(ParamErrorKind::Unrepresentable));
    // Unencoded brackets, as many clients send them.
    assert_eq!(
        read::<Rgb>(&param(Query, DeepObject, true, &RGB), "color[R]=1&color[G]=2&x=1&color[B]=3"),
        Ok(Some(Rgb { r: 1, g: 2, b: 3 }))
    );
}

#[test]
fn reserved_characters_pass_with_allow_reserved_except_those_the_query_needs() {
    let p = param(Query, Form, true, &Shape::STRING).with_allow_reserved(true);
    // RFC 3986 reserved characters pass, `%XX` triples pass as they are, `#[]&=+` and a `%`
    // that starts no triple are encoded.
    assert_eq!(
        encode(&p, "/a:b?c@d!$'()*,;e%2Ff%zz#[]&=+ é").as_deref(),
        Ok("color=/a:b?c@d!$'()*,;e%2Ff%25zz%23%5B%5D%26%3D%2B%20%C3%A9")
    );
    assert_eq!(read::<String>(&p, "color=/a:b?c@d!$'()*,;e%2Ff"), Ok(Some("/a:b?c@d!$'()*,;e/f".into())));
    // Without it, everything but the unreserved characters is encoded.
    let plain = param(Query, Form, true, &Shape::STRING);
    assert_eq!(encode(&plain, "a/b,c~d").as_deref(), Ok("color=a%2Fb%2Cc~d"));
    // In an array, the comma still delimits, so a comma inside an item is encoded.
    let list = param(Query, Form, false, &STRINGS).with_allow_reserved(true);
    assert_eq!(encode(&list, &["a,b", "c/d"]).as_deref(), Ok("color=a%2Cb,c/d"));
    assert_eq!(read::<Vec<String>>(&list, "color=a%2Cb,c/d"), Ok(Some(vec!["a,b".into(), "c/d".into()])));
    // Names are always encoded.
    let heart = Param::new(Query, "❤️", &Shape::STRING);
    assert_eq!(encode(&heart, "love!").as_deref(), Ok("%E2%9D%A4%EF%B8%8F=love%21"));
    assert_eq!(read::<String>(&heart, "%E2%9D%A4%EF%B8%8F=love%21"), Ok(Some("love!".into())));
}

#[test]
fn null_empty_and_absent_are_told_apart_as_documented() {
    // Absent: nothing sent, `None` read.
    for &(location, style, explode) in DEFINED {
        let p = param(location, style, explode, &RGB);
        match location {
            Query | Cookie => {
                assert_eq!(read::<Rgb>(&p, ""), Ok(None), "{p:?}");
                assert_eq!(read::<Rgb>(&p, "other=1"), Ok(None), "{p:?}");
            }
            Header => assert_eq!(decode::<Rgb>(&p, Input::Header(&[])), Ok(None), "{p:?}"),
            Path => {}
        }
    }
    // An empty header is present: the empty form.
    let h = param(Header, Simple, false, &STRINGS);
    assert_eq!(decode::<Vec<String>>(&h, Input::Header(&[b""])), Ok(Some(vec![])));
    // The empty form is `null` for a nullable shape, the empty value otherwise.
    let p = param(Query, Form, true, &INTEGERS);
    assert_eq!(encode(&p, &Vec::<i64>::new()).as_deref(), Ok("color="));
    assert_eq!(read::<Vec<i64>>(&p, "color="), Ok(Some(vec![])));
    let nullable = INTEGERS.nullable();
    let pn = param(Query, Form, true, &nullable);
    assert_eq!(read::<Option<Vec<i64>>>(&pn, "color="), Ok(Some(None)));
    // An array holding one empty string has the empty form too, and reads back as `[]`
    // (except exploded `matrix`, which writes `;color=`).
    let ps = param(Query, Form, true, &STRINGS);
    assert_eq!(round_trip(&ps, &vec![String::new()]), Ok(vec![]));
    assert_eq!(round_trip(&param(Path, Matrix, true, &STRINGS), &vec![String::new()]), Ok(vec![String::new()]));
    // `null` items and property values are empty pieces.
    assert_eq!(encode(&param(Query, Form, false, &NULLABLE_INTEGERS), &[Some(1), None]).as_deref(), Ok("color=1,"));
    // A required integer sent empty is an error that says what was expected, not the text.
    let err = read::<i64>(&param(Query, Form, true, &Shape::INTEGER), "color=").expect_err("empty is no integer");
    assert_eq!((err.kind(), err.message()), (ParamErrorKind::Invalid, "must be an integer"));
    // An exploded form object: `color=` alone is the empty object; other pairs are not its own.
    let po = param(Query, Form, true, &RGB);
    assert_eq!(read::<BTreeMap<String, i64>>(&po, "color=&x=1"), Ok(Some(BTreeMap::new())));
}

#[test]
fn exploded_open_objects_take_every_pair_but_the_other_parameters() {
    let p = param(Query, Form, true, &STRING_MAP).with_siblings(&["page", "api_key"]);
    let read_back: BTreeMap<String, String> = read(&p, "page=2&a=1&api_key=s3cret&b=x+y").expect("valid").expect("present");
    assert_eq!(read_back, [("a", "1"), ("b", "x y")].map(|(k, v)| (k.to_string(), v.to_string())).into());
    // Named properties only: other pairs are ignored.
    assert_eq!(read::<Rgb>(&param(Query, Form, true, &RGB), "B=3&page=2&G=2&R=1"), Ok(Some(Rgb { r: 1, g: 2, b: 3 })));
    // Cookies alike.
    let c = param(Cookie, Form, true, &RGB);
    let lines: [&[u8]; 2] = [b"session=x; R=1", b"G=2;B=\"3\""];
    assert_eq!(decode::<Rgb>(&c, Input::Cookie(&lines)), Ok(Some(Rgb { r: 1, g: 2, b: 3 })));
}

#[test]
fn repeated_keys_headers_and_cookies_are_read_as_http_defines() {
    // The first of repeated keys for a scalar; all of them for an exploded array.
    assert_eq!(read::<i64>(&param(Query, Form, true, &Shape::INTEGER), "color=1&color=2"), Ok(Some(1)));
    assert_eq!(read::<Vec<i64>>(&param(Query, Form, true, &INTEGERS), "color=1&x=0&color=2"), Ok(Some(vec![1, 2])));
    // Several header lines are one list; optional whitespace around members is not data.
    let h = param(Header, Simple, false, &INTEGERS);
    let lines: [&[u8]; 2] = [b"1, 2", b" 3 "];
    assert_eq!(decode::<Vec<i64>>(&h, Input::Header(&lines)), Ok(Some(vec![1, 2, 3])));
    assert_eq!(decode::<i64>(&param(Header, Simple, false, &Shape::INTEGER), Input::Header(&[b" 5\t"])), Ok(Some(5)));
    // Spaces at the ends of a header member are data only when encoded.
    let hs = param(Header, Simple, false, &STRINGS);
    assert_eq!(encode(&hs, &[" a b ", "c"]).as_deref(), Ok("%20a b%20,c"));
    assert_eq!(encode(&param(Header, Simple, false, &Shape::STRING), "Bearer x,y").as_deref(), Ok("Bearer x,y"));
    assert_eq!(encode(&param(Header, Simple, false, &Shape::STRING), "é\t50%").as_deref(), Ok("%C3%A9%0950%25"));
    // Cookie values never hold `;`, `,`, spaces or quotes unencoded.
    assert_eq!(encode(&param(Cookie, Form, true, &Shape::STRING), "a; b,\"c\"=").as_deref(), Ok("color=a%3B%20b%2C%22c%22="));
    // Several cookie parameters share one header.
    let mut cookie = String::new();
    encode_into(&Param::new(Cookie, "a", &Shape::INTEGER), &1, &mut cookie).expect("a");
    encode_into(&Param::new(Cookie, "b", &STRINGS), &["x", "y"], &mut cookie).expect("b");
    assert_eq!(cookie, "a=1; b=x; b=y");
    let mut query = String::new();
    encode_into(&Param::new(Query, "a", &Shape::INTEGER), &1, &mut query).expect("a");
    encode_into(&Param::new(Query, "b", &STRINGS), &["x", "y"], &mut query).expect("b");
    assert_eq!(query, "a=1&b=x&b=y");
}

#[test]
fn text_is_typed_by_the_shape_when_the_target_does_not_say() {
    let p = |shape| Param::new(Query, "v", shape);
    // A string schema keeps digits as text; an integer-or-string union takes the integer.
    assert_eq!(read::<serde_json::Value>(&p(&Shape::STRING), "v=1"), Ok(Some(serde_json::json!("1"))));
    assert_eq!(read::<serde_json::Value>(&p(&ID_OR_NAME), "v=1"), Ok(Some(serde_json::json!(1))));
    assert_eq!(read::<IdOrName>(&p(&ID_OR_NAME), "v=1"), Ok(Some(IdOrName::Id(1))));
    assert_eq!(read::<IdOrName>(&p(&ID_OR_NAME), "v=1.5"), Ok(Some(IdOrName::Name("1.5".into()))));
    assert_eq!(read::<serde_json::Value>(&p(&Shape::ANY), "v=true"), Ok(Some(serde_json::json!(true))));
    assert_eq!(read::<serde_json::Value>(&p(&Shape::ANY), "v=-1.5e3"), Ok(Some(serde_json::json!(-1500.0))));
    assert_eq!(read::<serde_json::Value>(&p(&Shape::ANY), "v=NaN"), Ok(Some(serde_json::json!("NaN"))));
    assert_eq!(read::<serde_json::Value>(&p(&Shape::ANY), "v="), Ok(Some(serde_json::Value::Null)));
    // A typed target parses what it asks for, whatever the shape says.
    assert_eq!(read::<u8>(&p(&Shape::STRING), "v=255"), Ok(Some(255)));
    // Errors name what was expected, never the text (which may be a secret).
    let err = read::<Status>(&p(&STATUS), "v=hunter2").expect_err("no such variant");
    assert_eq!(err.message(), "must be one of `in-stock`, `sold out`, `a,b;c`");
    let err = read::<bool>(&p(&Shape::BOOLEAN), "v=hunter2").expect_err("not a boolean");
    assert_eq!(err.to_string(), "parameter `v`: must be true or false");
    let err = read::<IdOrName>(&p(&Shape::INTEGER), "v=hunter2").expect_err("not an integer");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let err = read::<String>(&p(&Shape::STRING), "v=%FF").expect_err("not UTF-8");
    assert_eq!(err.message(), "must be UTF-8 text");
}

#[test]
fn defaults_follow_the_parameter_object() {
    for (location, style, explode) in [(Path, Simple, false), (Query, Form, true), (Header, Simple, false), (Cookie, Form, true)] {
        let p = Param::new(location, "x", &Shape::STRING);
        assert_eq!((p.style, p.explode, p.allow_reserved), (style, explode, false), "{location:?}");
    }
    assert!(!Param::new(Query, "x", &STRINGS).with_style(SpaceDelimited).explode);
    for style in [Simple, Label, Matrix, Form, SpaceDelimited, PipeDelimited, DeepObject] {
        assert_eq!(Style::from_name(style.as_str()), Some(style));
    }
    assert_eq!(Style::from_name("tabDelimited"), None);
}

#[test]
fn path_captures_are_the_raw_text_of_their_expression() {
    assert_eq!(path_capture("/items/{id}", "/items/a%2Fb,c", "id"), Some("a%2Fb,c"));
    assert_eq!(path_capture("/items/{id}/parts/{part}", "/items/1/parts/;part=x", "part"), Some(";part=x"));
    assert_eq!(path_capture("/files/{name}.{ext}", "/files/a.b.json", "name"), Some("a"));
    assert_eq!(path_capture("/files/{name}.{ext}", "/files/a.b.json", "ext"), Some("b.json"));
    assert_eq!(path_capture("/v{version}/items", "/v2/items", "version"), Some("2"));
    assert_eq!(path_capture("/items/{id}", "/items/1", "other"), None);
    assert_eq!(path_capture("/items/{id}", "/items", "id"), None);
    // Two expressions with literal text in one segment.
    assert_eq!(path_capture("/s/next.kind/v{page}.{x_kind}", "/s/next.kind/v1.200", "page"), Some("1"));
    assert_eq!(path_capture("/s/next.kind/v{page}.{x_kind}", "/s/next.kind/v1.200", "x_kind"), Some("200"));
    // A path that does not fit the template has no captures.
    assert_eq!(path_capture("/files/{name}.json", "/files/a.xml", "name"), None);
    assert_eq!(path_capture("/items/{id}", "/items/1/more", "id"), None);
}

#[test]
fn paths_match_templates_segment_by_segment() {
    let fits = [
        ("/items/{id}", "/items/1"),
        ("/files/{name}.json", "/files/a.b.json"),
        ("/files/{name}.json", "/files/.json"),
        ("/v{version}/items", "/v2/items"),
        ("/s/v{page}.{kind}", "/s/v1.a.b"),
        ("/{a}{b}", "/xy"),
        ("/a/{x", "/a/{x"),
        ("/", "/"),
    ];
    for (template, path) in fits {
        assert!(path_matches(template, path), "{path} fits {template}");
    }
    let misfits = [
        ("/items/{id}", "/items"),
        ("/items/{id}", "/items/1/2"),
        ("/items/{id}", "/things/1"),
        ("/files/{name}.json", "/files/a.xml"),
        ("/files/{name}.json", "/files/a.json.x"),
        ("/v{version}/items", "/w2/items"),
        ("/s/v{page}.{kind}", "/s/v1"),
        ("/a/{x", "/a/1"),
        ("/a", "/a/"),
    ];
    for (template, path) in misfits {
        assert!(!path_matches(template, path), "{path} does not fit {template}");
    }
    // The last literal ends the segment; earlier ones are found first.
    assert_eq!(path_capture("/f/{name}.json", "/f/a.json.json", "name"), Some("a.json"));
    assert_eq!(path_capture("/f/{name}.{ext}.gz", "/f/a.b.c.gz", "ext"), Some("b.c"));
}

/// Through the real client and server types: the text survives reqwest's URL and header
/// handling, and the server reads it from the request head.
#[cfg(all(feature = "client", feature = "server"))]
#[test]
fn values_survive_a_reqwest_request_and_are_read_from_the_axum_request_head() {
    use apigen_runtime::params::from_request;
    let template = "/items/{color}/x";
    let client = reqwest::Client::new();
    for &(location, style, explode) in DEFINED {
        for (shape, value) in [
            (&Shape::STRING, serde_json::json!("a/b ?#é%,;=")),
            (&STRINGS, serde_json::json!(["a,b", "c.d", "é"])),
            (&STRING_MAP, serde_json::json!({"k": "v=1", "ĸ": ";"})),
        ] {
            let kind = if shape.kinds.contains(Kinds::OBJECT) {
                "object"
            } else if shape.kinds.contains(Kinds::ARRAY) {
                "array"
            } else {
                "scalar"
            };
            if !defined_for(style, kind) {
                continue;
            }
            let p = param(location, style, explode, shape);
            let text = encode(&p, &value).expect("encodes");
            let mut url = "http://127.0.0.1/items/".to_string();
            url.push_str(if location == Path { &text } else { "p" });
            url.push_str("/x");
            if location == Query {
                url.push('?');
                url.push_str(&text);
            }
            let mut request = client.get(&url);
            match location {
                Header => request = request.header("color", &text),
                Cookie => request = request.header("cookie", &text),
                Path | Query => {}
            }
            let request = request.build().expect("a valid request");
            let mut server = axum::http::Request::builder().uri(request.url().as_str());
            for (name, value) in request.headers() {
                server = server.header(name, value);
            }
            let (parts, ()) = server.body(()).expect("request head").into_parts();
            let back: Option<serde_json::Value> = from_request(&p, template, &parts).expect("reads");
            assert_eq!(back.as_ref(), Some(&value), "{location:?} {style:?} {explode}: {text}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Property tests

/// Characters that mean something to some style or location, non-ASCII text and controls,
/// plus anything at all.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\u{0}\u{7f}aZ09é€😀\u{200b}".chars().collect::<Vec<_>>()),
        1 => any::<char>(),
    ]
}

fn tricky_string() -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..8).prop_map(String::from_iter)
}

/// A value as the refusal rules see it: its text (scalars; `""` for `null`), its items, or
/// its property names and values.
#[derive(Clone, Copy)]
enum Sent<'a> {
    Scalar(&'a str),
    Array(&'a [&'a str]),
    Object(&'a [&'a str], &'a [&'a str]),
}

/// Why the client refuses a value at a combination, if it does (see the README): a path
/// segment that would be empty, `.` or `..`; a delimiter inside a `spaceDelimited` or
/// `pipeDelimited` piece; brackets in a `deepObject` property name.
fn refused(location: Location, style: Style, explode: bool, sent: Sent<'_>) -> bool {
    let dots = |s: &str| matches!(s, "" | "." | "..");
    let pieces: Vec<&str> = match sent {
        Sent::Scalar(s) => vec![s],
        Sent::Array(items) => items.to_vec(),
        Sent::Object(keys, values) => keys.iter().chain(values).copied().collect(),
    };
    match (location, style, sent) {
        // The segment is the text, or the items joined by `,`.
        (Path, Simple, Sent::Scalar(s)) => dots(s),
        (Path, Simple, Sent::Array(items)) => items.is_empty() || (items.len() == 1 && dots(items[0])),
        (Path, Simple | Label, Sent::Object(keys, _)) => keys.is_empty(),
        // The segment is `.` and the text, or the items joined by `,` (by `.` when exploded,
        // with their own dots encoded).
        (Path, Label, Sent::Scalar(s)) => matches!(s, "" | "."),
        (Path, Label, Sent::Array(items)) if explode => items.len() <= 2 && items.iter().all(|i| i.is_empty()),
        (Path, Label, Sent::Array(items)) => items.is_empty() || (items.len() == 1 && matches!(items[0], "" | ".")),
        (Query, SpaceDelimited, _) => pieces.iter().any(|p| p.contains(' ')),
        (Query, PipeDelimited, _) => pieces.iter().any(|p| p.contains('|')),
        (Query, DeepObject, Sent::Object(keys, _)) => keys.iter().any(|k| k.contains(['[', ']'])),
        _ => false,
    }
}

/// Checks one value at every defined combination: refused exactly when documented, else
/// read back as `expected(combination)`.
fn check_everywhere<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    shape: &Shape<'_>,
    kind: &str,
    value: &T,
    refusal: impl Fn(Location, Style, bool) -> bool,
    expected: impl Fn(Location, Style, bool) -> T,
) -> Result<(), TestCaseError> {
    for &(location, style, explode) in DEFINED {
        let p = param(location, style, explode, shape);
        let sent = encode(&p, value);
        if !defined_for(style, kind) {
            prop_assert_eq!(sent.map_err(|e| e.kind()), Err(ParamErrorKind::Undefined), "{:?}", p);
            continue;
        }
        if refusal(location, style, explode) {
            prop_assert_eq!(sent.map_err(|e| e.kind()), Err(ParamErrorKind::Unrepresentable), "{:?} {:?}", p, value);
            continue;
        }
        let text = sent.map_err(|e| TestCaseError::fail(format!("{p:?} {value:?}: {e}")))?;
        let back = read::<T>(&p, &text).map_err(|e| TestCaseError::fail(format!("{p:?} {value:?} as {text:?}: {e}")))?;
        prop_assert_eq!(back, Some(expected(location, style, explode)), "{:?} via {:?}", p, text);
    }
    Ok(())
}

proptest! {
    // No regression files: they would land in `runtime/`, which is vendored verbatim.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn strings_round_trip(s in tricky_string()) {
        check_everywhere(&Shape::STRING, "scalar", &s, |l, st, e| refused(l, st, e, Sent::Scalar(&s)), |_, _, _| s.clone())?;
    }

    #[test]
    fn nullable_strings_round_trip_with_empty_as_null(s in proptest::option::of(tricky_string())) {
        let shape = Shape::STRING.nullable();
        let empty = s.as_deref().is_none_or(str::is_empty);
        let expected = if empty { None } else { s.clone() };
        check_everywhere(&shape, "scalar", &s, |l, st, e| refused(l, st, e, Sent::Scalar(s.as_deref().unwrap_or_default())), |_, _, _| expected.clone())?;
    }

    #[test]
    fn numbers_and_booleans_round_trip(i in any::<i64>(), u in any::<u64>(), x in any::<f64>().prop_filter("finite", |x| x.is_finite()), b in any::<bool>()) {
        let no = |_, _, _| false;
        check_everywhere(&Shape::INTEGER, "scalar", &i, no, |_, _, _| i)?;
        check_everywhere(&Shape::INTEGER, "scalar", &u, no, |_, _, _| u)?;
        check_everywhere(&Shape::NUMBER, "scalar", &x, no, |_, _, _| x)?;
        check_everywhere(&Shape::BOOLEAN, "scalar", &b, no, |_, _, _| b)?;
    }

    #[test]
    fn unions_round_trip_integer_text_as_the_integer(id in any::<i64>(), name in prop::collection::vec(prop::sample::select(vec!['1', '0', '-', '.', 'e', 'a', ' ', ',']), 0..6).prop_map(String::from_iter)) {
        check_everywhere(&ID_OR_NAME, "scalar", &IdOrName::Id(id), |_, _, _| false, |_, _, _| IdOrName::Id(id))?;
        // Decision: text that is an integer is read as the integer, whatever was sent.
        let expected = match name.parse::<i64>() {
            Ok(n) if !name.starts_with('+') => IdOrName::Id(n),
            _ => IdOrName::Name(name.clone()),
        };
        check_everywhere(&ID_OR_NAME, "scalar", &IdOrName::Name(name.clone()), |l, st, e| refused(l, st, e, Sent::Scalar(&name)), |_, _, _| expected.clone())?;
    }

    #[test]
    fn bytes_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..12)) {
        let as_text = std::str::from_utf8(&bytes).ok();
        check_everywhere(&Shape::BINARY, "scalar", &bytes, |l, st, e| refused(l, st, e, Sent::Scalar(as_text.unwrap_or("x"))), |_, _, _| bytes.clone())?;
        let binary = Binary::new(bytes.clone());
        check_everywhere(&Shape::BINARY, "scalar", &binary, |l, st, e| refused(l, st, e, Sent::Scalar(as_text.unwrap_or("x"))), |_, _, _| binary.clone())?;
        check_everywhere(&Shape::BYTE, "scalar", &bytes, |l, st, e| refused(l, st, e, Sent::Scalar(if bytes.is_empty() { "" } else { "x" })), |_, _, _| bytes.clone())?;
    }

    #[test]
    fn arrays_round_trip(items in prop::collection::vec(tricky_string(), 0..5)) {
        let pieces: Vec<&str> = items.iter().map(String::as_str).collect();
        // Decision: `[]` and `[""]` share the empty form and read back as `[]`, except in
        // exploded `matrix`, which writes `;color=` for `[""]`.
        let expected = |l, st, e| if pieces == [""] && (l, st, e) != (Path, Matrix, true) { Vec::new() } else { items.clone() };
        check_everywhere(&STRINGS, "array", &items, |l, st, e| refused(l, st, e, Sent::Array(&pieces)), expected)?;
    }

    #[test]
    fn arrays_of_nullable_integers_round_trip(items in prop::collection::vec(proptest::option::of(any::<i32>()), 0..5)) {
        let pieces: Vec<String> = items.iter().map(|i| i.map(|i| i.to_string()).unwrap_or_default()).collect();
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let expected = |l, st, e| if items == [None] && (l, st, e) != (Path, Matrix, true) { Vec::new() } else { items.clone() };
        check_everywhere(&Shape::array(&Shape::INTEGER.nullable()), "array", &items, |l, st, e| refused(l, st, e, Sent::Array(&pieces)), expected)?;
    }

    #[test]
    fn objects_round_trip(map in prop::collection::btree_map(tricky_string(), tricky_string(), 0..4)) {
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        let values: Vec<&str> = map.values().map(String::as_str).collect();
        // Decision: in an exploded form object (query or cookie) that admits any property,
        // `color=` alone is the empty form, so that one pair is not read as a property.
        let expected = |l, st: Style, e| {
            let mut map = map.clone();
            if st == Form && e && l != Path {
                map.retain(|k, v| !(k == "color" && v.is_empty()));
            }
            map
        };
        check_everywhere(&STRING_MAP, "object", &map, |l, st, e| refused(l, st, e, Sent::Object(&keys, &values)), expected)?;
    }

    #[test]
    fn structs_round_trip(name in tricky_string(), min in any::<i64>(), max in proptest::option::of(-1e9..1e9_f64), active in any::<bool>(), status in prop::sample::select(vec![Status::InStock, Status::SoldOut, Status::Delimited])) {
        let filter = Filter { name: name.clone(), min, max, active, status };
        let status_text = serde_json::to_value(status).expect("text");
        let values = [name.as_str(), status_text.as_str().expect("a string")];
        check_everywhere(&FILTER, "object", &filter, |l, st, e| refused(l, st, e, Sent::Object(&["name"], &values)), |_, _, _| filter.clone())?;
    }
}
