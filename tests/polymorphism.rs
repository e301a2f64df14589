//! Constructs that untagged enums and one-success-type clients get wrong, end to end
//! (`tests/fixtures/polymorphism` -> `tests/crates/polymorphism`):
//!
//! - a `oneOf` with an OpenAPI discriminator: a value is the member its `petType` selects, even
//!   when its shape also fits an earlier member (a dog with a name is not a cat); explicit,
//!   bare-name, two-values-one-schema and implicit mappings; unknown and missing tags are
//!   errors that name the property; serializing writes the variant's tag;
//! - `const` as a type that accepts only its value, and 3.1 `type` arrays as `Option`;
//! - two success statuses (typed `AddPetSuccess`) and several error statuses (typed errors),
//!   through the generated client and server.

use std::future::Future;

use fixture_polymorphism as pets;
use pets::client::{AddPetError, AddPetSuccess, BaseUrl, Client, Credentials, Error};
use pets::models::{Cat, Dog, Lizard, LizardKind, Pet, Problem};
use pets::server as ps;
use serde_json::{json, Value};

fn pet(value: Value) -> Pet {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("a pet: {e}"))
}

fn decode_error(value: Value) -> String {
    match serde_json::from_value::<Pet>(value) {
        Ok(p) => panic!("decoded {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_discriminator_decides_the_variant() {
    // Fits Cat's shape (petType and name), but says it is a dog.
    assert!(matches!(pet(json!({"petType": "dog", "name": "Rex"})), Pet::Dog(Dog { name: Some(n), .. }) if n == "Rex"));
    assert!(matches!(pet(json!({"petType": "cat", "name": "Tom", "lives": 9})), Pet::Cat(Cat { lives: Some(9), .. })));
    // Two values for one schema, and a member mapped implicitly by its schema name.
    assert!(matches!(pet(json!({"petType": "doggo"})), Pet::Dog(_)));
    assert!(matches!(
        pet(json!({"petType": "Lizard", "kind": "reptile", "name": null})),
        // An explicit `null` of an optional nullable property is kept as such (three-state).
        Pet::Lizard(Lizard { name: Some(None), kind: LizardKind::Reptile, .. })
    ));
    // The selected member's own rules apply: a cat needs a name.
    assert!(decode_error(json!({"petType": "cat"})).contains("name"));
}

#[test]
fn unknown_and_missing_tags_name_the_property() {
    let unknown = decode_error(json!({"petType": "bird", "name": "Tweety"}));
    assert!(unknown.contains("unknown `petType` \"bird\""), "{unknown}");
    for tag in ["cat", "dog", "doggo", "Lizard"] {
        assert!(unknown.contains(&format!("{tag:?}")), "{unknown} lacks {tag}");
    }
    let missing = decode_error(json!({"name": "Rex"}));
    assert!(missing.contains("missing `petType`"), "{missing}");
    assert!(decode_error(json!({"petType": 7})).contains("missing `petType`"));
}

#[test]
fn serializing_writes_the_variants_tag() {
    // The inner value's tag disagrees with its variant: the variant wins, so it reads back as one.
    let dog = Pet::Dog(serde_json::from_value(json!({"petType": "cat", "name": "Rex"})).expect("dog"));
    let text = serde_json::to_value(&dog).expect("json");
    assert_eq!(text["petType"], "dog");
    assert!(matches!(pet(text), Pet::Dog(_)));
    // A tag that selects the variant is kept as it is.
    let doggo = pet(json!({"petType": "doggo", "bark": true}));
    assert_eq!(serde_json::to_value(&doggo).expect("json")["petType"], "doggo");
}

#[test]
fn const_is_a_type_and_type_arrays_are_options() {
    let lizard: Lizard = serde_json::from_value(json!({"petType": "Lizard", "kind": "reptile"})).expect("lizard");
    assert_eq!(lizard.kind, LizardKind::Reptile);
    assert_eq!(serde_json::to_value(&lizard).expect("json")["kind"], "reptile");
    let wrong = serde_json::from_value::<Lizard>(json!({"petType": "Lizard", "kind": "mammal"}));
    assert!(wrong.is_err(), "a const accepts only its value");
    let problem: Problem = serde_json::from_value(json!({"code": 1, "detail": null})).expect("problem");
    assert_eq!(problem.detail, Some(None), "an explicit null is not an absent property");
    let problem: Problem = serde_json::from_value(json!({"code": 1})).expect("problem");
    assert_eq!(problem.detail, None);
}

/// Adds pets: `Existing` is already there (200), `Taken` conflicts (409), `Stone` cannot be
/// kept (422), anything else is added (201). Pet 404 does not exist.
struct Shelter;

fn pet_name(p: &Pet) -> Option<&str> {
    match p {
        Pet::Cat(c) => Some(&c.name),
        Pet::Dog(d) => d.name.as_deref(),
        Pet::Lizard(l) => l.name.as_ref().and_then(Option::as_deref),
    }
}

fn problem(code: i64) -> Problem {
    serde_json::from_value(json!({"code": code, "detail": "no"})).expect("problem")
}

impl ps::Api for Shelter {
    fn add_pet(&self, input: ps::AddPetInput) -> impl Future<Output = ps::AddPetResponse> + Send {
        std::future::ready(match pet_name(&input.body) {
            Some("Existing") => ps::AddPetResponse::Ok(input.body),
            Some("Taken") => ps::AddPetResponse::Conflict(problem(409)),
            Some("Stone") => ps::AddPetResponse::UnprocessableEntity(problem(422)),
            _ => ps::AddPetResponse::Created(input.body),
        })
    }

    fn get_pet(&self, input: ps::GetPetInput) -> impl Future<Output = ps::GetPetResponse> + Send {
        std::future::ready(match input.id {
            404 => ps::GetPetResponse::NotFound(problem(404)),
            id => ps::GetPetResponse::Ok(pet(json!({"petType": "dog", "name": format!("Dog {id}")}))),
        })
    }
}

async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, ps::router(Shelter)).await;
    });
    format!("http://{addr}")
}

