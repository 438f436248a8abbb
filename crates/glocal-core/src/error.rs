//! One error type for the whole domain, and the table of stable error codes.
//!
//! Every refusal the domain can give has an [`ErrorCode`]. The code is what API clients match
//! on and what the web layer translates (`error-<code>` in every locale); the HTTP status for
//! each code is decided in one place in `glocal-web`.

use serde::Serialize;

macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// A stable, machine-readable reason. Never rename a code: clients depend on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }
        }
    };
}

error_codes! {
    // Who you are and what you may do.
    Unauthenticated => "unauthenticated",
    InvalidCredentials => "invalid_credentials",
    AccountInactive => "account_inactive",
    RateLimited => "rate_limited",
    Forbidden => "forbidden",
    CsrfFailed => "csrf_failed",
    LinkInvalid => "link_invalid",
    // What you asked for.
    NotFound => "not_found",
    ConflictStale => "conflict_stale",
    InvalidBody => "invalid_body",
    InvalidQuery => "invalid_query",
    PayloadTooLarge => "payload_too_large",
    // A field of what you sent.
    ValidationFailed => "validation_failed",
    ValueRequired => "value_required",
    ValueTooLong => "value_too_long",
    ValueOutOfRange => "value_out_of_range",
    InvalidCharacters => "invalid_characters",
    InvalidEmail => "invalid_email",
    InvalidLocale => "invalid_locale",
    InvalidTimeZone => "invalid_time_zone",
    InvalidCountry => "invalid_country",
    InvalidLanguage => "invalid_language",
    InvalidRole => "invalid_role",
    InvalidChoice => "invalid_choice",
    UnknownOrganization => "unknown_organization",
    InvalidParent => "invalid_parent",
    EmailTaken => "email_taken",
    CodeTaken => "code_taken",
    PasswordTooShort => "password_too_short",
    PasswordTooCommon => "password_too_common",
    PasswordMismatch => "password_mismatch",
    WrongPassword => "wrong_password",
    // Rules of the domain.
    CannotDeactivateSelf => "cannot_deactivate_self",
    LastAdministrator => "last_administrator",
    // desk
    TransitionNotAllowed => "transition_not_allowed",
    ReopenWindowPassed => "reopen_window_passed",
    AttachmentType => "attachment_type",
    AttachmentTooLarge => "attachment_too_large",
    NotRatable => "not_ratable",
    UnknownDepartment => "unknown_department",
    UnknownStaff => "unknown_staff",
    UnknownField => "unknown_field",
    InvalidCalendar => "invalid_calendar",
    LinkExists => "link_exists",
    NotAnswered => "not_answered",
    // registry
    InvalidDate => "invalid_date",
    UnknownCity => "unknown_city",
    AmbiguousName => "ambiguous_name",
    DuplicateRow => "duplicate_row",
    InvalidFile => "invalid_file",
    CannotMerge => "cannot_merge",
    RelationshipExists => "relationship_exists",
    // term base
    DuplicateTerm => "duplicate_term",
    // Ours.
    Internal => "internal",
    Unavailable => "unavailable",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One field that failed its check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode) -> Self {
        FieldError { field: field.into(), code }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("not logged in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    /// One or more fields failed their checks; nothing was changed.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A rule of the domain refused the action; nothing was changed.
    #[error("refused: {0}")]
    Refused(ErrorCode),
    #[error("too many attempts; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A single invalid field.
    pub fn field(field: impl Into<String>, code: ErrorCode) -> Error {
        Error::Invalid(vec![FieldError::new(field, code)])
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound => ErrorCode::NotFound,
            Error::Unauthenticated => ErrorCode::Unauthenticated,
            Error::Forbidden => ErrorCode::Forbidden,
            Error::Invalid(fields) => match fields.as_slice() {
                [one] => one.code,
                _ => ErrorCode::ValidationFailed,
            },
            Error::Refused(code) => *code,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Error::Invalid(fields) => fields,
            _ => &[],
        }
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        Error::Internal(anyhow::Error::new(e))
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(e: sea_orm::TransactionError<Error>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
