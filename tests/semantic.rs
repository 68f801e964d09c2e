//! Search by meaning: the embedding model's vectors against exact reference
//! values, the hybrid default on paraphrased questions, filters applied before
//! the vector cut, exact-match protection, the query cache, `similar`, SDG
//! topics, and what happens without the model or without embeddings.
//! Needs the model: `scripts/setup-models.sh` (the README's test command runs it).

use crate::util::{
    bin, embedder_alone, embedder_shared_blocking, hit_ids, run, shared_index, stderr, stdout,
};
use rapporteur::embed::{Embedder, dot};
use serde_json::Value;

fn search(args: &[&str]) -> Value {
    let index = shared_index().to_str().expect("utf-8 path").to_owned();
    let mut all = vec!["search", "--json", "--index", &index];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("search --json prints JSON")
}

fn paragraphs(v: &Value, doc: &str) -> Vec<String> {
    hit_ids(v)
        .iter()
        .filter_map(|id| id.strip_prefix(&format!("{doc}#")).map(str::to_owned))
        .collect()
}

const NEASPEC: &str = "neaspec-som22-report";

#[test]
fn vectors_match_the_exact_model() {
    let _embedder = embedder_shared_blocking();
    let fixture: Value = serde_json::from_str(include_str!("fixtures/reference-vectors.json"))
        .expect("fixture is JSON");
    let embedder = Embedder::shared().expect("the model is installed: run scripts/setup-models.sh");
    for (text, exact) in fixture["vectors"].as_object().expect("vectors") {
        let exact: Vec<f32> = exact
            .as_array()
            .expect("numbers")
            .iter()
            .map(|x| x.as_f64().expect("number") as f32)
            .collect();
        let ours = embedder.query(text).expect("embeds");
        assert_eq!(ours.len(), 384);
        assert!((dot(&ours, &ours) - 1.0).abs() < 1e-4, "unit length");
        // The int8 matrix products keep the exact model's direction
        // (ARCHITECTURE.md: mean 0.996 on UNGDC paragraphs).
        let cosine = dot(&ours, &exact);
        assert!(cosine > 0.99, "{text}: cosine {cosine} to the exact vector");
        for (a, b) in ours.iter().zip(&exact).take(8) {
            assert!((a - b).abs() < 0.02, "{text}: {a} vs exact {b}");
        }
    }
}

#[test]
fn repeated_queries_come_from_the_cache() {
    // No other test of this process may query the embedder between the counts.
    let _alone = embedder_alone();
    let embedder = Embedder::shared().expect("model");
    let text = "a question asked twice about transboundary haze";
    let first = embedder.query(text).expect("embeds");
    let hits = embedder.cache_hits();
    let second = embedder.query(text).expect("embeds");
    assert_eq!(embedder.cache_hits(), hits + 1);
    assert_eq!(first, second);
}

#[test]
fn the_default_mode_answers_paraphrases() {
    let v = search(&["what did Japan say on duplication"]);
    assert_eq!(v["mode"], "hybrid");
    let mut first: Vec<String> = paragraphs(&v, NEASPEC).into_iter().take(2).collect();
    first.sort();
    assert_eq!(first, ["24", "37"], "{:?}", hit_ids(&v));

    let v = search(&["--limit", "5", "money pledged by Seoul"]);
    let top = paragraphs(&v, NEASPEC);
    assert!(
        top.contains(&"9".into()) && top.contains(&"39".into()),
        "{:?}",
        hit_ids(&v)
    );

    // Six, not five: a one-line verbatim paragraph ("The bird is in their
    // hands", A/65/PV.71) is close enough by meaning to take a place.
    let v = search(&["--limit", "6", "big cats"]);
    let top = paragraphs(&v, NEASPEC);
    for p in ["4", "26", "27"] {
        assert!(top.contains(&p.to_owned()), "{p} in {:?}", hit_ids(&v));
    }
}

#[test]
fn hits_found_by_meaning_get_their_closest_sentence_marked() {
    // `--literal`: the thesaurus would find #4 by its terms ("Amur tigers"),
    // and mark them.
    let v = search(&["--limit", "5", "--literal", "big cats"]);
    let hit = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .find(|h| h["id"] == format!("{NEASPEC}#4"))
        .expect("#4 is found");
    let statement = &hit["statements"][0];
    let [start, end] =
        [0, 1].map(|i| statement["highlights"][0][i].as_u64().expect("a range") as usize);
    let text = statement["text"].as_str().expect("text");
    assert!(text[start..end].contains("Tigers"), "{}", &text[start..end]);
}

