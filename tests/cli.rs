//! End-to-end: the real binary ingests the shipped corpus and answers questions.

use crate::util::{hit_ids, run, search_json, shared_index, stderr, stdout};

fn paragraph_of(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, n)| n)
}

/// Hit ids in a stable order: equal scores may come back in either order.
fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn what_did_japan_say_on_duplication() {
    let v = search_json(&["what did Japan say on duplication"]);
    let ids = hit_ids(&v);
    let mut first_two: Vec<&str> = ids.iter().take(2).map(|s| s.as_str()).collect();
    first_two.sort();
    assert_eq!(
        first_two,
        ["neaspec-som22-report#24", "neaspec-som22-report#37"],
        "{ids:?}"
    );
    assert!(
        !ids.iter()
            .any(|id| id.ends_with("#35") || id.ends_with("#36")),
        "{ids:?}"
    );
    assert_eq!(v["interpreted"]["speakers"], serde_json::json!(["Japan"]));
    assert_eq!(v["interpreted"]["text"], "duplication");
    for hit in v["hits"].as_array().unwrap().iter().take(2) {
        let statements = hit["statements"].as_array().unwrap();
        assert!(
            statements.iter().all(|s| s["speaker"] == "Japan"),
            "only Japan's own sentences: {hit}"
        );
        let st = &statements[0];
        let text = st["text"].as_str().unwrap();
        let [start, end] = [
            st["highlights"][0][0].as_u64().unwrap() as usize,
            st["highlights"][0][1].as_u64().unwrap() as usize,
        ];
        assert_eq!(&text[start..end], "duplication");
    }
}

