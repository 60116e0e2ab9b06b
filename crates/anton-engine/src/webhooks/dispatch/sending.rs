//! Sending one attempt: the delivery's secrets (the current one, and the previous one during a
//! rotation overlap), both header sets signed with the real time, and the POST — through a
//! [`Transport`], which the binary provides (an HTTPS client whose resolver is the SSRF guard),
//! so the engine speaks no HTTP itself. A delivery that cannot be sent (endpoint disabled,
//! destination refused, secret unreadable) is recorded as such without a request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anton_core::signature::{self, SigningKey};
use anton_store::now_us;
use anton_store::webhooks::Claimed;
use futures_util::future::BoxFuture;
use url::Url;

use crate::webhooks::WebhookRuntime;
use crate::Secrets;

/// Response bytes kept in the attempt log; a transport reads at most four times that.
pub const BODY_KEEP: usize = 1024;

/// A signed delivery, ready to post.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: Url,
    /// `Content-Type`, `Anton-Signature`, `Anton-Event-Id` and the Standard Webhooks headers.
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// What a post came to.
#[derive(Debug, Clone)]
pub enum Sent {
    /// The endpoint answered.
    Answered {
        status: u16,
        /// Its `Retry-After`, in seconds, when it sent one.
        retry_after: Option<Duration>,
        /// The first [`BODY_KEEP`] bytes of its body (of at most four times that read).
        body: String,
    },
    /// No answer.
    Failed(Failure),
}

/// Why a post got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Timeout,
    /// The SSRF guard refused every address the name resolved to.
    RefusedDestination,
    Connect,
    /// The TLS handshake failed: the certificate was not trusted or not for the host, or no
    /// protocol version or cipher suite was shared.
    Tls,
    /// Anything else on the way (a broken connection, a malformed answer).
    Request,
}

impl Failure {
    /// The attempt log's `error_class`.
    fn class(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::RefusedDestination => "refused_destination",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Request => "request",
        }
    }
}

/// Posts signed deliveries. Never follows redirects, never uses a proxy, always verifies
/// certificates, and connects only to addresses the SSRF guard allows ([`Guard::resolve`]).
///
/// [`Guard::resolve`]: crate::webhooks::ssrf::Guard::resolve
pub trait Transport: Send + Sync + 'static {
    fn post(&self, request: Request) -> BoxFuture<'static, Sent>;
}

/// One finished attempt, for the recorder.
pub(crate) struct Done {
    pub delivery: Claimed,
    pub started_us: i64,
    pub latency_us: i64,
    pub status_code: Option<u16>,
    pub retry_after: Option<Duration>,
    pub body: Option<String>,
    pub error_class: Option<&'static str>,
}

/// The secrets that sign a delivery now: the current one, and the previous one during a rotation
/// overlap (real time), newest first.
fn signing_secrets(secrets: &Secrets, d: &Claimed) -> Option<Vec<SigningKey>> {
    let aad = d.tenant.merchant_id.as_str().as_bytes();
    let open = |c: &str| {
        secrets
            .keyring
            .decrypt(c, aad)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| SigningKey::parse(&s))
    };
    let mut out = vec![open(&d.secret_ciphertext)?];
    if let (Some(prev), Some(until)) = (&d.previous_secret_ciphertext, d.previous_expires_us) {
        if until > now_us() {
            out.push(open(prev)?);
        }
    }
    Some(out)
}

/// Attempts `d` now.
pub(crate) async fn attempt(
    transport: &Arc<dyn Transport>,
    secrets: &Secrets,
    runtime: &WebhookRuntime,
    d: Claimed,
) -> Done {
    let started_us = runtime.clock.now_us();
    let t0 = Instant::now();
    let latency = move || i64::try_from(t0.elapsed().as_micros()).unwrap_or(i64::MAX);
    let fail = |d: Claimed, class: &'static str| Done {
        delivery: d,
        started_us,
        latency_us: latency(),
        status_code: None,
        retry_after: None,
        body: None,
        error_class: Some(class),
    };
    if d.endpoint_status != "enabled" {
        return fail(d, "endpoint_disabled");
    }
    let Ok(url) = Url::parse(&d.url) else {
        return fail(d, "invalid_url");
    };
    if runtime.guard.check_literal(&url).is_err() {
        return fail(d, "refused_destination");
    }
    let Some(keys) = signing_secrets(secrets, &d) else {
        return fail(d, "secret_unavailable");
    };
    let ts = now_us() / 1_000_000;
    let (anton, standard) = signature::sign_with(&keys, d.event_id.as_str(), ts, d.body.as_bytes());
    let mut headers = vec![("Content-Type", "application/json".to_owned())];
    // An Ed25519 endpoint has no HMAC secret, so no Anton-Signature: its signatures are the
    // `v1a` entries of webhook-signature.
    if let Some(anton) = anton {
        headers.push(("Anton-Signature", anton));
    }
    headers.extend([
        ("Anton-Event-Id", d.event_id.to_string()),
        ("webhook-id", d.event_id.to_string()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", standard),
    ]);
    let request = Request {
        url,
        headers,
        body: d.body.clone(),
    };
    match transport.post(request).await {
        Sent::Answered {
            status,
            retry_after,
            body,
        } => Done {
            latency_us: latency(),
            delivery: d,
            started_us,
            status_code: Some(status),
            retry_after,
            body: Some(body),
            error_class: (!(200..300).contains(&status)).then_some("http_status"),
        },
        Sent::Failed(failure) => fail(d, failure.class()),
    }
}