fn client(base: &str) -> Client {
    Client::builder(BaseUrl::Custom(base.to_string()), Credentials::new()).build().expect("client")
}

#[tokio::test]
async fn every_variant_and_status_round_trips() {
    let base = serve().await;
    let client = client(&base);
    for sent in [
        json!({"petType": "dog", "name": "Rex", "bark": true}),
        json!({"petType": "cat", "name": "Tom", "lives": 3}),
        json!({"petType": "doggo"}),
        json!({"petType": "Lizard", "kind": "reptile", "name": null}),
    ] {
        let sent = pet(sent);
        match client.add_pet(&sent).await.expect("added").into_inner() {
            AddPetSuccess::Created(got) => assert_eq!(serde_json::to_value(&got).ok(), serde_json::to_value(&sent).ok()),
            other => panic!("{other:?}"),
        }
    }
    let existing = pet(json!({"petType": "cat", "name": "Existing"}));
    assert!(matches!(client.add_pet(&existing).await.expect("ok").into_inner(), AddPetSuccess::Ok(Pet::Cat(_))));
    let taken = client.add_pet(&pet(json!({"petType": "dog", "name": "Taken"}))).await;
    assert!(matches!(taken, Err(Error::Api { error: AddPetError::Conflict(Problem { code: 409, .. }), .. })), "{taken:?}");
    let stone = client.add_pet(&pet(json!({"petType": "dog", "name": "Stone"}))).await;
    assert!(matches!(stone, Err(Error::Api { error: AddPetError::UnprocessableEntity(_), .. })), "{stone:?}");
    assert!(matches!(client.get_pet(7).await.expect("pet").into_inner(), Pet::Dog(_)));
    assert_eq!(client.get_pet(404).await.expect_err("404").status(), Some(404));
}

/// Posts raw JSON; returns the status and the answer's message (in `detail`: the fixture's
/// operations document `Problem {code, detail}` errors, which the server answers in).
async fn post(base: &str, body: Value) -> (u16, String) {
    let response = reqwest::Client::new().post(format!("{base}/pets")).json(&body).send().await.expect("send");
    let status = response.status().as_u16();
    let answer: Value = response.json().await.expect("json");
    if status >= 400 {
        assert_eq!(answer["code"], status, "{answer}");
    }
    (status, answer["detail"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn the_server_checks_the_member_the_tag_selects() {
    let base = serve().await;
    // The cat's own schema is reported, not "matches none of the alternatives".
    let (status, message) = post(&base, json!({"petType": "cat", "lives": "nine"})).await;
    assert_eq!(status, 400);
    assert!(message.contains("name: is required") && message.contains("lives: must be an integer"), "{message}");
    assert!(!message.contains("alternatives"), "{message}");
    let (status, message) = post(&base, json!({"petType": "bird"})).await;
    assert_eq!(status, 400);
    assert!(message.contains("petType: must be one of") && message.contains("\"doggo\""), "{message}");
    let (status, message) = post(&base, json!({"name": "Rex"})).await;
    assert_eq!(status, 400);
    assert!(message.contains("petType: is required"), "{message}");
    let (status, message) = post(&base, json!({"petType": "Lizard", "kind": "mammal"})).await;
    assert_eq!(status, 400);
    assert!(message.contains("kind: must be \"reptile\""), "{message}");
    // `Cat` is also a response model: its rules hold on server input all the same.
    let (status, message) = post(&base, json!({"petType": "cat", "name": "Tom", "lives": 10})).await;
    assert_eq!(status, 400);
    assert!(message.contains("lives: must be at most 9"), "{message}");
    let (status, _) = post(&base, json!({"petType": "dog", "name": "Rex"})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn the_mock_answers_what_the_client_decodes() {
    // No examples in this spec: the mock answers a minimal body, which for a discriminated
    // union must carry the tag of the member it shows.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, ps::router(ps::mock::MockApi::new())).await;
    });
    let client = client(&base);
    let added = client.add_pet(&pet(json!({"petType": "doggo"}))).await.expect("the mock's answer decodes");
    assert!(matches!(added.into_inner(), AddPetSuccess::Created(Pet::Cat(_))));
    assert!(matches!(client.get_pet(1).await.expect("decodes").into_inner(), Pet::Cat(_)));
}
