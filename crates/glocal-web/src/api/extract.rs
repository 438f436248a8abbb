//! Extractors that turn malformed input into our error codes, in the caller's language:
//! `invalid_body` and `invalid_query`, naming the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use glocal_core::validate::Locale;
use glocal_core::{Error, ErrorCode};
use serde::de::DeserializeOwned;

use crate::ctx::Ctx;
use crate::error::ApiError;

fn locale_of(ext: &axum::http::Extensions) -> Locale {
    ext.get::<Ctx>().map_or(Locale::En, |c| c.locale)
}

/// A JSON body. A body that is not JSON, or has a field of the wrong type, is refused with
/// `invalid_body` and the path of the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let locale = locale_of(req.extensions());
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::new(Error::field("body", ErrorCode::InvalidBody), locale));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let code = if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ErrorCode::PayloadTooLarge
            } else {
                ErrorCode::InvalidBody
            };
            ApiError::code(code, locale)
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(ApiJson).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() { "body".to_string() } else { path };
            ApiError::new(Error::field(field, ErrorCode::InvalidBody), locale)
        })
    }
}

/// Query parameters. A parameter of the wrong type is refused with `invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let locale = locale_of(&parts.extensions);
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_html_form::Deserializer::from_bytes(query.as_bytes());
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() { "query".to_string() } else { path };
            ApiError::new(Error::field(field, ErrorCode::InvalidQuery), locale)
        })
    }
}
