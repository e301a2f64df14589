//! Rendering: emitted Rust -> text through prettyplease ([`RustWriter`], which prints a file
//! chunk by chunk, item by item), and minijinja templates (from `templates/`, embedded at build
//! time) for the non-Rust files. The static Rust every crate needs is not rendered: it is the
//! `apigen-runtime` crate.

use minijinja::{Environment, UndefinedBehavior};
use proc_macro2::TokenStream;
use serde::Serialize;

/// A Rust file rendered as it is emitted: each chunk of tokens (a run of whole items, the first
/// may start with the file's inner attributes) is parsed, pretty-printed item by item and
/// dropped before the next chunk is emitted, so only one item's syntax tree is alive at a time,
/// never the whole file's token stream and `syn::File` (nexus.json's server: 1.3 MB of text, over
/// 40 MB of tokens and syntax tree at once).
///
/// The text is the same as prettyplease's of the whole file: prettyplease prints a file as its
/// inner attributes and then each item, every item ending in a hard line break at the outermost
/// indentation, so nothing it decides for one item depends on another (the inner attributes,
/// which end in a soft break, are printed with the first item).
///
/// **Architecture Invariant:** a rendered file is the concatenation of its items printed one at a
/// time; an emitter may hand over its items in any number of chunks without changing a byte.
pub struct RustWriter {
    out: String,
}

impl RustWriter {
    /// A file that starts with the `@generated` header and the module docs (`//!` lines).
    pub fn new(header: &str, module_doc: &str) -> Self {
        let mut out = format!("// {header}\n");
        for line in module_doc.lines() {
            if line.is_empty() {
                out.push_str("//!\n");
            } else {
                out.push_str("//! ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push('\n');
        RustWriter { out }
    }

    /// Parses `tokens` (inner attributes, only in the first chunk, then whole items) and prints
    /// them.
    ///
    /// # Errors
    ///
    /// A message when the tokens are not items, which is a bug in an emitter.
    pub fn push_tokens(&mut self, tokens: TokenStream) -> Result<(), String> {
        let file: syn::File = syn::parse2(tokens).map_err(|e| format!("emitted Rust does not parse: {e}"))?;
        self.push_file(file);
        Ok(())
    }

    /// Prints the chunks `chunks` yields, each parsed and dropped before the next is made.
    ///
    /// # Errors
    ///
    /// The first chunk that failed to emit or does not parse.
    pub fn push_chunks(&mut self, chunks: impl IntoIterator<Item = Result<TokenStream, String>>) -> Result<(), String> {
        for chunk in chunks {
            self.push_tokens(chunk?)?;
        }
        Ok(())
    }

    /// Prints a parsed file (or part of one), item by item, dropping each item once printed.
    pub fn push_file(&mut self, file: syn::File) {
        let syn::File { shebang, attrs, items } = file;
        // The inner attributes are printed with the first item: prettyplease ends an attribute
        // with a soft break, which the item's hard break at its end turns into a line break.
        let mut one = syn::File { shebang, attrs, items: Vec::with_capacity(1) };
        let mut items = items.into_iter();
        if one.shebang.is_some() || !one.attrs.is_empty() {
            one.items.extend(items.next());
            self.out.push_str(&prettyplease::unparse(&one));
            one = syn::File { shebang: None, attrs: Vec::new(), items: Vec::with_capacity(1) };
        }
        for item in items {
            one.items.push(item);
            self.out.push_str(&prettyplease::unparse(&one));
            one.items.clear();
        }
    }

    /// The text of the file.
    pub fn finish(self) -> String {
        comments_fixed(self.out)
    }
}

/// prettyplease's text with the spec's doc text made valid in comments: a carriage return,
/// which Rust forbids in comments (and prettyplease prints docs as `///` comments), becomes a
/// line break or a space; literals are printed escaped, so a raw one can only be in a comment.
/// Likewise a raw tab, which clippy (`tabs_in_doc_comments`) wants as spaces. Every printed file
/// and module goes through here.
pub fn comments_fixed(mut out: String) -> String {
    if out.contains('\r') {
        out = out.replace("\r\n", "\n").replace('\r', " ");
    }
    if out.contains('\t') {
        out = out.replace('\t', "    ");
    }
    out
}

/// Parses `tokens` as a file and pretty-prints it with prettyplease, after the `@generated`
/// header and the module docs (see [`RustWriter`]).
///
/// # Errors
///
/// A message when the tokens are not a Rust file, which is a bug in an emitter.
pub fn render_rust(header: &str, module_doc: &str, tokens: TokenStream) -> Result<String, String> {
    let mut writer = RustWriter::new(header, module_doc);
    writer.push_tokens(tokens)?;
    Ok(writer.finish())
}

/// Pretty-prints a parsed file with the header and module docs, item by item (see
/// [`RustWriter`]).
pub fn render_file(header: &str, module_doc: &str, file: syn::File) -> String {
    let mut writer = RustWriter::new(header, module_doc);
    writer.push_file(file);
    writer.finish()
}

/// A Rust file that an emitter makes in chunks of whole items (the first chunk may start with
/// the file's inner attributes). Each chunk is a pure function of the IR, made on demand by its
/// index, so a renderer can make, print and drop them one at a time, on any thread, and join
/// the texts in index order (see [`render_files`]).
pub struct Chunks<'a> {
    count: usize,
    make: Box<dyn Fn(usize) -> Result<TokenStream, String> + Sync + 'a>,
}

impl<'a> Chunks<'a> {
    /// `count` chunks, chunk `i` made by `make(i)`.
    pub fn new(count: usize, make: impl Fn(usize) -> Result<TokenStream, String> + Sync + 'a) -> Self {
        Chunks { count, make: Box::new(make) }
    }

    /// How many chunks the file has.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the file has no chunks.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Makes chunk `i` (`i < len()`).
    ///
    /// # Errors
    ///
    /// What the emitter cannot express (a generator bug).
    pub fn make(&self, i: usize) -> Result<TokenStream, String> {
        (self.make)(i)
    }

    /// Every chunk, in order, each made when the iterator reaches it.
    pub fn iter(&self) -> impl Iterator<Item = Result<TokenStream, String>> + '_ {
        (0..self.count).map(|i| self.make(i))
    }

    /// Every chunk parsed into one file (for callers that reshape the syntax tree, like
    /// [`crate::module`]).
    ///
    /// # Errors
    ///
    /// The first chunk that failed to emit or does not parse.
    pub fn parse(&self) -> Result<syn::File, String> {
        let mut file = syn::File { shebang: None, attrs: Vec::new(), items: Vec::new() };
        for chunk in self.iter() {
            let part: syn::File = syn::parse2(chunk?).map_err(|e| format!("emitted Rust does not parse: {e}"))?;
            file.attrs.extend(part.attrs);
            file.items.extend(part.items);
        }
        Ok(file)
    }
}

/// A Rust file to render from its chunks (see [`render_files`]).
pub struct ChunkedFile<'a> {
    /// The `@generated` header.
    pub header: &'a str,
    /// The module docs.
    pub module_doc: String,
    /// What the emitter makes.
    pub chunks: Chunks<'a>,
}

