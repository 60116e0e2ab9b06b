//! The portal's pages, one module per area.

pub(crate) mod account;
pub(crate) mod alerts;
pub(crate) mod auth;
pub(crate) mod dashboard;
pub(crate) mod endpoints;
pub(crate) mod keys;
pub(crate) mod logs;
pub(crate) mod payouts;
pub(crate) mod recipients;
pub(crate) mod reviews;
pub(crate) mod risk;
pub(crate) mod team;
pub(crate) mod webhooks;
