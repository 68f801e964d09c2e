//! The one error shape of the API, `{"error":{"code":…,"message":…}}`, and the
//! mapping of library errors and axum's own rejections onto it, so a client
//! never has to parse plain-text bodies.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;

/// An API error: an HTTP status, a stable machine code and a message for people.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// A stable code for programs: `bad_request`, `not_found`, ...
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// An error's code and message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// bad_request, not_found, method_not_allowed, unsupported_media_type,
    /// payload_too_large, timeout, busy, unavailable or internal.
    pub code: String,
    pub message: String,
}

impl ApiError {
    /// An error with its status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the request is malformed or out of bounds.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 404: no such document, paragraph or route.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500: the server failed; the message says where.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            // The client gets the message too; the log keeps a trace for the operator.
            eprintln!("rapporteur serve: {self}");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::Query(_)
            | Error::Request(_)
            | Error::Speech { .. }
            | Error::ManifestLine { .. }
            | Error::EmptyManifest { .. } => ApiError::bad_request(e.to_string()),
            Error::NotFound(_) => ApiError::not_found(e.to_string()),
            // The index is being rebuilt or replaced under the server: worth a retry.
            Error::NoIndex { .. }
            | Error::SchemaVersion { .. }
            | Error::Locked { .. }
            | Error::ModelMissing { .. } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            ),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        match &r {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the search as JSON with `Content-Type: application/json`",
            ),
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "request body is over the {} KiB limit",
                        super::BODY_LIMIT / 1024
                    ),
                )
            }
            // axum answers 422 for well-formed JSON of the wrong shape; to a client
            // both are a request to fix, so both are 400 here.
            JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_) => {
                ApiError::bad_request(format!("malformed JSON body: {}", r.body_text()))
            }
            _ => ApiError::bad_request(r.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        ApiError::bad_request(format!("bad path: {}", r.body_text()))
    }
}

/// Any route not served.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {}", uri.path()))
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this method is not allowed on this route",
    )
}
