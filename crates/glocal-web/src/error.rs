//! Errors to HTTP: one table from [`ErrorCode`] to status, and the two ways an error is shown —
//! a JSON body for the API, a page for people.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use glocal_core::validate::Locale;
use glocal_core::{Error, ErrorCode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::i18n::Tr;

/// The one table of HTTP statuses.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        Unauthenticated | InvalidCredentials => StatusCode::UNAUTHORIZED,
        AccountInactive | Forbidden | CsrfFailed => StatusCode::FORBIDDEN,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        NotFound => StatusCode::NOT_FOUND,
        ConflictStale | EmailTaken | CodeTaken | CannotDeactivateSelf | LastAdministrator => StatusCode::CONFLICT,
        LinkInvalid => StatusCode::GONE,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        InvalidBody | InvalidQuery => StatusCode::BAD_REQUEST,
        // desk
        TransitionNotAllowed | ReopenWindowPassed | NotRatable | LinkExists | NotAnswered => StatusCode::CONFLICT,
        AttachmentTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        AttachmentType | UnknownDepartment | UnknownStaff | UnknownField | InvalidCalendar => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ValidationFailed | ValueRequired | ValueTooLong | ValueOutOfRange | InvalidCharacters | InvalidEmail
        | InvalidLocale | InvalidTimeZone | InvalidCountry | InvalidLanguage | InvalidRole | InvalidChoice
        | UnknownOrganization | InvalidParent | PasswordTooShort | PasswordTooCommon | PasswordMismatch
        | WrongPassword => StatusCode::UNPROCESSABLE_ENTITY,
        // registry
        InvalidDate | UnknownCity | AmbiguousName | DuplicateRow | InvalidFile => StatusCode::UNPROCESSABLE_ENTITY,
        CannotMerge | RelationshipExists => StatusCode::CONFLICT,
        // term base
        DuplicateTerm => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `email_taken`, `value_too_long`.
    pub code: String,
    /// The code explained in the caller's language (from `Accept-Language`).
    pub message: String,
    /// The field at fault, when one field is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field at fault, when the input had several problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error as the JSON API answers it.
pub struct ApiError {
    pub error: Error,
    pub locale: Locale,
}

impl ApiError {
    pub fn new(error: Error, locale: Locale) -> Self {
        ApiError { error, locale }
    }
    pub fn code(code: ErrorCode, locale: Locale) -> Self {
        ApiError { error: Error::Refused(code), locale }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let tr = Tr::new(self.locale);
        let code = self.error.code();
        if let Error::Internal(e) = &self.error {
            tracing::error!(error = ?e, "internal error");
        }
        let fields = self.error.field_errors();
        let body = ErrorBody {
            code: code.as_str().to_string(),
            message: tr.error(code),
            field: match fields {
                [one] => Some(one.field.clone()),
                _ => None,
            },
            errors: if fields.len() > 1 {
                fields
                    .iter()
                    .map(|f| FieldErrorBody {
                        field: f.field.clone(),
                        code: f.code.as_str().into(),
                        message: tr.error(f.code),
                    })
                    .collect()
            } else {
                vec![]
            },
        };
        let mut response = (status_of(code), Json(body)).into_response();
        if let Error::RateLimited { retry_after_secs } = self.error {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// Answer when the database cannot be reached while resolving who is asking.
pub fn unavailable(_state: &AppState, headers: &HeaderMap) -> Response {
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or(Locale::En);
    ApiError::code(ErrorCode::Unavailable, locale).into_response()
}
