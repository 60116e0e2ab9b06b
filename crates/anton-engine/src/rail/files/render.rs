//! A file's text from its recorded items: the rail's identity, the cut-off, and per item the
//! payout's amount, reference and recipient. **Rendering is deterministic**: the same file
//! renders to the same bytes on any node at any time (its creation time is its cut-off), so a
//! file lost in a crash between sealing and the outbox is rendered again, identical, and the
//! outbox takes it as the same file.

use anton_core::bank::BankAccount;
use anton_rails::iso20022::pain001;
use anton_rails::nacha::write as nacha;
use jiff::Timestamp;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::config::{FileRail, Format, LineEnding, NachaIdentity, Pain001Identity};

/// One payout as its file needs it. `Debug` is left out: it holds the account.
pub struct Payable {
    pub reference: String,
    /// The trace sequence (NACHA): the reference's last 7 digits.
    pub sequence: u32,
    pub amount_minor: i64,
    pub name: String,
    pub account: BankAccount,
    pub description: Option<String>,
}

/// The default name of a rail's files (`file_name` in `[rails.*]`): `{currency}`, `{date}`
/// (YYYYMMDD) and `{time}` (HHMMSS) are the cut-off's, in the bank's time zone.
pub const DEFAULT_FILE_NAME: &str = "ANTON-{currency}-{date}-{time}";

/// The file's name: the rail's template filled in for `cutoff`, with `.ach` or `.xml` when the
/// template has no extension of its own. One file per rail and cut-off, so the name is unique.
pub fn file_name(rail: &FileRail, cutoff: Timestamp) -> String {
    let date = rail.schedule.local_date(cutoff);
    let time = rail.schedule.local_time(cutoff);
    fill_name(
        &rail.file_name,
        &rail.format,
        rail.currency.as_str(),
        &format!("{:04}{:02}{:02}", date.year(), date.month(), date.day()),
        &format!("{:02}{:02}{:02}", time.hour(), time.minute(), time.second()),
    )
}

fn fill_name(template: &str, format: &Format, currency: &str, date: &str, time: &str) -> String {
    let name = template
        .replace("{currency}", currency)
        .replace("{date}", date)
        .replace("{time}", time);
    if name.contains('.') {
        return name;
    }
    match format {
        Format::Nacha(_) => format!("{name}.ach"),
        Format::Pain001 { .. } => format!("{name}.xml"),
    }
}

/// Checks a `file_name` template for `format`: placeholders `{currency}`, `{date}` and `{time}`
/// (the last two required, so every cut-off's name differs), otherwise letters, digits, `-`,
/// `_` and `.`, not starting with `.` (a hidden name is a transfer in progress). A pain.001
/// file's name without its extension is its message id, so it keeps to the SEPA identifier
/// characters and 35 of them, and its extension, if any, is `.xml` (the bank's status reports
/// name the file by its message id). Returns a sample name.
pub fn check_file_name(template: &str, format: &Format) -> Result<String, String> {
    if !template.contains("{date}") || !template.contains("{time}") {
        return Err("must hold {date} and {time}, so each cut-off's file has its own name".into());
    }
    let literal = template
        .replace("{currency}", "")
        .replace("{date}", "")
        .replace("{time}", "");
    if let Some(c) = literal
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "holds {c:?}; names take letters, digits, '-', '_', '.' and the placeholders \
             {{currency}}, {{date}} and {{time}}"
        ));
    }
    let sample = fill_name(template, format, "USD", "20261207", "153000");
    if sample.starts_with('.') {
        return Err("must not start with '.' (a hidden name is a transfer in progress)".into());
    }
    if sample.len() > 100 {
        return Err("makes names over 100 characters".into());
    }
    if let Format::Pain001 { .. } = format {
        let (stem, ext) = sample.rsplit_once('.').unwrap_or((&sample, "xml"));
        if ext != "xml" {
            return Err("a pain.001 file's name ends in .xml (or has no extension)".into());
        }
        if stem.len() > 35 || stem.contains('_') || stem.contains('.') {
            return Err(
                "a pain.001 file's name without .xml is its message id: at most 35 letters, \
                 digits and '-'"
                    .into(),
            );
        }
    }
    Ok(sample)
}

/// The NACHA trace reference of sequence `n`: the ODFI's 8 digits and 7 of the sequence.
pub fn trace_reference(identity: &NachaIdentity, n: i64) -> String {
    format!("{}{:07}", identity.odfi, n.rem_euclid(10_000_000))
}

