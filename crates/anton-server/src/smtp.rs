//! The SMTP relay alert emails go through (`[smtp]`, docs/operations.md): the engine's
//! [`Mailer`] over lettre. Always encrypted — STARTTLS required (the default, port 587) or TLS
//! from the first byte (`tls = "tls"`, port 465) — with the relay's certificate verified against
//! the public roots and an optional extra CA; there is no plaintext mode and no way to skip the
//! verification.

use std::path::PathBuf;
use std::time::Duration;

use anton_engine::alerts::email::{Mail, Mailer};
use anyhow::{bail, Context};
use futures_util::future::BoxFuture;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

/// `[smtp]` in `anton.toml`. Without `host`, no email is sent (alerts are still raised and
/// announced by events).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// The relay's host name (its certificate must name it).
    pub host: Option<String>,
    /// Default 587 (STARTTLS); 465 is usual with `tls = "tls"`.
    pub port: u16,
    /// `starttls` (default: the connection must be upgraded, or nothing is sent) or `tls`.
    pub tls: String,
    /// The sender, e.g. `Anton alerts <alerts@payments.example>`.
    pub from: String,
    /// Credentials, when the relay wants them: the user name, and a file holding the password
    /// (never the password itself in the configuration).
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
    /// A PEM file of extra CA certificates to trust for the relay (a private relay's CA).
    pub ca_file: Option<PathBuf>,
    /// Per email, connection included (default 10 s).
    pub timeout_ms: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            tls: "starttls".into(),
            from: String::new(),
            username: None,
            password_file: None,
            ca_file: None,
            timeout_ms: 10_000,
        }
    }
}

/// Sends through the configured relay.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// The mailer of `config`, or `None` when no relay is configured. Fails at start on a bad
    /// sender, TLS mode, CA file or password file.
    pub fn build(config: &SmtpConfig) -> anyhow::Result<Option<Self>> {
        let Some(host) = &config.host else {
            return Ok(None);
        };
        let from: Mailbox = config.from.parse().with_context(|| {
            format!(
                "invalid configuration: smtp.from {:?} is not an address",
                config.from
            )
        })?;
        let mut tls = TlsParameters::builder(host.clone());
        if let Some(ca) = &config.ca_file {
            let pem = std::fs::read(ca)
                .with_context(|| format!("cannot read smtp.ca_file {}", ca.display()))?;
            tls = tls.add_root_certificate(
                Certificate::from_pem(&pem).context("smtp.ca_file is not a PEM certificate")?,
            );
        }
        let tls = tls.build_rustls().context("smtp TLS settings")?;
        let tls = match config.tls.as_str() {
            "starttls" => Tls::Required(tls),
            "tls" => Tls::Wrapper(tls),
            other => {
                bail!("invalid configuration: smtp.tls is \"starttls\" or \"tls\", not {other:?}")
            }
        };
        // `builder_dangerous` only means "no preset": TLS is required just above.
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(Duration::from_millis(config.timeout_ms.max(1))));
        match (&config.username, &config.password_file) {
            (Some(user), Some(file)) => {
                let password = std::fs::read_to_string(file).with_context(|| {
                    format!("cannot read smtp.password_file {}", file.display())
                })?;
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    password.trim_end().to_owned(),
                ));
            }
            (None, None) => {}
            _ => bail!("invalid configuration: smtp.username and smtp.password_file go together"),
        }
        Ok(Some(Self {
            transport: builder.build(),
            from,
        }))
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: Mail) -> BoxFuture<'static, Result<(), String>> {
        let transport = self.transport.clone();
        let mut message = Message::builder().from(self.from.clone());
        for to in &mail.to {
            match to.parse::<Mailbox>() {
                Ok(m) => message = message.to(m),
                Err(e) => return Box::pin(async move { Err(format!("bad recipient: {e}")) }),
            }
        }
        let message = message
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text);
        Box::pin(async move {
            let message = message.map_err(|e| e.to_string())?;
            transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
