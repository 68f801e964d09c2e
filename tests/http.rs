//! The HTTP server: handler tests on `app()` with `oneshot`, and end-to-end tests
//! that start the real binary and talk to it over loopback.

use std::process::Command;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use rapporteur::http::{AppState, app};
use rapporteur::search::SearchRequest;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::util::{Server, bin, embedder_shared, hit_ids as ids, shared_index as index};

const JAPAN: &str = "what did Japan say on duplication";

// ---------------------------------------------------------------- helpers

/// The app on the shared index. Its searches embed queries in this process,
/// so it holds shared use of the embedder for as long as it lives.
struct App {
    router: Router,
    _embedder: tokio::sync::RwLockReadGuard<'static, ()>,
}

impl std::ops::Deref for App {
    type Target = Router;

    fn deref(&self) -> &Router {
        &self.router
    }
}

async fn router() -> App {
    let embedder = embedder_shared().await;
    App {
        router: app(AppState::open(index()).expect("index opens")),
        _embedder: embedder,
    }
}

/// "/api/search?" followed by the pairs, form-encoded.
fn url(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    format!("{path}?{}", s.finish())
}

struct Reply {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an API error: the status, JSON content and the error shape.
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert!(
            self.content_type.starts_with("application/json"),
            "{}",
            self.content_type
        );
        let v = self.json();
        assert_eq!(v["error"]["code"], code, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{v}"
        );
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn post(app: &Router, uri: &str, content_type: Option<&str>, body: impl Into<Body>) -> Reply {
    let mut r = Request::post(uri);
    if let Some(ct) = content_type {
        r = r.header(header::CONTENT_TYPE, ct);
    }
    send(app, r.body(body.into()).expect("request")).await
}

fn assert_japan_first(ids: &[String]) {
    assert!(ids.len() >= 2, "{ids:?}");
    let mut first: Vec<&str> = ids[..2].iter().map(String::as_str).collect();
    first.sort();
    assert_eq!(
        first,
        ["neaspec-som22-report#24", "neaspec-som22-report#37"],
        "{ids:?}"
    );
}

/// Inputs that must be refused with 400, as GET query pairs.
fn bad_queries() -> Vec<Vec<(&'static str, String)>> {
    let long = "a ".repeat(600);
    vec![
        vec![("q", "x".into()), ("mode", "magic".into())],
        vec![("q", "x".into()), ("semantic_ratio", "1.5".into())],
        vec![("q", "x".into()), ("semantic_ratio", "much".into())],
        vec![("q", "x".into()), ("limit", "101".into())],
        vec![("q", "x".into()), ("limit", "-1".into())],
        vec![("q", "x".into()), ("limit", "ten".into())],
        vec![
            ("q", "x".into()),
            ("limit", "99999999999999999999999".into()),
        ],
        vec![("q", "x".into()), ("offset", "10001".into())],
        vec![("q", long)],
        vec![("q", "x".into()), ("year", "twenty".into())],
        vec![("q", "x".into()), ("from", "2018-13-45".into())],
        vec![("q", "x".into()), ("from", "yesterday".into())],
        vec![
            ("q", "x".into()),
            ("from", "2020".into()),
            ("to", "2010".into()),
        ],
        vec![("q", "x".into()), ("sort", "random".into())],
        vec![("q", "x".into()), ("agenda", "not a code".into())],
        vec![("q", "x".into()), ("speakers", "Japan".into())],
        vec![("q", "x".into()), ("q", "y".into())],
        vec![("q", "speaker:".into())],
        vec![("q", "bell\u{7}".into())],
    ]
}

// ---------------------------------------------------------------- handler tests

#[tokio::test]
async fn health_reports_the_index() {
    let app = router().await;
    let r = get(&app, "/api/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["documents"].as_u64().is_some_and(|n| n >= 6), "{v}");
    assert!(v["paragraphs"].as_u64().is_some_and(|n| n > 100), "{v}");
}

#[tokio::test]
async fn search_get_is_the_library_response() {
    let app = router().await;
    let r = get(&app, &url("/api/search", &[("q", JAPAN)])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut v = r.json();
    assert_japan_first(&ids(&v));
    // Exactly the library's SearchResponse, as the CLI's --json prints it.
    let searcher = rapporteur::search::Searcher::open(index()).expect("opens");
    let response = searcher.search(&SearchRequest::new(JAPAN)).expect("search");
    // Through text, as the CLI prints it, so f32 scores compare as printed.
    let text = serde_json::to_string(&response).expect("json");
    let mut expected: Value = serde_json::from_str(&text).expect("json");
    v["took_ms"] = json!(0);
    expected["took_ms"] = json!(0);
    assert_eq!(v, expected);
}

#[tokio::test]
async fn search_get_takes_repeated_filters() {
    let app = router().await;
    let r = get(
        &app,
        &url(
            "/api/search",
            &[
                ("q", "duplication"),
                ("speaker", "Japan"),
                ("speaker", "Mongolia"),
                ("year", "2018"),
                ("year", "2008"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let speakers = v["interpreted"]["speakers"].as_array().expect("speakers");
    assert!(
        speakers.contains(&json!("Japan")) && speakers.contains(&json!("Mongolia")),
        "{v}"
    );
    assert_eq!(v["interpreted"]["years"], json!([2018, 2008]));
    assert!(!ids(&v).is_empty());
    for hit in v["hits"].as_array().expect("hits") {
        let s = hit["speakers"].as_array().expect("speakers");
        assert!(
            s.contains(&json!("Japan")) || s.contains(&json!("Mongolia")),
            "{hit}"
        );
    }
    // Empty values are ignored, as an HTML form sends them.
    let r = get(
        &app,
        "/api/search?q=duplication&speaker=&agenda=&year=&from=&to=&mode=&sort=&limit=&offset=",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // limit, offset and sort=date are applied.
    let r = get(&app, "/api/search?q=Japan&limit=3&offset=1&sort=date").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(ids(&r.json()).len(), 3);
}

#[tokio::test]
async fn search_post_takes_the_same_fields() {
    let app = router().await;
    let r = post(
        &app,
        "/api/search",
        Some("application/json"),
        json!({ "q": JAPAN }).to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let post_ids = ids(&r.json());
    assert_japan_first(&post_ids);
    let get_ids = ids(&get(&app, &url("/api/search", &[("q", JAPAN)])).await.json());
    assert_eq!(post_ids, get_ids);

    let body = json!({ "q": "duplication", "speaker": ["Japan"], "agenda": ["5e"], "year": [2018], "sort": "date", "limit": 5 });
    let r = post(
        &app,
        "/api/search",
        Some("application/json; charset=utf-8"),
        body.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(ids(&r.json()), ["neaspec-som22-report#37"]);
}

#[tokio::test]
async fn bad_parameters_are_400() {
    let app = router().await;
    for pairs in bad_queries() {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let uri = url("/api/search", &pairs);
        get(&app, &uri)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request");
        let uri = url("/api/facets", &pairs);
        get(&app, &uri)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request");
        let uri = url("/api/speakers", &pairs);
        get(&app, &uri)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn bad_post_bodies() {
    let app = router().await;
    let json_ct = Some("application/json");
    let bad = [
        "{\"q\": \"x\",",
        "not json",
        "[]",
        "{\"qq\": \"x\"}",
        "{\"q\": 5}",
        "{\"limit\": -1}",
        "{\"limit\": 101}",
        "{\"offset\": 10001}",
        "{\"mode\": \"fuzzy\"}",
        "{\"semantic_ratio\": 2}",
        "{\"sort\": \"random\"}",
        "{\"year\": [\"twenty\"]}",
        "{\"from\": \"2018-99\"}",
        "",
    ];
    for body in bad {
        let r = post(&app, "/api/search", json_ct, body).await;
        r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    let long = json!({ "q": "word ".repeat(300) }).to_string();
    post(&app, "/api/search", json_ct, long)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    // Not JSON by content type.
    post(&app, "/api/search", None, "{\"q\":\"x\"}")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    post(&app, "/api/search", Some("text/plain"), "{\"q\":\"x\"}")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // Over the body limit.
    let big = json!({ "q": "x".repeat(70 * 1024) }).to_string();
    post(&app, "/api/search", json_ct, big)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn documents_and_outlines() {
    let app = router().await;
    let r = get(&app, "/api/documents").await;
    assert_eq!(r.status, StatusCode::OK);
    let docs = r.json();
    let list = docs.as_array().expect("a list");
    assert!(
        list.iter().any(|d| d["id"] == "neaspec-som22-report"),
        "{docs}"
    );
    assert!(list.iter().any(|d| d["id"] == "A/HRC/8/44"), "{docs}");
    // By id (slashes and all), slug, symbol in another case, and file stem.
    for reference in ["A/HRC/8/44", "a-hrc-8-44", "a/hrc/8/44", "japan2008"] {
        let r = get(&app, &format!("/api/documents/{reference}")).await;
        assert_eq!(r.status, StatusCode::OK, "{reference}: {}", r.text());
        assert_eq!(r.json()["document"]["id"], "A/HRC/8/44");
    }
    let r = get(&app, "/api/documents/neaspec-som22-report").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(
        v["sections"].as_array().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    assert!(
        v["speakers"].as_array().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    get(&app, "/api/documents/no-such-report")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    get(&app, "/api/documents/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn paragraphs_by_path() {
    let app = router().await;
    let r = get(&app, "/api/paragraphs/neaspec-som22-report/37").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["id"], "neaspec-som22-report#37");
    assert_eq!(v["paragraph"]["number"], "37");
    assert_eq!(v["previous"]["number"], "36");
    assert_eq!(v["next"]["number"], "38");
    assert!(
        v["paragraph"]["statements"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["speaker"] == "Japan")),
        "{v}"
    );

    // Document ids with slashes; the slug; the hit id with # sent as %23.
    for uri in [
        "/api/paragraphs/A/HRC/8/44/60.1",
        "/api/paragraphs/a-hrc-8-44/60.1",
        "/api/paragraphs/A%2FHRC%2F8%2F44%2360.1",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        assert_eq!(r.json()["id"], "A/HRC/8/44#60.1", "{uri}");
    }
    let r = get(&app, "/api/paragraphs/neaspec-som22-report%2337").await;
    assert_eq!(r.json()["id"], "neaspec-som22-report#37");

    for uri in [
        "/api/paragraphs/neaspec-som22-report/9999",
        "/api/paragraphs/no-such-report/1",
        "/api/paragraphs/neaspec-som22-report",
        "/api/paragraphs/A/HRC/8/44",
        "/api/paragraphs/",
    ] {
        get(&app, uri)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    // Percent-encoding that is not UTF-8 is a bad request, not a crash.
    get(&app, "/api/paragraphs/%FF%FE/1")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn speakers_and_facets() {
    let app = router().await;
    let r = get(&app, &url("/api/speakers", &[("q", "duplication")])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let list = v.as_array().expect("a list");
    // Japan said it twice (paragraphs 24 and 37): the most.
    assert_eq!(
        list.first().map(|s| (&s["speaker"], &s["statements"])),
        Some((&json!("Japan"), &json!(2))),
        "{v}"
    );
    for s in list {
        assert!(s["speaker"].is_string() && s["statements"].is_u64(), "{s}");
    }
    let searcher = rapporteur::search::Searcher::open(index()).expect("opens");
    let request = SearchRequest {
        limit: Some(20),
        ..SearchRequest::new("duplication")
    };
    let expected =
        serde_json::to_string(&searcher.speakers(&request).expect("speakers")).expect("json");
    assert_eq!(v, serde_json::from_str::<Value>(&expected).expect("json"));
    // limit applies.
    let r = get(&app, "/api/speakers?q=duplication&limit=1").await;
    assert_eq!(r.json().as_array().map(Vec::len), Some(1));
    let r = get(&app, &url("/api/facets", &[("q", "duplication")])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let search = get(&app, &url("/api/search", &[("q", "duplication")]))
        .await
        .json();
    assert_eq!(v["total"], search["total"]);
    assert_eq!(v["facets"], search["facets"]);
    assert_eq!(
        v.as_object().map(|o| o.len()),
        Some(2),
        "only total and facets: {v}"
    );
    // Facets of a filtered search.
    let r = get(&app, "/api/facets?q=duplication&agenda=5e&agenda=5a").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["total"].as_u64().is_some_and(|n| n > 0));
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let app = router().await;
    for uri in [
        "/nope",
        "/api",
        "/api/nope",
        "/assets/nope.js",
        "/api/search/extra",
    ] {
        get(&app, uri)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    for (method, uri) in [
        (Method::DELETE, "/api/search"),
        (Method::PUT, "/api/search"),
        (Method::POST, "/api/health"),
        (Method::POST, "/api/documents"),
        (Method::PATCH, "/api/paragraphs/neaspec-som22-report/37"),
        (Method::POST, "/"),
    ] {
        let r = send(
            &app,
            Request::builder()
                .method(method.clone())
                .uri(uri)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        r.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    }
}

#[tokio::test]
async fn openapi_describes_every_endpoint() {
    let app = router().await;
    let r = get(&app, "/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(
        v["openapi"].as_str().is_some_and(|s| s.starts_with("3.")),
        "{v}"
    );
    let paths = v["paths"].as_object().expect("paths");
    for p in [
        "/api/search",
        "/api/documents",
        "/api/documents/{id}",
        "/api/paragraphs/{document}/{number}",
        "/api/speakers",
        "/api/facets",
        "/api/health",
        "/api/openapi.json",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert!(paths["/api/search"]["get"].is_object() && paths["/api/search"]["post"].is_object());
    // The documented search fields are exactly those of SearchRequest.
    let documented: std::collections::BTreeSet<String> =
        v["components"]["schemas"]["SearchRequest"]["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
    let actual: std::collections::BTreeSet<String> = serde_json::to_value(SearchRequest::default())
        .expect("json")
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    assert_eq!(documented, actual);
}

#[tokio::test]
async fn slow_searches_answer_503() {
    // A search that outlives the time limit by far (a zero limit would race the
    // blocking task, which can finish before the timer is first polled).
    let state = AppState::open(index())
        .expect("opens")
        .with_timeout(Duration::from_millis(20));
    let slow = state
        .run(|_| {
            std::thread::sleep(Duration::from_millis(600));
            Ok(())
        })
        .await;
    let response = axum::response::IntoResponse::into_response(slow.expect_err("times out"));
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let v: Value = serde_json::from_slice(&body).expect("JSON error");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "timeout", "{v}");
}

/// A search runs on the async worker that read its request, one per worker;
/// the rest go to the blocking pool. Either way a panic is a 500 and an
/// answer past the limit a 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_on_workers_keep_the_limits() {
    let state = AppState::open(index())
        .expect("opens")
        .with_timeout(Duration::from_millis(300));
    let status_of =
        |e: rapporteur::http::ApiError| axum::response::IntoResponse::into_response(e).status();

    // More at once than workers and than the cap (two permits at least, one
    // per core): all answer, in turn.
    let many: Vec<_> = (0..6)
        .map(|i| {
            let state = state.clone();
            tokio::spawn(async move {
                state
                    .quick(move |_| {
                        std::thread::sleep(Duration::from_millis(20));
                        Ok(i)
                    })
                    .await
            })
        })
        .collect();
    for (i, task) in many.into_iter().enumerate() {
        assert_eq!(task.await.expect("joins").expect("answers"), i);
    }

    let slow = state
        .quick(|_| {
            std::thread::sleep(Duration::from_millis(400));
            Ok(())
        })
        .await;
    assert_eq!(
        status_of(slow.expect_err("past the limit")),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let failed = state
        .quick(|_| -> rapporteur::Result<()> { panic!("a bug") })
        .await;
    assert_eq!(
        status_of(failed.expect_err("a panic")),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // The slots taken by the panic and the slow search were given back.
    let answer = state.quick(|s| s.counts()).await.expect("answers");
    assert!(answer.0 > 0, "{answer:?}");
}

#[tokio::test]
async fn pages_and_assets() {
    let app = router().await;
    let r = get(&app, "/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    let html = r.text();
    assert!(
        html.contains("id=\"q\"") && html.contains("/assets/search.js"),
        "{html}"
    );

    for (uri, status) in [
        ("/p/neaspec-som22-report/37", StatusCode::OK),
        ("/p/A/HRC/8/44/60.1", StatusCode::OK),
        ("/p/a-hrc-8-44/60.1", StatusCode::OK),
        ("/p/neaspec-som22-report/9999", StatusCode::NOT_FOUND),
        ("/p/no-such-report/1", StatusCode::NOT_FOUND),
        ("/p/neaspec-som22-report", StatusCode::NOT_FOUND),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, status, "{uri}");
        assert!(r.content_type.starts_with("text/html"), "{uri}");
        assert!(r.text().contains("/assets/paragraph.js"), "{uri}");
    }
    for (name, ct) in [
        ("app.css", "text/css"),
        ("common.js", "text/javascript"),
        ("search.js", "text/javascript"),
        ("paragraph.js", "text/javascript"),
    ] {
        let r = get(&app, &format!("/assets/{name}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert!(r.content_type.starts_with(ct), "{name}: {}", r.content_type);
        assert!(!r.body.is_empty());
    }
    // The page's contract with its tests and users: hits, facets, highlights from byte ranges.
    let js = get(&app, "/assets/search.js").await.text();
    for needle in [
        "class=\"hit\"",
        "data-id=",
        "class=\"facet\"",
        "data-facet=",
        "data-value=",
        "permalink(",
    ] {
        assert!(js.contains(needle), "search.js lacks {needle}");
    }
    let common = get(&app, "/assets/common.js").await.text();
    assert!(common.contains("TextEncoder") && common.contains("<mark>"));
}

#[tokio::test]
async fn no_input_gives_a_server_error() {
    let app = router().await;
    let queries = [
        "\"",
        "\"unbalanced phrase",
        "(",
        ")",
        "((((",
        "AND",
        "OR OR",
        "NOT",
        "*",
        "?",
        "~",
        "^",
        "a^-1",
        "text:x",
        "payload:x",
        "kind:statement",
        "doc:",
        "speaker:\"\"",
        "agenda:99zz",
        "year:99999999999",
        "from:0000 to:9999",
        "IN [a TO b]",
        "{ } [ ]",
        "\\",
        "🙂 emoji ünïcödé ‘quotes’",
        "-",
        "+",
        "a:b:c",
        "\u{feff}",
        "what did say on",
        "who said",
    ];
    for q in queries {
        for path in ["/api/search", "/api/facets", "/api/speakers"] {
            let r = get(&app, &url(path, &[("q", q)])).await;
            assert!(
                !r.status.is_server_error(),
                "{path} q={q:?}: {} {}",
                r.status,
                r.text()
            );
            assert!(
                r.content_type.starts_with("application/json"),
                "{path} q={q:?}"
            );
        }
        let r = post(
            &app,
            "/api/search",
            Some("application/json"),
            json!({ "q": q }).to_string(),
        )
        .await;
        assert!(
            !r.status.is_server_error(),
            "POST q={q:?}: {} {}",
            r.status,
            r.text()
        );
    }
    for raw in [
        "%",
        "%zz",
        "q=%FF%FE",
        "&&&",
        "=",
        "q",
        "q=a&&limit=",
        "year=2018&year=",
        "doc=%00",
    ] {
        let r = get(&app, &format!("/api/search?{raw}")).await;
        assert!(
            !r.status.is_server_error(),
            "raw {raw:?}: {} {}",
            r.status,
            r.text()
        );
    }
    for uri in [
        "/api/documents/%00",
        "/api/paragraphs/%00/%00",
        "/p/%00/1",
        "/api/documents/..%2F..%2Fetc%2Fpasswd",
    ] {
        let r = get(&app, uri).await;
        assert!(
            !r.status.is_server_error(),
            "{uri}: {} {}",
            r.status,
            r.text()
        );
    }
}

#[test]
fn query_strings_parse_like_the_cli_flags() {
    use rapporteur::http::api::parse_query;
    let r = parse_query(Some(
        "q=a+b&speaker=Japan&speaker=China&year=2018&from=2018-10&sort=date&limit=5&offset=10",
    ))
    .expect("parses");
    assert_eq!(r.q, "a b");
    assert_eq!(r.speaker, ["Japan", "China"]);
    assert_eq!(r.year, [2018]);
    assert_eq!(r.from.as_deref(), Some("2018-10"));
    assert_eq!(r.sort, rapporteur::search::Sort::Date);
    assert_eq!((r.limit, r.offset), (Some(5), 10));
    let r = parse_query(None).expect("parses");
    assert_eq!((r.q.as_str(), r.limit), ("", None));
    assert!(parse_query(Some("limit=1&limit=2")).is_err());
    // Empty values are absent, as an HTML form sends them; an empty SDG is not.
    let r = parse_query(Some("q=x&speaker=&year=&limit=&mode=")).expect("parses");
    assert_eq!(
        (r.speaker.len(), r.year.len(), r.limit, r.mode),
        (0, 0, None, None)
    );
    assert_eq!(parse_query(Some("sdg=")).expect("parses").sdg, [""]);
}

// ---------------------------------------------------------------- end to end

/// The real binary serving on a free loopback port; killed when dropped.
fn agent() -> ureq::Agent {
    // 4xx and 5xx are answers to check here, not errors.
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn read(mut response: ureq::http::Response<ureq::Body>) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.body_mut().read_to_string().expect("body");
    let json = if ct.starts_with("application/json") {
        serde_json::from_str(&text).expect("JSON")
    } else {
        Value::Null
    };
    (status, text, json)
}

fn http_get(agent: &ureq::Agent, url: &str) -> (u16, String, Value) {
    read(agent.get(url).call().expect("request"))
}

fn assert_http_error((status, text, json): &(u16, String, Value), expected: u16, code: &str) {
    assert_eq!(*status, expected, "{text}");
    assert_eq!(json["error"]["code"], code, "{text}");
}

#[test]
fn end_to_end_every_endpoint() {
    let server = Server::start(index());
    let agent = agent();

    // The example query: Japan's two paragraphs first, as the CLI finds them.
    let (status, text, v) = http_get(&agent, &server.url(&url("/api/search", &[("q", JAPAN)])));
    assert_eq!(status, 200, "{text}");
    let api_ids = ids(&v);
    assert_japan_first(&api_ids);
    let out = bin()
        .args(["search", "--json", JAPAN, "--index"])
        .arg(index())
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).expect("CLI JSON");
    assert_eq!(ids(&cli), api_ids);

    let (status, text, v) = read(
        agent
            .post(&server.url("/api/search"))
            .content_type("application/json")
            .send(json!({ "q": JAPAN }).to_string())
            .expect("request"),
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(ids(&v), api_ids);

    let (status, _, v) = http_get(&agent, &server.url("/api/health"));
    assert_eq!(status, 200);
    assert_eq!(v["status"], "ok");
    let (status, _, v) = http_get(&agent, &server.url("/api/documents"));
    assert_eq!(status, 200);
    assert!(v.as_array().is_some_and(|d| d.len() >= 6));
    let (status, _, v) = http_get(&agent, &server.url("/api/documents/A/HRC/8/44"));
    assert_eq!(status, 200);
    assert_eq!(v["document"]["id"], "A/HRC/8/44");
    let (status, _, v) = http_get(&agent, &server.url("/api/paragraphs/A/HRC/8/44/60.1"));
    assert_eq!(status, 200);
    assert_eq!(v["id"], "A/HRC/8/44#60.1");
    let (status, _, v) = http_get(
        &agent,
        &server.url("/api/paragraphs/neaspec-som22-report/37"),
    );
    assert_eq!(status, 200);
    assert_eq!(v["paragraph"]["number"], "37");
    let (status, _, v) = http_get(&agent, &server.url("/api/speakers?q=duplication"));
    assert_eq!(status, 200);
    assert!(v.is_array());
    assert_eq!(
        (&v[0]["speaker"], &v[0]["statements"]),
        (&json!("Japan"), &json!(2)),
        "{v}"
    );
    let (status, _, v) = http_get(&agent, &server.url("/api/facets?q=duplication"));
    assert_eq!(status, 200);
    assert!(v["total"].as_u64().is_some_and(|n| n > 0) && v["facets"]["speaker"].is_array());
    let (status, _, v) = http_get(&agent, &server.url("/api/openapi.json"));
    assert_eq!(status, 200);
    assert!(v["paths"]["/api/search"].is_object());
    let (status, html, _) = http_get(&agent, &server.url("/"));
    assert_eq!(status, 200);
    assert!(html.contains("id=\"q\""));
    let (status, html, _) = http_get(&agent, &server.url("/p/A/HRC/8/44/60.1"));
    assert_eq!(status, 200);
    assert!(html.contains("paragraph.js"));
    let (status, css, _) = http_get(&agent, &server.url("/assets/app.css"));
    assert_eq!(status, 200);
    assert!(css.contains("@media"));

    // Every error status.
    for pairs in bad_queries() {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_http_error(
            &http_get(&agent, &server.url(&url("/api/search", &pairs))),
            400,
            "bad_request",
        );
    }
    let post = |ct: Option<&str>, body: String| {
        let mut r = agent.post(&server.url("/api/search"));
        if let Some(ct) = ct {
            r = r.content_type(ct);
        }
        read(r.send(body).expect("request"))
    };
    assert_http_error(
        &post(Some("application/json"), "{\"q\":".into()),
        400,
        "bad_request",
    );
    assert_http_error(
        &post(Some("application/json"), "{\"limit\":101}".into()),
        400,
        "bad_request",
    );
    assert_http_error(
        &post(Some("application/json"), "{\"nope\":1}".into()),
        400,
        "bad_request",
    );
    assert_http_error(
        &post(None, "{\"q\":\"x\"}".into()),
        415,
        "unsupported_media_type",
    );
    assert_http_error(
        &post(Some("text/plain"), "{\"q\":\"x\"}".into()),
        415,
        "unsupported_media_type",
    );
    let big = json!({ "q": "x".repeat(70 * 1024) }).to_string();
    assert_http_error(
        &post(Some("application/json"), big),
        413,
        "payload_too_large",
    );
    assert_http_error(
        &http_get(&agent, &server.url("/api/documents/no-such-report")),
        404,
        "not_found",
    );
    assert_http_error(
        &http_get(
            &agent,
            &server.url("/api/paragraphs/neaspec-som22-report/9999"),
        ),
        404,
        "not_found",
    );
    assert_http_error(
        &http_get(&agent, &server.url("/no/such/route")),
        404,
        "not_found",
    );
    let (status, _, _) = http_get(&agent, &server.url("/p/neaspec-som22-report/9999"));
    assert_eq!(status, 404);
    assert_http_error(
        &read(
            agent
                .delete(&server.url("/api/search"))
                .call()
                .expect("request"),
        ),
        405,
        "method_not_allowed",
    );
    assert_http_error(
        &read(
            agent
                .post(&server.url("/api/health"))
                .send_empty()
                .expect("request"),
        ),
        405,
        "method_not_allowed",
    );
}

#[test]
fn serve_ingests_the_corpus_when_the_index_is_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("fresh-index");
    let server = Server::start(&missing);
    let (status, _, v) = http_get(&agent(), &server.url("/api/health"));
    assert_eq!(status, 200);
    let (documents, _) = rapporteur::search::Searcher::open(index())
        .expect("opens")
        .counts()
        .expect("counts");
    assert_eq!(v["documents"].as_u64(), Some(documents as u64));
    let (status, text, v) = http_get(&agent(), &server.url(&url("/api/search", &[("q", JAPAN)])));
    assert_eq!(status, 200, "{text}");
    assert_japan_first(&ids(&v));
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = Server::start(index());
    let (status, _, _) = http_get(&agent(), &server.url("/api/health"));
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let started = Instant::now();
    loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            assert!(exit.success(), "exit status after SIGTERM: {exit}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn an_empty_sdg_is_a_bad_request_that_lists_the_goals() {
    let app = router().await;
    for uri in [
        "/api/search?q=water&sdg=",
        "/api/search?q=water&sdg=99",
        "/api/facets?q=water&sdg=",
    ] {
        let r = get(&app, uri).await;
        r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.text().contains("13 Climate action"),
            "{uri}: {}",
            r.text()
        );
    }
    let r = post(
        &app,
        "/api/search",
        Some("application/json"),
        json!({ "q": "water", "sdg": [""] }).to_string(),
    )
    .await;
    r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.text().contains("13 Climate action"), "{}", r.text());
}