/// Renders `files` on every core (threads with `stack_size` bytes of stack): worker threads take the next chunk of any file, make it, print
/// it and drop it, while this thread first runs `local` (work that cannot move to another
/// thread, such as printing the models' syntax tree) and then takes chunks too. The texts are
/// joined in chunk order, so the result is the same bytes whatever the number of threads or the
/// order they finished in. Alive at once: one chunk per thread, and the texts.
///
/// Without a second core, or when no thread can be started, everything runs on this thread.
/// A panic on a worker is raised again here (where [`crate::generate_isolated`] reports it).
pub fn render_files<T>(files: &[ChunkedFile<'_>], stack_size: usize, local: impl FnOnce() -> T) -> (T, Vec<Result<String, String>>) {
    let jobs: Vec<(usize, usize)> = files.iter().enumerate().flat_map(|(f, file)| (0..file.chunks.len()).map(move |i| (f, i))).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&(f, i)) = jobs.get(j) else { break };
            let mut writer = RustWriter { out: String::new() };
            let text = files[f].chunks.make(i).and_then(|tokens| writer.push_tokens(tokens)).map(|()| writer.out);
            done.push((j, text));
        }
        done
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(jobs.len().max(1));
    let (local, mut done) = std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .filter_map(|n| std::thread::Builder::new().name(format!("render-{n}")).stack_size(stack_size).spawn_scoped(scope, work).ok())
            .collect();
        let local = local();
        let mut done = work();
        for worker in workers {
            done.extend(worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        (local, done)
    });
    done.sort_by_key(|(j, _)| *j);
    let mut writers: Vec<Result<RustWriter, String>> = files.iter().map(|f| Ok(RustWriter::new(f.header, &f.module_doc))).collect();
    for (j, text) in done {
        let slot = &mut writers[jobs[j].0];
        match (slot.as_mut(), text) {
            (Ok(writer), Ok(text)) => writer.out.push_str(&text),
            (Ok(_), Err(e)) => *slot = Err(e),
            (Err(_), _) => {}
        }
    }
    (local, writers.into_iter().map(|w| w.map(RustWriter::finish)).collect())
}

