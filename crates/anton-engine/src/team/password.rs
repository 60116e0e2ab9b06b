//! Passwords: strength checked by zxcvbn when one is chosen, stored as an Argon2id hash (the
//! `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane — OWASP's recommendation), verified on
//! a blocking thread so a login never stalls the node's request tasks.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{EngineError, Result};

/// Shortest password accepted, in characters.
pub const LENGTH_MIN: usize = 12;
/// Longest password accepted, in characters (hashing is bounded work).
pub const LENGTH_MAX: usize = 128;
/// Least zxcvbn score accepted (0–4; 3: "safely unguessable", about 10^8 guesses and more).
const SCORE_MIN: zxcvbn::Score = zxcvbn::Score::Three;

/// Refuses a password that is too short, too long or guessable, judged with what the member's
/// email and merchant name give away (`related`).
pub fn check_strength(password: &str, related: &[&str]) -> Result<()> {
    let chars = password.chars().count();
    if !(LENGTH_MIN..=LENGTH_MAX).contains(&chars) {
        return Err(EngineError::invalid(
            "password_invalid",
            format!("A password has {LENGTH_MIN} to {LENGTH_MAX} characters."),
            "password",
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, related);
    if estimate.score() < SCORE_MIN {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| format!(" {w}.")))
            .unwrap_or_default();
        return Err(EngineError::invalid(
            "password_too_weak",
            format!("This password is too easy to guess.{hint} Add words or make it longer."),
            "password",
        ));
    }
    Ok(())
}

/// Argon2id hashes computing at once, at most: each takes 19 MiB and a core for tens of
/// milliseconds, so a flood of sign-ins queues here instead of exhausting memory and the
/// blocking pool.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores)
});

/// A hash with the current parameters of a random password nobody knows, made once per
/// process (on the first sign-in), so an unknown email's refusal costs one hash like any other.
static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Argon2::default()
        .hash_password(
            anton_core::random_base62(32).as_bytes(),
            &SaltString::generate(&mut OsRng),
        )
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Makes the decoy hash now (the engine's start), so no sign-in pays for it.
pub fn warm_up() {
    std::sync::LazyLock::force(&DECOY);
}

/// The Argon2id PHC string of `password` (a fresh salt), computed on a blocking thread.
pub async fn hash(password: String) -> Result<String> {
    let _permit = HASHING.acquire().await.ok();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| EngineError::refused("password_invalid", "This password cannot be used."))
    })
    .await
    .map_err(|_| EngineError::refused("password_invalid", "This password cannot be used."))?
}

/// Whether `password` matches the stored `phc` hash (constant-time inside the crate). `None`
/// checks against a fixed hash and answers `false`: a login for an unknown email costs what a
/// real one does, so the time taken does not tell which emails are members.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    let _permit = HASHING.acquire().await.ok();
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| DECOY.clone());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_and_short_passwords_are_refused() {
        let code = |p: &str| check_strength(p, &["ada@example.com", "Acme"]).map_err(|e| e.code());
        assert_eq!(code("short"), Err("password_invalid"));
        assert_eq!(code("password1234"), Err("password_too_weak"));
        assert_eq!(code("ada@example.com1"), Err("password_too_weak"));
        assert_eq!(code(&"x".repeat(129)), Err("password_invalid"));
        assert_eq!(code("correct horse battery staple"), Ok(()));
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery staple".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple".into(), Some(phc.clone())).await);
        assert!(!verify("correct horse battery stapler".into(), Some(phc)).await);
        assert!(!verify("anything".into(), None).await);
    }
}
