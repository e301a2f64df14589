//! Generates the petstore module (models, client and server) into OUT_DIR.

fn main() {
    let mut settings = apigen_codegen::GeneratorSettings::new("petstore");
    settings.with_parts(apigen_codegen::Parts::from_names(["client", "server"]).expect("parts")).with_derive("PartialEq");
    apigen_codegen::module::build("openapi.yaml", &settings, "petstore.rs").unwrap_or_else(|e| panic!("{e}"));
}
