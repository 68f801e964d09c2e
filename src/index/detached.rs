//! Embedding detached from the index, for machines that do not hold it (Ray
//! workers, a GPU machine): the texts an index lacks vectors for go out as
//! JSON lines ([`missing_texts`], [`write_texts`]), another machine turns such
//! a file into a vectors file ([`embed_texts`]), and the vectors come back
//! with [`super::embedding::import`]. A text's vector key is made of the text
//! itself, so vectors find their paragraphs wherever they were made.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::Index;
use super::embedding::{EmbedProgress, EmbedReport, check_shard, in_shard, keyed_records, text_of};
use super::vectors::{VectorWriter, Vectors, vector_key};
use crate::embed::Embedder;
use crate::error::{Error, Result};

/// One line of a texts file: `{"text": "..."}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct TextLine {
    /// The text to embed, as the index holds it.
    pub text: String,
}

/// The distinct texts of the index (or of shard I of N) that have no vector.
pub fn missing_texts(index: &Path, shard: Option<(u32, u32)>) -> Result<Vec<String>> {
    check_shard(shard)?;
    let index = Index::open(index)?;
    let known = Vectors::of_index_current(&index.path)?;
    let searcher = index.reader.searcher();
    keyed_records(&searcher)?
        .into_iter()
        .filter(|&(key, _)| in_shard(key, shard) && !known.contains(key))
        .map(|(_, address)| text_of(&searcher, &index.fields, address))
        .collect()
}

/// Writes texts as JSON lines.
pub fn write_texts(texts: &[String], out: &mut dyn Write) -> std::io::Result<()> {
    for text in texts {
        serde_json::to_writer(&mut *out, &TextLine { text: text.clone() })?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Reads JSON lines of texts; `origin` names the input in errors.
pub fn read_texts(input: &mut dyn BufRead, origin: &Path) -> Result<Vec<String>> {
    let mut texts = Vec::new();
    for (number, line) in input.lines().enumerate() {
        let line = line.map_err(|source| Error::Io {
            path: origin.into(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: TextLine = serde_json::from_str(&line).map_err(|e| Error::TextsLine {
            path: origin.into(),
            line: number + 1,
            reason: e.to_string(),
        })?;
        texts.push(parsed.text);
    }
    Ok(texts)
}

/// Embeds `texts` into the vectors file `out`, skipping those it holds
/// already (a rerun resumes) and committing every `commit_every` texts.
pub fn embed_texts(
    texts: &[String],
    out: &Path,
    commit_every: usize,
    progress: &dyn EmbedProgress,
) -> Result<EmbedReport> {
    let started = Instant::now();
    let mut writer = VectorWriter::open(out)?;
    let mut there = Vectors::default();
    there.refresh(out)?;
    let embedder = Embedder::shared()?;
    let mut report = EmbedReport::default();
    let mut seen = HashSet::new();
    let mut todo: Vec<(u64, &str)> = Vec::new();
    for text in texts {
        let key = vector_key(text);
        if !seen.insert(key) {
            continue;
        }
        report.texts += 1;
        if there.contains(key) {
            report.already += 1;
        } else {
            todo.push((key, text));
        }
    }
    progress.start(todo.len(), report.already);
    for group in todo.chunks(commit_every.max(1)) {
        let refs: Vec<&str> = group.iter().map(|(_, text)| *text).collect();
        let before = report.embedded;
        let made = embedder.embed(&refs, &|done| progress.embedded(before + done))?;
        for ((key, _), vector) in group.iter().zip(&made) {
            writer.append(*key, vector)?;
        }
        writer.commit()?;
        report.embedded += group.len();
        progress.committed(report.embedded);
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_go_out_and_come_back_as_json_lines() {
        let texts = vec![
            "The representative of Japan said \"yes\".\nA second line.".to_owned(),
            "Ünïcödé — and a tab\t.".to_owned(),
        ];
        let mut buffer = Vec::new();
        write_texts(&texts, &mut buffer).unwrap();
        assert_eq!(buffer.iter().filter(|&&b| b == b'\n').count(), 2);
        let back = read_texts(&mut buffer.as_slice(), Path::new("t.jsonl")).unwrap();
        assert_eq!(back, texts);
        let err = read_texts(&mut b"{\"text\": 1}\n".as_slice(), Path::new("bad.jsonl"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.jsonl") && err.contains("line 1"), "{err}");
    }
}
