//! The typed HTTPS client (feature `client`, on by default).
//!
//! ```no_run
//! use anton_sdk::{Client, types::NewPayout};
//!
//! # async fn run() -> Result<(), anton_sdk::Error> {
//! let client = Client::builder(std::env::var("ANTON_API_KEY").unwrap_or_default())
//!     .base_url("https://localhost:8443")
//!     .add_root_certificate_pem(&std::fs::read("anton-data/ca.pem").unwrap_or_default())?
//!     .build()?;
//! let payout = client
//!     .payouts()
//!     .create(&NewPayout::new(1250, "USD", "rcp_…"))
//!     .await?;
//! println!("{} {:?}", payout.id, payout.status);
//! # Ok(())
//! # }
//! ```
//!
//! - **TLS**: rustls, TLS 1.2+, certificates always verified against the public roots plus any
//!   root you add (a local server's CA). There is no way to turn verification off, and `http://`
//!   base URLs are refused.
//! - **Idempotency**: every POST, PATCH and DELETE carries an `Idempotency-Key` — yours
//!   (`*_with_key`) or a random one — and a retry reuses it, so a retried create never creates
//!   twice.
//! - **Retries** (at most [`ClientBuilder::max_retries`], default 3): connection failures and
//!   timeouts, `409 idempotency_request_in_progress`, `429` and `5xx`; exponential backoff from
//!   200 ms with jitter, capped at 5 s; a `Retry-After` is waited for (up to 60 s) instead.
//! - **Secrets**: the key is sent only in the `Authorization` header; `Debug` shows its prefix
//!   and last four characters, errors never contain it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use anton_core::keys::ApiKey;
use futures_util::stream::{self, Stream};
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::error::{ApiError, Error};
use crate::types::*;

mod monitoring;
mod risk;
pub use monitoring::{Alerts, AuditLog, Requests};
pub use risk::{Reviews, RiskRules};

/// The longest `Retry-After` honoured; longer ones are returned as the error.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(5);

/// Configures a [`Client`].
pub struct ClientBuilder {
    key: String,
    base_url: String,
    roots: Vec<reqwest::Certificate>,
    timeout: Duration,
    connect_timeout: Duration,
    max_retries: u32,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("key", &"[REDACTED]")
            .field("base_url", &self.base_url)
            .field("roots", &self.roots.len())
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

impl ClientBuilder {
    /// The API base URL (`https://…`). Default `https://localhost:8443` (a local `anton serve`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Trusts one more root CA (PEM), e.g. the `ca.pem` a local `anton serve` generated. The
    /// public roots stay trusted; verification itself cannot be turned off.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let cert = reqwest::Certificate::from_pem(pem)
            .map_err(|_| Error::Config("the root certificate is not valid PEM".into()))?;
        self.roots.push(cert);
        Ok(self)
    }

    /// The whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 3; 0 disables retries).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        let key = ApiKey::parse(self.key.trim()).map_err(|_| {
            Error::Config(
                "the API key is not an Anton key (sk_/rk_ + test_/live_ + checksum)".into(),
            )
        })?;
        let mut base = Url::parse(&self.base_url)
            .map_err(|_| Error::Config(format!("base URL {:?} is not a URL", self.base_url)))?;
        if base.scheme() != "https" {
            return Err(Error::Config(
                "the base URL must be https:// (Anton never speaks plaintext)".into(),
            ));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let mut http = reqwest::Client::builder()
            .use_rustls_tls()
            .https_only(true)
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .tls_built_in_root_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("anton-sdk-rust/", env!("CARGO_PKG_VERSION")));
        for root in self.roots {
            http = http.add_root_certificate(root);
        }
        let http = http
            .build()
            .map_err(|e| Error::Config(format!("building the HTTPS client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                key,
                max_retries: self.max_retries,
            }),
        })
    }
}

/// The Anton API client. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    key: ApiKey,
    max_retries: u32,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("key", &self.inner.key)
            .field("max_retries", &self.inner.max_retries)
            .finish()
    }
}

