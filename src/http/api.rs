//! The JSON API handlers and their OpenAPI description. The bodies are the
//! library's own serde types, the same JSON the CLI prints with `--json`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::AppState;
use super::error::{ApiError, ErrorBody};
use crate::search::{
    Bucketing, Comparison, DEFAULT_STATEMENTS, DEFAULT_TERMS, Distinctive, DocumentSummary, Facets,
    Mode, Outline, ParagraphView, SearchRequest, SearchResponse, SimilarResponse, Sort,
    SpeakerCount, Timeline, TimelineOptions,
};

/// GET /api/facets: the facet counts and total of a search, without its hits.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FacetsResponse {
    pub total: usize,
    /// speaker, agenda_item, topic, document, year, sdg, body, meeting, vote: each a list of {value, count}.
    #[schema(value_type = Object)]
    pub facets: Facets,
}

/// GET /api/health.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always "ok" when the index answers.
    pub status: &'static str,
    pub documents: usize,
    pub paragraphs: usize,
    /// rapporteur's version.
    pub version: &'static str,
}

/// Parses a GET query string into a search. Repeated keys add filters
/// (`speaker=Japan&speaker=China`); empty values count as absent, as a plain
/// HTML form sends them, except `sdg`, a choice among the 17 goals, where an
/// empty value is refused with their list; unknown keys are refused, as the
/// POST body refuses unknown fields, so that typos do not pass silently.
pub fn parse_query(raw: Option<&str>) -> Result<SearchRequest, ApiError> {
    let mut given = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = if key == "q" { &value } else { value.trim() };
        if !value.is_empty() || key == "q" || key == "sdg" {
            given.append_pair(&key, value);
        }
    }
    serde_html_form::from_str(&given.finish())
        .map_err(|e| ApiError::bad_request(format!("bad parameter: {}", shown(&e.to_string()))))
}

/// A value as quoted back in an error message: bounded, so a huge parameter is not echoed whole.
fn shown(v: &str) -> String {
    const MAX: usize = 80;
    match v.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &v[..i]),
        None => v.to_owned(),
    }
}

#[utoipa::path(
    get, path = "/api/search", tag = "search",
    params(SearchRequest),
    responses(
        (status = 200, description = "SearchResponse: query, interpreted, mode, total, took_ms, hits (id, document, paragraph, score, meeting, date, agenda_item, agenda_title, topics, speakers, text, statements with byte-range highlights), facets", body = serde_json::Value),
        (status = 400, description = "Bad parameter", body = ErrorBody),
        (status = 503, description = "Busy or over the time limit", body = ErrorBody),
    )
)]
pub(crate) async fn search_get(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let request = parse_query(raw.as_deref())?;
    Ok(Json(state.search(request).await?))
}

#[utoipa::path(
    post, path = "/api/search", tag = "search",
    request_body(content = SearchRequest, content_type = "application/json", description = "The same fields as the GET parameters; lists are JSON arrays"),
    responses(
        (status = 200, description = "SearchResponse, as for GET", body = serde_json::Value),
        (status = 400, description = "Bad field or malformed JSON", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 503, description = "Busy or over the time limit", body = ErrorBody),
    )
)]
pub(crate) async fn search_post(
    State(state): State<AppState>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let Json(body) = body?;
    // serde would also read a struct from a JSON array, by position: only an
    // object says clearly which field is which.
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "the body must be a JSON object of search fields",
        ));
    }
    let request: SearchRequest = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?;
    Ok(Json(state.search(request).await?))
}

#[utoipa::path(
    get, path = "/api/documents", tag = "documents",
    responses((status = 200, description = "DocumentSummary list: id, symbol, title, body, meeting, date, place, source, format, paragraphs, statements, speakers; newest first", body = serde_json::Value))
)]
pub(crate) async fn documents(
    State(state): State<AppState>,
) -> Result<Json<Vec<DocumentSummary>>, ApiError> {
    Ok(Json(state.run(|s| s.documents()).await?))
}

