//! The SSRF guard (docs/reference.md §5.4): which destinations a webhook may be sent to.
//!
//! A URL is checked when an endpoint is created or changed, and again for every connection: the
//! dispatcher's HTTP transport resolves names through [`Guard::resolve`], which drops every
//! refused address, so the connection goes to an address that was checked (no DNS rebinding
//! between check and connect). IP-literal hosts never reach a resolver and are checked by
//! [`Guard::check_literal`]. The URL parser (WHATWG rules) turns decimal, hex and octal IPv4
//! spellings into the address they mean before the check.
//!
//! **An address is judged after every embedding is unwrapped.** An IPv6 address that stands for
//! an IPv4 one is judged as that IPv4 address: IPv4-mapped `::ffff:0:0/96`, IPv4-compatible
//! `::/96` (all of it, so `::` and `::1` are judged as `0.0.0.0` and `0.0.0.1`, and
//! `::0.0.1.1` as `0.0.1.1`), IPv4-translated `::ffff:0:0:0/96`, the NAT64 well-known prefix
//! `64:ff9b::/96`, and 6to4 `2002::/16` (the IPv4 address in bits 16..48).
//!
//! **Refused** (the tables `V4_BLOCKS` and `V6_BLOCKS` name each block's registry entry and RFC):
//!
//! - every block of the IANA IPv4 and IPv6 Special-Purpose Address Registries that is not
//!   globally reachable: IPv4 `0/8`, `10/8`, `100.64/10`, `127/8`, `169.254/16` (the metadata
//!   service), `172.16/12`, `192.0.0/24` (but for two anycast addresses, below), `192.0.2/24`,
//!   `192.168/16`, `198.18/15`, `198.51.100/24`, `203.0.113/24`, `255.255.255.255`; IPv6 the
//!   local-use NAT64 prefix `64:ff9b:1::/48` (whatever it embeds), discard-only `100::/64`, the
//!   dummy prefix `100:0:0:1::/64`, `2001::/23` (IETF protocol assignments, but for the globally
//!   reachable blocks inside it, below), `2001:db8::/32` and `3fff::/20` (documentation),
//!   `5f00::/16` (SRv6 SIDs), unique-local `fc00::/7`, link-local `fe80::/10`;
//! - the deprecated 6to4 relay anycast `192.88.99/24` (RFC 7526; no longer rated);
//! - Teredo `2001::/32`, whatever it embeds. The registry rates it "globally reachable: N/A";
//!   it lies in `2001::/23`, which is not; a Teredo address is reached through a relay and the
//!   client's NAT mapping (its IPv4 address is stored inverted), so it can lead anywhere the
//!   relay can; and no webhook receiver needs it;
//! - multicast (`224/4`, `ff00::/8`), reserved `240/4`, deprecated site-local `fec0::/10`, and
//!   every IPv6 address outside global unicast `2000::/3` that is not an embedding above (IANA
//!   IPv6 Address Space registry: reserved by the IETF; nothing there is routed);
//! - port 0 ([`Refusal::Port`]).
//!
//! **Allowed** among the special-purpose blocks, because the registries rate them globally
//! reachable: `192.0.0.9` (PCP anycast), `192.0.0.10` (TURN anycast), AS112 `192.31.196/24`,
//! `192.175.48/24`, `2001:4:112::/48`, `2620:4f:8000::/48`, AMT `192.52.193/24`, `2001:3::/32`,
//! `2001:1::1`, `2001:1::2`, `2001:1::3` (PCP, TURN, DNS-SD SRP anycast), ORCHIDv2
//! `2001:20::/28` and DETs `2001:30::/28`. The operator's `webhooks.allow_private` names
//! exceptions to all of this ([`Allowlist`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use ipnet::IpNet;
use url::Url;

use Reach::{Global, NotGlobal};

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

/// Whether `ip` is a public unicast address a webhook may be sent to (see the module docs).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    reach(V4_BLOCKS, u128::from(u32::from(ip)), 32) != Some(Reach::NotGlobal)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let bits = u128::from(ip);
    match reach(V6_BLOCKS, bits, 128) {
        Some(r) => r == Reach::Global,
        None => within(bits, &GLOBAL_UNICAST, 128),
    }
}

