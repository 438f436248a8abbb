//! Database tables as SeaORM entities. Only the domain modules of this crate use them; nothing
//! outside `glocal-core` sees a row type.

pub mod api_token;
pub mod audit_event;
pub mod blob;
pub mod desk_attachment;
pub mod desk_category_field;
pub mod desk_counter;
pub mod desk_event;
pub mod desk_holiday;
pub mod desk_leave;
pub mod desk_message;
pub mod desk_request;
pub mod desk_routing_rule;
pub mod job;
pub mod login_throttle;
pub mod mail_inbound;
pub mod organization;
pub mod place;
pub mod place_name;
pub mod registry_activity;
pub mod registry_city;
pub mod registry_city_name;
pub mod registry_contact;
pub mod registry_election;
pub mod registry_membership;
pub mod registry_office;
pub mod registry_outcome;
pub mod registry_partner;
pub mod registry_relationship;
pub mod registry_seeking;
pub mod session;
pub mod setting;
pub mod setup_token;
pub mod user;
