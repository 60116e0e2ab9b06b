//! TLS for the API listener: rustls, TLS 1.2 and 1.3 only (1.0/1.1 are not even compiled in).
//!
//! Without configured certificates, the first start generates into `<data_dir>/tls/`: a local CA
//! (`ca.pem`, key `ca.key`) and a server certificate for `localhost`, `127.0.0.1` and `::1`
//! (`server.pem`, `server.key`), in a directory of mode 0700, every file 0600 (see [`crate::private`]). Clients trust `ca.pem`
//! (`curl --cacert`); nothing ever disables verification.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsConfig;
use crate::secrets::write_private;

/// The loaded TLS settings, and where the generated CA is (if one was generated).
pub struct TlsMaterial {
    pub server_config: Arc<ServerConfig>,
    pub generated_ca: Option<PathBuf>,
}

/// Generates a CA and a server certificate for `names` (DNS names or IP addresses) into `dir`:
/// `ca.pem`, `ca.key`, `server.pem`, `server.key`. Used for the embedded default and by tests.
pub fn generate_local_ca(dir: &Path, names: &[&str]) -> anyhow::Result<()> {
    crate::private::create_directory(dir)?;
    let ca_key = KeyPair::generate().context("generating the CA key")?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Anton local development CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key)?;

    let server_key = KeyPair::generate().context("generating the server key")?;
    let mut server = CertificateParams::new(Vec::<String>::new())?;
    server.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("localhost"),
    );
    for name in names {
        server.subject_alt_names.push(match name.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName((*name).try_into().context("invalid DNS name")?),
        });
    }
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key)?;

    write_private(&dir.join("ca.pem"), ca_cert.pem().as_bytes())?;
    write_private(&dir.join("ca.key"), ca_key.serialize_pem().as_bytes())?;
    write_private(
        &dir.join("server.pem"),
        format!("{}{}", server_cert.pem(), ca_cert.pem()).as_bytes(),
    )?;
    write_private(
        &dir.join("server.key"),
        server_key.serialize_pem().as_bytes(),
    )?;
    Ok(())
}

/// A rustls server config with TLS 1.3 and 1.2 only, ALPN h2 and http/1.1.
pub fn server_config(cert_file: &Path, key_file: &Path) -> anyhow::Result<ServerConfig> {
    let certs = CertificateDer::pem_file_iter(cert_file)
        .with_context(|| format!("reading certificates from {}", cert_file.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing certificates in {}", cert_file.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{} holds no certificate", cert_file.display());
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .with_context(|| format!("reading the private key in {}", key_file.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and key do not match")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Uses the configured certificate, or the generated local one (creating it on first start).
pub fn load(data_dir: &Path, tls: &TlsConfig) -> anyhow::Result<TlsMaterial> {
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        return Ok(TlsMaterial {
            server_config: Arc::new(server_config(cert, key)?),
            generated_ca: None,
        });
    }
    let dir = data_dir.join("tls");
    if !dir.join("server.pem").exists() {
        generate_local_ca(&dir, &["localhost", "127.0.0.1", "::1"])?;
    }
    crate::private::check_tree(&dir)?;
    Ok(TlsMaterial {
        server_config: Arc::new(server_config(
            &dir.join("server.pem"),
            &dir.join("server.key"),
        )?),
        generated_ca: Some(dir.join("ca.pem")),
    })
}
