//! Uses the petstore crate that `apigen` generated into `petstore/` (regenerate with
//! `cargo run -p apigen-codegen --bin apigen -- --spec examples/cli/openapi.yaml --out examples/cli/petstore --runtime path=runtime`
//! from the repository root).
#![deny(warnings)]

pub use petstore;
