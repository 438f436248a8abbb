//! People who log in: their accounts, passwords, sessions and API tokens.

pub mod auth;
pub mod password;
mod users;

pub use users::*;
