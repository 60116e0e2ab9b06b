//! The rules a file must keep before the writer renders it: the schema's lengths and patterns,
//! the SEPA character set and identifier rules, the account kinds each scheme pays, and unique
//! batch and end-to-end ids. Each refusal names its element's path.

use std::collections::HashSet;

use super::{
    sepa_char, valid_iban, Agent, Batch, CreditorAccount, Initiation, Problem, Scheme, Transfer,
    WriteError, ID_MAX, NAME_MAX, REMITTANCE_MAX, TOTAL_DIGITS_MAX,
};

pub(super) fn check(file: &Initiation) -> Result<(), WriteError> {
    id("GrpHdr/MsgId", &file.message_id)?;
    free_text("GrpHdr/InitgPty/Nm", &file.initiating_party_name, NAME_MAX)?;
    if let Some(party_id) = &file.initiating_party_id {
        id("GrpHdr/InitgPty/Id/OrgId/Othr/Id", party_id)?;
    }
    if file.batches.is_empty() {
        return Err(WriteError::NoBatches);
    }
    let mut batch_ids = HashSet::new();
    let mut end_to_end_ids = HashSet::new();
    for (i, batch) in file.batches.iter().enumerate() {
        let path = format!("PmtInf[{}]", i + 1);
        check_batch(&path, batch)?;
        if !batch_ids.insert(batch.id.as_str()) {
            return Err(WriteError::DuplicateBatch(batch.id.clone()));
        }
        for (j, transfer) in batch.transfers.iter().enumerate() {
            let path = format!("{path}/CdtTrfTxInf[{}]", j + 1);
            check_transfer(&path, &batch.scheme, transfer)?;
            if !end_to_end_ids.insert(transfer.end_to_end_id.as_str()) {
                return Err(WriteError::DuplicateEndToEnd(
                    transfer.end_to_end_id.clone(),
                ));
            }
        }
    }
    Ok(())
}

fn check_batch(path: &str, batch: &Batch) -> Result<(), WriteError> {
    id(&format!("{path}/PmtInfId"), &batch.id)?;
    if batch.transfers.is_empty() {
        return Err(WriteError::EmptyBatch(batch.id.clone()));
    }
    if let Scheme::Uk {
        service_level,
        local_instrument,
    } = &batch.scheme
    {
        if let Some(code) = service_level {
            // ExternalServiceLevel1Code: 1–4 characters; a pound transfer is never SEPA.
            let at = format!("{path}/PmtTpInf/SvcLvl/Cd");
            code_text(&at, code, 4)?;
            if code == "SEPA" {
                return Err(field(at, Problem::UkNotSepa));
            }
        }
        if let Some(code) = local_instrument {
            code_text(&format!("{path}/PmtTpInf/LclInstrm/Prtry"), code, ID_MAX)?;
        }
    }
    free_text(&format!("{path}/Dbtr/Nm"), &batch.debtor.name, NAME_MAX)?;
    if !valid_iban(&batch.debtor.iban) {
        return Err(field(format!("{path}/DbtrAcct/Id/IBAN"), Problem::Iban));
    }
    agent(&format!("{path}/DbtrAgt/FinInstnId"), &batch.debtor.agent)
}

fn check_transfer(path: &str, scheme: &Scheme, t: &Transfer) -> Result<(), WriteError> {
    id(&format!("{path}/PmtId/InstrId"), &t.instruction_id)?;
    id(&format!("{path}/PmtId/EndToEndId"), &t.end_to_end_id)?;
    let digits = t.amount_minor.max(0).to_string().len().max(3);
    if t.amount_minor <= 0 || digits > TOTAL_DIGITS_MAX {
        return Err(field(format!("{path}/Amt/InstdAmt"), Problem::Amount));
    }
    free_text(&format!("{path}/Cdtr/Nm"), &t.creditor_name, NAME_MAX)?;
    if let Some(remittance) = &t.remittance {
        free_text(&format!("{path}/RmtInf/Ustrd"), remittance, REMITTANCE_MAX)?;
    }
    let account = format!("{path}/CdtrAcct/Id");
    match (&t.creditor_account, scheme) {
        (CreditorAccount::Iban { iban, bic }, _) => {
            if !valid_iban(iban) {
                return Err(field(format!("{account}/IBAN"), Problem::Iban));
            }
            if matches!(scheme, Scheme::Uk { .. }) && !iban.starts_with("GB") {
                return Err(field(format!("{account}/IBAN"), Problem::UkNeedsGb));
            }
            if let Some(bic) = bic {
                agent(
                    &format!("{path}/CdtrAgt/FinInstnId"),
                    &Agent::Bic(bic.clone()),
                )?;
            }
        }
        (CreditorAccount::SortCodeAccount { .. }, Scheme::Sepa) => {
            return Err(field(account, Problem::SepaNeedsIban));
        }
        (
            CreditorAccount::SortCodeAccount {
                sort_code,
                account_number,
            },
            Scheme::Uk { .. },
        ) => {
            agent(
                &format!("{path}/CdtrAgt/FinInstnId"),
                &Agent::SortCode(sort_code.clone()),
            )?;
            if account_number.len() != 8 || !account_number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(field(format!("{account}/Othr/Id"), Problem::AccountNumber));
            }
        }
    }
    Ok(())
}

fn agent(path: &str, agent: &Agent) -> Result<(), WriteError> {
    match agent {
        Agent::Bic(bic) if !valid_bic(bic) => Err(field(format!("{path}/BICFI"), Problem::Bic)),
        Agent::SortCode(code) if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) => {
            Err(field(
                format!("{path}/ClrSysMmbId/MmbId"),
                Problem::SortCode,
            ))
        }
        _ => Ok(()),
    }
}

/// The schema's BIC pattern: `[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?`.
fn valid_bic(bic: &str) -> bool {
    let b = bic.as_bytes();
    let upper_alnum = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    (b.len() == 8 || b.len() == 11)
        && b[..4].iter().all(upper_alnum)
        && b[4..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(upper_alnum)
}

/// An identifier: 1–35 SEPA characters, no leading or trailing `/`, no `//`.
fn id(path: &str, value: &str) -> Result<(), WriteError> {
    code_text(path, value, ID_MAX)?;
    if value.starts_with('/') || value.ends_with('/') || value.contains("//") {
        return Err(field(path.to_owned(), Problem::Slashes));
    }
    Ok(())
}

/// Text the caller prepared (with [`super::text`]): 1–`max` SEPA characters, no surrounding
/// spaces (the schema would keep them; a bank's screen would not show them).
fn free_text(path: &str, value: &str, max: usize) -> Result<(), WriteError> {
    code_text(path, value, max)?;
    if value.trim() != value {
        return Err(field(path.to_owned(), Problem::Spaces));
    }
    Ok(())
}

fn code_text(path: &str, value: &str, max: usize) -> Result<(), WriteError> {
    if value.is_empty() {
        return Err(field(path.to_owned(), Problem::Empty));
    }
    if value.chars().count() > max {
        return Err(field(path.to_owned(), Problem::TooLong { max }));
    }
    if let Some(position) = value.chars().position(|c| !sepa_char(c)) {
        return Err(field(
            path.to_owned(),
            Problem::Character {
                position: position + 1,
            },
        ));
    }
    Ok(())
}

fn field(path: String, problem: Problem) -> WriteError {
    WriteError::Field { path, problem }
}
