//! Verbatim records (`corpus/verbatim/`): turns, speakers, votes, the cover,
//! no page furniture; and what search and `speakers` make of them.

use regex::Regex;
use serde_json::Value;

use crate::util::{corpus, run, search_json, shared_index, stderr, stdout};

fn parse(name: &str) -> Value {
    let path = corpus(&format!("verbatim/{name}.pdf"));
    let out = run(&["parse", "--json", path.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "parse {name}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("parse --json is JSON")
}

fn paragraphs(doc: &Value) -> &Vec<Value> {
    doc["paragraphs"].as_array().expect("paragraphs")
}

fn statement(p: &Value) -> &Value {
    &p["statements"][0]
}

/// The speaker of each turn opened by a person's label, in order (the
/// presidency and other officers left out).
fn named_turns(doc: &Value) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for p in paragraphs(doc) {
        let st = statement(p);
        if let Some(turn) = st["turn"].as_u64()
            && seen.insert(turn)
            && st["speaker_kind"] != "officer"
        {
            out.push(
                st["speaker"]
                    .as_str()
                    .expect("a named turn has a speaker")
                    .to_owned(),
            );
        }
    }
    out
}

const RECORDS: &[(&str, u64, &[&str])] = &[
    (
        "s-pv-3756",
        20,
        &[
            "Egypt",
            "Costa Rica",
            "Japan",
            "China",
            "United States of America",
            "France",
            "Russian Federation",
            "Portugal",
            "Sweden",
            "State of Palestine",
            "Israel",
            "Egypt",
        ],
    ),
    (
        "s-pv-8422",
        12,
        &[
            "France",
            "Netherlands",
            "United States of America",
            "Russian Federation",
            "Poland",
            "China",
            "Sweden",
            // The President's turn "in my capacity as the representative of Côte d'Ivoire".
            "Côte d'Ivoire",
            "Central African Republic",
        ],
    ),
    ("s-pv-10100", 2, &[]),
    (
        "a-48-pv-46",
        34,
        &[
            "United States of America",
            "Finland",
            "Czechia",
            "Bulgaria",
            "Nigeria",
            "Pakistan",
            "Republic of Korea",
            "Ukraine",
            "Romania",
            "Belarus",
            "Democratic People's Republic of Korea",
            "Slovakia",
            "Cuba",
            "Democratic People's Republic of Korea",
            "Philippines",
            "Mexico",
            "China",
            "Cuba",
            "Iran (Islamic Republic of)",
            "Russian Federation",
            "United States of America",
            "United Kingdom of Great Britain and Northern Ireland",
            "China",
        ],
    ),
    (
        "a-60-pv-25",
        9,
        &[
            "Kazakhstan",
            "China",
            "Brazil",
            "Türkiye",
            "Nepal",
            "Venezuela (Bolivarian Republic of)",
            "Cameroon",
        ],
    ),
    (
        "a-64-pv-121",
        31,
        &[
            "Yemen",
            "Venezuela (Bolivarian Republic of)",
            "Iran (Islamic Republic of)",
            "Colombia",
            "Cuba",
            "Grenada",
        ],
    ),
    (
        "a-65-pv-71",
        113,
        &[
            "Türkiye",
            "United States of America",
            "Belgium",
            "Finland",
            "Canada",
            "Argentina",
            "Colombia",
            "Timor-Leste",
            "United Arab Emirates",
            "Benin",
            "South Africa",
            "Tajikistan",
            "Rwanda",
            "Zimbabwe",
            "Cuba",
            "United States of America",
            "Libya",
            "United States of America",
            "Tajikistan",
            "Sudan",
            "Georgia",
            "Holy See",
        ],
    ),
];

#[test]
fn every_turn_of_the_shipped_records_is_attributed() {
    for (name, turns, named) in RECORDS {
        let doc = parse(name);
        assert_eq!(doc["record"]["turns"], *turns, "{name}: turns");
        assert_eq!(
            named_turns(&doc),
            *named,
            "{name}: the speakers of named turns"
        );
        for p in paragraphs(&doc) {
            let st = statement(p);
            assert!(
                st["speaker"].is_string(),
                "{name}#{} is nobody's: {}",
                p["number"],
                p["text"]
            );
        }
        // The record's own paragraphs are numbered in order within the meeting.
        for (i, p) in paragraphs(&doc).iter().enumerate() {
            assert_eq!(p["number"], (i + 1).to_string(), "{name}");
        }
    }
}

#[test]
fn no_page_furniture_is_left_in_any_paragraph() {
    let furniture = Regex::new(concat!(
        r"\b\d{2}-\d{5}\b|\*\d{6,}\*|This record (contains|is subject)|Corrections (should|will) be",
        r"|General Assembly\s*[-–]\s*[\w-]+\s+session|\((spoke|interpretation) (in|from)",
        r"|Distr\.|\bf [a-z]|Official Records\s*$",
        // Text-layer faults: Mac Roman dashes and quotes read as Latin-1, glued words.
        r"|[ÐÑ]|ª\w|\b(?:of|to|in|on)the\b",
        // Split "fl" ligatures whose fragment is no word: "conf lict", "ref lect".
        r"|\b(?:con|re|in|af|ef)f l[a-z]"
    ))
    .expect("pattern");
    for (name, _, _) in RECORDS {
        for p in paragraphs(&parse(name)) {
            let text = p["text"].as_str().expect("text");
            assert!(
                !furniture.is_match(text),
                "{name}#{}: {:?}",
                p["number"],
                furniture.find(text).map(|m| m.as_str())
            );
        }
    }
}

#[test]
fn a_turn_is_its_speakers_from_label_to_label() {
    let doc = parse("s-pv-8422");
    let france: Vec<&Value> = paragraphs(&doc)
        .iter()
        .filter(|p| statement(p)["turn"] == 3)
        .collect();
    assert_eq!(france.len(), 7, "France's explanation of vote");
    for p in &france {
        let st = statement(p);
        assert_eq!(st["speaker"], "France");
        assert_eq!(st["speaker_code"], "FRA");
        assert_eq!(st["person"], "Mr. Delattre");
        assert_eq!(st["language"], "French");
    }
    assert!(
        france[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("France welcomes the adoption")
    );
    // The President speaks for the presidency, then for Côte d'Ivoire.
    let own = paragraphs(&doc)
        .iter()
        .find(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .contains("in my capacity as the representative")
        })
        .expect("the President's statement as a member");
    assert_eq!(statement(own)["speaker"], "Côte d'Ivoire");
    assert_eq!(
        statement(&paragraphs(&doc)[2])["speaker"],
        "President of the Security Council"
    );
    assert_eq!(statement(&paragraphs(&doc)[2])["person"], "Mr. Adom");
    // Procedural lines are the record's own.
    let rose = paragraphs(&doc).last().expect("a last paragraph");
    assert_eq!(rose["text"], "The meeting rose at 3.55 p.m.");
    assert_eq!(statement(rose)["speaker_kind"], "meeting");
}

#[test]
fn the_cover_gives_the_meeting() {
    let doc = parse("s-pv-8422");
    assert_eq!(doc["id"], "S/PV.8422");
    assert_eq!(doc["body"], "Security Council");
    assert_eq!(doc["date"], "2018-12-13");
    assert_eq!(doc["place"], "New York");
    let record = &doc["record"];
    assert_eq!(record["number"], "8422");
    assert_eq!(record["session"], "Seventy-third year");
    assert_eq!(record["time"], "3 p.m.");
    assert_eq!(record["president"], "Mr. Adom");
    assert_eq!(record["president_state"], "Côte d'Ivoire");
    assert_eq!(record["members"].as_array().unwrap().len(), 14);
    assert_eq!(
        paragraphs(&doc)[5]["topics"][0],
        "The situation in the Central African Republic"
    );
    let ga = parse("a-64-pv-121");
    assert_eq!(ga["record"]["president"], "Mr. Ali Abdussalam Treki");
    let codes: Vec<&str> = ga["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["13", "53", "118", "119", "122", "151"]);
    let old = parse("a-48-pv-46");
    assert_eq!(old["record"]["president"], "Mr. INSANALLY");
    assert_eq!(old["date"], "1993-11-01");
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list of States")
        .iter()
        .map(|s| s.as_str().expect("a name"))
        .collect()
}

#[test]
fn the_vote_of_s_pv_8422() {
    let doc = parse("s-pv-8422");
    let votes: Vec<&Value> = paragraphs(&doc)
        .iter()
        .filter_map(|p| p.get("vote"))
        .collect();
    assert_eq!(votes.len(), 1);
    let vote = votes[0];
    assert_eq!(vote["subject"], "draft resolution S/2018/1016");
    assert_eq!(vote["method"], "show of hands");
    assert_eq!(vote["result"], "adopted");
    assert_eq!(vote["resolution"], "2448 (2018)");
    assert_eq!(
        names(&vote["in_favour"]),
        [
            "Bolivia (Plurinational State of)",
            "Côte d'Ivoire",
            "Equatorial Guinea",
            "Ethiopia",
            "France",
            "Kazakhstan",
            "Kuwait",
            "Netherlands",
            "Peru",
            "Poland",
            "Sweden",
            "United Kingdom of Great Britain and Northern Ireland",
            "United States of America"
        ]
    );
    assert!(names(&vote["against"]).is_empty());
    assert_eq!(names(&vote["abstaining"]), ["China", "Russian Federation"]);
}

#[test]
fn the_recorded_votes_of_a_65_pv_71_add_up_to_the_results_printed() {
    let doc = parse("a-65-pv-71");
    let result =
        Regex::new(r"adopted by (\d+) votes\s+to\s+(\d+), with (\d+) abstentions").unwrap();
    let paras = paragraphs(&doc);
    let mut checked = 0;
    let mut votes = 0;
    for (i, p) in paras.iter().enumerate() {
        let Some(vote) = p.get("vote") else { continue };
        votes += 1;
        let next = paras[i + 1]["text"].as_str().unwrap();
        if let Some(c) = result.captures(next) {
            let count = |k: usize| c[k].parse::<usize>().unwrap();
            assert_eq!(names(&vote["in_favour"]).len(), count(1), "{next}");
            assert_eq!(names(&vote["against"]).len(), count(2), "{next}");
            assert_eq!(names(&vote["abstaining"]).len(), count(3), "{next}");
            assert_eq!(vote["result"], "adopted");
            checked += 1;
        }
    }
    assert_eq!(votes, 15);
    assert!(checked >= 11, "{checked} results compared");
    let first = paras.iter().find_map(|p| p.get("vote")).unwrap();
    assert_eq!(first["resolution"], "65/195");
    assert_eq!(names(&first["against"]), ["Israel"]);
}

#[test]
fn what_did_france_say_on_minusca() {
    let v = search_json(&["what did France say on MINUSCA", "--mode", "keyword"]);
    let hits = v["hits"].as_array().expect("hits");
    assert!(hits.len() >= 5, "{v}");
    for hit in hits {
        assert_eq!(hit["document"], "S/PV.8422");
        let st = &hit["statements"][0];
        assert_eq!(st["speaker"], "France");
        assert_eq!(st["person"], "Mr. Delattre");
        assert_eq!(st["turn"], 3);
    }
    let index = shared_index().to_str().expect("utf-8 path");
    let out = run(&[
        "speakers",
        "--index",
        index,
        "--json",
        "MINUSCA",
        "--doc",
        "S/PV.8422",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let counts: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let france = counts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["speaker"] == "France")
        .unwrap_or_else(|| panic!("France speaks on MINUSCA: {}", stdout(&out)));
    assert_eq!(france["turns"], 1);
    assert!(france["paragraphs"].as_u64().unwrap() >= 5);
}

fn parse_text(text: &str) -> (bool, String, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.txt");
    std::fs::write(&path, text).expect("write");
    let out = run(&["parse", "--json", path.to_str().unwrap()]);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.success(), stderr(&out), doc)
}

const OPENING: &str = "United Nations S/PV.9999\nSecurity Council\n9999th meeting\n\
                       Monday, 1 June 2020, 10 a.m.\nNew York\n\
                       The meeting was called to order at 10.05 a.m.\n";

#[test]
fn bad_records_get_warnings_not_panics() {
    let (ok, err, doc) = parse_text(&format!(
        "{OPENING}The President: I call on the representative of Freedonia.\n\
         Mr. Firefly (Freedonia): We thank the Council.\n"
    ));
    assert!(ok, "{err}");
    assert!(
        err.contains("`Freedonia`, which is not a known State"),
        "{err}"
    );
    assert!(err.contains("may be truncated"), "{err}");
    assert_eq!(doc["record"]["turns"], 2);

    let (ok, err, _) = parse_text(&format!(
        "{OPENING}Nothing here is said by anyone in particular.\nThe meeting rose at 11 a.m.\n"
    ));
    assert!(ok, "{err}");
    assert!(err.contains("no speaker labels"), "{err}");

    // A record cut off in the middle of a label: the label's words are the turn's text.
    let (ok, err, _) = parse_text(&format!("{OPENING}Mr. Delattre (France) (spoke in"));
    assert!(ok, "{err}");
}

/// WTO-style minutes: numbered sections, third-person statements.
const MINUTES: &str = "WORLD TRADE ORGANIZATION\nG/SPS/R/104\n\
    Committee on Sanitary and Phytosanitary Measures\n\
    SUMMARY OF THE MEETING OF 25-27 MARCH 2021\nNote by the Secretariat\n\
    1  ADOPTION OF THE AGENDA\n1.1.  The Committee adopted the agenda.\n\
    2  SPECIFIC TRADE CONCERNS\n\
    2.1.  The representative of Argentina, in response to the European Union, said that its measures were based on science.\n\
    2.2.  Mr. John Smith (United Kingdom) said that his delegation supported the proposal. He added that more work was needed.\n\
    2.3.  The representative of Mauritius, speaking for the ACP Group, and the representative of the Philippines, on behalf of the G-90, stressed the importance of special and differential treatment.\n\
    2.4.  The representative of Chinese Taipei welcomed the report. The representative of Korea supported the statement of Hong Kong, China.\n\
    2.5.  Ms. Ruiz (Chairperson) said the item was closed.\n";

#[test]
fn minutes_give_each_statement_its_speaker_and_person() {
    let (ok, err, doc) = parse_text(MINUTES);
    assert!(ok, "{err}");
    let voices: Vec<(String, Vec<String>, Option<&str>)> = paragraphs(&doc)
        .iter()
        .flat_map(|p| p["statements"].as_array().expect("statements"))
        .map(|s| {
            let joint = s["joint"].as_array().map_or(Vec::new(), |j| {
                j.iter()
                    .map(|s| s["name"].as_str().unwrap_or("").to_owned())
                    .collect()
            });
            (
                s["speaker"].as_str().unwrap_or("nobody").to_owned(),
                joint,
                s["person"].as_str(),
            )
        })
        .collect();
    let solo =
        |speaker: &str, person: Option<&'static str>| (speaker.to_owned(), Vec::new(), person);
    assert_eq!(
        voices,
        [
            solo("Committee", None),
            // Not the European Union it answered.
            solo("Argentina", None),
            // The person's name and title as printed; the State in brackets speaks.
            solo(
                "United Kingdom of Great Britain and Northern Ireland",
                Some("Mr. John Smith")
            ),
            (
                "Mauritius".to_owned(),
                ["Mauritius", "ACP Group", "Philippines", "G-90"]
                    .map(str::to_owned)
                    .to_vec(),
                None
            ),
            solo("Chinese Taipei", None),
            // "Korea" in a WTO text is the Republic of Korea.
            solo("Republic of Korea", None),
            solo("Chairperson", Some("Ms. Ruiz")),
        ]
    );
    // The pronoun's sentence stays with Mr. Smith.
    let smith = &paragraphs(&doc)[2]["statements"][0];
    assert!(
        smith["text"]
            .as_str()
            .is_some_and(|t| t.ends_with("more work was needed.")),
        "{smith}"
    );
}

#[test]
fn how_did_china_vote() {
    let v = search_json(&["--vote", "China", "2448"]);
    assert_eq!(v["interpreted"]["votes"][0], "China");
    let ids = crate::util::hit_ids(&v);
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(ids[0].starts_with("S/PV.8422#"), "{ids:?}");
    let votes: Vec<(&str, u64)> = v["facets"]["vote"]
        .as_array()
        .expect("a vote facet")
        .iter()
        .map(|c| (c["value"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    // With a State asked for, the vote facet is that State's votes.
    assert_eq!(votes, [("China: abstaining", 1)]);
    // The same in the query's own syntax, over every recorded vote of 2010.
    let v = search_json(&["vote:Israel year:2010 draft resolution", "--limit", "50"]);
    let total = v["total"].as_u64().expect("a total");
    assert!(total >= 10, "{v}");
    let against = v["facets"]["vote"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"] == "Israel: against")
        .map(|c| c["count"].as_u64().unwrap());
    assert!(against.is_some_and(|n| n >= 5), "{:?}", v["facets"]["vote"]);
}

/// The values of one facet of a search, in order.
fn facet_values<'a>(v: &'a Value, facet: &str) -> Vec<&'a str> {
    v["facets"][facet]
        .as_array()
        .unwrap_or_else(|| panic!("a {facet} facet: {v}"))
        .iter()
        .map(|c| c["value"].as_str().expect("a value"))
        .collect()
}

#[test]
fn body_and_meeting_facet_and_filter_verbatim_records_as_reports() {
    let v = search_json(&["--body", "Security Council", "MINUSCA"]);
    let docs: Vec<&str> = facet_values(&v, "document");
    assert_eq!(docs, ["S/PV.8422"], "{v}");
    let bodies: Vec<&str> = facet_values(&v, "body");
    assert!(bodies.contains(&"Security Council"), "{bodies:?}");
    let v = search_json(&["meeting:\"Security Council, 3756th meeting\" Jerusalem"]);
    let ids = crate::util::hit_ids(&v);
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| id.starts_with("S/PV.3756#")), "{ids:?}");
    let meetings: Vec<&str> = facet_values(&v, "meeting");
    assert!(
        meetings.contains(&"Security Council, 3756th meeting"),
        "{meetings:?}"
    );
}
