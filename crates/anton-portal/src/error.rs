//! A page that could not be shown: its status and a plain explanation, rendered in the page
//! shell. Like the API's envelope, an unexpected error is an opaque 500, logged once.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use anton_engine::EngineError;

use crate::layout;

#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
        }
    }

    /// A form posted without this page's CSRF token (or with another).
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form could not be checked as coming from this portal. Go back, reload the \
             page and try again.",
        )
    }

    /// The member's role does not allow this.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your role on this team does not allow this. An owner of the team can change roles.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is nothing here, or it belongs to another account.",
        )
    }
}

impl From<EngineError> for PageError {
    fn from(e: EngineError) -> Self {
        Self::of(&e)
    }
}

impl PageError {
    /// The page for a use case's refusal or failure.
    pub fn of(e: &EngineError) -> Self {
        match e {
            EngineError::NotFound { .. } | EngineError::ReferenceMissing { .. } => {
                Self::not_found()
            }
            EngineError::Forbidden { message, .. } => {
                Self::new(StatusCode::FORBIDDEN, "Not allowed", message.clone())
            }
            EngineError::Unavailable(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "The database does not answer. Try again in a moment.",
            ),
            EngineError::Internal(cause) => {
                tracing::error!(error = %cause, cause = ?std::error::Error::source(cause), "portal page failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Anton could not show this page. The operator's log has the details.",
                )
            }
            EngineError::Conflict { message, .. } => {
                Self::new(StatusCode::CONFLICT, "Not possible now", message.clone())
            }
            other => Self::new(StatusCode::BAD_REQUEST, "Not accepted", other.to_string()),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = layout::bare(
            self.title,
            html! {
                h1 { (self.title) }
                p { (self.message) }
                p { a href="/" { "Back to the portal" } }
            },
        );
        (self.status, body).into_response()
    }
}
