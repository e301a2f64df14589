//! Form bodies end to end (`tests/fixtures/forms` -> `tests/crates/forms`): the generated client
//! sends an order as `application/x-www-form-urlencoded` and as `multipart/form-data`, the
//! generated server decodes it back into the typed model, and the test implementation answers
//! with what it received. A form carries only text, so integers, numbers, booleans, one-item
//! arrays and nested objects (`address[city]`) must come back typed from the schema; raw bodies
//! with broken values, conflicting or over-deep names get the documented error answer.

use std::future::Future;

use fixture_forms as forms;

use forms::client::{BaseUrl, Client, Credentials};
use forms::models::Order;
use forms::server as fs;
use serde_json::{json, Value};

/// Answers every order with the typed body it received, as JSON.
struct EchoOrders;

fn echo(order: &Order) -> forms::models::Echo {
    match serde_json::to_value(order) {
        Ok(Value::Object(map)) => forms::models::Echo(map),
        other => panic!("an order serializes to an object, got {other:?}"),
    }
}

impl fs::Api for EchoOrders {
    fn create_order(&self, input: fs::CreateOrderInput) -> impl Future<Output = fs::CreateOrderResponse> + Send {
        let mut answer = echo(&input.body);
        if let Some(note) = input.note {
            answer.0.insert("_note".into(), Value::String(note));
        }
        std::future::ready(fs::CreateOrderResponse::Ok(answer))
    }

    fn upload_order(&self, input: fs::UploadOrderInput) -> impl Future<Output = fs::UploadOrderResponse> + Send {
        std::future::ready(fs::UploadOrderResponse::Ok(echo(&input.body)))
    }
}

async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, fs::router(EchoOrders)).await;
    });
    format!("http://{addr}")
}

fn client(base: &str) -> Client {
    Client::builder(BaseUrl::Custom(base.to_string()), Credentials::new()).build().expect("client")
}

fn order(value: Value) -> Order {
    serde_json::from_value(value).expect("a valid order")
}

/// Orders that exercise every way a value can be lost in a form.
fn orders() -> Vec<Order> {
    vec![
        // Only the required fields.
        order(json!({"sku": "ABC-1", "quantity": 1})),
        // Every field: a number, `false`, one-item and many-item arrays, a nested object with
        // an integer, text that needs percent-encoding.
        order(json!({
            "sku": "XYZ-42", "quantity": 9_007_199_254_740_993_i64, "price": 12.5, "gift": false,
            "tags": ["a b&c=d+é"], "lines": [3, -1, 0],
            "address": {"city": "São Paulo & [Rio]", "zip": 1234}
        })),
        order(json!({"sku": "QQQ-7", "quantity": 2, "gift": true, "tags": ["x", "y", "x"], "address": {"city": "Oslo"}})),
    ]
}

#[tokio::test]
async fn url_encoded_orders_round_trip() {
    let base = serve().await;
    let client = client(&base);
    for sent in orders() {
        let got = client.create_order(&sent, &Default::default()).await.expect("the server accepts the order").into_inner();
        assert_eq!(Value::Object(got.0), serde_json::to_value(&sent).expect("json"), "{sent:?}");
    }
}

#[tokio::test]
async fn multipart_orders_round_trip() {
    let base = serve().await;
    let client = client(&base);
    for sent in orders() {
        let got = client.upload_order(&sent).await.expect("the server accepts the order").into_inner();
        assert_eq!(Value::Object(got.0), serde_json::to_value(&sent).expect("json"), "{sent:?}");
    }
}

/// Posts a raw URL-encoded body; returns the status and the JSON answer.
async fn post_form(base: &str, body: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/orders"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

fn message(answer: &Value) -> &str {
    answer["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn raw_url_encoded_bodies_are_typed_by_the_schema() {
    let base = serve().await;
    let (status, answer) =
        post_form(&base, "sku=ABC%2D1&quantity=%2B3&lines=7&address%5Bcity%5D=Rome&address[zip]=00184&gift=true&price=1e2").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"sku": "ABC-1", "quantity": 3, "lines": [7], "address": {"city": "Rome", "zip": 184}, "gift": true, "price": 100.0})
    );
}