/// The IPv4 address an IPv6 address stands for, where it embeds one that it is judged by.
/// Teredo and the local-use NAT64 prefix embed one too, but are refused whatever it is.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let [.., a, b, c, d] = ip.octets();
    let last_32 = Ipv4Addr::new(a, b, c, d);
    match ip.segments() {
        // IPv4-compatible ::/96 (RFC 4291 §2.5.5.1, deprecated), `::` and `::1` included
        [0, 0, 0, 0, 0, 0, _, _]
        // IPv4-mapped ::ffff:0:0/96 (RFC 4291 §2.5.5.2)
        | [0, 0, 0, 0, 0, 0xffff, _, _]
        // IPv4-translated ::ffff:0:0:0/96 (RFC 2765 §2.1, SIIT)
        | [0, 0, 0, 0, 0xffff, 0, _, _]
        // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052 §2.1)
        | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(last_32),
        // 6to4 2002:V4ADDR::/48 (RFC 3056 §2)
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))),
        _ => None,
    }
}

/// What the registries say of a block, for a webhook destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// "Globally reachable: True": a destination like any public address.
    Global,
    /// Not globally reachable (or not rated, or not unicast): refused.
    NotGlobal,
}

/// One block of an address table: network address (as the bits of a 32- or 128-bit address),
/// prefix length in bits, and the verdict.
type Block = (u128, u8, Reach);

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8, reach: Reach) -> Block {
    (u32::from_be_bytes([a, b, c, d]) as u128, len, reach)
}

const fn v6(segments: [u16; 8], len: u8, reach: Reach) -> Block {
    let [a, b, c, d, e, f, g, h] = segments;
    (Ipv6Addr::new(a, b, c, d, e, f, g, h).to_bits(), len, reach)
}

/// IPv4: the IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry, 2025), then
/// multicast (RFC 5771) and reserved space (RFC 1112). The first entry holding an address
/// decides, so a globally reachable entry comes before the refused block around it.
const V4_BLOCKS: &[Block] = &[
    v4(0, 0, 0, 0, 8, NotGlobal), // "This network", RFC 791 (and 0.0.0.0/32, RFC 1122)
    v4(10, 0, 0, 0, 8, NotGlobal), // Private-Use, RFC 1918
    v4(100, 64, 0, 0, 10, NotGlobal), // Shared Address Space (CGNAT), RFC 6598
    v4(127, 0, 0, 0, 8, NotGlobal), // Loopback, RFC 1122
    v4(169, 254, 0, 0, 16, NotGlobal), // Link Local, RFC 3927 (169.254.169.254: metadata)
    v4(172, 16, 0, 0, 12, NotGlobal), // Private-Use, RFC 1918
    v4(192, 0, 0, 9, 32, Global), // Port Control Protocol Anycast, RFC 7723
    v4(192, 0, 0, 10, 32, Global), // Traversal Using Relays around NAT Anycast, RFC 8155
    // IETF Protocol Assignments, RFC 6890: IPv4 Service Continuity /29 (RFC 7335), dummy .8
    // (RFC 7600), NAT64/DNS64 Discovery .170 and .171 (RFC 8880), and the unassigned rest
    v4(192, 0, 0, 0, 24, NotGlobal),
    v4(192, 0, 2, 0, 24, NotGlobal), // Documentation (TEST-NET-1), RFC 5737
    v4(192, 31, 196, 0, 24, Global), // AS112-v4, RFC 7535
    v4(192, 52, 193, 0, 24, Global), // AMT, RFC 7450
    // Deprecated (6to4 Relay Anycast), RFC 7526, with the 6a44 relay anycast .2 (RFC 6751)
    v4(192, 88, 99, 0, 24, NotGlobal),
    v4(192, 168, 0, 0, 16, NotGlobal),     // Private-Use, RFC 1918
    v4(192, 175, 48, 0, 24, Global),       // Direct Delegation AS112 Service, RFC 7534
    v4(198, 18, 0, 0, 15, NotGlobal),      // Benchmarking, RFC 2544
    v4(198, 51, 100, 0, 24, NotGlobal),    // Documentation (TEST-NET-2), RFC 5737
    v4(203, 0, 113, 0, 24, NotGlobal),     // Documentation (TEST-NET-3), RFC 5737
    v4(224, 0, 0, 0, 4, NotGlobal),        // Multicast, RFC 5771
    v4(240, 0, 0, 0, 4, NotGlobal),        // Reserved, RFC 1112
    v4(255, 255, 255, 255, 32, NotGlobal), // Limited Broadcast, RFC 919 (inside 240/4)
];

