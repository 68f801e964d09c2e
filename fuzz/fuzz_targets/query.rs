//! Query understanding, then the keyword query search would build from it.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rapporteur::search::{query, SearchRequest};
use tantivy::query::QueryParser;

/// An empty index with the real schema: enough for the query parser.
static PARSERS: LazyLock<(QueryParser, QueryParser)> = LazyLock::new(|| {
    let (schema, fields) = rapporteur::index::schema::build();
    let index = tantivy::Index::create_in_ram(schema);
    let loose = QueryParser::for_index(&index, vec![fields.text]);
    let mut strict = QueryParser::for_index(&index, vec![fields.text]);
    strict.set_conjunction_by_default();
    (loose, strict)
});

fuzz_target!(|q: &str| {
    let Ok(interpreted) = query::interpret(q) else {
        return;
    };
    let _ = query::meaning_wordings(&interpreted);
    let keywords = query::keyword_text(&interpreted);
    let (loose, strict) = &*PARSERS;
    let _ = loose.parse_query(&keywords);
    let _ = strict.parse_query(&keywords);
    let _ = SearchRequest::new(q).interpret();
});
