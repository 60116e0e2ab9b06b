//! Running an engine use case for a portal form: the member as the audited actor, no
//! idempotency key (a form post is not retried by a client library; a double submit of a
//! create makes two, as two clicks would), and the answer reduced to done or the refusal's
//! page.

use anton_engine::audit::Actor;
use anton_engine::idempotency::{Answer, Mutation, Render, Reply};
use anton_engine::EngineError;
use axum::http::StatusCode;

use crate::error::PageError;
use crate::session::Signed;

/// Renders an outcome for [`outcome`]: the status and, for a refusal, its page's message.
pub(crate) struct Done;

impl<T> Render<T> for Done {
    fn render(&self, outcome: Result<&T, &EngineError>) -> Reply {
        match outcome {
            Ok(_) => Reply {
                status: 200,
                body: String::new(),
            },
            Err(e) => {
                let page = PageError::of(e);
                Reply {
                    status: page.status.as_u16(),
                    body: page.message,
                }
            }
        }
    }
}

/// The member acting, from their address.
pub(crate) fn actor(signed: &Signed) -> Actor {
    Actor::member(
        signed.session.member.id.clone(),
        signed.client_ip.map(|ip| ip.to_string()),
        None,
    )
}

pub(crate) fn mutation(signed: &Signed) -> Mutation<Done> {
    Mutation {
        keyed: None,
        render: Done,
        actor: actor(signed),
    }
}

/// `Ok` when the use case did it; its refusal as a page otherwise.
pub(crate) fn outcome(answer: Answer) -> Result<(), PageError> {
    if answer.reply.status < 400 {
        return Ok(());
    }
    let status = StatusCode::from_u16(answer.reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    Err(PageError::new(status, "Not possible", answer.reply.body))
}