#[tokio::test]
async fn bad_url_encoded_bodies_get_every_violation() {
    let base = serve().await;
    // Wrong types, a broken rule, a missing field, an unknown field, a value given twice: all
    // reported at once, in the API's error shape.
    let (status, answer) = post_form(&base, "sku=abc&sku=ABC-2&quantity=0&price=cheap&gift=yes&colour=red&address[zip]=x").await;
    assert_eq!(status, 400, "{answer}");
    let text = message(&answer);
    for needle in [
        "sku: must be a string",
        "quantity: must be at least 1",
        "price: must be a number",
        "gift: must be a boolean",
        "colour: is not a documented field",
        "address.city: is required",
        "address.zip: must be an integer",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from {text}");
    }

    let (status, answer) = post_form(&base, "quantity=1").await;
    assert_eq!(status, 400);
    assert!(message(&answer).contains("sku: is required"), "{answer}");

    let (status, answer) = post_form(&base, "sku=abc&quantity=1").await;
    assert_eq!(status, 400);
    assert!(message(&answer).contains("sku"), "{answer}");
}

#[tokio::test]
async fn conflicting_and_deep_form_names_are_malformed() {
    let base = serve().await;
    for body in ["sku=ABC-1&quantity=1&address=Rome&address[city]=Rome", "sku=ABC-1&quantity=1&address[city]=Rome&address=Rome"] {
        let (status, answer) = post_form(&base, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(message(&answer).contains("given both as a value and as an object"), "{answer}");
    }
    // A name nested 10,000 levels deep must not overflow the stack.
    let deep = format!("sku=ABC-1&quantity=1&a{}=1", "[x]".repeat(10_000));
    let (status, answer) = post_form(&base, &deep).await;
    assert_eq!(status, 400);
    assert!(message(&answer).contains("nested deeper than 32 levels"), "{answer}");
    // Names that are not of the `a[b]` shape are plain names (and here not documented).
    for name in ["[x]", "a[x", "a[x]y", "a]"] {
        let (status, answer) = post_form(&base, &format!("sku=ABC-1&quantity=1&{}=1", urlencode(name))).await;
        assert_eq!(status, 400, "{name}");
        assert!(message(&answer).contains("is not a documented field"), "{name}: {answer}");
    }
}

#[tokio::test]
async fn query_values_are_decoded_like_forms() {
    let base = serve().await;
    let cases = [
        ("note=a+b%20c%2B", Some("a b c+")),
        ("note=%C3%A9t%C3%A9", Some("été")),
        // A `%` without two hex digits stays as it is.
        ("note=100%", Some("100%")),
        ("note=%zz%4", Some("%zz%4")),
        // An encoded name, a repeated name (the first wins), empty pieces, no `=`.
        ("no%74e=x", Some("x")),
        ("note=1&note=2", Some("1")),
        ("&&note=v&", Some("v")),
        ("note", Some("")),
        ("notes=x&xnote=y", None),
    ];
    for (query, expected) in cases {
        let response = reqwest::Client::new()
            .post(format!("{base}/orders?{query}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("sku=ABC-1&quantity=1")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), 200, "{query}");
        let answer: Value = response.json().await.expect("json");
        assert_eq!(answer.get("_note").and_then(Value::as_str), expected, "{query}");
    }
    // Bytes that are not UTF-8 are no string: the parameters answer.
    let response = reqwest::Client::new()
        .post(format!("{base}/orders?note=%FF"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("sku=ABC-1&quantity=1")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 400);
    // The generated client encodes what the server decodes.
    let order = order(json!({"sku": "ABC-1", "quantity": 1}));
    let note = "a&b=c+d %e/é?#";
    let params = forms::client::CreateOrderParams { note: Some(note.to_string()) };
    let got = client(&base).create_order(&order, &params).await.expect("accepted").into_inner();
    assert_eq!(got.get("_note").and_then(Value::as_str), Some(note));
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn the_url_encoded_operation_does_not_take_multipart() {
    let base = serve().await;
    let form = reqwest::multipart::Form::new().text("sku", "ABC-1").text("quantity", "1");
    let response = reqwest::Client::new().post(format!("{base}/orders")).multipart(form).send().await.expect("send");
    // The operation documents application/x-www-form-urlencoded only: 415 in the error shape.
    assert_eq!(response.status().as_u16(), 415);
}

/// Hostile form bodies (property test): arbitrary names (brackets, percent escapes, repeats,
/// deep nesting) and values, URL-encoded and multipart, sent in process. Every answer is the
/// echo of a valid order or a 400 in the error shape; never a 5xx, never a panic.
mod hostile {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use proptest::prelude::*;
    use tower::ServiceExt;

    fn name() -> impl Strategy<Value = String> {
        let base = prop_oneof![
            Just("sku".to_string()),
            Just("quantity".to_string()),
            Just("price".to_string()),
            Just("gift".to_string()),
            Just("tags".to_string()),
            Just("lines".to_string()),
            Just("address".to_string()),
            "[a-z%\\[\\]+=&]{0,8}",
        ];
        let suffix = prop_oneof![
            Just(String::new()),
            Just("[city]".to_string()),
            Just("[zip]".to_string()),
            "(\\[[a-z%]{0,3}\\]){0,40}",
            "[\\[\\]a-z]{0,6}"
        ];
        (base, suffix).prop_map(|(b, s)| b + &s)
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("ABC-1".to_string()),
            Just("1".to_string()),
            Just("-0".to_string()),
            Just("1e400".to_string()),
            Just("true".to_string()),
            any::<String>(),
            "[0-9%+a-fA-F]{0,8}"
        ]
    }

    /// Half start with a valid order, so that accepted bodies (and their echo) are checked too.
    fn hostile_fields() -> impl Strategy<Value = Vec<(String, String)>> {
        (any::<bool>(), prop::collection::vec((name(), value()), 0..12)).prop_map(|(valid_start, rest)| {
            let start = if valid_start {
                vec![("sku".to_string(), "ABC-1".to_string()), ("quantity".to_string(), "2".to_string())]
            } else {
                Vec::new()
            };
            start.into_iter().chain(rest).collect()
        })
    }

    /// The fields of an arbitrary valid order (any text, numbers, repeated array fields,
    /// `address[...]`), in any order: accepted, so their echo is compared with what was sent.
    fn order_fields() -> impl Strategy<Value = Vec<(String, String)>> {
        (
            "[A-Z]{3}-[0-9]{1,6}",
            1..i64::MAX,
            prop::option::of(-1e12..1e12f64),
            prop::option::of(any::<bool>()),
            prop::collection::vec(any::<String>(), 0..4),
            prop::collection::vec(any::<i64>(), 0..4),
            prop::option::of((any::<String>(), prop::option::of(any::<i64>()))),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(sku, quantity, price, gift, tags, lines, address, shuffle)| {
                let mut fields = vec![("sku".to_string(), sku), ("quantity".to_string(), quantity.to_string())];
                fields.extend(price.map(|p| ("price".to_string(), p.to_string())));
                fields.extend(gift.map(|g| ("gift".to_string(), g.to_string())));
                fields.extend(tags.into_iter().map(|t| ("tags".to_string(), t)));
                fields.extend(lines.into_iter().map(|l| ("lines".to_string(), l.to_string())));
                if let Some((city, zip)) = address {
                    fields.push(("address[city]".to_string(), city));
                    fields.extend(zip.map(|z| ("address[zip]".to_string(), z.to_string())));
                }
                // Rotate, so required fields are not always first (repeated fields keep their order).
                let n = shuffle.index(fields.len());
                fields.rotate_left(n);
                fields
            })
    }

    fn fields() -> impl Strategy<Value = Vec<(String, String)>> {
        prop_oneof![hostile_fields(), order_fields()]
    }

    fn router() -> axum::Router {
        fs::router(EchoOrders)
    }

    /// The order a list of form fields means, typed by the schema with Rust's own parsers
    /// (`i64`, `f64`, `true`/`false`): what the server must echo when it accepts the body.
    /// `Err` names a field that cannot be part of an accepted order.
    fn expected_echo(fields: &[(String, String)]) -> Result<Value, String> {
        let int = |v: &str| v.parse::<i64>().map(Value::from).map_err(|e| format!("{v:?} is no integer: {e}"));
        let mut order = serde_json::Map::new();
        let mut address = serde_json::Map::new();
        fn once(map: &mut serde_json::Map<String, Value>, key: &str, value: Value) -> Result<(), String> {
            match map.insert(key.to_string(), value) {
                None => Ok(()),
                Some(_) => Err(format!("`{key}` given twice")),
            }
        }
        fn push(map: &mut serde_json::Map<String, Value>, key: &str, value: Value) {
            if let Value::Array(items) = map.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new())) {
                items.push(value);
            }
        }
        for (name, value) in fields {
            match name.as_str() {
                "sku" => once(&mut order, "sku", Value::String(value.clone()))?,
                "quantity" => once(&mut order, "quantity", int(value)?)?,
                "price" => {
                    let n = value.parse::<f64>().map_err(|e| format!("{value:?} is no number: {e}"))?;
                    once(&mut order, "price", serde_json::Number::from_f64(n).map(Value::Number).ok_or("not finite")?)?;
                }
                "gift" => once(&mut order, "gift", Value::Bool(value.parse::<bool>().map_err(|e| format!("{value:?}: {e}"))?))?,
                "tags" => push(&mut order, "tags", Value::String(value.clone())),
                "lines" => push(&mut order, "lines", int(value)?),
                "address[city]" => once(&mut address, "city", Value::String(value.clone()))?,
                "address[zip]" => once(&mut address, "zip", int(value)?)?,
                other => return Err(format!("`{other}` is not a documented field")),
            }
        }
        if !address.is_empty() {
            order.insert("address".into(), Value::Object(address));
        }
        Ok(Value::Object(order))
    }

    /// An accepted body is echoed as exactly the order its fields mean; a rejected one gets the
    /// error shape. `fields` is `None` for raw bytes, whose meaning the test does not model.
    fn check(status: u16, body: &[u8], fields: Option<&[(String, String)]>) -> Result<(), TestCaseError> {
        let answer: Value =
            serde_json::from_slice(body).map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {}", String::from_utf8_lossy(body))))?;
        match status {
            200 => {
                prop_assert!(serde_json::from_value::<Order>(answer.clone()).is_ok(), "200 with a body that is not an order: {answer}");
                if let Some(fields) = fields {
                    let expected =
                        expected_echo(fields).map_err(|why| TestCaseError::fail(format!("accepted, but {why}: {fields:?} -> {answer}")))?;
                    prop_assert_eq!(&answer, &expected, "the echo is not what was sent: {:?}", fields);
                }
            }
            400 => prop_assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "400 without a message: {answer}"),
            other => prop_assert!(false, "status {other}: {answer}"),
        }
        Ok(())
    }

    fn send(request: Request<Body>) -> (u16, Vec<u8>) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
        rt.block_on(async {
            let response = router().oneshot(request).await.expect("infallible router");
            let status = response.status().as_u16();
            (status, axum::body::to_bytes(response.into_body(), 1 << 22).await.expect("body").to_vec())
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(300), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn url_encoded(fields in fields(), raw in prop::option::of(any::<Vec<u8>>())) {
            // Either well-formed pairs (names and values percent-encoded) or raw bytes.
            let sent = raw.is_none().then_some(fields.as_slice());
            let body = raw.unwrap_or_else(|| fields.iter().map(|(n, v)| format!("{}={}", urlencode(n), urlencode(v))).collect::<Vec<_>>().join("&").into_bytes());
            let request = Request::post("/orders").header("content-type", "application/x-www-form-urlencoded").body(Body::from(body)).expect("request");
            let (status, body) = send(request);
            check(status, &body, sent)?;
            ACCEPTED.fetch_add(u32::from(status == 200), std::sync::atomic::Ordering::Relaxed);
        }

        #[test]
        fn multipart(fields in fields()) {
            let boundary = "XyZzY-boundary";
            let mut body = String::new();
            // Names as a part header can carry them, values without the boundary.
            let fields: Vec<(String, String)> =
                fields.into_iter().map(|(n, v)| (n.replace(['"', '\r', '\n'], "_"), v.replace(boundary, "_"))).collect();
            for (n, v) in &fields {
                body.push_str(&format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n"));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            let request = Request::post("/orders/upload")
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(Body::from(body))
                .expect("request");
            let (status, body) = send(request);
            check(status, &body, Some(&fields))?;
            ACCEPTED.fetch_add(u32::from(status == 200), std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Bodies the property tests saw accepted.
    static ACCEPTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

    #[test]
    fn some_hostile_bodies_are_accepted() {
        // Run both properties here too, so this test does not depend on test order.
        url_encoded();
        multipart();
        assert!(ACCEPTED.load(std::sync::atomic::Ordering::Relaxed) > 0, "no generated body was a valid order");
    }
}