#[utoipa::path(
    get, path = "/api/documents/{id}", tag = "documents",
    params(("id" = String, Path, description = "Document id, symbol, slug or file name; may contain slashes (A/HRC/8/44)")),
    responses(
        (status = 200, description = "Outline: document, agenda, sections, agenda_items, speakers", body = serde_json::Value),
        (status = 404, description = "No such document", body = ErrorBody),
    )
)]
pub(crate) async fn document(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Outline>, ApiError> {
    let Path(id) = id?;
    let id = id.trim_matches('/').to_owned();
    Ok(Json(state.run(move |s| s.outline(&id)).await?))
}

/// Splits "<document id>/<number>" at its last slash; document ids may hold slashes.
/// "<id>#<number>" (the hit id, with `#` sent as %23) is accepted too: `#` never
/// occurs in an id or a number, so where there is one it is the separator.
pub(crate) fn split_paragraph_path(path: &str) -> Option<(&str, &str)> {
    let path = path.trim_matches('/');
    let (doc, number) = path.rsplit_once('#').or_else(|| path.rsplit_once('/'))?;
    (!doc.is_empty() && !number.is_empty()).then_some((doc, number))
}

#[utoipa::path(
    get, path = "/api/paragraphs/{document}/{number}", tag = "documents",
    params(
        ("document" = String, Path, description = "Document id (may contain slashes: A/HRC/8/44), symbol, slug or file name"),
        ("number" = String, Path, description = "Paragraph number as printed: 37, 60.1"),
    ),
    responses(
        (status = 200, description = "ParagraphView: id, document, paragraph (with statements), previous, next", body = serde_json::Value),
        (status = 404, description = "No such document or paragraph", body = ErrorBody),
    )
)]
pub(crate) async fn paragraph(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ParagraphView>, ApiError> {
    let Path(path) = path?;
    let (doc, number) = split_paragraph_path(&path)
        .ok_or_else(|| ApiError::not_found("a paragraph is /api/paragraphs/<document>/<number>, like /api/paragraphs/neaspec-som22-report/37"))?;
    let (doc, number) = (doc.to_owned(), number.to_owned());
    Ok(Json(state.run(move |s| s.paragraph(&doc, &number)).await?))
}

/// Parameters of /api/similar: the search filters, plus whether the paragraph's
/// own document may answer.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SimilarParams {
    /// Include paragraphs of the same document (default: only other documents).
    #[expect(
        dead_code,
        reason = "describes the parameter in the OpenAPI document; parse_similar_query reads it"
    )]
    pub same_document: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/similar/{document}/{number}", tag = "search",
    params(
        ("document" = String, Path, description = "Document id (may contain slashes), symbol, slug or file name"),
        ("number" = String, Path, description = "Paragraph number as printed"),
        SimilarParams,
        SearchRequest,
    ),
    responses(
        (status = 200, description = "SimilarResponse: id, took_ms, hits (as in a search), most similar first", body = serde_json::Value),
        (status = 400, description = "Bad parameter, or the paragraph has no embedding", body = ErrorBody),
        (status = 404, description = "No such document or paragraph", body = ErrorBody),
    )
)]
pub(crate) async fn similar(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SimilarResponse>, ApiError> {
    let Path(path) = path?;
    let (doc, number) = split_paragraph_path(&path).ok_or_else(|| {
        ApiError::not_found("similar paragraphs are /api/similar/<document>/<number>, like /api/similar/neaspec-som22-report/37")
    })?;
    let (doc, number) = (doc.to_owned(), number.to_owned());
    let (request, same_document) = parse_similar_query(raw.as_deref())?;
    Ok(Json(
        state
            .run(move |s| s.similar(&doc, &number, &request, same_document))
            .await?,
    ))
}

/// An endpoint's own parameters (`own`) apart from the search's: the own
/// ones as (name, trimmed value), the search parsed from the rest.
fn split_query(
    raw: Option<&str>,
    own: &[&str],
) -> Result<(Vec<(String, String)>, SearchRequest), ApiError> {
    let mut mine = Vec::new();
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if own.contains(&key.as_ref()) {
            mine.push((key.into_owned(), value.trim().to_owned()));
        } else {
            rest.append_pair(&key, &value);
        }
    }
    Ok((mine, parse_query(Some(&rest.finish()))?))
}

/// `same_document` is /api/similar's own parameter; the rest are search filters.
fn parse_similar_query(raw: Option<&str>) -> Result<(SearchRequest, bool), ApiError> {
    let (own, request) = split_query(raw, &["same_document"])?;
    let same_document = own
        .iter()
        .any(|(_, v)| matches!(v.as_str(), "true" | "1" | "yes"));
    Ok((request, same_document))
}

/// A positive number parameter, or a bad request that says which.
fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "bad parameter: {name} must be a positive whole number, not `{}`",
            shown(value)
        ))
    })
}

/// The parameters of /api/timeline and /api/compare: `speaker` names the
/// series (it is not a filter there), `by`, `per`, `top` and `statements`
/// shape them; the rest is a search.
pub(crate) fn parse_series_query(
    raw: Option<&str>,
) -> Result<(SearchRequest, TimelineOptions, usize), ApiError> {
    let (own, mut request) = split_query(raw, &["by", "per", "top", "statements"])?;
    let mut options = TimelineOptions {
        speakers: std::mem::take(&mut request.speaker),
        ..TimelineOptions::default()
    };
    let mut statements = DEFAULT_STATEMENTS;
    for (key, value) in own.iter().filter(|(_, v)| !v.is_empty()) {
        match key.as_str() {
            "by" => {
                options.by = Some(match value.as_str() {
                    "year" => Bucketing::Year,
                    "meeting" => Bucketing::Meeting,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "bad parameter: by is year or meeting, not `{}`",
                            shown(value)
                        )));
                    }
                })
            }
            "per" => options.per = Some(number::<u32>(key, value)?).filter(|&p| p > 0),
            "top" => options.top = number(key, value)?,
            _ => statements = number::<usize>(key, value)?.min(20),
        }
    }
    Ok((request, options, statements))
}

