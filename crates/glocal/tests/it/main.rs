//! The one integration test binary. Every test drives the real router against a real
//! database: SQLite by default, PostgreSQL when `GLOCAL_TEST_DATABASE_URL` is set.

mod accounts;
mod audit;
mod browser;
mod cli;
mod config;
mod desk;
mod desk_extras;
mod desk_web;
mod gazetteer;
mod isolation;
mod jobs;
mod library;
mod library_search;
mod mail;
mod openapi;
mod ops;
mod orgs;
mod registry;
mod search_engine;
mod support;
mod terms;
mod web;