/// A fresh idempotency key: 32 random alphanumerics.
pub fn new_idempotency_key() -> String {
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

fn backoff(attempt: u32) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1u32 << attempt.min(10));
    let d = exp.min(BACKOFF_CAP);
    // Jitter: a uniform wait in [d/2, d], so clients that failed together do not retry together.
    let ms = u64::try_from(d.as_millis()).unwrap_or(5_000);
    Duration::from_millis(rand::thread_rng().gen_range(ms / 2..=ms))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn retryable(status: StatusCode, err: &ApiError) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
        || (status == StatusCode::CONFLICT
            && err.code.as_deref() == Some("idempotency_request_in_progress"))
}

impl Client {
    /// A builder for a client using `api_key` (server-side only: never ship it to a browser or an
    /// app).
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            key: api_key.into(),
            base_url: "https://localhost:8443".into(),
            roots: Vec::new(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 3,
        }
    }

    /// One API call with retries. Mutating methods always carry an idempotency key.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<serde_json::Value>,
        idempotency_key: Option<String>,
    ) -> Result<T, Error> {
        let mut url = self
            .inner
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|_| Error::Config(format!("bad path {path}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mutating = method != Method::GET;
        let idempotency_key = mutating.then(|| idempotency_key.unwrap_or_else(new_idempotency_key));
        let body = body.map(|b| b.to_string());
        let mut attempt = 0u32;
        loop {
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(self.inner.key.expose_secret())
                .header("Anton-Version", anton_core::API_VERSION);
            if let Some(k) = &idempotency_key {
                req = req.header("Idempotency-Key", k);
            }
            if let Some(b) = &body {
                req = req
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    )
                    .body(b.clone());
            }
            let left = attempt < self.inner.max_retries;
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if left && (e.is_connect() || e.is_timeout() || e.is_request()) => {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
                Err(e) => return Err(Error::Transport(e.without_url())),
            };
            let status = resp.status();
            let request_id = resp
                .headers()
                .get("Request-Id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let wait = retry_after(resp.headers());
            let bytes = match resp.bytes().await {
                Ok(b) => b,
                Err(e) if left => {
                    let _ = e;
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
                Err(e) => return Err(Error::Transport(e.without_url())),
            };
            if status.is_success() {
                return serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                    status: status.as_u16(),
                    message: e.to_string(),
                    request_id,
                });
            }
            let err = ApiError::from_body(status.as_u16(), &bytes, request_id, wait);
            if left && retryable(status, &err) {
                let delay = match wait {
                    Some(w) if w > MAX_RETRY_AFTER => return Err(Error::Api(Box::new(err))),
                    Some(w) => w.max(backoff(attempt) / 4),
                    None => backoff(attempt),
                };
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return Err(Error::Api(Box::new(err)));
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(Method::GET, path, &[], None, None).await
    }

    async fn post<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        body: &B,
        key: Option<String>,
    ) -> Result<T, Error> {
        let body = serde_json::to_value(body).map_err(|e| Error::Config(e.to_string()))?;
        self.call(Method::POST, path, &[], Some(body), key).await
    }

    async fn patch<T: DeserializeOwned, B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        let body = serde_json::to_value(body).map_err(|e| Error::Config(e.to_string()))?;
        self.call(Method::PATCH, path, &[], Some(body), None).await
    }

    async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(Method::DELETE, path, &[], None, None).await
    }

    async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &ListParams,
    ) -> Result<List<T>, Error> {
        self.call(Method::GET, path, &params.to_query(), None, None)
            .await
    }

    /// Every object of a list, page after page (`limit` per page, default 100), newest first;
    /// from `ending_before` it walks the other way, towards the newest, yielding the objects
    /// oldest first (each the next one away from the cursor).
    fn paginate<T>(
        &self,
        path: String,
        mut params: ListParams,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        if params.limit.is_none() {
            params.limit = Some(100);
        }
        struct State<T> {
            client: Client,
            path: String,
            params: ListParams,
            buf: VecDeque<T>,
            more: bool,
        }
        let state: State<T> = State {
            client: self.clone(),
            path,
            params,
            buf: VecDeque::new(),
            more: true,
        };
        stream::unfold(Some(state), |state| async move {
            let mut s = state?;
            loop {
                if let Some(item) = s.buf.pop_front() {
                    let id = Some(item.id().to_owned());
                    if s.params.ending_before.is_some() {
                        s.params.ending_before = id;
                    } else {
                        s.params.starting_after = id;
                    }
                    return Some((Ok(item), Some(s)));
                }
                if !s.more {
                    return None;
                }
                match s.client.list::<T>(&s.path, &s.params).await {
                    Ok(page) => {
                        s.more = page.has_more && !page.data.is_empty();
                        if s.params.ending_before.is_some() {
                            s.buf.extend(page.data.into_iter().rev());
                        } else {
                            s.buf.extend(page.data);
                        }
                    }
                    Err(e) => return Some((Err(e), None)),
                }
            }
        })
    }

    pub fn recipients(&self) -> Recipients<'_> {
        Recipients(self)
    }

    pub fn payouts(&self) -> Payouts<'_> {
        Payouts(self)
    }

    pub fn balance(&self) -> BalanceApi<'_> {
        BalanceApi(self)
    }

    pub fn events(&self) -> Events<'_> {
        Events(self)
    }

    pub fn webhook_endpoints(&self) -> WebhookEndpoints<'_> {
        WebhookEndpoints(self)
    }

    /// The request log (`requests:read`).
    pub fn requests(&self) -> Requests<'_> {
        Requests(self)
    }

    /// The audit log (`audit_log:read`).
    pub fn audit_log(&self) -> AuditLog<'_> {
        AuditLog(self)
    }

    /// Alerts (`alerts:read`; acknowledging and resolving need `alerts:write`).
    pub fn alerts(&self) -> Alerts<'_> {
        Alerts(self)
    }

    /// The risk rules (`risk_rules:read`; changing one needs `risk_rules:write`).
    pub fn risk_rules(&self) -> RiskRules<'_> {
        RiskRules(self)
    }

    /// Approving and rejecting payouts held for review (`payouts:approve`).
    pub fn reviews(&self) -> Reviews<'_> {
        Reviews(self)
    }

    /// Test mode only (404 in live mode).
    pub fn test_helpers(&self) -> TestHelpers<'_> {
        TestHelpers(self)
    }

    /// `GET /v1/event_types`: every event type an endpoint may subscribe to.
    pub async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        let list: List<EventTypeInfo> = self.get("v1/event_types").await?;
        Ok(list.data)
    }

    /// `GET /v1/egress_ips`: the addresses Anton's deliveries come from (no key needed).
    pub async fn egress_ips(&self) -> Result<Vec<EgressIp>, Error> {
        let list: List<EgressIp> = self.get("v1/egress_ips").await?;
        Ok(list.data)
    }
}

