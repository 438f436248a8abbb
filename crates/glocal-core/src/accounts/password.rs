//! Password hashing (argon2id) and the password policy.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::ErrorCode;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 200;

/// Passwords too common to allow whatever their length (a short list; the length rule does
/// most of the work).
const COMMON: &[&str] = &[
    "password123",
    "password1234",
    "qwerty12345",
    "qwertyuiop",
    "1234567890",
    "0123456789",
    "1q2w3e4r5t",
    "iloveyou12",
    "administrator",
    "welcome123",
    "letmein123",
    "passw0rd123",
    "abcdefghij",
    "a1b2c3d4e5",
    "1111111111",
    "0000000000",
    "abcd123456",
    "qwer123456",
];

/// Checks a new password against the policy: length, not a well-known password, not the
/// account's own email.
pub fn check_policy(password: &str, email: &str) -> Result<(), ErrorCode> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(ErrorCode::PasswordTooShort);
    }
    if n > MAX_LENGTH {
        return Err(ErrorCode::ValueTooLong);
    }
    let lower = password.to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default();
    if COMMON.contains(&lower.as_str())
        || lower == email
        || (!local_part.is_empty() && lower == local_part)
        || lower.chars().all(|c| Some(c) == lower.chars().next())
    {
        return Err(ErrorCode::PasswordTooCommon);
    }
    Ok(())
}

/// Hashes with argon2id and a random salt. Slow on purpose: call it off the async threads.
pub fn hash(password: &str) -> String {
    let hash: PasswordHash = Argon2::default().hash_password(password.as_bytes()).expect("argon2 hashes");
    hash.to_string()
}

/// Whether `password` matches `stored`. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the account does not exist so that a
/// failed login takes as long whether or not the email is known.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&crate::secrets::random_token(16)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse battery");
        let b = hash("correct horse battery");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse battery!", &a));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn policy() {
        assert_eq!(check_policy("short", "a@b.c"), Err(ErrorCode::PasswordTooShort));
        assert_eq!(check_policy("Password123", "a@b.c"), Err(ErrorCode::PasswordTooCommon));
        assert_eq!(check_policy("kim.minsu@seoul.go.kr", "kim.minsu@seoul.go.kr"), Err(ErrorCode::PasswordTooCommon));
        assert_eq!(check_policy("aaaaaaaaaaaa", "a@b.c"), Err(ErrorCode::PasswordTooCommon));
        assert_eq!(check_policy("서울 자매도시 2026", "a@b.c"), Ok(()));
    }
}
