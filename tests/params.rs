//! Parameters end to end (`tests/fixtures/params` -> `tests/crates/params`): for every location
//! x style x explode of OpenAPI's table, the generated client writes a parameter of every value
//! kind the style defines (string, integer, array, object, nullable, base64 and raw bytes, an
//! integer `oneOf`/`const` union) and the generated server must read back the same values.
//!
//! The server implementation records what it received (the `Debug` text of the typed inputs);
//! each row compares it with the `Debug` text of what the client sent.

use std::future::{ready, Future};
use std::sync::{Arc, Mutex};

use fixture_params as fp;

use fp::client::{BaseUrl, Client, Credentials};
use fp::models::{Level, Rgb};
use fp::server as ps;
use serde_json::json;

/// Records the inputs it receives, and the wire form of each request (its target, cookies and
/// parameter headers).
#[derive(Clone, Default)]
struct Recorder {
    inputs: Arc<Mutex<Vec<String>>>,
    wire: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn seen(&self, text: String) {
        self.inputs.lock().expect("recorder lock").push(text);
    }

    fn last(&self) -> Option<String> {
        self.inputs.lock().expect("recorder lock").last().cloned()
    }

    fn last_wire(&self) -> String {
        self.wire.lock().expect("recorder lock").last().cloned().unwrap_or_default()
    }
}

/// Implements the `Api`: each operation records the `Debug` text of its parameters, in the
/// order the test writes them.
macro_rules! recorder {
    ($($op:ident: $input:ident => $response:ident ($($field:ident),*);)*) => {
        impl ps::Api for Recorder {
            $(
                fn $op(&self, input: ps::$input) -> impl Future<Output = ps::$response> + Send {
                    self.seen(format!("{:?}", ($(&input.$field,)*)));
                    ready(ps::$response::NoContent)
                }
            )*
        }
    };
}