/// Every template, by name. Embedded so the generator binary works from any directory.
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml.jinja", include_str!("../../templates/Cargo.toml.jinja")),
    ("README.md.jinja", include_str!("../../templates/README.md.jinja")),
];

/// The template environment: strict about undefined values, whitespace-controlled.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // A TOML basic string (JSON's escapes are TOML's; `tojson` also escapes `'` and `<` for
    // HTML, which a manifest does not need).
    env.add_filter("toml_str", |s: String| serde_json::to_string(&s).unwrap_or_default());
    env.add_filter("snake_case", |s: String| crate::naming::snake_case(&s));
    env.add_filter("pascal_case", |s: String| crate::naming::pascal_case(&s));
    for (name, source) in TEMPLATES {
        env.add_template(name, source).unwrap_or_else(|e| panic!("template {name} does not parse: {e}"));
    }
    env
}

/// Renders template `name` with `context`.
///
/// # Errors
///
/// A message naming the template; a failure is a bug in the template or its context.
pub fn render(name: &str, context: impl Serialize) -> Result<String, String> {
    let env = environment();
    let template = env.get_template(name).map_err(|e| format!("{name}: {e}"))?;
    template.render(context).map_err(|e| format!("{name}: {e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Short items whose attributes end in soft breaks, long ones that wrap, doc comments and
    /// the file's inner attributes: printed one at a time they are the whole file's text.
    fn sample() -> TokenStream {
        quote! {
            #![allow(clippy::result_large_err, clippy::too_many_arguments)]
            use ::std::collections::BTreeMap;
            #[derive(Debug)]
            pub struct A;
            /// Docs of `B`.
            #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
            pub struct B { pub first_field_with_a_long_name: ::std::option::Option<::std::string::String>, pub second: BTreeMap<String, Vec<u8>> }
            impl B {
                /// A method.
                pub fn long_method_name(&self, argument_one: &str, argument_two: ::std::option::Option<&str>) -> ::std::result::Result<(), String> {
                    let _ = (argument_one, argument_two); Ok(())
                }
            }
            #[allow(dead_code)]
            const C: &str = "c";
            pub mod m { pub fn f() {} }
        }
    }

    #[test]
    fn items_printed_one_at_a_time_are_the_whole_files_text() {
        let whole = prettyplease::unparse(&syn::parse2(sample()).expect("parses"));
        let mut writer = RustWriter { out: String::new() };
        writer.push_tokens(sample()).expect("parses");
        assert_eq!(writer.out, whole);
        // Split into chunks at every item boundary: the same text again.
        let file: syn::File = syn::parse2(sample()).expect("parses");
        let mut chunked = RustWriter { out: String::new() };
        let attrs = file.attrs.clone();
        for (i, item) in file.items.into_iter().enumerate() {
            let attrs = if i == 0 { attrs.clone() } else { Vec::new() };
            chunked.push_tokens(quote! { #(#attrs)* #item }).expect("parses");
        }
        assert_eq!(chunked.out, whole);
    }

    #[test]
    fn files_rendered_on_threads_join_in_chunk_order() {
        let make = |i: usize| -> Result<TokenStream, String> {
            // Slow enough that the calling thread, once free, takes the later chunks.
            std::thread::sleep(std::time::Duration::from_millis(2));
            let name = quote::format_ident!("f{i}");
            Ok(quote! { pub fn #name() -> usize { #i } })
        };
        let files = [
            ChunkedFile { header: "h", module_doc: "One.".into(), chunks: Chunks::new(40, make) },
            ChunkedFile { header: "h", module_doc: "Two.".into(), chunks: Chunks::new(3, make) },
        ];
        // The calling thread is busy with its own work first, so a worker (where the machine has
        // a second core) takes the first chunks and this thread the later ones: the texts arrive
        // out of order.
        let (local, texts) = render_files(&files, 1 << 20, || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            7
        });
        assert_eq!(local, 7);
        for (file, text) in files.iter().zip(texts) {
            let mut sequential = RustWriter::new(file.header, &file.module_doc);
            sequential.push_chunks(file.chunks.iter()).expect("parses");
            assert_eq!(text.expect("renders"), sequential.finish());
        }
    }

    #[test]
    fn the_first_failing_chunk_is_the_files_error() {
        let files = [ChunkedFile {
            header: "h",
            module_doc: String::new(),
            chunks: Chunks::new(5, |i| if i >= 2 { Err(format!("chunk {i}")) } else { Ok(quote! { fn f() {} }) }),
        }];
        let ((), texts) = render_files(&files, 1 << 20, || ());
        assert_eq!(texts.into_iter().next().expect("one file"), Err("chunk 2".to_string()));
    }
}
