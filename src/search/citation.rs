//! Citations as the record itself would be cited: the document's symbol and
//! the paragraph ("A/HRC/8/44, para. 61"), or the page of a verbatim record,
//! whose paragraphs are not numbered in print ("S/PV.8422, p. 4"), with the
//! meeting and date; and the official document by its symbol on undocs.org.

use crate::ingest::metadata::MONTHS;
use crate::model::{DocumentSummary, Paragraph};

/// The first part of the symbols of the United Nations' documentation (the
/// principal organs, subsidiary and treaty bodies, regional commissions):
/// undocs.org resolves these. Other organisations' symbols (WTO's "G/SPS/R/94")
/// get no link.
const UN_SERIES: &[&str] = &[
    "A", "S", "E", "ST", "T", "DP", "TD", "UNEP", "ECE", "ESCAP", "ECA", "ECLAC", "LC", "ESCWA",
    "CAT", "CCPR", "CEDAW", "CERD", "CRC", "CRPD", "CMW", "CED", "HRI", "ICEF", "ISBA", "SPLOS",
    "UNW", "UNITAR", "FCCC", "UNCTAD", "IDB", "JIU", "ACC", "DPI",
];

/// The citation of a paragraph: "A/HRC/8/44, para. 61 (HRC-8, 2 June 2008)".
pub fn cite(
    document: Option<&DocumentSummary>,
    document_id: &str,
    paragraph: &Paragraph,
) -> String {
    use std::fmt::Write;
    let reference = document
        .and_then(|d| d.symbol.as_deref().or(d.title.as_deref()))
        .unwrap_or(document_id);
    let verbatim = is_verbatim(document.and_then(|d| d.symbol.as_deref()));
    // Written into one string: a page of hits cites ten paragraphs per search.
    let mut citation = String::with_capacity(64);
    citation.push_str(reference);
    let _ = match paragraph.page {
        Some(page) if verbatim => write!(citation, ", p. {page}"),
        _ => write!(citation, ", para. {}", paragraph.number),
    };
    let meeting = document.and_then(|d| d.meeting.clone());
    let date = document.and_then(|d| d.date.as_deref().and_then(long_date));
    let mut when = [meeting, date]
        .into_iter()
        .flatten()
        .filter(|part| !reference.contains(part.as_str()))
        .peekable();
    if when.peek().is_some() {
        citation.push_str(" (");
        for (i, part) in when.enumerate() {
            if i > 0 {
                citation.push_str(", ");
            }
            citation.push_str(&part);
        }
        citation.push(')');
    }
    citation
}

/// The official document on undocs.org, for a United Nations symbol.
pub fn official_url(symbol: Option<&str>) -> Option<String> {
    let symbol = symbol?.trim();
    let (series, rest) = symbol.split_once('/')?;
    let plausible = !rest.is_empty()
        && UN_SERIES.contains(&series)
        && symbol
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/.-()".contains(c));
    plausible.then(|| format!("https://undocs.org/en/{symbol}"))
}

/// A verbatim record ("S/PV.8422", "A/65/PV.71") is cited by page.
fn is_verbatim(symbol: Option<&str>) -> bool {
    symbol.is_some_and(|s| s.split('/').any(|part| part.starts_with("PV.")))
}

/// "2018-12-20" → "20 December 2018"; a year alone stays a year.
fn long_date(iso: &str) -> Option<String> {
    let mut parts = iso.split('-');
    let year = parts.next().filter(|y| y.len() == 4)?;
    let month: Option<usize> = parts.next().and_then(|m| m.parse().ok());
    let day: Option<u32> = parts
        .next()
        .and_then(|d| d.get(..2).unwrap_or(d).parse().ok());
    match (month, day) {
        (Some(m @ 1..=12), Some(d)) => Some(format!("{d} {} {year}", MONTHS[m - 1])),
        (Some(m @ 1..=12), None) => Some(format!("{} {year}", MONTHS[m - 1])),
        _ => Some(year.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(symbol: Option<&str>, meeting: Option<&str>, date: Option<&str>) -> DocumentSummary {
        DocumentSummary {
            id: symbol.unwrap_or("neaspec-som22-report").to_owned(),
            symbol: symbol.map(str::to_owned),
            meeting: meeting.map(str::to_owned),
            date: date.map(str::to_owned),
            ..DocumentSummary::default()
        }
    }

    fn paragraph(number: &str, page: Option<u32>) -> Paragraph {
        Paragraph {
            number: number.to_owned(),
            page,
            ..Paragraph::default()
        }
    }

    #[test]
    fn reports_by_paragraph_verbatim_records_by_page() {
        let hrc = summary(Some("A/HRC/8/44"), Some("HRC-8"), Some("2008-06-02"));
        assert_eq!(
            cite(Some(&hrc), "A/HRC/8/44", &paragraph("61", Some(14))),
            "A/HRC/8/44, para. 61 (HRC-8, 2 June 2008)"
        );
        let pv = summary(
            Some("S/PV.8422"),
            Some("Security Council, 8422nd meeting"),
            Some("2018-12-13"),
        );
        assert_eq!(
            cite(Some(&pv), "S/PV.8422", &paragraph("12", Some(4))),
            "S/PV.8422, p. 4 (Security Council, 8422nd meeting, 13 December 2018)"
        );
        // No page known: the paragraph, as numbered here.
        assert_eq!(
            cite(Some(&pv), "S/PV.8422", &paragraph("12", None)),
            "S/PV.8422, para. 12 (Security Council, 8422nd meeting, 13 December 2018)"
        );
        let plain = summary(None, None, None);
        assert_eq!(
            cite(Some(&plain), "neaspec-som22-report", &paragraph("37", None)),
            "neaspec-som22-report, para. 37"
        );
    }

    #[test]
    fn only_united_nations_symbols_link_to_undocs() {
        assert_eq!(
            official_url(Some("A/HRC/8/44")).as_deref(),
            Some("https://undocs.org/en/A/HRC/8/44")
        );
        assert_eq!(
            official_url(Some("S/PV.8422")).as_deref(),
            Some("https://undocs.org/en/S/PV.8422")
        );
        assert_eq!(official_url(Some("G/SPS/R/94")), None);
        assert_eq!(official_url(Some("A/HRC/<script>")), None);
        assert_eq!(official_url(None), None);
        assert_eq!(long_date("1997").as_deref(), Some("1997"));
    }
}
