//! Embeds every `checks/*.toml` and `compliance/*.toml`, so that adding a check or a
//! framework needs no list to be edited.

use std::fmt::Write;
use std::path::Path;

/// `pub static NAME: &[(&str, &str)]` of (file name, contents) for `dir/*.toml`.
fn embed(dir: &str, name: &str) -> String {
    println!("cargo::rerun-if-changed={dir}");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{dir}/: {error}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    files.sort();
    let mut source = format!("pub static {name}: &[(&str, &str)] = &[\n");
    for path in files {
        let absolute = std::fs::canonicalize(&path).expect("readable path");
        let file = path
            .file_name()
            .and_then(|file| file.to_str())
            .expect("UTF-8 file name");
        writeln!(
            source,
            "    ({file:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .unwrap();
    }
    source.push_str("];\n");
    source
}

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    std::fs::write(out.join("check_files.rs"), embed("checks", "CHECK_FILES"))
        .expect("OUT_DIR is writable");
    std::fs::write(
        out.join("event_files.rs"),
        embed("checks/events", "EVENT_FILES"),
    )
    .expect("OUT_DIR is writable");
    std::fs::write(
        out.join("compliance_files.rs"),
        embed("compliance", "FRAMEWORK_FILES"),
    )
    .expect("OUT_DIR is writable");
}
