//! The portal's people: members, invitations, sessions, recovery codes and the login throttle
//! (migration `portal`). Secrets arrive here already hashed or encrypted by the engine.
//!
//! Scoped to the merchant like every tenant table, except the lookups whose job is to find the
//! merchant: a member by email at login, an invitation by its token's hash, a session by its
//! token's hash (as an API key is found by its hash).

use anton_core::id::{InvitationId, MemberId, MerchantId};
use anton_core::team::Role;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use crate::{Result, StoreError};

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("team.{what}"))
}

/// A member, with the secrets login needs (the engine never shows them).
#[derive(Clone)]
pub struct MemberRecord {
    pub merchant_id: MerchantId,
    pub id: MemberId,
    pub email: String,
    pub role: Role,
    pub password_hash: String,
    /// Encrypted with the keyring (AAD: the member id).
    pub totp_secret: String,
    pub totp_last_step: i64,
    pub created_us: i64,
}

impl std::fmt::Debug for MemberRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberRecord")
            .field("merchant_id", &self.merchant_id)
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

const MEMBER_COLUMNS: &str =
    "merchant_id, id, email, role, password_hash, totp_secret, totp_last_step, created_us";

fn member_from_row(r: &AnyRow) -> Result<MemberRecord> {
    Ok(MemberRecord {
        merchant_id: MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
            .map_err(|_| corrupt("merchant_id"))?,
        id: MemberId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt("id"))?,
        email: r.try_get("email")?,
        role: Role::parse(&r.try_get::<String, _>("role")?).ok_or_else(|| corrupt("role"))?,
        password_hash: r.try_get("password_hash")?,
        totp_secret: r.try_get("totp_secret")?,
        totp_last_step: r.try_get("totp_last_step")?,
        created_us: r.try_get("created_us")?,
    })
}

pub async fn insert_member(conn: &mut AnyConnection, m: &MemberRecord) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO members ({MEMBER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(m.merchant_id.as_str())
    .bind(m.id.as_str())
    .bind(&m.email)
    .bind(m.role.as_str())
    .bind(&m.password_hash)
    .bind(&m.totp_secret)
    .bind(m.totp_last_step)
    .bind(m.created_us)
    .execute(conn)
    .await?;
    Ok(())
}

/// The active member with this (lower-cased) email, of any merchant: login's lookup.
pub async fn member_by_email<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    email: &str,
) -> Result<Option<MemberRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE email = $1 AND removed_us IS NULL"
    ))
    .bind(email)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(member_from_row).transpose()
}

/// The merchant's active member `id`.
pub async fn member<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant: &MerchantId,
    id: &MemberId,
) -> Result<Option<MemberRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM members \
         WHERE merchant_id = $1 AND id = $2 AND removed_us IS NULL"
    ))
    .bind(merchant.as_str())
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(member_from_row).transpose()
}

/// The merchant's active members, oldest first.
pub async fn members<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant: &MerchantId,
) -> Result<Vec<MemberRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM members \
         WHERE merchant_id = $1 AND removed_us IS NULL ORDER BY created_us, id"
    ))
    .bind(merchant.as_str())
    .fetch_all(ex)
    .await?;
    rows.iter().map(member_from_row).collect()
}

/// Sets the active member's role: `false` when there is no such active member.
pub async fn set_member_role(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    id: &MemberId,
    role: Role,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE members SET role = $3 WHERE merchant_id = $1 AND id = $2 AND removed_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(role.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Removes the active member (the row stays for the audit log): `false` when there is no
/// such active member.
pub async fn remove_member(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    id: &MemberId,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE members SET removed_us = $3          WHERE merchant_id = $1 AND id = $2 AND removed_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many active owners the merchant has.
pub async fn count_owners(conn: &mut AnyConnection, merchant: &MerchantId) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM members \
         WHERE merchant_id = $1 AND role = 'owner' AND removed_us IS NULL",
    )
    .bind(merchant.as_str())
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// The merchant's invitations not yet accepted nor expired at `now_us`, newest first.
pub async fn open_invitations<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant: &MerchantId,
    now_us: i64,
) -> Result<Vec<InvitationRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE merchant_id = $1 \
         AND accepted_us IS NULL AND expires_us > $2 ORDER BY created_us DESC"
    ))
    .bind(merchant.as_str())
    .bind(now_us)
    .fetch_all(ex)
    .await?;
    rows.iter().map(invitation_from_row).collect()
}