#[cfg(test)]
mod tests {
    //! One attempt against a transport that records what it is asked to post (the real HTTPS
    //! transport is the binary's, exercised end to end by the API tests).

    use std::sync::Mutex;

    use anton_core::crypto::{KeyedHasher, Keyring};
    use anton_core::id::{DeliveryId, EventId, MerchantId, WebhookEndpointId};
    use anton_core::keys::Environment;
    use anton_store::Tenant;

    use super::*;
    use crate::webhooks::ssrf::SystemLookup;
    use crate::webhooks::WebhooksConfig;
    use anton_core::signature::WebhookSecret;

    /// Records each request and answers `status`.
    struct Recording {
        posted: Mutex<Vec<Request>>,
        status: u16,
    }

    impl Transport for Recording {
        fn post(&self, request: Request) -> BoxFuture<'static, Sent> {
            self.posted.lock().unwrap().push(request);
            let status = self.status;
            Box::pin(async move {
                Sent::Answered {
                    status,
                    retry_after: Some(Duration::from_secs(7)),
                    body: "thanks".into(),
                }
            })
        }
    }

    fn secrets() -> Secrets {
        Secrets {
            api_key_hasher: KeyedHasher::new(&[1; 32]),
            fingerprint_hasher: KeyedHasher::new(&[2; 32]),
            keyring: Keyring::new(&[("k1".to_owned(), vec![3; 32])]).unwrap(),
        }
    }

    fn claimed(secrets: &Secrets, secret: &WebhookSecret, url: &str) -> Claimed {
        let tenant = Tenant::new(MerchantId::parse("mer_1").unwrap(), Environment::Test);
        Claimed {
            secret_ciphertext: secrets.keyring.encrypt(
                secret.expose_secret().as_bytes(),
                tenant.merchant_id.as_str().as_bytes(),
            ),
            tenant,
            id: DeliveryId::parse("del_1").unwrap(),
            endpoint_id: WebhookEndpointId::parse("we_1").unwrap(),
            event_id: EventId::parse("evt_1").unwrap(),
            event_type: "payout.created".into(),
            status: "pending".into(),
            attempts: 0,
            url: url.into(),
            endpoint_status: "enabled".into(),
            previous_secret_ciphertext: None,
            previous_expires_us: None,
            body: r#"{"id":"evt_1"}"#.into(),
        }
    }

    #[tokio::test]
    async fn an_attempt_posts_the_body_signed_with_the_endpoint_secret_and_keeps_the_answer() {
        let secrets = secrets();
        let secret = WebhookSecret::generate();
        let recording = Arc::new(Recording {
            posted: Mutex::default(),
            status: 503,
        });
        let transport: Arc<dyn Transport> = recording.clone();
        let runtime = WebhookRuntime::new(&WebhooksConfig::default(), Arc::new(SystemLookup));
        let d = claimed(&secrets, &secret, "https://8.8.8.8/hook");
        let done = attempt(&transport, &secrets, &runtime, d).await;
        assert_eq!(done.status_code, Some(503));
        assert_eq!(done.error_class, Some("http_status"));
        assert_eq!(done.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(done.body.as_deref(), Some("thanks"));
        let posted = recording.posted.lock().unwrap();
        assert_eq!(posted.len(), 1);
        let request = &posted[0];
        assert_eq!(request.body, r#"{"id":"evt_1"}"#);
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(header("Anton-Event-Id"), "evt_1");
        assert_eq!(header("webhook-id"), "evt_1");
        signature::verify(
            request.body.as_bytes(),
            &header("Anton-Signature"),
            &secret,
            now_us() / 1_000_000,
            300,
        )
        .expect("signed with the endpoint's secret, now");
    }

    #[tokio::test]
    async fn nothing_is_posted_for_a_disabled_endpoint_a_refused_address_or_an_unreadable_secret() {
        let secrets = secrets();
        let secret = WebhookSecret::generate();
        let recording = Arc::new(Recording {
            posted: Mutex::default(),
            status: 200,
        });
        let transport: Arc<dyn Transport> = recording.clone();
        let runtime = WebhookRuntime::new(&WebhooksConfig::default(), Arc::new(SystemLookup));
        let mut disabled = claimed(&secrets, &secret, "https://8.8.8.8/hook");
        disabled.endpoint_status = "disabled".into();
        let private = claimed(&secrets, &secret, "https://127.0.0.1/hook");
        let mut unreadable = claimed(&secrets, &secret, "https://8.8.8.8/hook");
        unreadable.secret_ciphertext = "k1:not-a-ciphertext".into();
        for (d, class) in [
            (disabled, "endpoint_disabled"),
            (private, "refused_destination"),
            (unreadable, "secret_unavailable"),
        ] {
            let done = attempt(&transport, &secrets, &runtime, d).await;
            assert_eq!((done.status_code, done.error_class), (None, Some(class)));
        }
        assert!(recording.posted.lock().unwrap().is_empty());
    }
}