recorder! {
    path_simple_flat: PathSimpleFlatInput => PathSimpleFlatResponse (prim, int, arr, obj, nul, byt, bin, uni);
    path_simple_exploded: PathSimpleExplodedInput => PathSimpleExplodedResponse (prim, int, arr, obj, nul, byt, bin, uni);
    path_label_flat: PathLabelFlatInput => PathLabelFlatResponse (prim, int, arr, obj, nul, byt, bin, uni);
    path_label_exploded: PathLabelExplodedInput => PathLabelExplodedResponse (prim, int, arr, obj, nul, byt, bin, uni);
    path_matrix_flat: PathMatrixFlatInput => PathMatrixFlatResponse (prim, int, arr, obj, nul, byt, bin, uni);
    path_matrix_exploded: PathMatrixExplodedInput => PathMatrixExplodedResponse (prim, int, arr, obj, nul, byt, bin, uni);
    query_form_flat: QueryFormFlatInput => QueryFormFlatResponse (prim, int, arr, obj, nul, byt, bin, uni);
    query_form_exploded: QueryFormExplodedInput => QueryFormExplodedResponse (prim, int, arr, obj, nul, byt, bin, uni);
    query_space_delimited_flat: QuerySpaceDelimitedFlatInput => QuerySpaceDelimitedFlatResponse (arr, obj);
    query_pipe_delimited_flat: QueryPipeDelimitedFlatInput => QueryPipeDelimitedFlatResponse (arr, obj);
    query_deep_object_exploded: QueryDeepObjectExplodedInput => QueryDeepObjectExplodedResponse (obj);
    header_simple_flat: HeaderSimpleFlatInput => HeaderSimpleFlatResponse (prim, int, arr, obj, nul, byt, bin, uni);
    header_simple_exploded: HeaderSimpleExplodedInput => HeaderSimpleExplodedResponse (prim, int, arr, obj, nul, byt, bin, uni);
    cookie_form_flat: CookieFormFlatInput => CookieFormFlatResponse (prim, int, arr, obj, nul, byt, bin, uni);
    cookie_form_exploded: CookieFormExplodedInput => CookieFormExplodedResponse (prim, int, arr, obj, nul, byt, bin, uni);
    query_extras: QueryExtrasInput => QueryExtrasResponse (filter, r#where, order, ratio, flag);
}

async fn serve(recorder: Recorder) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let wire = recorder.wire.clone();
    let router = ps::router(recorder).layer(tower::util::MapRequestLayer::new(move |request: axum::extract::Request| {
        let mut text = request.uri().to_string();
        for name in ["prim", "int", "arr", "obj", "nul", "byt", "bin", "uni", "cookie"] {
            for value in request.headers().get_all(name) {
                text.push_str(&format!(" {name}: {}", String::from_utf8_lossy(value.as_bytes())));
            }
        }
        wire.lock().expect("recorder lock").push(text);
        request
    }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Client::builder(BaseUrl::Custom(format!("http://{addr}")), Credentials::new()).build().expect("client")
}

/// One set of values of every kind.
#[derive(Debug, Clone)]
struct Values {
    prim: String,
    int: i64,
    arr: Vec<i64>,
    obj: Rgb,
    nul: Option<String>,
    byt: String,
    bin: Vec<u8>,
    uni: Level,
}

fn rgb(r: i64, g: i64, b: i64) -> Rgb {
    serde_json::from_value(json!({"R": r, "G": g, "B": b})).expect("an Rgb")
}

fn level(n: i64) -> Level {
    serde_json::from_value(json!(n)).expect("a Level")
}

/// Values with every character a style could mistake for a delimiter, in every kind.
fn values() -> Vec<Values> {
    vec![
        Values {
            prim: "blue".into(),
            int: 7,
            arr: vec![3, 4, 5],
            obj: rgb(100, 200, 150),
            nul: Some("x".into()),
            byt: "aGk+Lw==".into(),
            bin: vec![0, 1, 0xff, b',', b'/', b'.', b';'],
            uni: level(12),
        },
        Values {
            prim: "a b,c;d=e.f/g?h&i|j%k é".into(),
            int: -9_007_199_254_740_993,
            arr: vec![-1],
            obj: rgb(0, -1, 2),
            nul: None,
            byt: "=".into(),
            bin: b"a b=c".to_vec(),
            uni: level(0),
        },
    ]
}

/// The `Debug` text the server must record for `v`.
fn all(v: &Values) -> String {
    format!("{:?}", (&v.prim, &v.int, &v.arr, &v.obj, &v.nul, &v.byt, &v.bin, &v.uni))
}

/// The same, for the server's optional fields (every value present).
fn all_some(v: &Values) -> String {
    format!(
        "{:?}",
        (&Some(&v.prim), &Some(v.int), &Some(&v.arr), &Some(&v.obj), &Some(&v.nul), &Some(&v.byt), &Some(&v.bin), &Some(&v.uni))
    )
}

fn check<E: std::fmt::Debug>(
    row: &str,
    sent: &Values,
    result: Result<fp::client::Response<()>, fp::client::Error<E>>,
    recorder: &Recorder,
    expected: String,
) {
    if let Err(e) = &result {
        let body = e.raw_response().map(|r| String::from_utf8_lossy(&r.body).into_owned());
        panic!("{row} with {sent:?}: the request failed: {e:?}; server said {body:?}");
    }
    assert_eq!(recorder.last().as_deref(), Some(expected.as_str()), "{row}: the server read other values than the client sent");
}

#[tokio::test]
async fn path_parameters_round_trip_in_every_style() {
    let recorder = Recorder::default();
    let client = serve(recorder.clone()).await;
    // A null path parameter is an empty segment, which no route matches: only present values.
    for v in values().iter().filter(|v| v.nul.is_some()) {
        macro_rules! row {
            ($op:ident) => {{
                let r = client.$op(&v.prim, v.int, v.arr.clone(), v.obj.clone(), v.nul.clone(), &v.byt, v.bin.clone(), v.uni.clone()).await;
                check(stringify!($op), v, r, &recorder, all(v));
            }};
        }
        row!(path_simple_flat);
        row!(path_simple_exploded);
        row!(path_label_flat);
        row!(path_label_exploded);
        row!(path_matrix_flat);
        row!(path_matrix_exploded);
    }
}

#[tokio::test]
async fn query_header_and_cookie_parameters_round_trip_in_every_style() {
    let recorder = Recorder::default();
    let client = serve(recorder.clone()).await;
    for v in &values() {
        macro_rules! row {
            ($op:ident, $params:ident) => {{
                let params = fp::client::$params {
                    prim: Some(v.prim.clone()),
                    int: Some(v.int),
                    arr: Some(v.arr.clone()),
                    obj: Some(v.obj.clone()),
                    nul: Some(v.nul.clone()),
                    byt: Some(v.byt.clone()),
                    bin: Some(v.bin.clone()),
                    uni: Some(v.uni.clone()),
                };
                let r = client.$op(&params).await;
                check(stringify!($op), v, r, &recorder, all_some(v));
            }};
        }
        row!(query_form_flat, QueryFormFlatParams);
        row!(query_form_exploded, QueryFormExplodedParams);
        row!(header_simple_flat, HeaderSimpleFlatParams);
        row!(header_simple_exploded, HeaderSimpleExplodedParams);
        row!(cookie_form_flat, CookieFormFlatParams);
        row!(cookie_form_exploded, CookieFormExplodedParams);

        let params = fp::client::QuerySpaceDelimitedFlatParams { arr: Some(v.arr.clone()), obj: Some(v.obj.clone()) };
        let r = client.query_space_delimited_flat(&params).await;
        check("query_space_delimited_flat", v, r, &recorder, format!("{:?}", (&Some(&v.arr), &Some(&v.obj))));
        let params = fp::client::QueryPipeDelimitedFlatParams { arr: Some(v.arr.clone()), obj: Some(v.obj.clone()) };
        let r = client.query_pipe_delimited_flat(&params).await;
        check("query_pipe_delimited_flat", v, r, &recorder, format!("{:?}", (&Some(&v.arr), &Some(&v.obj))));
        let params = fp::client::QueryDeepObjectExplodedParams { obj: Some(v.obj.clone()) };
        let r = client.query_deep_object_exploded(&params).await;
        check("query_deep_object_exploded", v, r, &recorder, format!("{:?}", (&Some(&v.obj),)));
    }
}

#[tokio::test]
async fn absent_optional_parameters_stay_absent() {
    let recorder = Recorder::default();
    let client = serve(recorder.clone()).await;
    let none: Option<()> = None;
    let expected = format!("{:?}", (&none, &none, &none, &none, &none, &none, &none, &none));
    check("query_form_exploded", &values()[0], client.query_form_exploded(&Default::default()).await, &recorder, expected.clone());
    check("header_simple_flat", &values()[0], client.header_simple_flat(&Default::default()).await, &recorder, expected.clone());
    check("cookie_form_exploded", &values()[0], client.cookie_form_exploded(&Default::default()).await, &recorder, expected);
}

/// What travels for the first set of values: OpenAPI's "Style Examples" table, percent-encoded
/// as RFC 6570 does (object properties in the order of the model's fields).
#[tokio::test]
async fn the_wire_form_follows_the_style_table() {
    let recorder = Recorder::default();
    let client = serve(recorder.clone()).await;
    let v = &values()[0];
    let mut wires = Vec::new();
    macro_rules! path_row {
        ($op:ident) => {{
            let r = client.$op(&v.prim, v.int, v.arr.clone(), v.obj.clone(), v.nul.clone(), &v.byt, v.bin.clone(), v.uni.clone()).await;
            check(stringify!($op), v, r, &recorder, all(v));
            wires.push(recorder.last_wire());
        }};
    }
    path_row!(path_simple_flat);
    path_row!(path_simple_exploded);
    path_row!(path_label_flat);
    path_row!(path_label_exploded);
    path_row!(path_matrix_flat);
    path_row!(path_matrix_exploded);
    macro_rules! row {
        ($op:ident, $params:ident) => {{
            let params = fp::client::$params {
                prim: Some(v.prim.clone()),
                int: Some(v.int),
                arr: Some(v.arr.clone()),
                obj: Some(v.obj.clone()),
                nul: Some(v.nul.clone()),
                byt: Some(v.byt.clone()),
                bin: Some(v.bin.clone()),
                uni: Some(v.uni.clone()),
            };
            let r = client.$op(&params).await;
            check(stringify!($op), v, r, &recorder, all_some(v));
            wires.push(recorder.last_wire());
        }};
    }
    row!(query_form_flat, QueryFormFlatParams);
    row!(query_form_exploded, QueryFormExplodedParams);
    row!(header_simple_flat, HeaderSimpleFlatParams);
    row!(header_simple_exploded, HeaderSimpleExplodedParams);
    row!(cookie_form_flat, CookieFormFlatParams);
    row!(cookie_form_exploded, CookieFormExplodedParams);
    let params = fp::client::QuerySpaceDelimitedFlatParams { arr: Some(v.arr.clone()), obj: Some(v.obj.clone()) };
    let _ = client.query_space_delimited_flat(&params).await;
    wires.push(recorder.last_wire());
    let params = fp::client::QueryPipeDelimitedFlatParams { arr: Some(v.arr.clone()), obj: Some(v.obj.clone()) };
    let _ = client.query_pipe_delimited_flat(&params).await;
    wires.push(recorder.last_wire());
    let _ = client.query_deep_object_exploded(&fp::client::QueryDeepObjectExplodedParams { obj: Some(v.obj.clone()) }).await;
    wires.push(recorder.last_wire());
    let expected = [
        "/path/simple/flat/blue/7/3,4,5/B,150,G,200,R,100/x/aGk%2BLw%3D%3D/%00%01%FF%2C%2F.%3B/12",
        "/path/simple/exploded/blue/7/3,4,5/B=150,G=200,R=100/x/aGk%2BLw%3D%3D/%00%01%FF%2C%2F.%3B/12",
        "/path/label/flat/.blue/.7/.3,4,5/.B,150,G,200,R,100/.x/.aGk%2BLw%3D%3D/.%00%01%FF%2C%2F.%3B/.12",
        "/path/label/exploded/.blue/.7/.3.4.5/.B=150.G=200.R=100/.x/.aGk%2BLw%3D%3D/.%00%01%FF%2C%2F.%3B/.12",
        "/path/matrix/flat/;prim=blue/;int=7/;arr=3,4,5/;obj=B,150,G,200,R,100/;nul=x/;byt=aGk%2BLw%3D%3D/;bin=%00%01%FF%2C%2F.%3B/;uni=12",
        "/path/matrix/exploded/;prim=blue/;int=7/;arr=3;arr=4;arr=5/;B=150;G=200;R=100/;nul=x/;byt=aGk%2BLw%3D%3D/;bin=%00%01%FF%2C%2F.%3B/;uni=12",
        "/query/form/flat?prim=blue&int=7&arr=3,4,5&obj=B,150,G,200,R,100&nul=x&byt=aGk%2BLw%3D%3D&bin=%00%01%FF%2C%2F.%3B&uni=12",
        "/query/form/exploded?prim=blue&int=7&arr=3&arr=4&arr=5&B=150&G=200&R=100&nul=x&byt=aGk%2BLw%3D%3D&bin=%00%01%FF%2C%2F.%3B&uni=12",
        "/header/simple/flat prim: blue int: 7 arr: 3,4,5 obj: B,150,G,200,R,100 nul: x byt: aGk+Lw== bin: %00%01%FF,/.; uni: 12",
        "/header/simple/exploded prim: blue int: 7 arr: 3,4,5 obj: B=150,G=200,R=100 nul: x byt: aGk+Lw== bin: %00%01%FF,/.; uni: 12",
        "/cookie/form/flat cookie: prim=blue; int=7; arr=3,4,5; obj=B,150,G,200,R,100; nul=x; byt=aGk+Lw==; bin=%00%01%FF%2C/.%3B; uni=12",
        "/cookie/form/exploded cookie: prim=blue; int=7; arr=3; arr=4; arr=5; B=150; G=200; R=100; nul=x; byt=aGk+Lw==; bin=%00%01%FF%2C/.%3B; uni=12",
        "/query/spaceDelimited/flat?arr=3%204%205&obj=B%20150%20G%20200%20R%20100",
        "/query/pipeDelimited/flat?arr=3%7C4%7C5&obj=B%7C150%7CG%7C200%7CR%7C100",
        "/query/deepObject/exploded?obj%5BB%5D=150&obj%5BG%5D=200&obj%5BR%5D=100",
    ];
    assert_eq!(wires.len(), expected.len());
    for (got, want) in wires.iter().zip(expected) {
        assert_eq!(got, want);
    }
}

/// An open map as `deepObject`, a `content` parameter (JSON text in the query), an inline enum,
/// a number and a boolean header.
#[tokio::test]
async fn maps_json_text_enums_numbers_and_booleans_round_trip() {
    let recorder = Recorder::default();
    let client = serve(recorder.clone()).await;
    let filter: std::collections::HashMap<String, String> = [("name".to_string(), "a b&c".to_string())].into();
    let params = fp::client::QueryExtrasParams {
        filter: Some(filter.clone()),
        r#where: Some(rgb(1, 2, 3)),
        order: Some(serde_json::from_value(json!("desc")).expect("an order")),
        ratio: Some(0.25),
        flag: Some(false),
    };
    let r = client.query_extras(&params).await;
    check(
        "query_extras",
        &values()[0],
        r,
        &recorder,
        format!("{:?}", (&params.filter, &params.r#where, &params.order, &params.ratio, &params.flag)),
    );
    assert_eq!(
        recorder.last_wire(),
        "/query/extras?filter%5Bname%5D=a%20b%26c&where=%7B%22B%22%3A3%2C%22G%22%3A2%2C%22R%22%3A1%7D&order=desc&ratio=0.25"
    );
}
