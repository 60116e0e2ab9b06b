//! The SSRF guard (DESIGN.md §5.4): which destinations a webhook may be sent to.
//!
//! A URL is checked when an endpoint is created or changed, and again for every connection: the
//! dispatcher's HTTP transport resolves names through [`Guard::resolve`], which drops every
//! refused address, so the connection goes to an address that was checked (no DNS rebinding
//! between check and connect). IP-literal hosts never reach a resolver and are checked by
//! [`Guard::check_literal`].
//!
//! Refused: loopback, private (RFC 1918), link-local (incl. the 169.254.169.254 metadata
//! service), CGNAT (100.64/10), `0.0.0.0/8`, broadcast, multicast, reserved (240/4), benchmark
//! (198.18/15), IPv6 unspecified/loopback/unique-local/link-local/site-local/multicast, and the
//! IPv4 forms embedded in IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64
//! `64:ff9b::/96`, 6to4 `2002::/16`) judged by their IPv4 address. The URL parser (WHATWG rules)
//! turns decimal, hex and octal IPv4 spellings into the address they mean before the check.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use ipnet::IpNet;
use url::Url;

/// Looks names up. The real one asks the system resolver; tests substitute their own answers.
pub trait NameLookup: Send + Sync + 'static {
    fn lookup(&self, host: String) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>>;
}

/// The system resolver (`getaddrinfo` through tokio).
pub struct SystemLookup;

impl NameLookup for SystemLookup {
    fn lookup(&self, host: String) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }
}

/// Operator exceptions: named private destinations (development, tests).
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

impl Allowlist {
    /// Entries are CIDRs (`10.1.0.0/16`), single addresses, or exact host names.
    pub fn new(entries: &[String]) -> Self {
        let mut a = Self::default();
        for e in entries {
            let e = e.trim();
            if let Ok(net) = e.parse::<IpNet>() {
                a.nets.push(net);
            } else if let Ok(ip) = e.parse::<IpAddr>() {
                a.nets.push(IpNet::from(ip));
            } else {
                a.hosts.push(e.to_ascii_lowercase());
            }
        }
        a
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h == &host.to_ascii_lowercase())
    }

    fn ip_allowed(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }
}

/// Whether `ip` is a public unicast address a webhook may be sent to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || a == 0
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 192 && b == 0 && ip.octets()[2] == 0))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || (s[0] == 0x2001 && s[1] == 0x0db8))
}

/// The IPv4 address an IPv6 address stands for, where it embeds one.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let o = ip.octets();
    let tail = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if s[..5] == [0, 0, 0, 0, 0] && (s[5] == 0xffff || s[5] == 0) && !ip.is_loopback() {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; :: and ::1 excluded above/below)
        if s[5] == 0 && s[6] == 0 {
            return None;
        }
        return Some(tail);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

/// Why a destination was refused (the API error's message; never includes resolved addresses).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("url must be an absolute http:// or https:// URL")]
    Malformed,
    #[error("live-mode endpoints must use https://")]
    NotHttps,
    #[error("url must not contain a user name or password")]
    Credentials,
    #[error("url points to a private, loopback, link-local or otherwise non-public address")]
    NotPublic,
    #[error("url's host name does not resolve")]
    Unresolvable,
}

/// The guard: allowlist plus name lookup.
#[derive(Clone)]
pub struct Guard {
    pub allow: Arc<Allowlist>,
    pub lookup: Arc<dyn NameLookup>,
}

impl Guard {
    /// Parses and checks an endpoint URL at creation: scheme, no credentials, and every address the
    /// host resolves to must be public (or allowlisted).
    pub async fn check_url(&self, raw: &str, require_https: bool) -> Result<Url, Refusal> {
        let url = Url::parse(raw.trim()).map_err(|_| Refusal::Malformed)?;
        match url.scheme() {
            "https" => {}
            "http" if !require_https => {}
            "http" => return Err(Refusal::NotHttps),
            _ => return Err(Refusal::Malformed),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Credentials);
        }
        match url.host() {
            None => Err(Refusal::Malformed),
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)).map(|()| url.clone()),
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)).map(|()| url.clone()),
            Some(url::Host::Domain(name)) => {
                if self.allow.host_allowed(name) {
                    return Ok(url.clone());
                }
                let ips = self
                    .lookup
                    .lookup(name.to_owned())
                    .await
                    .map_err(|_| Refusal::Unresolvable)?;
                if ips.is_empty() {
                    return Err(Refusal::Unresolvable);
                }
                for ip in ips {
                    self.check_ip(ip)?;
                }
                Ok(url.clone())
            }
        }
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), Refusal> {
        if is_public(ip) || self.allow.ip_allowed(ip) {
            Ok(())
        } else {
            Err(Refusal::NotPublic)
        }
    }

    /// The connect-time check of an IP-literal host (names go through [`Guard::resolve`]).
    pub fn check_literal(&self, url: &Url) -> Result<(), Refusal> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => Ok(()),
            None => Err(Refusal::Malformed),
        }
    }

    /// The connect-time resolution of a destination's name: the addresses it resolves to that
    /// the guard allows. An HTTP client connects only to what this returns; none allowed is
    /// [`DestinationRefused`] (as the error itself, so a client's error chain names it).
    pub async fn resolve(
        &self,
        host: String,
    ) -> Result<Vec<IpAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let named_ok = self.allow.host_allowed(&host);
        let allowed: Vec<IpAddr> = self
            .lookup
            .lookup(host)
            .await?
            .into_iter()
            .filter(|ip| named_ok || self.check_ip(*ip).is_ok())
            .collect();
        if allowed.is_empty() {
            return Err(Box::new(DestinationRefused));
        }
        Ok(allowed)
    }
}

/// The connect-time refusal, recognisable in the attempt log.
#[derive(Debug, thiserror::Error)]
#[error("destination refused by the SSRF guard")]
pub struct DestinationRefused;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_non_public_addresses() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "93.184.216.34",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} is not public");
        }
    }
}
