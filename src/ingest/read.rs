//! Read a file into pages of text: decode text files (UTF-8, UTF-16, or
//! Windows-1252 as a fallback) and extract the text layer of PDFs.

use std::path::Path;

use crate::error::{Error, PdfError, Result};

/// One document's text as read, before any cleaning.
#[derive(Debug, Clone)]
pub struct RawText {
    /// Page texts; a plain-text file is one page unless it carries form feeds.
    pub pages: Vec<String>,
    /// Whether it came from plain text or a PDF.
    pub format: Format,
    /// PDF pages (from 1) that hold an image and no text: scanned, not read.
    pub scanned_pages: Vec<u32>,
}

/// The format a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text (UTF-8, UTF-16 with a BOM, or Windows-1252 as a fallback).
    Text,
    /// A PDF's text layer.
    Pdf,
}

impl Format {
    /// `text` or `pdf`, as stored in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Pdf => "pdf",
        }
    }
}

/// Largest document rapporteur reads (a UN report is a few MB at most).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a text or PDF file, refusing files over [`MAX_FILE_BYTES`].
pub fn read_file(path: &Path) -> Result<RawText> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::TooLarge {
            path: path.into(),
            size: meta.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    read_bytes(path, &bytes)
}

/// Reads bytes already in memory: a PDF by its `%PDF-` header, else text; `path` names them in errors.
pub fn read_bytes(path: &Path, bytes: &[u8]) -> Result<RawText> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Empty { path: path.into() });
    }
    if is_pdf(bytes) {
        return read_pdf(path, bytes);
    }
    let text = decode_text(bytes).ok_or_else(|| Error::Binary { path: path.into() })?;
    if text.trim().is_empty() {
        return Err(Error::Empty { path: path.into() });
    }
    Ok(RawText {
        pages: text.split('\u{c}').map(str::to_owned).collect(),
        format: Format::Text,
        scanned_pages: Vec::new(),
    })
}

fn is_pdf(bytes: &[u8]) -> bool {
    // The header may follow a little junk; readers accept it within the first KiB.
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Decodes text, or None when the bytes are not text in any encoding we accept.
pub fn decode_text(bytes: &[u8]) -> Option<String> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (!had_errors).then(|| text.into_owned());
    }
    if looks_binary(bytes) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_owned()),
        // Not UTF-8: Latin-1 and Windows-1252 are what older office tools write.
        Err(_) => Some(
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        ),
    }
}

/// NUL bytes or many control characters mean a binary file.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.contains(&0) {
        return true;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 100 > sample.len()
}

/// Deepest page tree walked; real documents nest a few levels.
const MAX_PAGE_TREE_NODES: usize = 100_000;

/// A page tree that loops (a page its own /Parent, /Kids that come back) sends
/// text extraction round forever: such a file is refused before extraction.
fn check_page_tree(doc: &lopdf::Document) -> std::result::Result<(), PdfError> {
    use lopdf::{Object, ObjectId};
    let reference = |o: &Object| o.as_reference().ok();
    let dict_of = |id: ObjectId| doc.get_object(id).and_then(Object::as_dict).ok();
    let root = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(reference)
        .and_then(dict_of)
        .ok_or(PdfError::NoCatalog)?;
    let Some(pages) = root.get(b"Pages").ok().and_then(reference) else {
        return Ok(());
    };
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![pages];
    while let Some(node) = stack.pop() {
        if !seen.insert(node) || seen.len() > MAX_PAGE_TREE_NODES {
            return Err(PdfError::PageTreeLoops);
        }
        let Some(dict) = dict_of(node) else { continue };
        // Inherited attributes are looked up along /Parent: that chain must end.
        let mut chain = std::collections::HashSet::from([node]);
        let mut up = dict.get(b"Parent").ok().and_then(reference);
        while let Some(parent) = up {
            if !chain.insert(parent) {
                return Err(PdfError::ParentLoops);
            }
            up = dict_of(parent).and_then(|d| d.get(b"Parent").ok().and_then(reference));
        }
        if let Ok(kids) = dict.get(b"Kids").and_then(Object::as_array) {
            stack.extend(kids.iter().filter_map(reference));
        }
    }
    Ok(())
}

/// The text of each page, as pdf-extract's `extract_text_from_mem_by_pages`
/// gives it, from the document already loaded: decrypted with the empty
/// password if it is encrypted, then page by page up to the first that fails.
fn extract_pages(doc: &mut lopdf::Document) -> std::result::Result<Vec<String>, lopdf::Error> {
    if doc.is_encrypted() {
        doc.decrypt("")?;
    }
    let mut pages = Vec::new();
    for number in 1.. {
        let mut text = String::new();
        let mut output = pdf_extract::PlainTextOutput::new(&mut text);
        if pdf_extract::output_doc_page(doc, &mut output, number).is_err() {
            break;
        }
        pages.push(text);
    }
    Ok(pages)
}

