//! The merchant portal: accounts, sessions and pages over HTTPS (`accounts`, with a plain HTTP
//! client that keeps its own cookies, on both backends) and in real headless Chromium
//! (`journey`, through `browser`, the WebDriver harness).
//!
//! Members join as people do: the operator's `anton members invite` prints the link, the
//! invitation page shows the TOTP key, and codes are computed from it with `totp-rs` as an
//! authenticator app would.

pub(crate) mod accounts;
pub mod browser;
mod journey;
mod keys;
mod pages;
mod self_service;
mod team;

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Response, StatusCode};

use crate::helpers::TestApp;

/// A password zxcvbn rates strong, for every member the tests make.
pub const PASSWORD: &str = "plinth marmot quasar 1987 lantern";

/// The code an authenticator app enrolled with `secret` (base32) shows at `at_s`.
pub fn code_at(secret: &str, at_s: u64) -> String {
    let secret = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("base32 TOTP key");
    let totp = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        None,
        "test".into(),
    );
    totp.generate(at_s)
}

pub fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The invitation link `anton members invite` prints (the portal's public URL set to the
/// test node's).
pub fn invite(app: &TestApp, email: &str, role: &str) -> String {
    let out = app.operator_cli_env(
        "ops",
        &[
            "members",
            "invite",
            "--json",
            "--merchant",
            app.merchant.as_str(),
            "--email",
            email,
            "--role",
            role,
        ],
        &[("ANTON_PORTAL__PUBLIC_URL", &app.base)],
    );
    assert!(
        out.status.success(),
        "anton members invite failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    let link = v["link"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&format!("{}/invitations/", app.base)),
        "{link}"
    );
    link
}

/// A member who joined: what they chose and were given.
pub struct Joined {
    pub email: String,
    /// The TOTP key (base32), as the invitation page showed it.
    pub secret: String,
    pub recovery_codes: Vec<String>,
    /// The TOTP step the enrolment spent; a sign-in uses a later one.
    pub enrolled_at_s: u64,
}

impl Joined {
    /// A code the portal accepts now, once: the next step's (the skew allows one step ahead),
    /// never the one enrolment spent.
    pub fn fresh_code(&self) -> String {
        code_at(&self.secret, now_s().max(self.enrolled_at_s) + 30)
    }
}

/// The value of the form field `name` (`<input … name="NAME" value="…">`) in `html`.
pub fn field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The text of the element with id `id` (no nested tags).
pub fn text_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[at..];
    let rest = &rest[rest.find('>')? + 1..];
    Some(rest[..rest.find('<')?].to_owned())
}

/// A browser without a browser: an HTTPS client that follows no redirect and keeps the
/// cookies the portal sets.
pub struct Visitor {
    client: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

impl Visitor {
    pub fn new(app: &TestApp) -> Self {
        Self::from_address(app, std::net::Ipv4Addr::LOCALHOST)
    }

    /// A visitor whose connections come from `address` (any of 127.0.0.0/8 reaches the node
    /// on loopback): another client address, as the sign-in throttle sees it.
    pub fn from_address(app: &TestApp, address: std::net::Ipv4Addr) -> Self {
        let ca = std::fs::read(app.ca_path()).unwrap();
        Self {
            client: reqwest::Client::builder()
                .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
                .redirect(reqwest::redirect::Policy::none())
                .local_address(std::net::IpAddr::V4(address))
                .build()
                .unwrap(),
            base: app.base.clone(),
            cookies: BTreeMap::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, res: &Response) {
        for v in res.headers().get_all(SET_COOKIE) {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_owned()).unwrap();
            let removal = c.max_age().is_some_and(|a| a.is_zero()) || c.value().is_empty();
            if removal {
                self.cookies.remove(c.name());
            } else {
                self.cookies
                    .insert(c.name().to_owned(), c.value().to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let res = self
            .client
            .get(self.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&res);
        res
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let res = self
            .client
            .post(self.url(path))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&res);
        res
    }

    /// GETs `path` and returns its body, asserting `status`.
    pub async fn page(&mut self, path: &str, status: StatusCode) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), status, "GET {path}");
        res.text().await.unwrap()
    }

    /// The session cookie's value, if the visitor holds one.
    pub fn session(&self) -> Option<String> {
        self.cookies.get("__Host-anton_session").cloned()
    }

    /// Signs in; the answer as it came.
    pub async fn sign_in(&mut self, email: &str, password: &str, code: &str) -> Response {
        let page = self.page("/login", StatusCode::OK).await;
        let csrf = field(&page, "csrf").expect("the sign-in form's CSRF field");
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("code", code),
            ],
        )
        .await
    }
}

/// Invites `email` as `role` and joins through the invitation page, as a person would.
pub async fn join(app: &TestApp, email: &str, role: &str) -> Joined {
    let link = invite(app, email, role);
    let mut v = Visitor::new(app);
    let page = v.page(&link, StatusCode::OK).await;
    let secret = text_of(&page, "totp-secret").expect("the TOTP key on the page");
    let csrf = field(&page, "csrf").unwrap();
    let at = now_s();
    let res = v
        .post(
            &link,
            &[
                ("csrf", &csrf),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("code", &code_at(&secret, at)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    let codes: Vec<String> = page
        .split("<li>")
        .skip(1)
        .filter_map(|s| s.split("</li>").next())
        .filter(|s| s.len() == 11 && s.as_bytes()[5] == b'-')
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes shown: {page}");
    Joined {
        email: email.to_owned(),
        secret,
        recovery_codes: codes,
        enrolled_at_s: at,
    }
}
