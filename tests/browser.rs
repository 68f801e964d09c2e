//! The pages in a real browser: Debian's headless Chromium driven by
//! playwright-core (`tests/browser/`, installed by `.ci/run`): the search page
//! (`search.mjs`), and the timeline, facets, citations and compare view
//! (`analysis.mjs`), with screenshots kept in the test's output folder. Where Chromium or
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

/// Whether the browser tests can run; under CI they must.
fn browser_or_skip() -> bool {
    match browser_ready() {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var("CI").is_err(),
                "browser test cannot run in CI: {why}"
            );
            eprintln!("skipping the browser test: {why}");
            false
        }
    }
}

/// Runs a script of `tests/browser/` against `server` with `env` set, and
/// returns the JSON object it prints.
fn run_script(script: &str, server: &Server, env: &[(&str, &Path)]) -> serde_json::Value {
    let mut command = Command::new("node");
    command
        .arg(script)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser"))
        .env("RAPPORTEUR_URL", &server.base);
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("node runs");
    assert!(
        out.status.success(),
        "browser script {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

#[test]
fn search_page_in_headless_chromium() {
    if !browser_or_skip() {
        return;
    }
    let server = Server::start(shared_index());
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let screenshot = shots.join("search-page.png");
    let r = run_script("search.mjs", &server, &[("SCREENSHOT", &screenshot)]);

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
    let also = r["alsoSearched"].as_str().unwrap_or_default();
    assert!(
        also.contains("Also searched for the records' terms") && also.contains("asylum seekers"),
        "{r}"
    );
    assert!(
        r["literalUrl"]
            .as_str()
            .unwrap_or_default()
            .contains("literal=true")
            && r["literalStatus"]
                .as_str()
                .unwrap_or_default()
                .contains("Your words alone"),
        "{r}"
    );
    assert!(
        std::fs::metadata(&screenshot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "screenshot saved"
    );
    eprintln!("screenshot: {}", screenshot.display());
}

#[test]
fn timeline_compare_and_citations_in_headless_chromium() {
    if !browser_or_skip() {
        return;
    }
    let server = Server::start(shared_index());
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let r = run_script("analysis.mjs", &server, &[("SHOTS", shots)]);

    // The timeline: a step per meeting, its busiest HRC-28 (two reviews that day).
    let steps = r["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 18, "{r}");
    assert_eq!(r["busiest"], "HRC-28: All speakers 53", "{r}");
    assert_eq!(r["legend"][0], "All speakers 213", "{r}");
    assert_eq!(r["lines"], 1);
    // Split by the top five speakers, who said it the most (every word).
    assert!(
        r["splitUrl"].as_str().unwrap().contains("split=speakers"),
        "{r}"
    );
    let split: Vec<&str> = r["splitLegend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(split.len(), 5, "{r}");
    assert_eq!(split[0], "France 16", "{r}");
    // Clicking it narrows the search to that day, marked on the chart.
    let url = r["narrowedUrl"].as_str().unwrap();
    assert!(
        url.contains("from=2014-10-27") && url.contains("to=2014-10-27"),
        "{r}"
    );
    assert_eq!(r["selectedStep"], r["busiest"]);
    assert!(
        r["narrowedStatus"]
            .as_str()
            .unwrap()
            .contains("dated 2014-10-27"),
        "{r}"
    );
    // At 400 px the chart fits, its tick labels apart.
    assert_eq!(r["narrowOverflow"], false, "{r}");
    assert!(r["narrowChart"]["width"].as_f64().unwrap() <= 400.0, "{r}");
    assert_eq!(r["narrowChart"]["overlaps"], 0, "{r}");
    // Drawn for its box, not scaled down from a wider one: labels stay legible.
    assert!(
        r["narrowChart"]["tickHeight"].as_f64().unwrap() >= 10.0,
        "{r}"
    );
    // Years in chronological order; the speaker facet's box finds Italy.
    let years: Vec<&str> = r["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y.as_str().unwrap())
        .collect();
    let mut sorted = years.clone();
    sorted.sort();
    assert_eq!(years, sorted);
    assert_eq!(r["speakerFound"], serde_json::json!(["Italy"]), "{r}");
    // The citation copied is the one shown.
    assert!(r["citation"].as_str().unwrap().starts_with("A/HRC/"), "{r}");
    assert_eq!(r["copied"], r["citation"]);
    // The compare view: both speakers, their words, their statements, a line each.
    let compared = r["compared"].as_array().unwrap();
    assert_eq!(compared.len(), 2, "{r}");
    assert_eq!(compared[0]["speaker"], "France");
    assert_eq!(compared[0]["statements"], 16);
    assert_eq!(compared[1]["statements"], 11);
    assert!(
        compared[1]["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "corporal punishment"),
        "{r}"
    );
    assert_eq!(compared[0]["quotes"], 3);
    assert_eq!(r["compareLines"], 2);
    assert!(
        r["compareScaleUrl"]
            .as_str()
            .unwrap()
            .contains("scale=rate")
    );
    for shot in ["timeline.png", "timeline-400.png", "compare.png"] {
        let path = shots.join(shot);
        assert!(
            std::fs::metadata(&path)
                .map(|m| m.len() > 10_000)
                .unwrap_or(false),
            "screenshot {shot} saved"
        );
        eprintln!("screenshot: {}", path.display());
    }
}
