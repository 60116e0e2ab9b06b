//! `anton members invite|list`: the operator invites the first members of a merchant's team
//! (an owner then runs the team from the portal). The invitation link is printed — it is the
//! only copy, its token is stored hashed — and, with an SMTP relay configured, emailed to the
//! invitee.

use std::sync::Arc;

use anton_core::team::Role;
use anton_engine::alerts::email::{Mail, Mailer};
use anton_engine::audit::Actor;
use anton_engine::webhooks::ssrf::SystemLookup;
use anton_engine::{Engine, EngineConfig};
use anyhow::Context;
use clap::Subcommand;

use super::operator::{emit, merchant_id, operator_context};
use super::ConfigArgs;

#[derive(Subcommand)]
pub(super) enum MembersCommand {
    /// Invite someone to a merchant's team: prints a one-time link that expires (72 hours by
    /// default, `portal.invitation_ttl_s`), and emails it when an SMTP relay is configured.
    Invite {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The invitee's email address (their sign-in name).
        #[arg(long)]
        email: String,
        /// owner, admin, developer or analyst (docs/portal.md, "Roles").
        #[arg(long)]
        role: String,
    },
    /// List a merchant's members.
    List {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
    },
}

pub(super) async fn run(
    cfg: ConfigArgs,
    command: MembersCommand,
    json: bool,
) -> anyhow::Result<()> {
    let config = cfg.load(None)?;
    let (store, secrets) = operator_context(&cfg).await?;
    let engine = Engine::new(
        store,
        secrets,
        EngineConfig {
            team: config.portal.clone(),
            ..EngineConfig::default()
        },
        Arc::new(SystemLookup),
    );
    match command {
        MembersCommand::Invite {
            merchant,
            email,
            role,
        } => {
            let merchant = merchant_id(&merchant)?;
            let role = Role::parse(&role).with_context(|| {
                format!("{role:?} is not a role: owner, admin, developer or analyst")
            })?;
            // The relay is set up before the invitation is made: a bad [smtp] fails the command
            // with nothing made.
            let mailer = crate::smtp::SmtpMailer::build(&config.smtp)?;
            let inv = engine
                .invite_member(&merchant, &email, role, &Actor::operator())
                .await?;
            let base = config
                .portal
                .public_url
                .clone()
                .unwrap_or_else(|| format!("https://localhost:{}", config.listen.port()));
            let link = format!(
                "{}/invitations/{}",
                base.trim_end_matches('/'),
                inv.token.expose_secret()
            );
            let expires = anton_core::time::Timestamp::from_unix_micros(inv.expires_us);
            // The link is printed whatever the relay says: it is the only copy.
            let mut not_sent = None;
            if let Some(mailer) = mailer {
                let mail = Mail {
                    to: vec![inv.email.clone()],
                    subject: "[Anton] You are invited to a team".into(),
                    text: format!(
                        "You are invited to join a team on Anton as {role}.\n\n\
                         Open this link to choose a password and set up two-factor codes:\n{link}\n\n\
                         The link works once, until {}. If you did not expect it, ignore this email.\n",
                        expires.to_rfc3339()
                    ),
                };
                not_sent = Some(mailer.send(mail).await.err());
            }
            let emailed = matches!(not_sent, Some(None));
            let value = serde_json::json!({
                "id": inv.id.as_str(), "email": inv.email, "role": role.as_str(),
                "link": link, "expires": expires.to_rfc3339(), "emailed": emailed,
            });
            emit(json, &value, || {
                format!(
                    "Invitation for {} as {role}, valid until {}{}:\n{link}",
                    inv.email,
                    expires.to_rfc3339(),
                    if emailed { " (emailed)" } else { "" }
                )
            });
            if let Some(Some(e)) = not_sent {
                anyhow::bail!("the invitation was made but not emailed ({e}): give the link above to the invitee yourself");
            }
        }
        MembersCommand::List { merchant } => {
            let merchant = merchant_id(&merchant)?;
            for m in engine.members(&merchant).await? {
                let value = serde_json::json!({
                    "id": m.id.as_str(), "email": m.email, "role": m.role.as_str(),
                });
                emit(json, &value, || {
                    format!("{}  {}  {}", m.id, m.role, m.email)
                });
            }
        }
    }
    Ok(())
}