fn seg(id: &str) -> String {
    // Ids are `prefix_` + base62; anything else cannot name an object, and must not change the
    // path.
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// `/v1/recipients`.
pub struct Recipients<'a>(&'a Client);

impl Recipients<'_> {
    pub async fn create(&self, params: &NewRecipient) -> Result<Recipient, Error> {
        self.0.post("v1/recipients", params, None).await
    }

    /// [`Recipients::create`] with your own idempotency key (e.g. your database id for it).
    pub async fn create_with_key(
        &self,
        params: &NewRecipient,
        idempotency_key: &str,
    ) -> Result<Recipient, Error> {
        self.0
            .post("v1/recipients", params, Some(idempotency_key.to_owned()))
            .await
    }

    pub async fn get(&self, id: &str) -> Result<Recipient, Error> {
        self.0.get(&format!("v1/recipients/{}", seg(id))).await
    }

    pub async fn update(&self, id: &str, params: &RecipientUpdate) -> Result<Recipient, Error> {
        self.0
            .patch(&format!("v1/recipients/{}", seg(id)), params)
            .await
    }

    pub async fn delete(&self, id: &str) -> Result<Deleted, Error> {
        self.0.delete(&format!("v1/recipients/{}", seg(id))).await
    }

    pub async fn list(&self, params: &ListParams) -> Result<List<Recipient>, Error> {
        self.0.list("v1/recipients", params).await
    }

    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Recipient, Error>> + Send + 'static {
        self.0.paginate("v1/recipients".into(), params)
    }
}