/// GET /api/timeline parameters beyond the search's (the OpenAPI description).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the parameters in the OpenAPI document; parse_series_query reads them"
)]
pub(crate) struct SeriesParams {
    /// year or meeting (default: meetings in a collection of at most 30, else years).
    by: Option<Bucketing>,
    /// Rates per this many paragraphs of each step (10000).
    per: Option<u32>,
    /// One series for each of the N speakers who said it the most.
    top: Option<usize>,
    /// /api/compare: representative statements per speaker (default 3, at most 20).
    statements: Option<usize>,
}

#[utoipa::path(
    get, path = "/api/timeline", tag = "analysis",
    params(SeriesParams, SearchRequest),
    responses(
        (status = 200, description = "Timeline: by, per, buckets (label, year, date, filter: the parameters that narrow a search to the step), series (All speakers, then one per speaker parameter: name, total, statements, counts, paragraphs, rates)", body = Timeline),
        (status = 400, description = "Bad parameter", body = ErrorBody),
    )
)]
pub(crate) async fn timeline(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Timeline>, ApiError> {
    let (request, options, _) = parse_series_query(raw.as_deref())?;
    Ok(Json(
        state.run(move |s| s.timeline(&request, &options)).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/compare", tag = "analysis",
    params(SeriesParams, SearchRequest),
    responses(
        (status = 200, description = "Comparison: buckets, and per speaker (two or more speaker parameters): statements, paragraphs, counts, out_of, rates, top (hits), distinctive (terms)", body = Comparison),
        (status = 400, description = "Bad parameter, or fewer than two speakers", body = ErrorBody),
    )
)]
pub(crate) async fn compare(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Comparison>, ApiError> {
    let (request, options, statements) = parse_series_query(raw.as_deref())?;
    Ok(Json(
        state
            .run(move |s| s.compare(&request, &options, statements))
            .await?,
    ))
}

#[utoipa::path(
    get, path = "/api/distinctive", tag = "analysis",
    params(SearchRequest),
    responses(
        (status = 200, description = "Distinctive: the words and phrases of the one speaker parameter's matching statements against the others' (term, speaker_count, others_count, z), most distinctive first; limit terms (default 20)", body = Distinctive),
        (status = 400, description = "Bad parameter, or not exactly one speaker", body = ErrorBody),
    )
)]
pub(crate) async fn distinctive(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Distinctive>, ApiError> {
    let mut request = parse_query(raw.as_deref())?;
    request.check_bounds()?;
    let limit = request.limit_or(DEFAULT_TERMS);
    request.limit = None;
    Ok(Json(
        state.run(move |s| s.distinctive(&request, limit)).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/speakers", tag = "search",
    params(SearchRequest),
    responses(
        (status = 200, description = "SpeakerCount list: speaker, speaker_kind, statements, paragraphs, top (the best hit); most statements first", body = serde_json::Value),
        (status = 400, description = "Bad parameter", body = ErrorBody),
    )
)]
pub(crate) async fn speakers(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<SpeakerCount>>, ApiError> {
    let request = parse_query(raw.as_deref())?;
    Ok(Json(state.run(move |s| s.speakers(&request)).await?))
}

#[utoipa::path(
    get, path = "/api/facets", tag = "search",
    params(SearchRequest),
    responses(
        (status = 200, description = "Facet counts and total of the search; limit, offset and sort are ignored", body = FacetsResponse),
        (status = 400, description = "Bad parameter", body = ErrorBody),
    )
)]
pub(crate) async fn facets(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<FacetsResponse>, ApiError> {
    let mut request = parse_query(raw.as_deref())?;
    // The same bounds as a search (a bad limit is a bad request everywhere),
    // checked before they are overridden.
    request.check_bounds()?;
    // Counts only: no hits to build.
    request.limit = Some(0);
    request.offset = 0;
    let response = state.search(request).await?;
    Ok(Json(FacetsResponse {
        total: response.total,
        facets: response.facets,
    }))
}

#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, body = Health)))]
pub(crate) async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let (documents, paragraphs) = state.run(|s| s.counts()).await?;
    Ok(Json(Health {
        status: "ok",
        documents,
        paragraphs,
        version: env!("CARGO_PKG_VERSION"),
    }))
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
pub(crate) async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

/// The OpenAPI document of this API.
pub(crate) fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    // utoipa copies the license from Cargo.toml, which names none: an empty
    // license object is invalid OpenAPI, so leave it out.
    doc.info.license = None;
    doc
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rapporteur",
        description = "Search the records of intergovernmental meetings: who said what, on which agenda item, in which meeting. Errors are {\"error\":{\"code\",\"message\"}}."
    ),
    paths(
        search_get,
        search_post,
        documents,
        document,
        paragraph,
        similar,
        speakers,
        facets,
        timeline,
        compare,
        distinctive,
        super::feed::search_feed,
        health,
        openapi
    ),
    components(schemas(
        SearchRequest,
        Sort,
        Mode,
        Bucketing,
        FacetsResponse,
        Health,
        ErrorBody
    ))
)]
pub(crate) struct ApiDoc;
