//! HTTPS only: plaintext gets no HTTP response, TLS 1.1 is refused, 1.2 and 1.3 work, HSTS is set.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{spawn_app, Backend};

async fn read_some(stream: &mut (impl AsyncReadExt + Unpin)) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
        Ok(Ok(n)) => buf[..n].to_vec(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn plaintext_http_gets_no_http_response() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut tcp = TcpStream::connect(app.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let got = read_some(&mut tcp).await;
    assert!(
        !got.starts_with(b"HTTP/"),
        "plaintext got an HTTP response: {:?}",
        String::from_utf8_lossy(&got)
    );
}

#[tokio::test]
async fn a_tls_1_1_handshake_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    // A minimal TLS 1.1 ClientHello: legacy_version 0x0302, no supported_versions extension.
    let mut hello = vec![0x03, 0x02];
    hello.extend([7u8; 32]); // random
    hello.push(0); // session id
    hello.extend([0x00, 0x04, 0xc0, 0x13, 0x00, 0x2f]); // ECDHE-RSA-AES128-SHA, RSA-AES128-SHA
    hello.extend([0x01, 0x00]); // null compression
    let mut handshake = vec![0x01, 0x00, 0x00, hello.len() as u8];
    handshake.extend(hello);
    let mut record = vec![0x16, 0x03, 0x02, 0x00, handshake.len() as u8];
    record.extend(handshake);

    let mut tcp = TcpStream::connect(app.addr).await.unwrap();
    tcp.write_all(&record).await.unwrap();
    let got = read_some(&mut tcp).await;
    // Either an alert record (0x15) or a closed connection — never a ServerHello (0x16).
    assert!(
        got.is_empty() || got[0] == 0x15,
        "TLS 1.1 was answered with {got:?}"
    );
}

async fn handshake_with(
    app: &crate::helpers::TestApp,
    version: &'static rustls::SupportedProtocolVersion,
) -> String {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(app.ca_path()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(app.addr).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("handshake succeeds");
    assert_eq!(tls.get_ref().1.protocol_version(), Some(version.version));
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tls.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn tls_1_2_and_1_3_work_and_every_response_carries_hsts() {
    let app = spawn_app(Backend::Sqlite).await;
    for v in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let resp = handshake_with(&app, v).await;
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
        assert!(
            resp.to_ascii_lowercase()
                .contains("strict-transport-security: max-age="),
            "{resp}"
        );
        assert!(
            resp.to_ascii_lowercase().contains("request-id: req_"),
            "{resp}"
        );
    }
    // and on errors too
    let r = app.get("/v1/payouts", "nope").send().await.unwrap();
    assert!(r.headers().contains_key("strict-transport-security"));
}
