//! Alongside's server: HTML pages, the JSON API, background jobs, mail and the CLI.
//!
//! It wires the `domain` rules to the `store` and to the web. Inside, one folder per capability
//! (`accounts/`, `profiles/`, `members/`, …) holds that capability's pages, API handlers and
//! templates; `web/` holds what every page shares. [`startup::Application`] builds the server
//! the same way for `main` and for tests.

pub mod accounts;
pub mod admin;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod demo;
pub mod error;
pub mod events;
pub mod goals;
pub mod groups;
pub mod mail;
pub mod members;
pub mod notifications;
pub mod openapi;
pub mod ops;
pub mod partners;
pub mod photos;
pub mod polls;
pub mod profiles;
pub mod referrals;
pub mod rooms;
pub mod startup;
pub mod state;
pub mod venues;
pub mod visitors;
pub mod web;

pub use startup::Application;