/// Records that the TOTP code of `step` was used, unless a code of that step or a later one
/// was: `false` means the code was already spent (a replay), also by a racing login.
pub async fn spend_totp_step(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    id: &MemberId,
    step: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE members SET totp_last_step = $3 \
         WHERE merchant_id = $1 AND id = $2 AND removed_us IS NULL AND totp_last_step < $3",
    )
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(step)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Locks the active member's row if their password hash and sealed TOTP secret are still
/// `password_hash` and `totp_secret`: `false` when either changed (or the member is gone). A
/// sign-in checks its credentials outside its write; this makes a change of them that commits
/// meanwhile refuse it, and one that commits after it wait for it (and end its session).
pub async fn lock_if_credentials(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    id: &MemberId,
    password_hash: &str,
    totp_secret: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE members SET password_hash = password_hash \
         WHERE merchant_id = $1 AND id = $2 AND removed_us IS NULL \
         AND password_hash = $3 AND totp_secret = $4",
    )
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(password_hash)
    .bind(totp_secret)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An invitation, with its encrypted enrolment secret.
#[derive(Clone)]
pub struct InvitationRecord {
    pub token_hash: String,
    pub merchant_id: MerchantId,
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// Encrypted with the keyring (AAD: the invitation id).
    pub totp_secret: String,
    pub created_us: i64,
    pub expires_us: i64,
    pub accepted_us: Option<i64>,
}

impl std::fmt::Debug for InvitationRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvitationRecord")
            .field("merchant_id", &self.merchant_id)
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

const INVITATION_COLUMNS: &str = "token_hash, merchant_id, id, email, role, invited_by, \
     totp_secret, created_us, expires_us, accepted_us";

fn invitation_from_row(r: &AnyRow) -> Result<InvitationRecord> {
    Ok(InvitationRecord {
        token_hash: r.try_get("token_hash")?,
        merchant_id: MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
            .map_err(|_| corrupt("merchant_id"))?,
        id: InvitationId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt("id"))?,
        email: r.try_get("email")?,
        role: Role::parse(&r.try_get::<String, _>("role")?).ok_or_else(|| corrupt("role"))?,
        invited_by: r.try_get("invited_by")?,
        totp_secret: r.try_get("totp_secret")?,
        created_us: r.try_get("created_us")?,
        expires_us: r.try_get("expires_us")?,
        accepted_us: r.try_get("accepted_us")?,
    })
}

pub async fn insert_invitation(conn: &mut AnyConnection, i: &InvitationRecord) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO invitations ({INVITATION_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&i.token_hash)
    .bind(i.merchant_id.as_str())
    .bind(i.id.as_str())
    .bind(&i.email)
    .bind(i.role.as_str())
    .bind(&i.invited_by)
    .bind(&i.totp_secret)
    .bind(i.created_us)
    .bind(i.expires_us)
    .bind(i.accepted_us)
    .execute(conn)
    .await?;
    Ok(())
}

/// The invitation whose token hashes to `token_hash`, of any merchant (the link's lookup).
pub async fn invitation_by_token<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    token_hash: &str,
) -> Result<Option<InvitationRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(invitation_from_row).transpose()
}