#[test]
fn agenda_filter_and_speaker_facet() {
    let v = search_json(&["--agenda", "5e", "duplication"]);
    let mut paras: Vec<String> = hit_ids(&v)
        .iter()
        .map(|id| paragraph_of(id).to_owned())
        .collect();
    paras.sort();
    assert_eq!(paras, ["35", "36", "37"]);

    let v = search_json(&["duplication"]);
    let speakers: Vec<&str> = v["facets"]["speaker"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    for s in ["Japan", "Mongolia", "China", "Republic of Korea"] {
        assert!(speakers.contains(&s), "{s} in {speakers:?}");
    }
    let japan = v["facets"]["speaker"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"] == "Japan")
        .unwrap();
    assert_eq!(japan["count"], 2);
}

#[test]
fn facet_counts_ignore_their_own_filter() {
    let v = search_json(&["--agenda", "5e", "duplication"]);
    let agenda: Vec<&str> = v["facets"]["agenda_item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert!(
        agenda.contains(&"5a"),
        "other agenda items stay countable: {agenda:?}"
    );
    assert_eq!(v["total"], 3);
}

/// Year, body and meeting counts are summed from the document counts where
/// each follows from the document: each count must be the total of the same
/// search filtered to that value, which tantivy finds by the value's own term.
#[test]
fn year_body_and_meeting_counts_are_the_totals_of_their_filters() {
    for words in ["human rights", "resolution", "cooperation"] {
        let v = search_json(&["--facet-limit", "100", words]);
        for (facet, flag) in [
            ("year", "--year"),
            ("body", "--body"),
            ("meeting", "--meeting"),
        ] {
            let counts = v["facets"][facet].as_array().expect("facet counts");
            assert!(!counts.is_empty(), "{words}: no {facet} counted");
            for c in counts {
                let value = c["value"].as_str().expect("value");
                let filtered = search_json(&[flag, value, words]);
                assert_eq!(c["count"], filtered["total"], "{words}: {facet} {value}");
            }
        }
    }
}

#[test]
fn field_syntax_phrases_and_flags() {
    let v = search_json(&[r#"speaker:ROK agenda:5e duplication"#]);
    assert_eq!(hit_ids(&v), ["neaspec-som22-report#36"]);
    let v = search_json(&[r#"topic:"Core Fund" contribution"#]);
    let ids = hit_ids(&v);
    assert!(
        ids.contains(&"neaspec-som22-report#39".to_owned())
            && ids.contains(&"neaspec-som22-report#9".to_owned()),
        "{ids:?}"
    );
    let v = search_json(&[r#""avoiding duplication""#]);
    let mut paras: Vec<String> = hit_ids(&v)
        .iter()
        .map(|id| paragraph_of(id).to_owned())
        .collect();
    paras.sort();
    // Stemming: "avoid duplication" (35) matches the phrase too.
    assert_eq!(paras, ["24", "35", "36", "7"]);
    let v = search_json(&["--year", "2008", "--speaker", "Japan", "death penalty"]);
    assert!(
        hit_ids(&v).iter().all(|id| id.starts_with("A/HRC/8/")),
        "{:?}",
        hit_ids(&v)
    );
    // Japan's own answers in its 2008 review, not an empty list.
    assert_eq!(
        sorted(hit_ids(&v)),
        ["A/HRC/8/44#59", "A/HRC/8/44#9"],
        "{:?}",
        hit_ids(&v)
    );
    let v = search_json(&["--from", "2009-01-01", "--to", "2009-12-31", "food"]);
    assert!(
        hit_ids(&v)
            .iter()
            .all(|id| id.starts_with("A/HRC/11/") || id.starts_with("A/HRC/13/")),
        "{:?}",
        hit_ids(&v)
    );
    // China's review (2009-02-02) and the DPRK's (2009-11-30): 31 of the 33
    // matches are the DPRK's, and so is the whole first page.
    assert_eq!(v["total"], 33);
    assert_eq!(
        sorted(hit_ids(&v)),
        [
            "A/HRC/13/13#47",
            "A/HRC/13/13#65",
            "A/HRC/13/13#90.106",
            "A/HRC/13/13#90.107",
            "A/HRC/13/13#90.44",
            "A/HRC/13/13#90.89",
            "A/HRC/13/13#90.90",
            "A/HRC/13/13#90.91",
            "A/HRC/13/13#90.93",
            "A/HRC/13/13#91.13",
        ],
        "{:?}",
        hit_ids(&v)
    );
    let documents: Vec<(&str, u64)> = v["facets"]["document"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["value"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(documents, [("A/HRC/13/13", 31), ("A/HRC/11/25", 2)]);
    let v = search_json(&["duplication AND NOT Japan"]);
    assert!(!hit_ids(&v).contains(&"neaspec-som22-report#24".to_owned()));
}

/// What `duplication AND NOT Japan` should find: the paragraphs on duplication
/// that do not name Japan, as `duplication -Japan` finds them.
#[test]
fn and_not_excludes_the_term() {
    let v = search_json(&["duplication AND NOT Japan"]);
    assert_eq!(
        sorted(hit_ids(&v)),
        [
            "neaspec-som22-report#35",
            "neaspec-som22-report#36",
            "neaspec-som22-report#7"
        ],
        "{:?}",
        hit_ids(&v)
    );
}

#[test]
fn paging_and_date_sort() {
    let all = hit_ids(&search_json(&["--limit", "6", "cooperation"]));
    let page2 = hit_ids(&search_json(&[
        "--limit",
        "3",
        "--offset",
        "3",
        "cooperation",
    ]));
    assert_eq!(all.len(), 6, "{all:?}");
    assert_eq!(all[3..], page2[..]);
    let v = search_json(&["--sort", "date", "--limit", "20", "human rights"]);
    let dates: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    // A full page, every hit dated, the newest record that says it first
    // (S/PV.8422, 13 December 2018), then NEASPEC's report (October 2018).
    assert_eq!(dates.len(), 20);
    assert!(dates.iter().all(|d| !d.is_empty()), "{dates:?}");
    assert_eq!(dates[0], "2018-12-13");
    assert!(dates.contains(&"2018-10-25"), "{dates:?}");
}

#[test]
fn human_and_csv_output() {
    let index = shared_index().to_str().unwrap();
    let out = run(&[
        "search",
        "--color",
        "never",
        "--index",
        index,
        "--mode",
        "keyword",
        "what did Japan say on duplication",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("neaspec-som22-report#37  SOM-22 · 2018-10-25 · agenda 5e Desertification and Land Degradation"), "{text}");
    assert!(
        text.contains("avoiding [duplication] with relevant mechanisms"),
        "{text}"
    );
    assert!(text.contains("speaker: Japan (2)"), "{text}");
    let out = run(&[
        "search",
        "--color",
        "always",
        "--index",
        index,
        "duplication",
    ]);
    assert!(stdout(&out).contains("\x1b[1;31mduplication\x1b[0m"));

    let out = run(&[
        "search",
        "--format",
        "csv",
        "--index",
        index,
        "what did Japan say on duplication",
    ]);
    let csv = stdout(&out);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("permalink,document,date,paragraph,agenda_item,speaker,statement,citation")
    );
    assert!(lines.next().unwrap().contains(",2018-10-25,"), "{csv}");
}

#[test]
fn exit_statuses_and_errors() {
    let index = shared_index().to_str().unwrap();
    let out = run(&["search", "--index", index, "--mode", "keyword", "zzyzzyva"]);
    assert_eq!(out.status.code(), Some(1), "no hits exits 1");
    let out = run(&["search", "--index", index, "duplication AND (air"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad query"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
    let out = run(&["search", "--index", "/nonexistent/index", "duplication"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no index at /nonexistent/index: run `rapporteur ingest` first"),
        "{}",
        stderr(&out)
    );
    let out = run(&["search", "--index", index, "--mode", "fuzzy", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown mode"));
}

#[test]
fn show_paragraph_and_outline() {
    let index = shared_index().to_str().unwrap();
    let out = run(&[
        "show",
        "--json",
        "--index",
        index,
        "neaspec-som22-report#37",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["paragraph"]["number"], "37");
    assert_eq!(v["previous"]["number"], "36");
    assert_eq!(v["next"]["number"], "38");
    assert_eq!(v["document"]["meeting"], "SOM-22");

    let out = run(&["show", "--index", index, "japan2008#60.2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("A/HRC/8/44"));
    // How to cite it, and where the official document is.
    assert!(
        stdout(&out).contains("cite: A/HRC/8/44, para. 60.2 (HRC-8, 5 May 2008)"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("official document: https://undocs.org/en/A/HRC/8/44"));

    let out = run(&["show", "--json", "--index", index, "neaspec-som22-report"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items: Vec<(&str, &str, &str)> = v["agenda_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap(),
                e["first"].as_str().unwrap(),
                e["last"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        items.contains(&("5e Desertification and Land Degradation", "35", "37")),
        "{items:?}"
    );
    assert_eq!(v["document"]["paragraphs"], 43);

    let out = run(&["show", "--index", index, "nosuchdoc#1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no document `nosuchdoc`"));
}

#[test]
fn who_said_it_the_most() {
    let index = shared_index().to_str().unwrap();
    let out = run(&["speakers", "--json", "--index", index, "duplication"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["speaker"], "Japan");
    assert_eq!(v[0]["statements"], 2);
    assert!(
        v[0]["top"]["id"]
            .as_str()
            .unwrap()
            .starts_with("neaspec-som22-report#")
    );
}

#[test]
fn reingest_replaces_and_bad_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let summary =
        |out: &std::process::Output| stderr(out).lines().last().unwrap_or_default().to_owned();
    let first = run(&[
        "ingest",
        "corpus/neaspec-som22-report.txt",
        "--index",
        index,
    ]);
    assert!(first.status.success());
    assert!(
        summary(&first).starts_with("ingested 1 documents, 43 paragraphs"),
        "{}",
        summary(&first)
    );
    let bad = dir.path().join("bad.pdf");
    std::fs::write(&bad, b"%PDF-1.4 truncated").unwrap();
    let second = run(&[
        "ingest",
        "corpus/neaspec-som22-report.txt",
        bad.to_str().unwrap(),
        "--index",
        index,
    ]);
    assert_eq!(
        second.status.code(),
        Some(2),
        "a failed file makes the exit status non-zero"
    );
    assert!(stderr(&second).contains("bad.pdf"));
    let v = {
        let out = run(&["search", "--json", "--index", index, "the"]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(
        v["facets"]["document"][0]["count"].as_u64().unwrap() as usize,
        v["total"].as_u64().unwrap() as usize
    );
    let out = run(&["show", "--json", "--index", index, "neaspec-som22-report"]);
    let outline: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        outline["document"]["paragraphs"], 43,
        "re-ingest replaced, did not duplicate"
    );
    let out = run(&[
        "search", "--json", "--index", index, "--limit", "100", "--mode", "keyword", "Meeting",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = hit_ids(&v);
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    assert!(v["total"].as_u64().unwrap() <= 43);
    // The 32 paragraphs that say "Meeting", each once.
    assert_eq!(ids.len(), 32, "{ids:?}");
    // A speaker's hits are read back by paragraph id: the live records only, each once.
    let out = run(&[
        "search",
        "--json",
        "--index",
        index,
        "--mode",
        "keyword",
        "what did Japan say on duplication",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = hit_ids(&v);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("neaspec-som22-report#37"),
        "{ids:?}"
    );
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

#[test]
fn index_from_environment_variable() {
    let out = crate::util::bin()
        .env("RAPPORTEUR_INDEX", shared_index())
        .args(["search", "--json", "duplication"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `speakers` searches the words `search` searches: an agent's names included.
#[test]
fn who_said_it_the_most_searches_the_agents_names_too() {
    let index = shared_index().to_str().unwrap();
    let speakers = |q: &str| -> serde_json::Value {
        let out = run(&["speakers", "--json", "--index", index, q]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let by_agent = speakers("money pledged by Seoul");
    let spelled_out = speakers("money pledged (\"Republic of Korea\" OR ROK)");
    assert_eq!(by_agent, spelled_out);
    assert_ne!(by_agent, speakers("money pledged"));
    // The State the agent names, and the Meeting that reports its money, are counted.
    let names: Vec<&str> = by_agent
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["speaker"].as_str())
        .collect();
    assert_eq!(names[0], "Republic of Korea", "{names:?}");
    assert!(names.contains(&"Meeting"), "{names:?}");
}

/// An empty or unknown goal is an error that lists the goals, never goal 1.
#[test]
fn an_empty_sdg_filter_is_refused_with_the_list_of_goals() {
    let index = shared_index().to_str().unwrap();
    for value in ["", "  ", "99", "nonsense goal"] {
        let out = run(&["search", "--index", index, "--sdg", value, "water"]);
        assert_eq!(out.status.code(), Some(2), "--sdg {value:?}");
        let message = stderr(&out);
        assert!(
            message.contains("1 No poverty") && message.contains("17 Partnerships"),
            "{message}"
        );
    }
    let out = run(&["search", "--index", index, "--speaker", "", "water"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("speaker needs a value"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bench_measures_rapporteur_beside_both_tantivy_baselines() {
    let index = shared_index().to_str().unwrap();
    let out = run(&[
        "bench", "--mode", "keyword", "--count", "30", "--warmup", "0", "--json", "--index", index,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        ["in-process", "bare tantivy", "tantivy + aggregations"]
    );
    for r in reports.as_array().unwrap() {
        assert_eq!(r["requests"], 30, "{r}");
        assert_eq!(r["errors"], 0, "{r}");
        assert!(r["p50_us"].as_u64().unwrap() > 0, "{r}");
    }
    let text = run(&[
        "bench", "--mode", "keyword", "--count", "15", "--warmup", "0", "--index", index,
    ]);
    assert!(
        stdout(&text)
            .contains("x tantivy + aggregations (top hits and exact terms counts of every facet)"),
        "{}",
        stdout(&text)
    );
}
