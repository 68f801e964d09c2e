//! Speech collections end to end: the UN General Debate layout (speaker,
//! session and year from file names, wrapped lines joined) and manifests
//! (JSONL and CSV), with the files that do not fit reported and the rest ingested.

use std::path::Path;

use crate::util::{hit_ids, run, stderr};
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A few statements in the corpus's own shapes: one paragraph per line
/// (recent sessions) and text wrapped at a fixed width (the 1990s).
fn ungdc_extract(root: &Path) {
    write(
        root,
        "session-73-2018/JPN_73_2018.txt",
        "I have been accorded the privilege of serving as Japan's leader. As I address the General Assembly\n \n\
         today for the sixth consecutive year, I do so with a feeling of renewed resolve.\n\
         Japan will lead the international community towards a world free of nuclear weapons, and nuclear disarmament remains our mission.\n\
         Free trade is the source of our prosperity.\n",
    );
    write(
        root,
        "session-50-1995/JPN_50_1995.txt",
        "I should like, on behalf of the\nGovernment of Japan, to begin my statement at the General\n\
         Assembly by extending my felicitations on the fiftieth\nanniversary of the United Nations.\n\
         As the only nation to have suffered atomic\nbombings, Japan calls for nuclear disarmament and the\n\
         elimination of nuclear weapons. We welcome the indefinite\nextension of the Treaty on the Non-Proliferation of\n\
         Nuclear Weapons and urge all States to exercise the utmost\nrestraint in nuclear testing.\n",
    );
    write(
        root,
        "session-73-2018/FRA_73_2018.txt",
        "France supports nuclear disarmament under the Non-Proliferation Treaty.\nClimate change is the challenge of our time.\n",
    );
    write(
        root,
        "session-73-2018/README-notes.txt",
        "Notes that are not a statement.\n",
    );
}

#[test]
fn ungdc_layout_takes_speaker_and_year_from_file_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = dir.path().join("ungdc");
    ungdc_extract(&corpus);
    let index = dir.path().join("index");
    let index = index.to_str().expect("utf-8");
    let out = run(&[
        "ingest",
        "--layout",
        "ungdc",
        "--no-embed",
        corpus.to_str().expect("utf-8"),
        "--index",
        index,
    ]);
    // The file whose name does not follow ISO3_SESSION_YEAR is reported; the rest is in.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("README-notes.txt") && stderr(&out).contains("ISO3_SESSION_YEAR"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("ingested 3 documents"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "search",
        "--json",
        "--sort",
        "date",
        "--index",
        index,
        "what did Japan say on nuclear disarmament",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["interpreted"]["speakers"][0], "Japan");
    assert_eq!(
        hit_ids(&v),
        ["JPN_73_2018#2", "JPN_50_1995#2"],
        "newest first"
    );
    let years: Vec<(String, u64)> = v["facets"]["year"]
        .as_array()
        .expect("years")
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap_or_default().to_owned(),
                c["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        years.contains(&("2018".into(), 1)) && years.contains(&("1995".into(), 1)),
        "{years:?}"
    );
    // A speech is one speaker's: speaker counts are summed from the document
    // counts, and each must be the total of the speaker's filter.
    let keyword = |extra: &[&str]| -> Value {
        let mut args = vec!["search", "--json", "--mode", "keyword", "--index", index];
        args.extend_from_slice(extra);
        serde_json::from_slice(&run(&args).stdout).expect("JSON")
    };
    let all = keyword(&["the"]);
    let speakers = all["facets"]["speaker"].as_array().expect("speakers");
    assert_eq!(speakers.len(), 2, "Japan and France: {all}");
    for c in speakers {
        let speaker = c["value"].as_str().expect("speaker");
        let theirs = keyword(&["--speaker", speaker, "the"]);
        assert_eq!(c["count"], theirs["total"], "{speaker}");
    }
    let hit = &v["hits"][1];
    assert_eq!(
        hit["meeting"],
        "General Assembly, 50th session, General Debate"
    );
    assert_eq!(hit["statements"][0]["speaker"], "Japan");

    // Wrapped lines became real paragraphs; the stray blank line did not cut a sentence.
    let out = run(&["show", "--json", "--index", index, "JPN_50_1995"]);
    let outline: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(outline["document"]["paragraphs"], 2);
    let out = run(&["show", "--json", "--index", index, "JPN_73_2018#1"]);
    let view: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        view["paragraph"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("General Assembly today for the sixth"),
        "{view}"
    );
}

#[test]
fn manifests_give_metadata_and_report_missing_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "speeches/a.txt",
        "We pledged support for the Peacebuilding Fund.\nOur second paragraph is about oceans.\n",
    );
    write(
        dir.path(),
        "speeches/b.txt",
        "The Republic of Korea reaffirmed its commitment to climate finance.\n",
    );
    write(
        dir.path(),
        "speeches.jsonl",
        "{\"path\": \"speeches/a.txt\", \"speaker\": \"Norway\", \"date\": \"2019-09-25\", \"body\": \"General Assembly\", \"meeting\": \"74th session\"}\n\
         {\"path\": \"speeches/missing.txt\", \"speaker\": \"Chile\", \"date\": \"2019\"}\n",
    );
    write(
        dir.path(),
        "more.csv",
        "path,speaker,date,title\nspeeches/b.txt,ROK,2020-09-22,Statement of the ROK\n",
    );
    let index = dir.path().join("index");
    let index = index.to_str().expect("utf-8");
    let jsonl = dir.path().join("speeches.jsonl");
    let csv = dir.path().join("more.csv");
    let out = run(&[
        "ingest",
        "--no-embed",
        "--manifest",
        jsonl.to_str().expect("utf-8"),
        "--manifest",
        csv.to_str().expect("utf-8"),
        "--index",
        index,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing.txt"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ingested 2 documents"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "search",
        "--json",
        "--index",
        index,
        "--speaker",
        "Norway",
        "pledged",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(hit_ids(&v), ["a#1"]);
    assert_eq!(v["hits"][0]["date"], "2019-09-25");
    assert_eq!(v["hits"][0]["meeting"], "74th session");
    let out = run(&["search", "--json", "--index", index, "climate finance"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["hits"][0]["statements"][0]["speaker"],
        "Republic of Korea"
    );
}