fn read_pdf(path: &Path, bytes: &[u8]) -> Result<RawText> {
    let pdf_error = |source| Error::Pdf {
        path: path.into(),
        source,
    };
    // Loaded once: the page tree is checked, then the same document extracted.
    let mut doc = lopdf::Document::load_mem(bytes).map_err(|e| pdf_error(PdfError::Load(e)))?;
    check_page_tree(&doc).map_err(pdf_error)?;
    // pdf-extract can panic on malformed files; a bad PDF must be an error, not a crash.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract_pages(&mut doc)));
    let pages = match result {
        Ok(Ok(pages)) => pages,
        Ok(Err(e)) => return Err(pdf_error(PdfError::Decrypt(e))),
        Err(_) => return Err(pdf_error(PdfError::Damaged)),
    };
    let letters_of = |page: &str| page.chars().filter(|c| c.is_alphabetic()).count();
    if pages.iter().map(|p| letters_of(p)).sum::<usize>() < 20 {
        return Err(Error::PdfNoText { path: path.into() });
    }
    let scanned_pages = doc
        .get_pages()
        .into_iter()
        .filter(|&(number, id)| {
            let text = pages.get(number as usize - 1).map_or("", String::as_str);
            letters_of(text) < 20 && doc.get_page_images(id).is_ok_and(|i| !i.is_empty())
        })
        .map(|(number, _)| number)
        .collect();
    Ok(RawText {
        pages,
        format: Format::Pdf,
        scanned_pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_is_decoded() {
        let bytes = b"The representative of C\xf4te d'Ivoire said \x93yes\x94.";
        let text = decode_text(bytes).unwrap();
        assert_eq!(
            text,
            "The representative of Côte d'Ivoire said \u{201c}yes\u{201d}."
        );
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "1. Japan noted.".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode_text(&bytes).unwrap(), "1. Japan noted.");
    }

    #[test]
    fn binary_is_rejected() {
        let err = read_bytes(Path::new("x.bin"), &[0u8, 1, 2, 3, 200, 0, 7]).unwrap_err();
        assert!(err.to_string().contains("binary"), "{err}");
    }

    #[test]
    fn empty_is_rejected() {
        let err = read_bytes(Path::new("e.txt"), b"  \n\n ").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    /// A PDF of these objects (object 1 the catalog), with a cross-reference
    /// table lopdf accepts.
    fn pdf_of(objects: &[&str]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
        }
        let xref = pdf.len();
        let size = objects.len() + 1;
        pdf.extend(format!("xref\n0 {size}\n0000000000 65535 f \n").bytes());
        for offset in offsets {
            pdf.extend(format!("{offset:010} 00000 n \n").bytes());
        }
        pdf.extend(
            format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").bytes(),
        );
        pdf
    }

    /// A PDF of pages, each with a text or an image only: a scan.
    fn pdf_of_pages(pages: &[Option<&str>]) -> Vec<u8> {
        let font = 3 + 3 * pages.len();
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                (0..pages.len())
                    .map(|i| format!("{} 0 R", 3 + 3 * i))
                    .collect::<Vec<_>>()
                    .join(" "),
                pages.len()
            ),
        ];
        for (i, text) in pages.iter().enumerate() {
            let (content, image) = (4 + 3 * i, 5 + 3 * i);
            let stream = match text {
                Some(text) => format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET"),
                None => "q 612 0 0 792 0 0 cm /Im1 Do Q".to_owned(),
            };
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R \
                 /Resources << /Font << /F1 {font} 0 R >> /XObject << /Im1 {image} 0 R >> >> >>"
            ));
            objects.push(format!(
                "<< /Length {} >>\nstream\n{stream}\nendstream",
                stream.len()
            ));
            let image_stream = if text.is_some() { "" } else { "\u{0}" };
            let subtype = if text.is_some() {
                "Form /BBox [0 0 1 1]"
            } else {
                "Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8"
            };
            objects.push(format!(
                "<< /Type /XObject /Subtype /{subtype} /Length {} >>\nstream\n{image_stream}\nendstream",
                image_stream.len()
            ));
        }
        objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned());
        let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
        pdf_of(&objects)
    }

    #[test]
    fn a_scan_is_an_error_that_says_so_and_scanned_pages_are_named() {
        let scan = pdf_of_pages(&[None, None]);
        let err = read_bytes(Path::new("scan.pdf"), &scan).unwrap_err();
        assert!(matches!(err, Error::PdfNoText { .. }), "{err}");
        assert!(err.to_string().contains("OCR"), "{err}");

        let text = "The meeting was called to order at 10 a.m. by the President of the Council.";
        let mixed = pdf_of_pages(&[Some(text), None, Some(text)]);
        let raw = read_bytes(Path::new("mixed.pdf"), &mixed).unwrap();
        assert_eq!(raw.scanned_pages, [2]);
        assert!(raw.pages[0].contains("called to order"), "{:?}", raw.pages);
        // The document is parsed from the pages that have text, with a warning.
        let document = crate::ingest::parse_bytes(Path::new("mixed.pdf"), &mixed).unwrap();
        assert!(
            document
                .warnings
                .iter()
                .any(|w| w.contains("page(s) 2 are scanned")),
            "{:?}",
            document.warnings
        );
    }

    #[test]
    fn a_page_tree_that_loops_is_an_error_not_a_hang() {
        let catalog = "<< /Type /Catalog /Pages 2 0 R >>";
        let own_parent = pdf_of(&[
            catalog,
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 3 0 R >>",
        ]);
        let err = read_bytes(Path::new("loop.pdf"), &own_parent).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Pdf {
                    source: PdfError::ParentLoops,
                    ..
                }
            ),
            "{err}"
        );
        let kids_come_back = pdf_of(&[
            catalog,
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
        ]);
        let err = read_bytes(Path::new("loop.pdf"), &kids_come_back).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Pdf {
                    source: PdfError::PageTreeLoops | PdfError::ParentLoops,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn truncated_pdf_is_an_error_not_a_panic() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/upr/japan2008.pdf"
        ))
        .unwrap();
        let err = read_bytes(Path::new("t.pdf"), &bytes[..bytes.len() / 3]).unwrap_err();
        assert!(
            matches!(err, Error::Pdf { .. } | Error::PdfNoText { .. }),
            "{err}"
        );
    }
}
