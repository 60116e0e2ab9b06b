//! The stylesheet and the icon, compiled into the binary and served from `/assets/` (the CSP's only
//! style and image source). Colours meet WCAG AA contrast on their backgrounds.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../assets/portal.css");
const ICON: &str = include_str!("../assets/favicon.svg");

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS,
    )
}

/// The portal's icon (browsers ask for one; a 404 would be a console error on every page).
pub(crate) async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
}
