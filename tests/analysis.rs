//! The analysts' tools: timelines, comparisons, distinctive words, Atom feeds,
//! citations, facet lists that scale, completions and the man page; on the
//! shipped corpus (exact numbers, checked against searches of each step) and
//! on a sample of the UN General Debate extracted from `../shared/datasets/`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use rapporteur::http::{AppState, app};
use serde_json::Value;
use tower::ServiceExt;

use crate::util::{embedder_shared, run, search_json, shared_index, stderr, stdout, ungdc_sample};

fn index() -> &'static str {
    shared_index().to_str().expect("utf-8 path")
}

/// `rapporteur <args> --json --index <shared index>`, parsed.
fn json_of(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--json", "--index", index()]);
    let out = run(&all);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{args:?}: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

fn total(v: &Value) -> u64 {
    v["total"].as_u64().expect("a total")
}

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|n| n.as_u64().expect("a count"))
        .collect()
}

#[test]
fn a_timeline_counts_every_mention_exactly_step_by_step() {
    let t = json_of(&[
        "timeline",
        "death penalty",
        "--speaker",
        "France",
        "--per",
        "10000",
    ]);
    // Twenty documents, several meetings in some years: one step per meeting.
    assert_eq!(t["by"], "meeting", "{t}");
    let all = &t["series"][0];
    assert_eq!(all["name"], "All speakers");
    let counts = numbers(&all["counts"]);
    let paragraphs = numbers(&all["paragraphs"]);
    // A mention holds every word: the same paragraphs as `death AND penalty`.
    let search = search_json(&["death AND penalty"]);
    assert_eq!(all["total"].as_u64(), Some(total(&search)));
    assert_eq!(total(&search), 213);
    assert_eq!(counts.iter().sum::<u64>(), 213);
    // Each step against a search narrowed to it, and its paragraphs against
    // a search of that day with no words.
    let buckets = t["buckets"].as_array().expect("buckets");
    assert_eq!(buckets.len(), counts.len());
    for (i, b) in buckets.iter().enumerate() {
        let from = b["filter"]["from"].as_str().expect("a meeting's date");
        let narrowed = search_json(&["death AND penalty", "--from", from, "--to", from]);
        assert_eq!(total(&narrowed), counts[i], "{b}");
        let day = search_json(&["", "--from", from, "--to", from]);
        assert_eq!(total(&day), paragraphs[i], "{b}");
        let expected = (counts[i] as f64 * 10_000.0 / paragraphs[i] as f64 * 100.0).round() / 100.0;
        assert_eq!(all["rates"][i].as_f64(), Some(expected), "{b}");
    }
    let hrc28 = buckets
        .iter()
        .position(|b| b["label"] == "HRC-28")
        .expect("HRC-28");
    assert_eq!(counts[hrc28], 53);
    // France's series: its own statements, out of its own paragraphs.
    let france = &t["series"][1];
    assert_eq!(france["speaker"], "France");
    let said = search_json(&["speaker:France death AND penalty"]);
    assert_eq!(france["total"].as_u64(), Some(total(&said)));
    assert_eq!(total(&said), 16);
    // Steps in time order, years ascending.
    let years: Vec<i64> = buckets
        .iter()
        .map(|b| b["year"].as_i64().unwrap())
        .collect();
    assert!(years.windows(2).all(|w| w[0] <= w[1]), "{years:?}");

    // The human table: a row per step, a bar, the totals.
    let out = run(&[
        "timeline",
        "death penalty",
        "--by",
        "year",
        "--index",
        index(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let row_2014 = text
        .lines()
        .find(|l| l.starts_with("2014 "))
        .expect("a 2014 row");
    assert!(row_2014.contains("53") && row_2014.contains('█'), "{text}");
    assert!(text.lines().last().unwrap().contains("213"), "{text}");
}

#[test]
fn the_top_speakers_get_a_series_each_and_bad_requests_say_why() {
    let t = json_of(&["timeline", "death penalty", "--top", "2"]);
    let names: Vec<&str> = t["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["All speakers", "France", "Switzerland"], "{t}");
    let out = run(&[
        "timeline",
        "death penalty",
        "--top",
        "40",
        "--index",
        index(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at most 12 speakers"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "compare",
        "death penalty",
        "--speaker",
        "France",
        "--index",
        index(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at least two speakers"),
        "{}",
        stderr(&out)
    );
    let out = run(&["distinctive", "death penalty", "--index", index()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("one speaker"), "{}", stderr(&out));
}

#[test]
fn speakers_compared_side_by_side_with_their_own_words() {
    let c = json_of(&[
        "compare",
        "death penalty",
        "--speaker",
        "France",
        "--speaker",
        "Italy",
    ]);
    let speakers = c["speakers"].as_array().expect("speakers");
    assert_eq!(speakers.len(), 2);
    assert_eq!(speakers[0]["speaker"], "France");
    assert_eq!(speakers[1]["speaker"], "Italy");
    assert_eq!(speakers[0]["statements"], 16);
    assert_eq!(speakers[1]["statements"], 11);
    for s in speakers {
        let name = s["speaker"].as_str().unwrap();
        assert_eq!(
            numbers(&s["counts"]).iter().sum::<u64>(),
            s["paragraphs"].as_u64().unwrap()
        );
        // Representative statements are the speaker's own, with a citation.
        let top = s["top"].as_array().expect("top");
        assert_eq!(top.len(), 3, "{s}");
        for hit in top {
            assert_eq!(hit["statements"][0]["speaker"], name, "{hit}");
            assert!(
                hit["citation"].as_str().unwrap().starts_with("A/HRC/"),
                "{hit}"
            );
        }
        assert_distinctive(name, s["distinctive"].as_array().expect("terms"));
    }
    // Italy speaks of corporal punishment on this subject; France does not.
    let italy: Vec<&str> = terms(&speakers[1]["distinctive"]);
    assert!(italy[..3].contains(&"corporal punishment"), "{italy:?}");
    assert!(!terms(&speakers[0]["distinctive"]).contains(&"corporal punishment"));

    let d = json_of(&["distinctive", "death penalty", "--speaker", "Italy"]);
    assert_eq!(d["speaker"], "Italy");
    assert_eq!(d["statements"], 11);
    assert_eq!(terms(&d["terms"])[..3], italy[..3]);
    let cp = &d["terms"][terms(&d["terms"])
        .iter()
        .position(|t| *t == "corporal punishment")
        .unwrap()];
    assert_eq!(
        (cp["speaker_count"].as_u64(), cp["others_count"].as_u64()),
        (Some(4), Some(2))
    );
}

fn terms(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect()
}

/// Most distinctive first, each said at least three times by the speaker,
/// none of them a function word or the speaker's own name.
fn assert_distinctive(speaker: &str, terms: &[Value]) {
    assert!(!terms.is_empty(), "{speaker}: no terms");
    let z: Vec<f64> = terms.iter().map(|t| t["z"].as_f64().unwrap()).collect();
    assert!(z.windows(2).all(|w| w[0] >= w[1]), "{z:?}");
    for t in terms {
        let term = t["term"].as_str().unwrap();
        assert!(t["speaker_count"].as_u64().unwrap() >= 3, "{t}");
        assert!(t["z"].as_f64().unwrap() > 0.0, "{t}");
        for word in term.split(' ') {
            assert!(
                !["the", "and", "of", "that", "asked"].contains(&word),
                "{t}"
            );
            assert_ne!(word, speaker.to_lowercase(), "{t}");
        }
    }
}

#[test]
fn completions_for_each_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in [
            "rapporteur",
            "timeline",
            "compare",
            "distinctive",
            "--speaker",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{page:.200}"
    );
    assert!(
        page.contains(".TH rapporteur") && page.contains("timeline"),
        "{page:.400}"
    );
}

// ---------------------------------------------------------------- HTTP

struct Reply {
    status: StatusCode,
    content_type: String,
    body: String,
}

async fn get(uri: &str) -> Reply {
    let _embedder = embedder_shared().await;
    let router = app(AppState::open(shared_index()).expect("index opens"));
    let response = router
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn without_time(mut v: Value) -> Value {
    v["took_ms"] = Value::Null;
    v
}

#[tokio::test]
async fn the_api_answers_as_the_cli_does_and_refuses_bad_parameters() {
    let api = get("/api/timeline?q=death+penalty&speaker=France&per=10000").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let api: Value = serde_json::from_str(&api.body).unwrap();
    let cli = tokio::task::spawn_blocking(|| {
        json_of(&[
            "timeline",
            "death penalty",
            "--speaker",
            "France",
            "--per",
            "10000",
        ])
    })
    .await
    .unwrap();
    assert_eq!(without_time(api), without_time(cli));

    let c = get("/api/compare?q=death+penalty&speaker=France&speaker=Italy&statements=1").await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    let c: Value = serde_json::from_str(&c.body).unwrap();
    assert_eq!(c["speakers"][1]["statements"], 11);
    assert_eq!(c["speakers"][0]["top"].as_array().unwrap().len(), 1);

    let d = get("/api/distinctive?q=death+penalty&speaker=Italy&limit=3").await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let d: Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(d["terms"].as_array().unwrap().len(), 3);

    for bad in [
        "/api/timeline?q=x&by=decade",
        "/api/timeline?q=x&per=many",
        "/api/timeline?q=x&top=13",
        "/api/compare?q=x&speaker=France",
        "/api/distinctive?q=x",
        "/api/search?q=x&facet_limit=5000",
    ] {
        let r = get(bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains("\"bad_request\""), "{bad}: {}", r.body);
    }
}

#[tokio::test]
async fn hits_carry_their_citation_and_facets_list_as_many_values_as_asked() {
    let r = get("/api/search?q=death+penalty&mode=keyword&facet_limit=100").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["facets"]["speaker"].as_array().unwrap().len(), 70);
    let hit = &v["hits"][0];
    let citation = hit["citation"].as_str().unwrap();
    let symbol = citation.split(',').next().unwrap();
    assert!(
        citation.starts_with(&format!(
            "{symbol}, para. {} (HRC-",
            hit["paragraph"].as_str().unwrap()
        )),
        "{citation}"
    );
    assert_eq!(hit["url"], format!("https://undocs.org/en/{symbol}"));
    let default = get("/api/search?q=death+penalty&mode=keyword").await;
    let v: Value = serde_json::from_str(&default.body).unwrap();
    assert_eq!(v["facets"]["speaker"].as_array().unwrap().len(), 50);

    // A verbatim record is cited by page; the permalink has the same citation.
    let r = get("/api/search?q=MINUSCA&mode=keyword&doc=S/PV.8422&limit=1").await;
    let v: Value = serde_json::from_str(&r.body).unwrap();
    let citation = v["hits"][0]["citation"].as_str().unwrap().to_owned();
    assert!(
        citation.starts_with("S/PV.8422, p. ") && citation.contains("December 2018"),
        "{citation}"
    );
    let id = v["hits"][0]["id"].as_str().unwrap().replace('#', "%23");
    let p = get(&format!("/api/paragraphs/{id}")).await;
    let p: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(p["citation"], citation.as_str());
    assert_eq!(p["url"], "https://undocs.org/en/S/PV.8422");
    // The NEASPEC report has no United Nations symbol: no link.
    let r = get("/api/search?q=duplication&mode=keyword&limit=1").await;
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert!(v["hits"][0]["url"].is_null(), "{}", v["hits"][0]);
}

#[tokio::test]
async fn every_search_is_a_valid_atom_feed_newest_first() {
    let r = get("/api/search.atom?q=death+penalty&speaker=Italy&mode=keyword").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.content_type, "application/atom+xml; charset=utf-8");
    let feed = feed_rs::parser::parse(r.body.as_bytes()).expect("a valid feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    let search = get("/api/search?q=death+penalty&speaker=Italy&mode=keyword&limit=50").await;
    let search: Value = serde_json::from_str(&search.body).unwrap();
    assert_eq!(search["total"], 13);
    assert_eq!(feed.entries.len(), 13, "{}", r.body);
    let dates: Vec<_> = feed
        .entries
        .iter()
        .map(|e| e.updated.expect("updated"))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    for e in &feed.entries {
        assert!(e.id.starts_with("http://localhost/p/A/HRC/"), "{}", e.id);
        assert_eq!(e.links[0].href, e.id);
        // Italy's own statements, some of them joint ("(Belgium, Italy, Mexico)").
        assert!(
            e.authors.iter().any(|a| a.name.as_deref() == Some("Italy")),
            "{:?}",
            e.authors
        );
        let title = e.title.as_ref().expect("a title").content.clone();
        assert!(
            title.contains("Italy") && title.contains(": A/HRC/"),
            "{title}"
        );
        assert!(e.content.as_ref().and_then(|c| c.body.as_ref()).is_some());
    }
    // The permalinks resolve.
    let path = feed.entries[0].id.trim_start_matches("http://localhost");
    assert_eq!(get(path).await.status, StatusCode::OK);
    // Ill-formed requests are refused as the search refuses them.
    let bad = get("/api/search.atom?q=x&limit=500").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_compare_page_and_its_scripts_are_served() {
    let page = get("/compare?q=death+penalty&speaker=France&speaker=Italy").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains("/assets/compare.js") && page.body.contains("/assets/chart.js"));
    for asset in ["chart.js", "compare.js"] {
        let r = get(&format!("/assets/{asset}")).await;
        assert_eq!(r.status, StatusCode::OK, "{asset}");
        assert!(r.content_type.starts_with("text/javascript"));
    }
}

// ---------------------------------------------------------------- UNGDC

fn rates(t: &Value, years: std::ops::RangeInclusive<i64>) -> f64 {
    let buckets = t["buckets"].as_array().unwrap();
    let picked: Vec<f64> = buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| years.contains(&b["year"].as_i64().unwrap()))
        .map(|(i, _)| t["series"][0]["rates"][i].as_f64().unwrap())
        .collect();
    assert!(!picked.is_empty(), "no steps in {years:?}");
    picked.iter().sum::<f64>() / picked.len() as f64
}

#[test]
fn on_the_general_debate_climate_change_rises_and_apartheid_falls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(corpus) = ungdc_sample(dir.path(), (0..10).map(|i| 1976 + 4 * i)) else {
        return;
    };
    let idx = dir.path().join("index");
    let idx = idx.to_str().unwrap();
    let out = run(&[
        "ingest",
        "--layout",
        "ungdc",
        "--no-embed",
        corpus.to_str().unwrap(),
        "--index",
        idx,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ingested 395 documents"),
        "{}",
        stderr(&out)
    );
    let timeline = |q: &str| -> Value {
        let out = run(&["timeline", q, "--per", "10000", "--json", "--index", idx]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let climate = timeline("climate change");
    // One session a year: steps are years.
    assert_eq!(climate["by"], "year");
    assert_eq!(climate["buckets"].as_array().unwrap().len(), 10);
    assert_eq!(climate["series"][0]["total"], 139);
    let (before, after) = (rates(&climate, 1976..=1988), rates(&climate, 2000..=2012));
    assert!(
        after > 5.0 * before,
        "climate change: {before} then {after}"
    );
    let apartheid = timeline("apartheid");
    assert_eq!(apartheid["series"][0]["total"], 310);
    let (before, after) = (
        rates(&apartheid, 1976..=1992),
        rates(&apartheid, 1996..=2012),
    );
    assert!(before > 10.0 * after, "apartheid: {before} then {after}");
    // Named speakers' series: Japan's and China's own statements.
    let out = run(&[
        "timeline",
        "\"nuclear disarmament\"",
        "--speaker",
        "Japan",
        "--speaker",
        "China",
        "--json",
        "--index",
        idx,
    ]);
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["series"][1]["name"], "Japan");
    assert_eq!(t["series"][1]["total"], 11);
    assert_eq!(t["series"][2]["total"], 7);
    // Compared: the same counts, and each one's own words.
    let out = run(&[
        "compare",
        "\"nuclear disarmament\"",
        "--speaker",
        "Japan",
        "--speaker",
        "China",
        "--json",
        "--index",
        idx,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["speakers"][0]["paragraphs"], 11);
    assert_eq!(c["speakers"][1]["paragraphs"], 7);
}
