//! Every search as an Atom feed (RFC 4287), newest first: GET
//! /api/search.atom takes the parameters of /api/search, so a feed reader can
//! follow "what the ROK says on air pollution". Each entry is a paragraph,
//! linking to its permalink page, with its speakers as authors.

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::api::parse_query;
use super::error::ApiError;
use crate::search::{Hit, SearchResponse, Sort};

/// Entries where the request does not say.
const DEFAULT_ENTRIES: usize = 20;

#[utoipa::path(
    get, path = "/api/search.atom", tag = "search",
    params(crate::search::SearchRequest),
    responses(
        (status = 200, description = "An Atom feed of the search, newest meeting first (the sort parameter is ignored); 20 entries unless limit says", content_type = "application/atom+xml"),
        (status = 400, description = "Bad parameter", body = super::error::ErrorBody),
    )
)]
pub(crate) async fn search_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut request = parse_query(raw.as_deref())?;
    request.sort = Sort::Date;
    request.limit = Some(request.limit_or(DEFAULT_ENTRIES));
    let response = state.search(request).await?;
    let base = base_url(&headers);
    let query = raw.unwrap_or_default();
    let xml = feed(&response, &base, &query).to_string();
    let mut out = xml.into_response();
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    Ok(out)
}

/// "http://host:port" as the client addressed this server: feed readers need
/// absolute links. A Host header that is not a plain authority is not echoed.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Document ids keep their slashes as path separators, as the pages' links do.
fn permalink(base: &str, hit: &Hit) -> String {
    let encode = |s: &str| -> String {
        form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let document: Vec<String> = hit.document.split('/').map(encode).collect();
    format!("{base}/p/{}/{}", document.join("/"), encode(&hit.paragraph))
}

/// A meeting date as an Atom date: midnight UTC of that day (of the first
/// day of a year or month given alone).
fn updated(date: Option<&str>) -> FixedDateTime {
    let day = match date.map(str::trim) {
        Some(d) if d.len() >= 10 => d.get(..10).unwrap_or("1970-01-01").to_owned(),
        Some(d) if d.len() == 7 => format!("{d}-01"),
        Some(d) if d.len() == 4 => format!("{d}-01-01"),
        _ => "1970-01-01".to_owned(),
    };
    format!("{day}T00:00:00Z")
        .parse()
        .or_else(|_| "1970-01-01T00:00:00Z".parse())
        .unwrap_or_default()
}

fn feed(response: &SearchResponse, base: &str, query: &str) -> Feed {
    let entries: Vec<Entry> = response.hits.iter().map(|hit| entry(hit, base)).collect();
    let newest = entries
        .iter()
        .map(|e| *e.updated())
        .max()
        .unwrap_or_else(|| updated(None));
    let title = if response.query.trim().is_empty() {
        "rapporteur: filtered search".to_owned()
    } else {
        format!("rapporteur: {}", response.query.trim())
    };
    let mut feed = Feed {
        title: Text::plain(title),
        id: format!("{base}/api/search.atom?{query}"),
        updated: newest,
        entries,
        ..Feed::default()
    };
    feed.set_links(vec![
        Link {
            href: format!("{base}/api/search.atom?{query}"),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        },
        Link {
            href: format!("{base}/?{query}"),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        },
    ]);
    feed.set_authors(vec![Person {
        name: "rapporteur".into(),
        ..Person::default()
    }]);
    feed.set_subtitle(Some(Text::plain(format!(
        "{} matching paragraphs, newest meeting first",
        response.total
    ))));
    feed
}

fn entry(hit: &Hit, base: &str) -> Entry {
    let link = permalink(base, hit);
    // Every author of a joint statement ("(Belgium, Italy, Mexico)").
    let mut speakers: Vec<&str> = Vec::new();
    for s in &hit.statements {
        let names: Vec<&str> = if s.joint.is_empty() {
            s.speaker.as_deref().into_iter().collect()
        } else {
            s.joint.iter().map(|j| j.name.as_str()).collect()
        };
        for name in names {
            if !speakers.contains(&name) {
                speakers.push(name);
            }
        }
    }
    let title = match speakers.first() {
        Some(_) => format!("{}: {}", speakers.join(", "), hit.citation),
        None => hit.citation.clone(),
    };
    let body: Vec<String> = hit
        .statements
        .iter()
        .map(|s| match (&s.speaker, s.joint.is_empty()) {
            (Some(who), true) => format!("{who}: {}", s.text),
            (_, false) => {
                let who: Vec<&str> = s.joint.iter().map(|j| j.name.as_str()).collect();
                format!("{}: {}", who.join(", "), s.text)
            }
            (None, true) => s.text.clone(),
        })
        .collect();
    let mut links = vec![Link {
        href: link.clone(),
        rel: "alternate".into(),
        mime_type: Some("text/html".into()),
        ..Link::default()
    }];
    if let Some(url) = &hit.url {
        links.push(Link {
            href: url.clone(),
            rel: "related".into(),
            title: Some("The official document".into()),
            ..Link::default()
        });
    }
    Entry {
        title: Text::plain(title),
        id: link,
        updated: updated(hit.date.as_deref()),
        authors: speakers
            .iter()
            .map(|name| Person {
                name: (*name).to_owned(),
                ..Person::default()
            })
            .collect(),
        links,
        summary: Some(Text::plain(hit.citation.clone())),
        content: Some(Content {
            value: Some(body.join("\n\n")),
            content_type: Some("text".into()),
            ..Content::default()
        }),
        ..Entry::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_atom_dates_and_odd_hosts_are_not_echoed() {
        assert_eq!(
            updated(Some("2018-12-13")).to_rfc3339(),
            "2018-12-13T00:00:00+00:00"
        );
        assert_eq!(
            updated(Some("1997")).to_rfc3339(),
            "1997-01-01T00:00:00+00:00"
        );
        assert_eq!(
            updated(Some("n/a")).to_rfc3339(),
            "1970-01-01T00:00:00+00:00"
        );
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:7878"));
        assert_eq!(base_url(&headers), "http://127.0.0.1:7878");
        headers.insert(header::HOST, HeaderValue::from_static("evil\"><x"));
        assert_eq!(base_url(&headers), "http://localhost");
    }
}