/// `/v1/payouts`.
pub struct Payouts<'a>(&'a Client);

impl Payouts<'_> {
    pub async fn create(&self, params: &NewPayout) -> Result<Payout, Error> {
        self.0.post("v1/payouts", params, None).await
    }

    /// [`Payouts::create`] with your own idempotency key: the same key never pays twice, even
    /// across your own process restarts.
    pub async fn create_with_key(
        &self,
        params: &NewPayout,
        idempotency_key: &str,
    ) -> Result<Payout, Error> {
        self.0
            .post("v1/payouts", params, Some(idempotency_key.to_owned()))
            .await
    }

    pub async fn get(&self, id: &str) -> Result<Payout, Error> {
        self.0.get(&format!("v1/payouts/{}", seg(id))).await
    }

    /// Changes the payout's description or metadata (`payout.updated`).
    pub async fn update(&self, id: &str, params: &PayoutUpdate) -> Result<Payout, Error> {
        self.0
            .patch(&format!("v1/payouts/{}", seg(id)), params)
            .await
    }

    pub async fn cancel(&self, id: &str) -> Result<Payout, Error> {
        self.0
            .post(&format!("v1/payouts/{}/cancel", seg(id)), &json!({}), None)
            .await
    }

    /// Filters: `status`, `recipient`.
    pub async fn list(&self, params: &ListParams) -> Result<List<Payout>, Error> {
        self.0.list("v1/payouts", params).await
    }

    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Payout, Error>> + Send + 'static {
        self.0.paginate("v1/payouts".into(), params)
    }
}

/// `/v1/balance`, `/v1/balance_transactions`.
pub struct BalanceApi<'a>(&'a Client);

impl BalanceApi<'_> {
    pub async fn get(&self) -> Result<Balance, Error> {
        self.0.get("v1/balance").await
    }

    pub async fn transactions(
        &self,
        params: &ListParams,
    ) -> Result<List<BalanceTransaction>, Error> {
        self.0.list("v1/balance_transactions", params).await
    }

    pub fn all_transactions(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<BalanceTransaction, Error>> + Send + 'static {
        self.0.paginate("v1/balance_transactions".into(), params)
    }
}

/// `/v1/events`.
pub struct Events<'a>(&'a Client);

impl Events<'_> {
    pub async fn get(&self, id: &str) -> Result<Event, Error> {
        self.0.get(&format!("v1/events/{}", seg(id))).await
    }

    /// Filters: `type`.
    pub async fn list(&self, params: &ListParams) -> Result<List<Event>, Error> {
        self.0.list("v1/events", params).await
    }

    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Event, Error>> + Send + 'static {
        self.0.paginate("v1/events".into(), params)
    }

    /// Sends one event to one endpoint again, now.
    pub async fn resend(&self, event_id: &str, endpoint_id: &str) -> Result<Delivery, Error> {
        self.0
            .post(
                &format!("v1/events/{}/resend", seg(event_id)),
                &json!({ "endpoint": endpoint_id }),
                None,
            )
            .await
    }
}

/// `/v1/webhook_endpoints`.
pub struct WebhookEndpoints<'a>(&'a Client);

