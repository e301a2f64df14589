//! Generates the petstore module (models, client and server) into OUT_DIR.

fn main() {
    let mut settings = generator::GeneratorSettings::new("petstore");
    settings.with_parts(generator::Parts::from_names(["client", "server"]).expect("parts")).with_derive("PartialEq");
    generator::module::build("openapi.yaml", &settings, "petstore.rs").unwrap_or_else(|e| panic!("{e}"));
}
