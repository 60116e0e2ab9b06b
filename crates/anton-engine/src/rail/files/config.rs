//! A live rail's configuration (`[rails.usd]`, `[rails.eur]`, `[rails.gbp]` in `anton.toml`;
//! docs/live-payouts.md), checked into a [`FileRail`] at start: a value the bank would refuse
//! (an identity that does not fit the file, a bad IBAN) stops the node with its key's name,
//! never a file at the first cut-off.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anton_core::money::Currency;
use anton_rails::iso20022::pain001;
use serde::{Deserialize, Serialize};

use super::exchange::{Exchange, Transport};
use super::schedule::{Schedule, ScheduleError};
use super::sftp::{self, SftpConfig};

/// One rail as configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRailConfig {
    /// The bank's time zone, an IANA name (e.g. `America/New_York`, `Europe/Berlin`).
    pub time_zone: String,
    /// Cut-off times, `HH:MM` in `time_zone`, on business days.
    pub cutoffs: Vec<String>,
    /// Bank holidays (`YYYY-MM-DD`): no cut-off, and not a business day.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// The days the bank works: `mon` … `sun` (default Monday to Friday).
    #[serde(default = "weekdays")]
    pub business_days: Vec<String>,
    /// Business days from a cut-off to the entries' effective (value) date.
    #[serde(default = "one")]
    pub effective_days: u8,
    /// Business days after the effective date during which an ACH return still fails the
    /// payout; after them a payout with no return is paid.
    #[serde(default = "two")]
    pub settlement_days: u8,
    /// Where Anton puts its files for the bank: a directory on the node, or with `sftp` one
    /// on the bank's server.
    pub outbox: PathBuf,
    /// Where the bank's answers arrive (a directory, as `outbox`).
    pub inbox: PathBuf,
    /// The bank's SFTP server, when the outbox and inbox are there.
    #[serde(default)]
    pub sftp: Option<SftpConfig>,
    /// Read an inbox file only once two looks in a row list it with the same size and
    /// modification time: for a bank that writes its answers in place rather than under
    /// another name first (default false: read as soon as listed).
    #[serde(default)]
    pub inbox_stable_looks: bool,
    /// How the rail's files are named, as the bank asks: `{currency}`, `{date}` (YYYYMMDD)
    /// and `{time}` (HHMMSS) of the cut-off in the bank's zone (default
    /// `ANTON-{currency}-{date}-{time}`, `.ach` or `.xml` added when it has no extension).
    #[serde(default)]
    pub file_name: Option<String>,
    /// The originator's identity for NACHA files (`usd`).
    #[serde(default)]
    pub nacha: Option<NachaIdentity>,
    /// The debtor's identity for `pain.001` files (`eur`, `gbp`).
    #[serde(default)]
    pub pain001: Option<Pain001Identity>,
    /// How often the worker looks at the rail (cut-off due, inbox, settlement), 100–60000 ms.
    #[serde(default = "poll")]
    pub poll_interval_ms: u64,
    /// Payouts moved per write job while a cut-off's file is built (1–5000): a big cut-off is
    /// several short transactions rather than one long one.
    #[serde(default = "per_job")]
    pub payouts_per_job: i64,
}

fn weekdays() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .map(String::from)
        .to_vec()
}

fn poll() -> u64 {
    5_000
}

fn per_job() -> i64 {
    500
}

fn one() -> u8 {
    1
}

fn two() -> u8 {
    2
}

/// What the bank assigns an ACH originator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NachaIdentity {
    /// The routing number the file goes to (9 digits).
    pub immediate_destination: String,
    /// The originator's id at the bank (up to 10 characters, often a space and 9 digits).
    pub immediate_origin: String,
    pub destination_name: String,
    pub origin_name: String,
    /// The company name and id on the recipients' statements.
    pub company_name: String,
    pub company_id: String,
    /// The originating bank's routing number without its check digit (8 digits).
    pub odfi: String,
    /// `PAYOUT` unless the bank or the operator wants other words.
    #[serde(default = "payout")]
    pub entry_description: String,
    /// `ppd` (people; default) or `ccd` (companies).
    #[serde(default = "ppd")]
    pub sec: String,
    /// How each record ends: `lf` (default) or `crlf`, as the bank asks.
    #[serde(default)]
    pub line_ending: LineEnding,
}

/// The end of a NACHA record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    #[default]
    Lf,
    Crlf,
}

fn payout() -> String {
    "PAYOUT".into()
}

fn ppd() -> String {
    "ppd".into()
}

/// The operator's account the credit transfers leave from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pain001Identity {
    pub initiating_party_name: String,
    /// The customer id the bank gave the operator, when it wants one in the file.
    #[serde(default)]
    pub initiating_party_id: Option<String>,
    pub debtor_name: String,
    pub debtor_iban: String,
    /// The debtor bank's BIC, or (UK) its sort code.
    #[serde(default)]
    pub debtor_bic: Option<String>,
    #[serde(default)]
    pub debtor_sort_code: Option<String>,
    /// One debit of each batch's sum on the statement (default true).
    #[serde(default = "yes")]
    pub batch_booking: bool,
    /// GBP: the service level and local instrument codes the bank asks for, if any.
    #[serde(default)]
    pub service_level: Option<String>,
    #[serde(default)]
    pub local_instrument: Option<String>,
}

fn yes() -> bool {
    true
}

/// The file format of a rail, with its identity.
#[derive(Debug, Clone)]
pub enum Format {
    Nacha(NachaIdentity),
    Pain001 {
        identity: Pain001Identity,
        scheme: pain001::Scheme,
    },
}

