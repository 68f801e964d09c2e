//! The search page in a real browser: Debian's headless Chromium driven by
//! playwright-core (`tests/browser/`, installed by `.ci/run`). Where Chromium or
//! the node module is missing the test says so and passes, except under CI
//! (`CI=true`), where that is a failure.

use std::path::Path;
use std::process::Command;

use crate::util::{Server, shared_index};

fn browser_ready() -> Result<(), String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !dir.join("node_modules/playwright-core").exists() {
        return Err("run `npm ci` in tests/browser".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    Ok(())
}

#[test]
fn search_page_in_headless_chromium() {
    if let Err(why) = browser_ready() {
        assert!(
            std::env::var("CI").is_err(),
            "browser test cannot run in CI: {why}"
        );
        eprintln!("skipping the browser test: {why}");
        return;
    }
    let server = Server::start(shared_index());
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let screenshot = shots.join("search-page.png");
    let out = Command::new("node")
        .arg("search.mjs")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser"))
        .env("RAPPORTEUR_URL", &server.base)
        .env("SCREENSHOT", &screenshot)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "browser script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");

    let first = r["first"]["id"].as_str().unwrap_or_default();
    assert!(
        first == "neaspec-som22-report#24" || first == "neaspec-som22-report#37",
        "first hit {first}"
    );
    assert_eq!(
        r["first"]["japanMarks"][0], "duplication",
        "Japan's sentence is highlighted: {r}"
    );
    assert!(
        r["speakerFacets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "China"),
        "{r}"
    );
    assert_ne!(
        r["before"], r["after"],
        "clicking the China facet changes the hits"
    );
    assert!(
        r["after"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "neaspec-som22-report#35"),
        "{r}"
    );
    assert!(
        r["url"].as_str().unwrap().contains("speaker=China"),
        "the filter is in the URL: {r}"
    );
    assert_eq!(
        r["narrowOverflow"], false,
        "no horizontal scrolling at 400 px"
    );
    assert!(
        std::fs::metadata(&screenshot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "screenshot saved"
    );
    eprintln!("screenshot: {}", screenshot.display());
}
