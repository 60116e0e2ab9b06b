//! What every form post shares: reading its fields, and the checks it passes before it acts
//! (its CSRF token, the member's role for the action in the page's mode, and for sensitive
//! actions a recent proof of password and code).

use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use anton_core::team::Action;

use crate::error::PageError;
use crate::session::Signed;
use crate::PortalState;

/// A form's fields in the order sent (a name may come several times: checkboxes).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// The fields of a form that parsed; a 400 page for one that did not.
    pub(crate) fn of(
        form: Result<Form<Vec<(String, String)>>, FormRejection>,
    ) -> Result<Self, PageError> {
        form.map(|Form(f)| Self(f)).map_err(|_| {
            PageError::bad("The form's fields could not be read. Reload the page and try again.")
        })
    }

    /// The first value of `name`, `""` when the form has none.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A form whose only field is its CSRF token.
#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// Reads a [`CsrfOnly`] form; a 400 page for one that did not parse.
pub(crate) fn csrf_only(form: Result<Form<CsrfOnly>, FormRejection>) -> Result<String, PageError> {
    form.map(|Form(f)| f.csrf)
        .map_err(|_| PageError::bad("The form's fields could not be read."))
}

/// When a post needs a recent proof of password and code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Proof {
    Never,
    /// In live mode only (live keys, live risk rules).
    InLive,
    Always,
}

/// The checks a post passes before it acts, in this order: the CSRF token `csrf`, the role's
/// permission for `action` in the page's mode, and the proof `proof` asks for. `Ok(Some(r))`:
/// answer `r` (the way to the re-authentication page, back to `back_to`) instead of acting.
pub(crate) fn checked(
    state: &PortalState,
    signed: &Signed,
    csrf: &str,
    action: Action,
    (proof, back_to): (Proof, &str),
) -> Result<Option<Response>, PageError> {
    signed.check_csrf(csrf)?;
    signed.require(action)?;
    let needed = match proof {
        Proof::Never => false,
        Proof::InLive => signed.mode.is_live(),
        Proof::Always => true,
    };
    Ok(if needed {
        signed.recent_proof(state, back_to)
    } else {
        None
    })
}

impl PageError {
    /// A refused form: 400 with `message`.
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Not accepted", message)
    }
}