impl WebhookEndpoints<'_> {
    /// The answer's `secret` is the only time the signing secret is shown.
    pub async fn create(&self, params: &NewWebhookEndpoint) -> Result<WebhookEndpoint, Error> {
        self.0.post("v1/webhook_endpoints", params, None).await
    }

    pub async fn get(&self, id: &str) -> Result<WebhookEndpoint, Error> {
        self.0
            .get(&format!("v1/webhook_endpoints/{}", seg(id)))
            .await
    }

    pub async fn update(
        &self,
        id: &str,
        params: &WebhookEndpointUpdate,
    ) -> Result<WebhookEndpoint, Error> {
        self.0
            .patch(&format!("v1/webhook_endpoints/{}", seg(id)), params)
            .await
    }

    pub async fn delete(&self, id: &str) -> Result<Deleted, Error> {
        self.0
            .delete(&format!("v1/webhook_endpoints/{}", seg(id)))
            .await
    }

    pub async fn list(&self, params: &ListParams) -> Result<List<WebhookEndpoint>, Error> {
        self.0.list("v1/webhook_endpoints", params).await
    }

    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<WebhookEndpoint, Error>> + Send + 'static {
        self.0.paginate("v1/webhook_endpoints".into(), params)
    }

    /// A new secret (in the answer); the previous one keeps signing for
    /// `expire_previous_in_seconds` (default 86400, at most 604800).
    pub async fn rotate_secret(
        &self,
        id: &str,
        expire_previous_in_seconds: Option<u32>,
    ) -> Result<WebhookEndpoint, Error> {
        let body = match expire_previous_in_seconds {
            Some(s) => json!({ "expire_previous_in_seconds": s }),
            None => json!({}),
        };
        self.0
            .post(
                &format!("v1/webhook_endpoints/{}/rotate_secret", seg(id)),
                &body,
                None,
            )
            .await
    }

    /// The endpoint's deliveries with their attempts. Filters: `status`, `event`.
    pub async fn deliveries(&self, id: &str, params: &ListParams) -> Result<List<Delivery>, Error> {
        self.0
            .list(
                &format!("v1/webhook_endpoints/{}/deliveries", seg(id)),
                params,
            )
            .await
    }

    /// Sends a signed `webhook_endpoint.test` event to the endpoint now (also while it is
    /// disabled) and returns the attempt's outcome. Nothing is stored or retried.
    pub async fn test(&self, id: &str) -> Result<WebhookTest, Error> {
        self.0
            .post(
                &format!("v1/webhook_endpoints/{}/test", seg(id)),
                &json!({}),
                None,
            )
            .await
    }

    /// Retries now every failed or exhausted delivery created since `since`.
    pub async fn recover(&self, id: &str, since: OffsetDateTime) -> Result<Recovery, Error> {
        self.0
            .post(
                &format!("v1/webhook_endpoints/{}/recover", seg(id)),
                &json!({ "since": since.unix_timestamp() }),
                None,
            )
            .await
    }
}

/// `/v1/test_helpers` (test mode only).
pub struct TestHelpers<'a>(&'a Client);

impl TestHelpers<'_> {
    /// Adds `amount` (minor units) to the test balance.
    pub async fn fund_balance(&self, amount: i64, currency: &str) -> Result<Balance, Error> {
        self.0
            .post(
                "v1/test_helpers/balance/fund",
                &json!({ "amount": amount, "currency": currency }),
                None,
            )
            .await
    }

    /// Moves a processing payout to `paid`.
    pub async fn pay_payout(&self, id: &str) -> Result<Payout, Error> {
        self.payout_action(id, "pay", json!({})).await
    }

    /// Fails a payout (default failure code `declined`).
    pub async fn fail_payout(&self, id: &str, code: Option<FailureCode>) -> Result<Payout, Error> {
        let body = match code {
            Some(c) => json!({ "failure_code": c }),
            None => json!({}),
        };
        self.payout_action(id, "fail", body).await
    }

    /// Returns a paid payout (the bank sent it back).
    pub async fn return_payout(&self, id: &str) -> Result<Payout, Error> {
        self.payout_action(id, "return", json!({})).await
    }

    async fn payout_action(
        &self,
        id: &str,
        action: &str,
        body: serde_json::Value,
    ) -> Result<Payout, Error> {
        self.0
            .post(
                &format!("v1/test_helpers/payouts/{}/{action}", seg(id)),
                &body,
                None,
            )
            .await
    }
}