/// IPv6: the IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry, 2025), less
/// the embeddings judged by their IPv4 address ([`embedded_v4`]: `::/128`, `::1/128`,
/// `::ffff:0:0/96`, `64:ff9b::/96`, `2002::/16`), plus what the IPv6 Address Space registry
/// keeps out of global unicast. First entry holding an address decides, as for IPv4.
const V6_BLOCKS: &[Block] = &[
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, NotGlobal), // IPv4-IPv6 Translat. (local), RFC 8215
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, NotGlobal),     // Discard-Only Address Block, RFC 6666
    v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64, NotGlobal),     // Dummy IPv6 Prefix, RFC 9780
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, NotGlobal),    // TEREDO, RFC 4380: rated N/A, refused
    v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128, Global),      // Port Control Protocol Anycast, RFC 7723
    v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128, Global),      // TURN Anycast, RFC 8155
    v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128, Global),      // DNS-SD SRP Anycast, RFC 9665
    v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48, NotGlobal),    // Benchmarking, RFC 5180
    v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32, Global),       // AMT, RFC 7450
    v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48, Global),   // AS112-v6, RFC 7535
    v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28, NotGlobal), // Deprecated (ORCHID), RFC 4843
    v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28, Global),    // ORCHIDv2, RFC 7343
    v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28, Global),    // Drone Remote ID DETs, RFC 9374
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, NotGlobal),    // IETF Protocol Assignments, RFC 2928
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, NotGlobal), // Documentation, RFC 3849
    v6([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0], 48, Global), // Direct Delegation AS112, RFC 7534
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, NotGlobal),    // Documentation, RFC 9637
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, NotGlobal),    // Segment Routing (SRv6) SIDs, RFC 9602
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, NotGlobal),     // Unique-Local, RFC 4193
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, NotGlobal),    // Link-Local Unicast, RFC 4291
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, NotGlobal),    // Site-local (deprecated), RFC 3879
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, NotGlobal),     // Multicast, RFC 4291
];

/// Global unicast `2000::/3` (RFC 4291 §2.4): the only IPv6 space IANA hands out; the rest is
/// reserved by the IETF and refused unless an embedding or [`V6_BLOCKS`] says otherwise.
const GLOBAL_UNICAST: Block = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3, Global);

/// The verdict of the first block of `table` holding the `width`-bit address `bits`.
fn reach(table: &[Block], bits: u128, width: u32) -> Option<Reach> {
    table
        .iter()
        .find(|block| within(bits, block, width))
        .map(|&(_, _, r)| r)
}

/// Whether the `width`-bit address `bits` lies in `block`.
fn within(bits: u128, &(net, len, _): &Block, width: u32) -> bool {
    let host_bits = width - u32::from(len);
    bits.checked_shr(host_bits).unwrap_or(0) == net.checked_shr(host_bits).unwrap_or(0)
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
    /// Port 0 names no service; some stacks take it as "any port" or reject it late.
    #[error("url's port must be between 1 and 65535")]
    Port,
}

/// The guard: allowlist plus name lookup.
#[derive(Clone)]
pub struct Guard {
    pub allow: Arc<Allowlist>,
    pub lookup: Arc<dyn NameLookup>,
}

