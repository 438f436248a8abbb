//! Database tables as SeaORM entities. Only the domain modules of this crate use them; nothing
//! outside `glocal-core` sees a row type.

pub mod api_token;
pub mod audit_event;
pub mod blob;
pub mod job;
pub mod login_throttle;
pub mod organization;
pub mod place;
pub mod place_name;
pub mod session;
pub mod setting;
pub mod setup_token;
pub mod user;
