//! The portal's pages, one module per area.

pub(crate) mod auth;
pub(crate) mod dashboard;
pub(crate) mod keys;
pub(crate) mod payouts;
pub(crate) mod webhooks;