impl Guard {
    /// Parses and checks an endpoint URL at creation: scheme, no credentials, a port other than 0,
    /// and every address the host resolves to must be public (or allowlisted).
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
        if url.port() == Some(0) {
            return Err(Refusal::Port);
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

    /// The connect-time check of a stored URL: its port, and an IP-literal host (names go through
    /// [`Guard::resolve`]).
    pub fn check_literal(&self, url: &Url) -> Result<(), Refusal> {
        if url.port() == Some(0) {
            return Err(Refusal::Port);
        }
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

    /// Public (true) or refused (false): an address in every registry block, at the edges of the
    /// refused ones, the embeddings, and the addresses the outside test got through (marked).
    const CASES: &[(&str, bool)] = &[
        // ordinary public addresses
        ("8.8.8.8", true),
        ("1.1.1.1", true),
        ("93.184.216.34", true),
        ("2606:4700::1111", true),
        ("2606:4700:4700::1111", true),
        ("2a00:1450:4001:80e::200e", true),
        // just outside refused IPv4 blocks
        ("1.0.0.1", true),
        ("9.255.255.255", true),
        ("11.0.0.0", true),
        ("100.63.255.255", true),
        ("100.128.0.0", true),
        ("126.255.255.255", true),
        ("128.0.0.0", true),
        ("169.253.255.255", true),
        ("169.255.0.0", true),
        ("172.15.255.255", true),
        ("172.32.0.0", true),
        ("192.0.1.0", true),
        ("192.0.3.0", true),
        ("192.88.98.255", true),
        ("192.88.100.0", true),
        ("192.167.255.255", true),
        ("192.169.0.0", true),
        ("198.17.255.255", true),
        ("198.20.0.0", true),
        ("198.51.99.255", true),
        ("203.0.112.255", true),
        ("223.255.255.255", true),
        // IPv4 special-purpose registry, not globally reachable
        ("0.0.0.0", false),
        ("0.1.2.3", false),
        ("0.255.255.255", false),
        ("10.0.0.1", false),
        ("10.255.255.255", false),
        ("100.64.0.1", false),
        ("100.127.255.255", false),
        ("127.0.0.1", false),
        ("127.255.255.254", false),
        ("169.254.169.254", false),
        ("169.254.0.1", false),
        ("172.16.0.1", false),
        ("172.31.255.255", false),
        ("192.0.0.0", false),
        ("192.0.0.1", false),
        ("192.0.0.8", false),
        ("192.0.0.11", false),
        ("192.0.0.170", false),
        ("192.0.0.171", false),
        ("192.0.0.255", false),
        ("192.0.2.1", false),
        ("192.88.99.1", false),
        ("192.88.99.2", false),
        ("192.168.0.1", false),
        ("192.168.255.255", false),
        ("198.18.0.1", false),
        ("198.19.255.255", false),
        ("198.51.100.1", false),
        ("203.0.113.1", false),
        ("224.0.0.1", false),
        ("233.252.0.1", false),
        ("239.255.255.255", false),
        ("240.0.0.1", false),
        ("255.255.255.254", false),
        ("255.255.255.255", false),
        // IPv4 special-purpose registry, globally reachable
        ("192.0.0.9", true),
        ("192.0.0.10", true),
        ("192.31.196.1", true),
        ("192.52.193.1", true),
        ("192.175.48.1", true),
        // IPv6 special-purpose registry, not globally reachable
        ("::", false),
        ("::1", false),
        ("64:ff9b:1::1", false),
        ("64:ff9b:1::808:808", false),
        ("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", false),
        ("100::", false),
        ("100::ffff:ffff:ffff:ffff", false),
        ("100:0:0:1::1", false),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false),
        ("2001:1::", false),
        ("2001:1::4", false),
        ("2001:2::1", false),
        ("2001:2:0:ffff::1", false),
        ("2001:5::1", false),
        ("2001:10::1", false),
        ("2001:40::1", false),
        ("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", false),
        ("2001:db8::1", false),
        ("2001:db8:ffff::1", false),
        ("3fff::1", false),
        ("3fff:fff:ffff::1", false),
        ("5f00::1", false),
        ("fc00::1", false),
        ("fd00:ec2::254", false),
        ("fe80::1", false),
        ("febf:ffff::1", false),
        ("fec0::1", false),
        ("feff::1", false),
        ("ff02::1", false),
        ("ff0e::1", false),
        // IPv6 special-purpose registry, globally reachable
        ("2001:1::1", true),
        ("2001:1::2", true),
        ("2001:1::3", true),
        ("2001:3::1", true),
        ("2001:4:112::1", true),
        ("2001:20::1", true),
        ("2001:2f:ffff::1", true),
        ("2001:30::1", true),
        ("2620:4f:8000::1", true),
        // IPv6 just outside refused blocks, and outside global unicast 2000::/3
        ("2001:200::1", true),
        ("2001:db9::1", true),
        ("3fff:1000::1", true),
        ("1::1", false),
        ("200::1", false),
        ("4000::1", false),
        ("5f00::", false),
        ("e000::1", false),
        ("64:ff9b:0:0:1::1", false),
        ("64:ff9a::808:808", false),
        // embeddings: judged by their IPv4 address
        ("::ffff:8.8.8.8", true),
        ("::ffff:127.0.0.1", false),
        ("::ffff:7f00:1", false),
        ("::ffff:10.0.0.1", false),
        ("::8.8.8.8", true),
        ("::127.0.0.1", false),
        ("::ffff:0:8.8.8.8", true),
        ("::ffff:0:10.0.0.1", false),
        ("64:ff9b::808:808", true),
        ("64:ff9b::8.8.8.8", true),
        ("64:ff9b::a9fe:a9fe", false),
        ("64:ff9b::127.0.0.1", false),
        ("64:ff9b::c000:9", true),
        ("2002:808:808::1", true),
        ("2002:5db8:d822:1::1", true),
        ("2002:7f00:1::", false),
        ("2002:a00:1::", false),
        ("2002:c058:6301::", false),
        ("2002:a9fe:a9fe::1", false),
        // the outside test's addresses
        ("::ffff:0:7f00:1", false),
        ("64:ff9b:1::7f00:1", false),
        ("64:ff9b:1:7f00:1::", false),
        ("2001:0:7f00:1::", false),
        ("100::1", false),
        ("::0.0.1.1", false),
    ];

    #[test]
    fn registry_blocks_embeddings_and_public_addresses() {
        for &(ip, public) in CASES {
            let addr: IpAddr = ip.parse().unwrap();
            assert_eq!(is_public(addr), public, "{ip}");
        }
    }

    /// Every entry is a network address of its length, and no earlier entry shadows it: its
    /// first and last addresses get its own verdict.
    #[test]
    fn table_entries_are_well_formed_and_reachable() {
        for (table, width) in [(V4_BLOCKS, 32), (V6_BLOCKS, 128)] {
            for &(net, len, verdict) in table {
                let host_bits = width - u32::from(len);
                let host_mask = u128::MAX.checked_shr(128 - host_bits).unwrap_or(0);
                assert!(u32::from(len) <= width, "{net:#x}/{len}");
                assert_eq!(net & host_mask, 0, "{net:#x}/{len} is a network address");
                assert_eq!(reach(table, net, width), Some(verdict), "{net:#x}/{len}");
                let last = net | host_mask;
                assert_eq!(reach(table, last, width), Some(verdict), "{net:#x}/{len}");
            }
        }
    }

    struct OneAnswer(IpAddr);

    impl NameLookup for OneAnswer {
        fn lookup(&self, _host: String) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>> {
            let ip = self.0;
            Box::pin(async move { Ok(vec![ip]) })
        }
    }

    fn guard() -> Guard {
        Guard {
            allow: Arc::new(Allowlist::default()),
            lookup: Arc::new(OneAnswer("93.184.216.34".parse().unwrap())),
        }
    }

    #[tokio::test]
    async fn port_zero_is_refused_at_creation_and_at_connect() {
        let g = guard();
        for raw in [
            "https://example.com:0/hook",
            "https://example.com:00/hook",
            "https://8.8.8.8:0/hook",
            "https://[2606:4700::1111]:0/hook",
        ] {
            assert_eq!(g.check_url(raw, true).await, Err(Refusal::Port), "{raw}");
            let url = Url::parse(raw).unwrap();
            assert_eq!(g.check_literal(&url), Err(Refusal::Port), "{raw}");
        }
        for raw in ["https://example.com/hook", "https://example.com:8443/hook"] {
            assert!(g.check_url(raw, true).await.is_ok(), "{raw}");
        }
    }

    #[tokio::test]
    async fn the_outside_tests_urls_are_refused() {
        let g = guard();
        for raw in [
            "https://[::ffff:0:7f00:1]/hook",
            "https://[64:ff9b:1::7f00:1]/hook",
            "https://[64:ff9b:1:7f00:1::]/hook",
            "https://[2001:0:7f00:1::]/hook",
            "https://[100::1]/hook",
            "https://[::0.0.1.1]/hook",
        ] {
            assert_eq!(
                g.check_url(raw, true).await,
                Err(Refusal::NotPublic),
                "{raw}"
            );
            let url = Url::parse(raw).unwrap();
            assert_eq!(g.check_literal(&url), Err(Refusal::NotPublic), "{raw}");
        }
    }
}
