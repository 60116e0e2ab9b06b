//! The listener against hostile clients, over real sockets and real TLS: slow headers, slow
//! bodies, idle connections, too many connections, oversized header blocks, missing or doubled
//! `Host`, and lenient bodies. Each timeout is configured to about a second so the slow clients
//! are real timing bounded to a few seconds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};

/// How long a test waits for the server to close a connection its limits should close.
const CLOSE_DEADLINE: Duration = Duration::from_secs(6);

async fn connect(app: &TestApp) -> std::io::Result<TlsStream<TcpStream>> {
    connect_with_alpn(app, b"http/1.1").await
}

async fn connect_with_alpn(
    app: &TestApp,
    protocol: &[u8],
) -> std::io::Result<TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(app.ca_path()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![protocol.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(app.addr).await?;
    connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
}

/// Reads until the server closes the connection (or resets it), or `deadline` passes: what was
/// read, and whether the connection was closed.
async fn read_until_closed(tls: &mut TlsStream<TcpStream>, deadline: Duration) -> (String, bool) {
    let mut out = Vec::new();
    let closed = tokio::time::timeout(deadline, async {
        let mut buf = [0u8; 4096];
        loop {
            match tls.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

/// One HTTP/1.1 exchange on a fresh connection that the request asks to close.
async fn exchange(app: &TestApp, request: &[u8]) -> String {
    let mut tls = connect(app).await.unwrap();
    tls.write_all(request).await.unwrap();
    let (text, closed) = read_until_closed(&mut tls, CLOSE_DEADLINE).await;
    assert!(closed, "the server kept the connection: {text}");
    text
}

fn status_of(response: &str) -> &str {
    response.get(9..12).unwrap_or("")
}

fn error_code(response: &str) -> Value {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    // A chunked body carries its length first; the JSON starts at the first brace.
    let json = &body[body.find('{').unwrap_or(0)..body.rfind('}').map_or(0, |i| i + 1)];
    serde_json::from_str::<Value>(json).unwrap_or(Value::Null)["error"]["code"].clone()
}

async fn app_with_limits(customize: impl FnOnce(&mut anton_server::http::HttpConfig)) -> TestApp {
    spawn_app_with(Backend::Sqlite, |c| customize(&mut c.http), None).await
}

#[tokio::test]
async fn a_header_block_sent_slowly_is_cut_off_at_the_header_timeout() {
    let app = app_with_limits(|h| h.header_timeout_ms = 1_000).await;
    let mut tls = connect(&app).await.unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = tokio::io::split(tls);
    // One byte every 200 ms, as the attacker did every 5 s: the block never completes.
    let trickle = tokio::spawn(async move {
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(b"a").await.is_err() {
                return;
            }
        }
    });
    let mut buf = Vec::new();
    let read = tokio::time::timeout(CLOSE_DEADLINE, reader.read_to_end(&mut buf)).await;
    trickle.abort();
    assert!(read.is_ok(), "the connection stayed open past the deadline");
    assert!(
        !String::from_utf8_lossy(&buf).contains("200 OK"),
        "the slow request was served"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_at_the_idle_timeout() {
    let app = app_with_limits(|h| {
        h.idle_timeout_ms = 1_000;
        h.header_timeout_ms = 30_000;
    })
    .await;
    // Idle from the handshake on, and idle after a first request on a keep-alive connection.
    let mut fresh = connect(&app).await.unwrap();
    let (_, closed) = read_until_closed(&mut fresh, CLOSE_DEADLINE).await;
    assert!(closed, "an idle TLS connection stayed open");

    let mut used = connect(&app).await.unwrap();
    used.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let (text, closed) = read_until_closed(&mut used, CLOSE_DEADLINE).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(closed, "an idle keep-alive connection stayed open");

    // HTTP/2: the client preface and an empty SETTINGS frame, then nothing.
    let mut h2 = connect_with_alpn(&app, b"h2").await.unwrap();
    assert_eq!(h2.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let (_, closed) = read_until_closed(&mut h2, CLOSE_DEADLINE).await;
    assert!(closed, "an idle HTTP/2 connection stayed open");
}

#[tokio::test]
async fn http2_pings_alone_do_not_keep_a_connection_open() {
    let app = app_with_limits(|h| h.idle_timeout_ms = 1_000).await;
    let mut h2 = connect_with_alpn(&app, b"h2").await.unwrap();
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let (mut reader, mut writer) = tokio::io::split(h2);
    // A PING every 200 ms and never a request.
    let pings = tokio::spawn(async move {
        for i in 0u8..40 {
            let ping = [0, 0, 8, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i];
            if writer.write_all(&ping).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut buf = Vec::new();
    let read = tokio::time::timeout(CLOSE_DEADLINE, reader.read_to_end(&mut buf)).await;
    pings.abort();
    assert!(
        read.is_ok(),
        "a connection kept alive by PINGs alone stayed open"
    );
}

#[tokio::test]
async fn a_body_sent_slowly_gets_408_at_the_body_timeout() {
    let app = app_with_limits(|h| {
        h.body_timeout_ms = 1_000;
        h.idle_timeout_ms = 30_000;
    })
    .await;
    let mut tls = connect(&app).await.unwrap();
    let head = format!(
        "POST /v1/recipients HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{\"name\": ",
        app.key
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (text, closed) = read_until_closed(&mut tls, CLOSE_DEADLINE).await;
    assert_eq!(status_of(&text), "408", "{text}");
    assert_eq!(error_code(&text), "body_timeout");
    assert!(closed);
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_request_in_progress_is_not_cut_by_the_idle_or_header_timeouts() {
    let app = app_with_limits(|h| {
        h.idle_timeout_ms = 500;
        h.header_timeout_ms = 500;
        h.body_timeout_ms = 10_000;
    })
    .await;
    let body = json!({"name": "Slow but steady", "email": "steady@example.com",
        "bank_account": {"type": "us_ach", "routing_number": "110000000",
        "account_number": "000123456789", "account_type": "checking"}})
    .to_string();
    let mut tls = connect(&app).await.unwrap();
    let head = format!(
        "POST /v1/recipients HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.key,
        body.len()
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    // The body arrives in pieces 800 ms apart — each gap longer than both short timeouts, so
    // only the request being under way keeps the connection open.
    for piece in body.as_bytes().chunks(body.len().div_ceil(4)) {
        tokio::time::sleep(Duration::from_millis(800)).await;
        tls.write_all(piece).await.unwrap();
    }
    let (text, _) = read_until_closed(&mut tls, CLOSE_DEADLINE).await;
    assert_eq!(status_of(&text), "200", "{text}");
}

#[tokio::test]
async fn connections_beyond_the_per_address_limit_are_closed_before_the_handshake() {
    let app = app_with_limits(|h| h.max_connections_per_address = 3).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(connect(&app).await.expect("within the limit"));
    }
    assert!(
        connect(&app).await.is_err(),
        "a fourth connection from the address was served"
    );
    // A closed connection gives its slot back (the server notices the close asynchronously).
    drop(open.pop());
    let deadline = Instant::now() + CLOSE_DEADLINE;
    while connect(&app).await.is_err() {
        assert!(Instant::now() < deadline, "the slot never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn connections_beyond_the_node_limit_are_closed_before_the_handshake() {
    let app = app_with_limits(|h| {
        h.max_connections = 2;
        h.max_connections_per_address = 100;
    })
    .await;
    let _a = connect(&app).await.expect("within the limit");
    let _b = connect(&app).await.expect("within the limit");
    assert!(
        connect(&app).await.is_err(),
        "a third connection was served"
    );
}

#[tokio::test]
async fn an_oversized_http1_header_block_gets_431_and_an_unfinished_one_is_not_kept() {
    let app = spawn_app(Backend::Sqlite).await;
    let fits = format!(
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Pad: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(8 * 1024)
    );
    assert_eq!(status_of(&exchange(&app, fits.as_bytes()).await), "200");
    for size in [20 * 1024, 400 * 1024] {
        let big = format!(
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Pad: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(size)
        );
        let mut tls = connect(&app).await.unwrap();
        // The server may close before the whole block is written: a failed write is expected.
        let _ = tls.write_all(big.as_bytes()).await;
        let (text, closed) = read_until_closed(&mut tls, CLOSE_DEADLINE).await;
        assert_eq!(status_of(&text), "431", "{size} bytes: {text}");
        assert!(closed);
    }
    // An unfinished block larger than the cap is answered and closed, not buffered.
    let mut tls = connect(&app).await.unwrap();
    let _ = tls
        .write_all(format!("GET /healthz HTTP/1.1\r\nX-Pad: {}", "a".repeat(100 * 1024)).as_bytes())
        .await;
    let (text, closed) = read_until_closed(&mut tls, CLOSE_DEADLINE).await;
    assert_eq!(status_of(&text), "431", "{text}");
    assert!(closed, "an unfinished oversized block kept its connection");
}

#[tokio::test]
async fn http1_requests_need_exactly_one_host() {
    let app = spawn_app(Backend::Sqlite).await;
    let none = exchange(&app, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n").await;
    assert_eq!(status_of(&none), "400", "{none}");
    assert_eq!(error_code(&none), "host_invalid");
    let two = exchange(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status_of(&two), "400", "{two}");
    assert_eq!(error_code(&two), "host_invalid");
    let one = exchange(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status_of(&one), "200", "{one}");
}

#[tokio::test]
async fn bodies_must_be_utf8_json_without_duplicate_keys_at_any_depth() {
    let app = spawn_app(Backend::Sqlite).await;
    let fund = |content_type: Option<&str>| {
        let mut req = app
            .post("/v1/test_helpers/balance/fund", &app.key)
            .body(r#"{"amount": 100, "currency": "USD"}"#);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct.to_owned());
        }
        req.send()
    };
    for ct in [
        None,
        Some("text/plain"),
        Some("application/json; charset=utf-16"),
    ] {
        let resp = fund(ct).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"]["code"], "unsupported_content_type");
    }
    for ct in ["application/json", "application/json; charset=UTF-8"] {
        assert_eq!(
            fund(Some(ct)).await.unwrap().status(),
            StatusCode::OK,
            "{ct}"
        );
    }

    let recipient = app.create_recipient(&app.key, "6789").await;
    let doubled = format!(
        r#"{{"amount": 100, "currency": "USD", "recipient": "{}",
            "metadata": {{"order": "1", "order": "2"}}}}"#,
        recipient["id"].as_str().unwrap()
    );
    let resp = app
        .post("/v1/payouts", &app.key)
        .header("content-type", "application/json")
        .body(doubled)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "parameter_duplicated");
    // The object that holds the key twice (keys themselves are not echoed).
    assert_eq!(v["error"]["param"], "metadata");
    assert!(app.list_all(&app.key, "/v1/payouts", 100).await.is_empty());
}