/// The ISO end-to-end reference of a payout: its id, with `-` for `_` (the SEPA character set
/// has no underscore).
pub fn end_to_end_reference(payout_id: &str) -> String {
    payout_id.replace('_', "-")
}

/// Renders `items` as the rail's file made at `cutoff`, named `name`, its entries effective on
/// `effective`. `file_number`: the file's place among the rail's files of that day (NACHA's
/// file id modifier). The file's creation time is the cut-off in the bank's zone.
pub fn render(
    rail: &FileRail,
    name: &str,
    cutoff: Timestamp,
    file_number: i64,
    effective: jiff::civil::Date,
    items: &[Payable],
) -> Result<String, String> {
    let created = to_offset(rail, cutoff);
    let effective = to_date(effective)?;
    match &rail.format {
        Format::Nacha(identity) => {
            nacha_file(identity, created, file_number, effective, items).map_err(|e| e.to_string())
        }
        Format::Pain001 { identity, scheme } => {
            let message_id = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            pain001_file(identity, scheme, message_id, created, effective, items)
                .map_err(|e| e.to_string())
        }
    }
}

/// The cut-off as a `time` value in the bank's zone (NACHA's header date and time are local).
fn to_offset(rail: &FileRail, t: Timestamp) -> OffsetDateTime {
    let offset = rail.schedule.offset_seconds(t);
    let utc =
        OffsetDateTime::from_unix_timestamp(t.as_second()).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    time::UtcOffset::from_whole_seconds(offset).map_or(utc, |o| utc.to_offset(o))
}

fn to_date(d: jiff::civil::Date) -> Result<Date, String> {
    let month = Month::try_from(u8::try_from(d.month()).unwrap_or(0)).map_err(|e| e.to_string())?;
    Date::from_calendar_date(
        i32::from(d.year()),
        month,
        u8::try_from(d.day()).unwrap_or(0),
    )
    .map_err(|e| e.to_string())
}

fn nacha_file(
    identity: &NachaIdentity,
    created: OffsetDateTime,
    file_number: i64,
    effective: Date,
    items: &[Payable],
) -> Result<String, nacha::WriteError> {
    let modifier = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        [usize::try_from(file_number.rem_euclid(36)).unwrap_or(0)] as char;
    let sec = if identity.sec.eq_ignore_ascii_case("ccd") {
        nacha::Sec::Ccd
    } else {
        nacha::Sec::Ppd
    };
    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        let BankAccount::UsAch {
            routing_number,
            account_number,
            account_type,
        } = &item.account
        else {
            return Err(nacha::WriteError::Range { field: "account" });
        };
        entries.push(nacha::Entry {
            account_kind: match account_type {
                anton_core::bank::AchAccountType::Savings => nacha::AccountKind::Savings,
                anton_core::bank::AchAccountType::Checking => nacha::AccountKind::Checking,
            },
            rdfi_routing: routing_number.clone(),
            account_number: account_number.clone(),
            amount_cents: u64::try_from(item.amount_minor).unwrap_or(0),
            identification: format!("{:07}", item.sequence),
            name: nacha::text(&item.name, 22).0,
            discretionary_data: String::new(),
            trace_sequence: item.sequence,
        });
    }
    let file = nacha::File {
        header: nacha::FileHeader {
            immediate_destination: identity.immediate_destination.clone(),
            immediate_origin: identity.immediate_origin.clone(),
            destination_name: identity.destination_name.clone(),
            origin_name: identity.origin_name.clone(),
            created: PrimitiveDateTime::new(
                created.date(),
                Time::from_hms(created.hour(), created.minute(), 0).unwrap_or(Time::MIDNIGHT),
            ),
            file_id_modifier: modifier,
            reference_code: String::new(),
        },
        batches: vec![nacha::Batch {
            company_name: identity.company_name.clone(),
            company_discretionary_data: String::new(),
            company_id: identity.company_id.clone(),
            sec,
            entry_description: identity.entry_description.clone(),
            descriptive_date: String::new(),
            effective_date: effective,
            odfi: identity.odfi.clone(),
            batch_number: 1,
            entries,
        }],
    };
    let text = nacha::render(&file)?;
    Ok(match identity.line_ending {
        LineEnding::Lf => text,
        LineEnding::Crlf => text.replace('\n', "\r\n"),
    })
}

