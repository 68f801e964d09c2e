//! The search page and the permalink page: static HTML, JS and CSS compiled into
//! the binary, so `rapporteur serve` needs no files beside it and no network.
//! The pages fetch the JSON API; nothing here renders data server-side.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::api::split_paragraph_path;
use super::error::ApiError;

const SEARCH_HTML: &str = include_str!("assets/index.html");
const PARAGRAPH_HTML: &str = include_str!("assets/paragraph.html");
const COMPARE_HTML: &str = include_str!("assets/compare.html");

/// Served under /assets/: name, content type, body.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("assets/app.css"),
    ),
    (
        "common.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/common.js"),
    ),
    (
        "chart.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/chart.js"),
    ),
    (
        "compare.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/compare.js"),
    ),
    (
        "search.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/search.js"),
    ),
    (
        "paragraph.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/paragraph.js"),
    ),
];

/// Scripts and styles only from this server: an injected string cannot run.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn html(status: StatusCode, body: &'static str) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The search page at /.
pub async fn search_page() -> Response {
    html(StatusCode::OK, SEARCH_HTML)
}

/// The compare page at /compare: speakers side by side on one query.
pub async fn compare_page() -> Response {
    html(StatusCode::OK, COMPARE_HTML)
}

/// The permalink page for /p/<document>/<number>. The page is the same for every
/// paragraph, but an unknown one answers 404 so links can be checked.
pub async fn permalink_page(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(path)) = path else {
        return html(StatusCode::BAD_REQUEST, PARAGRAPH_HTML);
    };
    let Some((doc, number)) = split_paragraph_path(&path) else {
        return html(StatusCode::NOT_FOUND, PARAGRAPH_HTML);
    };
    let (doc, number) = (doc.to_owned(), number.to_owned());
    match state
        .run(move |s| s.paragraph(&doc, &number).map(|_| ()))
        .await
    {
        Err(e) if e.status == StatusCode::NOT_FOUND => html(StatusCode::NOT_FOUND, PARAGRAPH_HTML),
        // Busy or slow: the page itself will ask again and show the error.
        _ => html(StatusCode::OK, PARAGRAPH_HTML),
    }
}

/// A page's script or style sheet under /assets/, or 404.
pub async fn asset(name: Result<Path<String>, PathRejection>) -> Response {
    let name = name.map(|Path(n)| n).unwrap_or_default();
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some(&(_, content_type, body)) => {
            let mut response = body.into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            // Assets change with the binary; revalidating is cheap on loopback.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => ApiError::not_found(format!("no asset `{name}`")).into_response(),
    }
}