/// Marks the invitation accepted if it is still open at `now_us`: `false` when it was accepted
/// already (also by a racing request) or has expired.
pub async fn accept_invitation(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE invitations SET accepted_us = $2 \
         WHERE token_hash = $1 AND accepted_us IS NULL AND expires_us > $2",
    )
    .bind(token_hash)
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A signed-in session of a member.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub created_us: i64,
    pub last_seen_us: i64,
    pub reauth_us: i64,
    pub ended_us: Option<i64>,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    s: &SessionRecord,
    source_ip: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO portal_sessions (token_hash, merchant_id, member_id, created_us, \
         last_seen_us, reauth_us, ended_us, source_ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash)
    .bind(s.merchant_id.as_str())
    .bind(s.member_id.as_str())
    .bind(s.created_us)
    .bind(s.last_seen_us)
    .bind(s.reauth_us)
    .bind(s.ended_us)
    .bind(source_ip)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session whose token hashes to `token_hash` (the cookie's lookup).
pub async fn session_by_token<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    token_hash: &str,
) -> Result<Option<SessionRecord>> {
    let row = sqlx::query(
        "SELECT merchant_id, member_id, created_us, last_seen_us, reauth_us, ended_us \
         FROM portal_sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(SessionRecord {
            merchant_id: MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
                .map_err(|_| corrupt("merchant_id"))?,
            member_id: MemberId::parse(&r.try_get::<String, _>("member_id")?)
                .map_err(|_| corrupt("member_id"))?,
            created_us: r.try_get("created_us")?,
            last_seen_us: r.try_get("last_seen_us")?,
            reauth_us: r.try_get("reauth_us")?,
            ended_us: r.try_get("ended_us")?,
        })
    })
    .transpose()
}

/// Moves the session's idle clock to `now_us` (never backwards).
pub async fn touch_session(conn: &mut AnyConnection, token_hash: &str, now_us: i64) -> Result<()> {
    sqlx::query(
        "UPDATE portal_sessions SET last_seen_us = $2 \
         WHERE token_hash = $1 AND ended_us IS NULL AND last_seen_us < $2",
    )
    .bind(token_hash)
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the session's member proved password and code again at `now_us`.
pub async fn reauthenticated(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE portal_sessions SET reauth_us = $2, last_seen_us = $2 \
         WHERE token_hash = $1 AND ended_us IS NULL",
    )
    .bind(token_hash)
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Ends one session: `false` when it had ended already.
pub async fn end_session(conn: &mut AnyConnection, token_hash: &str, now_us: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE portal_sessions SET ended_us = $2 WHERE token_hash = $1 AND ended_us IS NULL",
    )
    .bind(token_hash)
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Ends every open session of a member (removed, or its role changed); returns how many.
pub async fn end_member_sessions(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    member: &MemberId,
    now_us: i64,
) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE portal_sessions SET ended_us = $3 \
         WHERE merchant_id = $1 AND member_id = $2 AND ended_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(member.as_str())
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

/// Replaces the member's recovery codes with `code_hashes` (all unused).
pub async fn replace_recovery_codes(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    member: &MemberId,
    code_hashes: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE merchant_id = $1 AND member_id = $2")
        .bind(merchant.as_str())
        .bind(member.as_str())
        .execute(&mut *conn)
        .await?;
    for h in code_hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (merchant_id, member_id, code_hash, used_us) \
             VALUES ($1, $2, $3, NULL)",
        )
        .bind(merchant.as_str())
        .bind(member.as_str())
        .bind(h)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Spends the member's unused recovery code `code_hash`: `false` when there is no such unused
/// code (never issued, or used already, also by a racing login).
pub async fn spend_recovery_code(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    member: &MemberId,
    code_hash: &str,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE recovery_codes SET used_us = $4 \
         WHERE merchant_id = $1 AND member_id = $2 AND code_hash = $3 AND used_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(member.as_str())
    .bind(code_hash)
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many of the member's recovery codes are unused.
pub async fn recovery_codes_left<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant: &MerchantId,
    member: &MemberId,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM recovery_codes \
         WHERE merchant_id = $1 AND member_id = $2 AND used_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(member.as_str())
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("n")?)
}

