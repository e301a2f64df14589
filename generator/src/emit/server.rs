//! The server emitter: axum stubs (`src/server.rs` of the generated crate).

use proc_macro2::TokenStream;

use crate::ir::ApiSpace;

/// Emits `src/server.rs`.
///
/// # Errors
///
/// A message when the IR holds something the emitter cannot express (a generator bug).
pub fn emit(api: &ApiSpace) -> Result<TokenStream, String> {
    let _ = api;
    Ok(quote::quote! {})
}