/// A rail ready to run.
#[derive(Debug, Clone)]
pub struct FileRail {
    pub currency: Currency,
    pub schedule: Schedule,
    pub format: Format,
    /// The file name template (`file_name`, checked).
    pub file_name: String,
    /// `inbox_stable_looks`.
    pub inbox_stable_looks: bool,
    pub exchange: Exchange,
    pub poll: std::time::Duration,
    pub payouts_per_job: i64,
}

impl FileRail {
    /// The rail's key: its currency, lower case (`usd`).
    pub fn key(&self) -> String {
        self.currency.as_str().to_ascii_lowercase()
    }
}

/// The largest amount (minor units) one payout may have on `rail`: a NACHA entry's amount field
/// holds 10 digits (99,999,999.99); ISO amounts are far larger than any balance.
pub fn max_amount_minor(rail: &FileRail) -> i64 {
    match rail.format {
        Format::Nacha(_) => 9_999_999_999,
        Format::Pain001 { .. } => i64::MAX,
    }
}

/// Why a rail's configuration was refused; the message names the key.
#[derive(Debug, thiserror::Error)]
pub enum RailConfigError {
    #[error("rails.{0}: Anton has no file rail for this currency (usd, eur and gbp do)")]
    Currency(String),
    #[error("rails.{rail}: {error}")]
    Schedule { rail: String, error: ScheduleError },
    #[error("rails.{rail}: needs a [{section}] section: {why}")]
    Missing {
        rail: String,
        section: &'static str,
        why: &'static str,
    },
    #[error("rails.{rail}.{key}: {why}")]
    Value {
        rail: String,
        key: &'static str,
        why: String,
    },
}

/// Checks every configured rail (keys are currencies, lower case).
pub fn check_all(
    rails: &BTreeMap<String, FileRailConfig>,
) -> Result<Vec<FileRail>, RailConfigError> {
    rails.iter().map(|(key, c)| check(key, c)).collect()
}

fn check(key: &str, c: &FileRailConfig) -> Result<FileRail, RailConfigError> {
    let currency = match key {
        "usd" => Currency::Usd,
        "eur" => Currency::Eur,
        "gbp" => Currency::Gbp,
        _ => return Err(RailConfigError::Currency(key.to_owned())),
    };
    let schedule = Schedule::with_weekdays(
        &c.time_zone,
        &c.cutoffs,
        &c.holidays,
        &c.business_days,
        c.effective_days,
        c.settlement_days,
    )
    .map_err(|error| RailConfigError::Schedule {
        rail: key.to_owned(),
        error,
    })?;
    let format = match currency {
        Currency::Usd => {
            let identity = c.nacha.clone().ok_or(RailConfigError::Missing {
                rail: key.to_owned(),
                section: "nacha",
                why: "US ACH payouts go in NACHA files",
            })?;
            super::render::check_nacha(&identity).map_err(|(k, why)| RailConfigError::Value {
                rail: key.to_owned(),
                key: k,
                why,
            })?;
            Format::Nacha(identity)
        }
        Currency::Eur | Currency::Gbp => {
            let identity = c.pain001.clone().ok_or(RailConfigError::Missing {
                rail: key.to_owned(),
                section: "pain001",
                why: "SEPA and UK payouts go in pain.001 files",
            })?;
            let scheme = if currency == Currency::Eur {
                pain001::Scheme::Sepa
            } else {
                pain001::Scheme::Uk {
                    service_level: identity.service_level.clone(),
                    local_instrument: identity.local_instrument.clone(),
                }
            };
            let template = c
                .file_name
                .as_deref()
                .unwrap_or(super::render::DEFAULT_FILE_NAME);
            let sample = super::render::check_file_name(
                template,
                &Format::Pain001 {
                    identity: identity.clone(),
                    scheme: scheme.clone(),
                },
            )
            .map_err(|why| RailConfigError::Value {
                rail: key.to_owned(),
                key: "file_name",
                why,
            })?;
            let message_id = sample.strip_suffix(".xml").unwrap_or(&sample);
            super::render::check_pain001(&identity, &scheme, message_id).map_err(|why| {
                RailConfigError::Value {
                    rail: key.to_owned(),
                    key: "pain001",
                    why,
                }
            })?;
            Format::Pain001 { identity, scheme }
        }
    };
    if !(100..=60_000).contains(&c.poll_interval_ms) {
        return Err(RailConfigError::Value {
            rail: key.to_owned(),
            key: "poll_interval_ms",
            why: "must be 100 to 60000".into(),
        });
    }
    if !(1..=5_000).contains(&c.payouts_per_job) {
        return Err(RailConfigError::Value {
            rail: key.to_owned(),
            key: "payouts_per_job",
            why: "must be 1 to 5000".into(),
        });
    }
    let transport = match &c.sftp {
        None => Transport::Local,
        Some(server) => Transport::Sftp(std::sync::Arc::new(sftp::check(server).map_err(
            |(k, why)| RailConfigError::Value {
                rail: key.to_owned(),
                key: k,
                why,
            },
        )?)),
    };
    let file_name = c
        .file_name
        .clone()
        .unwrap_or_else(|| super::render::DEFAULT_FILE_NAME.to_owned());
    super::render::check_file_name(&file_name, &format).map_err(|why| RailConfigError::Value {
        rail: key.to_owned(),
        key: "file_name",
        why,
    })?;
    Ok(FileRail {
        currency,
        schedule,
        format,
        file_name,
        inbox_stable_looks: c.inbox_stable_looks,
        exchange: Exchange {
            transport,
            outbox: c.outbox.clone(),
            inbox: c.inbox.clone(),
        },
        poll: std::time::Duration::from_millis(c.poll_interval_ms),
        payouts_per_job: c.payouts_per_job,
    })
}
