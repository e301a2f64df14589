//! The generated client against the generated server (a small in-memory implementation of its
//! `Api` trait), over HTTP on loopback.

use std::sync::Mutex;

use example_build_rs::petstore::{client, models, server};

/// The pets, in memory.
#[derive(Default)]
struct Store(Mutex<Vec<models::Pet>>);

fn not_found(id: i64) -> models::ErrorModel {
    models::ErrorModel { code: 404, message: format!("no pet {id}") }
}

impl server::Api for Store {
    async fn find_pets(&self, input: server::FindPetsInput) -> server::FindPetsResponse {
        let pets = self.0.lock().expect("lock").clone();
        let limit = input.limit.map_or(pets.len(), |l| usize::try_from(l).unwrap_or(0));
        server::FindPetsResponse::Ok(pets.into_iter().take(limit).collect())
    }

    async fn add_pet(&self, input: server::AddPetInput) -> server::AddPetResponse {
        let mut pets = self.0.lock().expect("lock");
        let id = i64::try_from(pets.len()).expect("few pets") + 1;
        let pet = models::Pet { id, name: input.body.name, tag: input.body.tag };
        pets.push(pet.clone());
        server::AddPetResponse::Ok(pet)
    }

    async fn find_pet_by_id(&self, input: server::FindPetByIdInput) -> server::FindPetByIdResponse {
        match self.0.lock().expect("lock").iter().find(|p| p.id == input.id) {
            Some(pet) => server::FindPetByIdResponse::Ok(pet.clone()),
            None => server::FindPetByIdResponse::Default { status: 404, body: not_found(input.id) },
        }
    }

    async fn delete_pet(&self, input: server::DeletePetInput) -> server::DeletePetResponse {
        let mut pets = self.0.lock().expect("lock");
        let before = pets.len();
        pets.retain(|p| p.id != input.id);
        if pets.len() < before {
            server::DeletePetResponse::NoContent
        } else {
            server::DeletePetResponse::Default { status: 404, body: not_found(input.id) }
        }
    }
}

/// Serves a fresh store on a free port and returns a client for it.
async fn serve() -> client::Client {
    let listener = server::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let limits = server::ConnectionLimits::default();
        server::serve(listener, server::router(Store::default()), &limits).await
    });
    client::Client::new(client::BaseUrl::Custom(format!("http://{addr}")), client::Credentials::new())
}

#[tokio::test]
async fn pets_are_added_found_and_deleted() {
    let api = serve().await;
    let none = client::FindPetsParams::default();
    assert!(api.find_pets(&none).await.expect("findPets").body.is_empty());
    let rex = api.add_pet(&models::NewPet { name: "Rex".into(), tag: Some("dog".into()) }).await.expect("addPet").body;
    let tom = api.add_pet(&models::NewPet { name: "Tom".into(), tag: None }).await.expect("addPet").body;
    // `PartialEq` on the models is the settings' derive: without it this does not compile.
    assert_eq!(api.find_pet_by_id(rex.id).await.expect("findPetById").body, rex);
    assert_eq!(api.find_pets(&none).await.expect("findPets").body, vec![rex.clone(), tom.clone()]);
    let one = client::FindPetsParams { limit: Some(1), ..Default::default() };
    assert_eq!(api.find_pets(&one).await.expect("findPets").body, vec![rex.clone()]);
    api.delete_pet(rex.id).await.expect("deletePet");
    assert_eq!(api.find_pets(&none).await.expect("findPets").body, vec![tom]);
}

#[tokio::test]
async fn a_documented_error_arrives_typed() {
    let api = serve().await;
    match api.find_pet_by_id(7).await {
        Err(client::Error::Api { error: client::FindPetByIdError::Default(body), response }) => {
            assert_eq!(response.status, 404);
            assert_eq!(body, models::ErrorModel { code: 404, message: "no pet 7".into() });
        }
        other => panic!("expected the documented error, got {other:?}"),
    }
}
