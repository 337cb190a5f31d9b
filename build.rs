//! Embeds every `checks/*.toml` so that adding a check needs no list to be edited.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=checks");
    let mut files: Vec<_> = std::fs::read_dir("checks")
        .expect("checks/ exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    files.sort();
    let mut source = String::from("pub static CHECK_FILES: &[(&str, &str)] = &[\n");
    for path in files {
        let absolute = std::fs::canonicalize(&path).expect("readable path");
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("UTF-8 file name");
        writeln!(
            source,
            "    ({name:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .unwrap();
    }
    source.push_str("];\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("check_files.rs"), source).expect("OUT_DIR is writable");
}