#[test]
fn filters_apply_before_the_vector_cut() {
    // Japan's own statements, not paragraphs where someone else used the words.
    let v = search(&[
        "--mode",
        "semantic",
        "--speaker",
        "Japan",
        "overlap with other organisations",
    ]);
    let hits = v["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 10, "a full page of Japan's statements");
    for h in hits {
        for s in h["statements"].as_array().expect("statements") {
            assert_eq!(s["speaker"], "Japan", "{h}");
        }
    }
    let v = search(&[
        "--mode", "semantic", "--agenda", "5e", "--limit", "20", "desert",
    ]);
    let hits = v["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["agenda_item"] == "5e"), "{v}");
    let v = search(&["--mode", "semantic", "--year", "2010", "food shortages"]);
    assert!(
        hit_ids(&v).iter().all(|id| [
            "A/HRC/13/13",
            "A/HRC/15/16",
            "A/HRC/16/5",
            "A/64/PV.121",
            "A/65/PV.71"
        ]
        .iter()
        .any(|doc| id.starts_with(doc))),
        "{:?}",
        hit_ids(&v)
    );
    // A full page, all of it from 2010 (Mongolia's review, 2010-11-01, and
    // the General Assembly's meetings of September and December 2010).
    let hits = v["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 10, "{:?}", hit_ids(&v));
    for h in hits {
        let date = h["date"].as_str().expect("a date");
        assert!(date.starts_with("2010-"), "{h}");
    }
}

#[test]
fn exact_matches_stay_first_in_hybrid() {
    // A quoted phrase: every paragraph holding it comes before any that does not.
    let v = search(&["--limit", "30", "--semantic-ratio", "0.9", "\"Core Fund\""]);
    let holds: Vec<bool> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["text"].as_str().unwrap_or_default().contains("Core Fund"))
        .collect();
    let first_without = holds.iter().position(|h| !h).unwrap_or(holds.len());
    assert!(first_without >= 3, "{holds:?}");
    assert!(holds[first_without..].iter().all(|h| !h), "{holds:?}");
}

#[test]
fn the_ratio_moves_between_words_and_meaning() {
    let words = search(&["--semantic-ratio", "0", "big cats"]);
    let meaning = search(&["--semantic-ratio", "1", "big cats"]);
    assert_ne!(hit_ids(&words)[0], hit_ids(&meaning)[0]);
    let out = run(&[
        "search",
        "--index",
        shared_index().to_str().expect("utf-8"),
        "--semantic-ratio",
        "3",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("semantic_ratio"), "{}", stderr(&out));
}

#[test]
fn similar_finds_paragraphs_on_the_same_subject() {
    let index = shared_index().to_str().expect("utf-8");
    let out = run(&[
        "similar",
        "--json",
        "--same-document",
        "--index",
        index,
        "neaspec-som22-report#4",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let top: Vec<String> = paragraphs(&v, NEASPEC).into_iter().take(3).collect();
    assert!(
        top.contains(&"26".into()) || top.contains(&"27".into()),
        "{:?}",
        hit_ids(&v)
    );
    assert!(!hit_ids(&v).contains(&format!("{NEASPEC}#4")), "not itself");
    // Other meetings only, by default.
    let out = run(&["similar", "--json", "--index", index, "A/HRC/8/44#60.1"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(!hit_ids(&v).is_empty());
    assert!(hit_ids(&v).iter().all(|id| !id.starts_with("A/HRC/8/44#")));
}

#[test]
fn paragraphs_carry_their_sustainable_development_goals() {
    let v = search(&["--mode", "keyword", "air pollution"]);
    let sdgs: Vec<&str> = v["facets"]["sdg"]
        .as_array()
        .expect("sdg facet")
        .iter()
        .map(|c| c["value"].as_str().unwrap_or_default())
        .collect();
    assert!(
        sdgs.contains(&"3 Good health and well-being")
            || sdgs.contains(&"13 Climate action")
            || sdgs.contains(&"11 Sustainable cities and communities"),
        "{sdgs:?}"
    );
    let v = search(&["--mode", "keyword", "--sdg", "15", "--limit", "50", "tiger"]);
    assert!(
        paragraphs(&v, NEASPEC).contains(&"4".into()),
        "{:?}",
        hit_ids(&v)
    );
}

#[test]
fn without_the_model_the_error_names_the_set_up_script() {
    let index = shared_index().to_str().expect("utf-8");
    let missing = bin()
        .env("RAPPORTEUR_MODELS", "/nonexistent/models")
        .args(["search", "--mode", "semantic", "--index", index, "big cats"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("scripts/setup-models.sh"),
        "{}",
        stderr(&missing)
    );
    // The default mode still answers, by keyword, and says so.
    let fallback = bin()
        .env("RAPPORTEUR_MODELS", "/nonexistent/models")
        .args(["search", "--json", "--index", index, "duplication"])
        .output()
        .expect("runs");
    assert_eq!(fallback.status.code(), Some(0), "{}", stderr(&fallback));
    let v: Value = serde_json::from_slice(&fallback.stdout).expect("JSON");
    assert_eq!(v["mode"], "keyword");
    assert!(
        v["notice"]
            .as_str()
            .unwrap_or_default()
            .contains("setup-models.sh")
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let ingest = bin()
        .env("RAPPORTEUR_MODELS", "/nonexistent/models")
        .args(["ingest", "corpus/neaspec-som22-report.txt", "--index"])
        .arg(dir.path().join("index"))
        .output()
        .expect("runs");
    assert_eq!(ingest.status.code(), Some(2));
    assert!(
        stderr(&ingest).contains("--no-embed"),
        "{}",
        stderr(&ingest)
    );
}

#[test]
fn an_index_without_embeddings_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join("index");
    let index = index.to_str().expect("utf-8");
    let out = run(&[
        "ingest",
        "--no-embed",
        "corpus/neaspec-som22-report.txt",
        "--index",
        index,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["search", "--mode", "semantic", "--index", index, "big cats"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--no-embed"), "{}", stderr(&out));
    let out = run(&["search", "--index", index, "duplication"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("answered by keyword"),
        "{}",
        stdout(&out)
    );
}

/// Hybrid highlights mark what was asked for and the names it stands for: an
/// agent's name ("Republic of Korea") where it stands whole, never every "of".
#[test]
fn highlights_mark_an_agents_name_not_its_stopwords() {
    let v = search(&["money pledged by Seoul", "--limit", "10"]);
    let ids = hit_ids(&v);
    assert!(
        ids.contains(&format!("{NEASPEC}#9")) && ids.contains(&format!("{NEASPEC}#39")),
        "{ids:?}"
    );
    let mut marked = Vec::new();
    for hit in v["hits"].as_array().expect("hits") {
        for st in hit["statements"].as_array().expect("statements") {
            let text = st["text"].as_str().expect("text");
            for range in st["highlights"].as_array().expect("highlights") {
                let (a, b) = (
                    range[0].as_u64().unwrap() as usize,
                    range[1].as_u64().unwrap() as usize,
                );
                let word = &text[a..b];
                if word.eq_ignore_ascii_case("of") {
                    assert_eq!(&text[a - 9..b + 6], "Republic of Korea", "{text}");
                }
                marked.push(word.to_lowercase());
            }
        }
    }
    assert!(
        marked
            .iter()
            .any(|w| w.starts_with("pledg") || w == "money"),
        "{marked:?}"
    );
    assert!(
        marked.iter().any(|w| w == "korea" || w == "rok"),
        "{marked:?}"
    );
}

#[test]
fn the_approximate_index_finds_what_the_exact_scan_finds_on_real_vectors() {
    // The graph is built from 50,000 vectors; here from 1,000, so that the
    // shipped corpus's 4,500 real vectors are searched through it.
    let index = shared_index().to_str().expect("UTF-8 path");
    let out = bin()
        .env("RAPPORTEUR_APPROXIMATE_FROM", "1000")
        .args(["bench", "--recall", "--json", "--index", index])
        .args(["--queries", "benches/queries/meaning.txt"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = rows.as_array().expect("one row per filter");
    let filters: Vec<&str> = rows.iter().filter_map(|r| r["filter"].as_str()).collect();
    assert_eq!(filters, ["none", "speaker", "year", "speaker+year"]);
    for row in rows {
        assert_eq!(row["searches"], 40, "{row}");
        let recall = row["recall"].as_f64().expect("recall");
        assert!(recall >= 0.95, "{row}");
        assert!(row["wanted"].as_u64().expect("wanted") > 0, "{row}");
    }
    // Unfiltered, the graph answered; a query naming a State ("sanctions
    // against Cuba") has a wording per name and is scanned exactly.
    let approximate = rows[0]["approximate"].as_u64().expect("count");
    assert!((30..40).contains(&approximate), "{}", rows[0]);
}

#[test]
fn a_texts_vector_does_not_depend_on_the_texts_embedded_with_it() {
    // The int8 graph scales activations per call: texts are embedded one a
    // call, so that a resumed, sharded or re-ingested run makes the same vectors.
    let _embedder = embedder_shared_blocking();
    let embedder = Embedder::shared().expect("model");
    let text = "The Meeting noted the progress in the conservation of the Amur tiger.";
    let alone = embedder.embed(&[text], &|_| {}).expect("embeds");
    let long = "A much longer paragraph about financing for development, debt relief, \
                trade, climate adaptation and the reform of the international financial \
                architecture, with many more tokens than the first text has.";
    let together = embedder
        .embed(&[long, text, "Short."], &|_| {})
        .expect("embeds");
    assert_eq!(alone[0], together[1]);
}