/// Counts an attempt against `subject` at `now_us` before it is judged, and returns the count
/// in the current window with it: the reservation every sign-in makes first, so attempts that
/// race each other are all counted (none sees a count from before the others). A window that
/// started at or before `window_start_us` is over; the count starts again from this attempt.
pub async fn throttle_reserve(
    conn: &mut AnyConnection,
    subject: &str,
    now_us: i64,
    window_start_us: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO login_throttle (subject, window_start_us, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (subject) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start_us > $3 \
                           THEN login_throttle.failures + 1 ELSE 1 END, \
           window_start_us = CASE WHEN login_throttle.window_start_us > $3 \
                           THEN login_throttle.window_start_us ELSE $2 END \
         RETURNING failures",
    )
    .bind(subject)
    .bind(now_us)
    .bind(window_start_us)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("failures")?)
}

/// Deletes up to `limit` throttle rows whose window started at or before `window_start_us`
/// (over: a new attempt would start its count again anyway); returns how many.
pub async fn throttle_delete_ended(
    conn: &mut AnyConnection,
    window_start_us: i64,
    limit: i64,
) -> Result<u64> {
    let r = sqlx::query(
        "DELETE FROM login_throttle WHERE subject IN \
         (SELECT subject FROM login_throttle WHERE window_start_us <= $1 LIMIT $2)",
    )
    .bind(window_start_us)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

/// Takes back one reserved attempt of `subject` (a sign-in that succeeded is no failure of
/// its address).
pub async fn throttle_release(conn: &mut AnyConnection, subject: &str) -> Result<()> {
    sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1 WHERE subject = $1 AND failures > 0",
    )
    .bind(subject)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the failures of `subject` (a successful login clears its account's count).
pub async fn throttle_clear(conn: &mut AnyConnection, subject: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE subject = $1")
        .bind(subject)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the active member's password hash: `false` when there is no such active member.
pub async fn set_password_hash(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    id: &MemberId,
    password_hash: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE members SET password_hash = $3 \
         WHERE merchant_id = $1 AND id = $2 AND removed_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(password_hash)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Replaces the active member's TOTP secret, with `step` (the confirming code's) spent too
/// (the last spent step never moves back, so no code is accepted twice): `false` when there
/// is no such active member.
pub async fn set_totp_secret(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    id: &MemberId,
    sealed_secret: &str,
    step: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE members SET totp_secret = $3, \
           totp_last_step = CASE WHEN totp_last_step < $4 THEN $4 ELSE totp_last_step END \
         WHERE merchant_id = $1 AND id = $2 AND removed_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(sealed_secret)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Ends every open session of a member but the one of `keep_hash` (the member's own, after
/// they changed a credential); returns how many ended.
pub async fn end_other_sessions(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    member: &MemberId,
    keep_hash: &str,
    now_us: i64,
) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE portal_sessions SET ended_us = $4 \
         WHERE merchant_id = $1 AND member_id = $2 AND token_hash <> $3 AND ended_us IS NULL",
    )
    .bind(merchant.as_str())
    .bind(member.as_str())
    .bind(keep_hash)
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

/// Ends the merchant's open invitation `id` (its link stops working at once; the row stays,
/// with expiry 0): the invitation as it was, or `None` when there is no such open one.
pub async fn revoke_invitation(
    conn: &mut AnyConnection,
    merchant: &MerchantId,
    id: &InvitationId,
    now_us: i64,
) -> Result<Option<InvitationRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE merchant_id = $1 AND id = $2 \
         AND accepted_us IS NULL AND expires_us > $3"
    ))
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(now_us)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(found) = row.as_ref().map(invitation_from_row).transpose()? else {
        return Ok(None);
    };
    // Expired for good (0, before any clock of any node): every check of a link is
    // `expires_us > now`. When and by whom is in the audit log.
    let r = sqlx::query(
        "UPDATE invitations SET expires_us = 0 WHERE merchant_id = $1 AND id = $2 \
         AND accepted_us IS NULL AND expires_us > $3",
    )
    .bind(merchant.as_str())
    .bind(id.as_str())
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok((r.rows_affected() == 1).then_some(found))
}
