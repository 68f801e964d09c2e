//! `rapporteur parse` on the shipped documents: structure, agenda, speakers.

use std::collections::HashMap;

use crate::util::{corpus, run, stderr, stdout};
use serde_json::Value;

fn parse(name: &str) -> Value {
    let path = corpus(name);
    let out = run(&["parse", "--json", path.to_str().unwrap()]);
    assert!(out.status.success(), "parse {name}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn paragraphs(doc: &Value) -> HashMap<String, Value> {
    doc["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["number"].as_str().unwrap().to_owned(), p.clone()))
        .collect()
}

fn speakers(p: &Value) -> Vec<String> {
    p["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// The speakers of the statement whose text contains `needle`.
fn speaker_of(p: &Value, needle: &str) -> Vec<String> {
    let st = p["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["text"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no statement with {needle:?} in {}", p["number"]));
    match st["joint"].as_array() {
        Some(joint) if !joint.is_empty() => joint
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect(),
        _ => st["speaker"]
            .as_str()
            .map(|s| vec![s.to_owned()])
            .unwrap_or_default(),
    }
}

#[test]
fn neaspec_paragraphs_and_text() {
    let doc = parse("neaspec-som22-report.txt");
    let numbers: Vec<&str> = doc["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=43).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected);
    assert_eq!(doc["id"], "neaspec-som22-report");
    assert_eq!(doc["meeting"], "SOM-22");
    assert_eq!(doc["date"], "2018-10-25");
    assert_eq!(doc["place"], "Beijing");
    assert_eq!(doc["format"], "text");
    assert_eq!(doc["body"], "NEASPEC Senior Officials Meeting");

    let p = paragraphs(&doc);
    assert!(
        p["1"]["text"]
            .as_str()
            .unwrap()
            .contains("held in Beijing on 25-26 October 2018.")
    );
    assert!(
        p["4"]["text"]
            .as_str()
            .unwrap()
            .contains("on the habitat management of transboundary areas")
    );
    assert!(
        p["12"]["text"]
            .as_str()
            .unwrap()
            .ends_with("international organizations.")
    );
    let all_text: String = doc["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(!all_text.contains("Please see Annex"));
    assert!(
        !all_text.contains("Opening of the meeting a)"),
        "the agenda list is not paragraph text"
    );
    assert!(
        p["29"]["text"].as_str().unwrap().contains("SDG Goal14"),
        "numbers glued to words that are not footnotes stay"
    );

    let agenda: Vec<(&str, &str)> = doc["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["code"].as_str().unwrap(), a["title"].as_str().unwrap()))
        .collect();
    let top: Vec<&str> = agenda
        .iter()
        .map(|a| a.0)
        .filter(|c| c.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(top, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    assert!(agenda.contains(&("5e", "Desertification and Land Degradation")));
}

#[test]
fn neaspec_sections_and_agenda_items() {
    let doc = parse("neaspec-som22-report.txt");
    let p = paragraphs(&doc);
    for n in 2..=11 {
        assert_eq!(
            p[&n.to_string()]["section"],
            "I. Conclusions and recommendations",
            "paragraph {n}"
        );
    }
    for n in 12..=43 {
        assert!(
            p[&n.to_string()]["section"]
                .as_str()
                .unwrap()
                .starts_with("II. Proceedings"),
            "paragraph {n}"
        );
    }
    let sub = |n: u32| {
        p[&n.to_string()]["subsection"]
            .as_str()
            .unwrap()
            .chars()
            .next()
            .unwrap()
    };
    assert_eq!(
        [
            sub(12),
            sub(13),
            sub(15),
            sub(16),
            sub(22),
            sub(41),
            sub(42),
            sub(43)
        ],
        ['A', 'B', 'C', 'E', 'F', 'G', 'H', 'I']
    );

    let expect = [
        (13..=14, "1"),
        (15..=15, "2"),
        (16..=21, "4"),
        (23..=25, "5a"),
        (26..=27, "5b"),
        (28..=30, "5c"),
        (31..=34, "5d"),
        (35..=37, "5e"),
        (38..=38, "6"),
        (39..=40, "7"),
        (41..=41, "8"),
        (42..=42, "9"),
        (43..=43, "10"),
        (3..=3, "5a"),
        (7..=7, "5e"),
        (9..=9, "7"),
        (10..=10, "8"),
    ];
    for (range, code) in expect {
        for n in range {
            assert_eq!(
                p[&n.to_string()]["agenda_item"],
                code,
                "agenda item of paragraph {n}"
            );
        }
    }
    assert_eq!(p["22"]["agenda_items"], serde_json::json!(["5", "6", "7"]));
    assert_eq!(
        p["35"]["agenda_title"],
        "Desertification and Land Degradation"
    );
    assert!(
        p["9"]["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "Core Fund")
    );
    assert!(p["12"]["agenda_item"].is_null());
}

#[test]
fn neaspec_speakers_sentence_by_sentence() {
    let doc = parse("neaspec-som22-report.txt");
    let p = paragraphs(&doc);
    assert_eq!(
        speaker_of(
            &p["24"],
            "He also underscored the importance of avoiding duplication"
        ),
        ["Japan"]
    );
    assert_eq!(
        speaker_of(&p["24"], "introduced the work of the new Ministry"),
        ["China"]
    );
    assert_eq!(
        speaker_of(&p["23"], "proposed to adopt the draft TOR"),
        ["Republic of Korea"]
    );
    assert_eq!(
        speaker_of(&p["17"], "his government attaches"),
        ["Democratic People's Republic of Korea"]
    );
    assert_eq!(
        speaker_of(&p["21"], "echoed on the achievements"),
        ["Russian Federation"]
    );
    assert_eq!(
        speaker_of(&p["38"], "underscored the need to carry out"),
        ["China", "Republic of Korea"]
    );
    assert_eq!(speaker_of(&p["25"], "who suggested NEACAP"), ["ICLEI"]);
    assert_eq!(
        speaker_of(&p["34"], "continued support to the LCCP"),
        ["iGDP"]
    );
    assert_eq!(
        speaker_of(&p["13"], "was opened by Mr. Sangmin Nam"),
        ["Sangmin Nam"]
    );
    assert_eq!(speakers(&p["14"]), ["China"]);
    assert_eq!(
        speaker_of(&p["40"], "the Secretariat explained"),
        ["Secretariat"]
    );
    assert!(
        !speakers(&p["40"]).contains(&"Russian Federation".to_owned()),
        "the Russian Federation only asked"
    );
    assert!(
        !speakers(&p["4"]).contains(&"Democratic People's Republic of Korea".to_owned()),
        "DPRK is only mentioned"
    );
    assert_eq!(speakers(&p["37"]), ["Mongolia", "Japan"]);
    assert!(!speakers(&p["35"]).contains(&"Japan".to_owned()));
    assert_eq!(
        speaker_of(&p["9"], "Japan reaffirmed the in-kind contributions"),
        ["Japan"]
    );
    let japan = p["37"]["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["speaker"] == "Japan")
        .unwrap();
    assert_eq!(japan["speaker_kind"], "country");
    assert_eq!(japan["speaker_code"], "JPN");
    let meeting = &p["2"]["statements"][0];
    assert_eq!(
        (
            meeting["speaker_kind"].as_str(),
            meeting["speaker_code"].as_str()
        ),
        (Some("meeting"), None)
    );
}

/// Expected top-level paragraph ranges, from each report's table of contents.
const UPR: [(&str, &str, u32, &str); 5] = [
    ("upr/japan2008.pdf", "A/HRC/8/44", 62, "60"),
    ("upr/korea2008.pdf", "A/HRC/8/40", 66, "64"),
    ("upr/china2009.pdf", "A/HRC/11/25", 118, "114"),
    (
        "upr/democraticpeoplesrepublicofkorea2010.pdf",
        "A/HRC/13/13",
        92,
        "90",
    ),
    ("upr/mongolia2011.pdf", "A/HRC/16/5", 87, "84"),
];

#[test]
fn upr_paragraphs_match_the_table_of_contents() {
    for (file, symbol, last, recommendations) in UPR {
        let doc = parse(file);
        assert_eq!(doc["id"], symbol, "{file}");
        assert_eq!(doc["format"], "pdf");
        assert_eq!(doc["body"], "Human Rights Council");
        let numbers: Vec<String> = doc["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["number"].as_str().unwrap().to_owned())
            .collect();
        let top: Vec<u32> = numbers
            .iter()
            .filter(|n| !n.contains('.'))
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(
            top,
            (1..=last).collect::<Vec<_>>(),
            "{file}: top-level paragraphs 1..{last}"
        );
        let first_sub = format!("{recommendations}.1");
        assert!(
            numbers.contains(&first_sub),
            "{file}: recommendations {first_sub}"
        );
        let unique: std::collections::HashSet<&String> = numbers.iter().collect();
        assert_eq!(unique.len(), numbers.len(), "{file}: no duplicate numbers");
    }
}

#[test]
fn upr_attribution() {
    let japan = parse("upr/japan2008.pdf");
    let p = paragraphs(&japan);
    assert_eq!(
        japan["title"],
        "Report of the Working Group on the Universal Periodic Review: Japan"
    );
    assert_eq!(speakers(&p["13"]), ["Algeria"]);
    assert_eq!(speaker_of(&p["9"], "The Delegation explained"), ["Japan"]);
    assert_eq!(
        speaker_of(&p["60.1"], "Sign the Second Optional Protocol"),
        ["Portugal"]
    );
    assert_eq!(
        speaker_of(&p["60.1"], "Civil Aspects of International Child Abduction"),
        ["Canada", "Netherlands"]
    );
    assert_eq!(
        p["60.26"]["section"],
        "II. Conclusions and/or recommendations"
    );
    let korea = parse("upr/korea2008.pdf");
    let p = paragraphs(&korea);
    assert_eq!(speakers(&p["41"]), ["Russian Federation"]);
    assert_eq!(
        speakers(&p["13"]),
        ["Democratic People's Republic of Korea"]
    );
    assert_eq!(speakers(&p["64.1"]).len(), 1);
    let mongolia = parse("upr/mongolia2011.pdf");
    assert!(paragraphs(&mongolia)["84.1"]["statements"][0]["speaker"].is_string());
}

#[test]
fn human_output_lists_paragraphs() {
    let path = corpus("neaspec-som22-report.txt");
    let out = run(&["parse", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("SOM-22"));
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("37 [ 5e] Mongolia, Japan")),
        "{text}"
    );
}

mod bad_input {
    use crate::util::{run, stderr};
    use std::io::Write;

    fn parse_file(name: &str, bytes: &[u8]) -> (Option<i32>, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        let out = run(&["parse", path.to_str().unwrap()]);
        (out.status.code(), crate::util::stdout(&out), stderr(&out))
    }

    #[test]
    fn empty_file() {
        let (code, _, err) = parse_file("empty.txt", b"");
        assert_eq!(code, Some(2));
        assert!(err.contains("empty.txt") && err.contains("empty"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one-line error: {err}");
    }

    #[test]
    fn binary_file() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
        let (code, _, err) = parse_file("image.txt", &bytes);
        assert_eq!(code, Some(2));
        assert!(err.contains("binary"), "{err}");
    }

    #[test]
    fn truncated_pdf() {
        let pdf = std::fs::read(super::corpus("upr/japan2008.pdf")).unwrap();
        let (code, _, err) = parse_file("cut.pdf", &pdf[..pdf.len() / 2]);
        assert_eq!(code, Some(2));
        assert!(err.contains("cut.pdf") && err.contains("PDF"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    #[test]
    fn pdf_without_text_layer() {
        let (code, _, err) = parse_file("scan.pdf", &blank_pdf());
        assert_eq!(code, Some(2));
        assert!(
            err.contains("scan.pdf") && (err.contains("no text layer") || err.contains("PDF")),
            "{err}"
        );
    }

    #[test]
    fn text_without_structure_falls_back_with_a_warning() {
        let text = "Some notes taken during the meeting.\nThey wrap over lines.\n\nA second block of notes follows here.\n";
        let (code, out, err) = parse_file("notes.txt", text.as_bytes());
        assert_eq!(code, Some(0), "{err}");
        assert!(
            err.contains("warning") && err.contains("no numbered paragraphs"),
            "{err}"
        );
        assert!(out.contains("(2 paragraphs"), "{out}");
    }

    #[test]
    fn windows_1252_text_is_decoded() {
        let text = b"1. The representative of C\xf4te d'Ivoire welcomed the report.\n2. The Meeting noted it.\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.txt");
        std::fs::write(&path, text).unwrap();
        let out = run(&["parse", "--json", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["paragraphs"][0]["speakers"][0], "Côte d'Ivoire");
    }

    #[test]
    fn fifty_megabyte_file() {
        let mut text = String::with_capacity(51 * 1024 * 1024);
        let mut n = 1;
        while text.len() < 50 * 1024 * 1024 {
            text.push_str(&format!("{n}. The representative of Japan noted the progress made on item {n} and stressed cooperation.\n\n"));
            n += 1;
        }
        let (code, out, err) = parse_file("big.txt", text.as_bytes());
        assert_eq!(code, Some(0), "{err}");
        assert!(
            out.contains(&format!("({} paragraphs", n - 1)),
            "{}",
            out.lines().next().unwrap_or_default()
        );
    }

    /// A valid one-page PDF whose page has no text: what a scanner produces, minus the image.
    fn blank_pdf() -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
            "<< /Length 0 >>\nstream\n\nendstream",
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }
}