fn pain001_file(
    identity: &Pain001Identity,
    scheme: &pain001::Scheme,
    message_id: &str,
    created: OffsetDateTime,
    effective: Date,
    items: &[Payable],
) -> Result<String, pain001::WriteError> {
    let agent = match (&identity.debtor_bic, &identity.debtor_sort_code) {
        (Some(bic), _) => pain001::Agent::Bic(bic.clone()),
        (None, Some(sort_code)) => pain001::Agent::SortCode(sort_code.clone()),
        (None, None) => pain001::Agent::Bic(String::new()),
    };
    let mut transfers = Vec::with_capacity(items.len());
    for item in items {
        let creditor_account = match &item.account {
            BankAccount::Iban { iban, bic, .. } => pain001::CreditorAccount::Iban {
                iban: iban.clone(),
                bic: bic.clone(),
            },
            BankAccount::GbFps {
                sort_code,
                account_number,
            } => pain001::CreditorAccount::SortCodeAccount {
                sort_code: sort_code.clone(),
                account_number: account_number.clone(),
            },
            BankAccount::UsAch { .. } => pain001::CreditorAccount::Iban {
                iban: String::new(),
                bic: None,
            },
        };
        let name = pain001::text(&item.name, pain001::NAME_MAX).0;
        transfers.push(pain001::Transfer {
            instruction_id: item.reference.clone(),
            end_to_end_id: item.reference.clone(),
            amount_minor: item.amount_minor,
            creditor_name: if name.is_empty() {
                "Recipient".into()
            } else {
                name
            },
            creditor_account,
            remittance: item
                .description
                .as_deref()
                .map(|d| pain001::text(d, pain001::REMITTANCE_MAX).0)
                .filter(|d| !d.is_empty()),
        });
    }
    let file = pain001::Initiation {
        message_id: message_id.to_owned(),
        created_at: created,
        initiating_party_name: identity.initiating_party_name.clone(),
        initiating_party_id: identity.initiating_party_id.clone(),
        batches: vec![pain001::Batch {
            id: format!("{message_id}-1"),
            scheme: scheme.clone(),
            batch_booking: identity.batch_booking,
            requested_execution_date: effective,
            debtor: pain001::Debtor {
                name: identity.debtor_name.clone(),
                iban: identity.debtor_iban.clone(),
                agent,
            },
            transfers,
        }],
    };
    pain001::render(&file)
}

/// Whether `identity` makes a valid NACHA file (a one-entry sample), else the key and why.
pub fn check_nacha(identity: &NachaIdentity) -> Result<(), (&'static str, String)> {
    if !["ppd", "ccd"].contains(&identity.sec.to_ascii_lowercase().as_str()) {
        return Err(("nacha.sec", "must be ppd or ccd".into()));
    }
    let sample = sample(BankAccount::parse_us_ach(
        "011000015",
        "12345678",
        "checking",
    ));
    nacha_file(
        identity,
        OffsetDateTime::UNIX_EPOCH,
        0,
        sample_date(),
        &sample,
    )
    .map(|_| ())
    .map_err(|e| ("nacha", e.to_string()))
}

/// Whether `identity` makes a valid `pain.001` file for `scheme` (a one-transfer sample) with
/// `message_id`.
pub fn check_pain001(
    identity: &Pain001Identity,
    scheme: &pain001::Scheme,
    message_id: &str,
) -> Result<(), String> {
    if identity.debtor_bic.is_none() && identity.debtor_sort_code.is_none() {
        return Err("needs debtor_bic (or, for GBP, debtor_sort_code)".into());
    }
    let account = match scheme {
        pain001::Scheme::Sepa => BankAccount::parse_iban("DE89370400440532013000", None),
        pain001::Scheme::Uk { .. } => BankAccount::parse_gb_fps("200000", "55779911"),
    };
    pain001_file(
        identity,
        scheme,
        message_id,
        OffsetDateTime::UNIX_EPOCH,
        sample_date(),
        &sample(account),
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

fn sample(account: Result<BankAccount, anton_core::bank::BankAccountError>) -> Vec<Payable> {
    account
        .map(|account| Payable {
            reference: "po-check".into(),
            sequence: 1,
            amount_minor: 1,
            name: "Check".into(),
            account,
            description: None,
        })
        .into_iter()
        .collect()
}

fn sample_date() -> Date {
    Date::from_calendar_date(2026, Month::January, 2).unwrap_or(Date::MIN)
}
