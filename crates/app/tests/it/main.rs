//! Integration tests: the real app over HTTP on a fresh database per test (SQLite by default,
//! PostgreSQL when ALONGSIDE_TEST_DATABASE_URL is set). One binary, so it links once.

mod account_security;
mod accounts;
mod api_accounts;
mod authz;
mod authz_routes;
mod cli;
mod contacts;
mod digests;
mod discover;
mod events;
mod events_edit;
mod goals;
mod groups;
mod ics;
mod mail;
mod members;
mod notifications;
mod ops;
mod pages_lint;
mod partners;
mod polls;
mod posts;
mod profiles;
mod referrals;
mod room_access;
mod room_limits;
mod rooms;
mod rooms_shared;
mod security;
mod slots;
mod smtp;
mod support;
mod venues;
mod verification;
mod visitors;
