//! Portal roles and the permission matrix (docs/portal.md, "Roles"). **Every portal action asks
//! [`Role::may`] on the server**; a page only hides what the answer forbids, it never decides.
//!
//! | Action                                   | owner | admin | developer | analyst |
//! |------------------------------------------|-------|-------|-----------|---------|
//! | view balances, payouts, endpoints, logs  | both  | both  | both      | both    |
//! | view API keys                            | both  | both  | both      | —       |
//! | create, roll, revoke API keys            | both  | test  | test      | —       |
//! | operate: endpoints, payouts, reviews, risk rules, alerts | both | both | test | — |
//! | manage the team and its settings         | yes   | —     | —         | —       |
//!
//! "both" is test and live mode. Live keys are the owner's alone: a live key moves real money,
//! and an admin who could mint one could act outside the portal's audit trail of people.

use std::fmt;

use crate::keys::Environment;

/// A member's role on a merchant's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Owner,
    Admin,
    Developer,
    Analyst,
}

/// What a member asks to do, in one environment (see the matrix in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read balances, payouts, recipients (masked), endpoints, deliveries, alerts, logs.
    View,
    /// Read the API keys' metadata (never a key itself).
    ViewKeys,
    /// Create, roll or revoke an API key.
    ManageKeys,
    /// Change anything else: endpoints, payouts (cancel, review), risk rules, alerts.
    Operate,
    /// Invite, change and remove members; the team's settings.
    ManageTeam,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Developer, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may do `action` in `env`.
    pub fn may(self, action: Action, env: Environment) -> bool {
        use Action::*;
        match (self, action) {
            (_, View) => true,
            (Role::Analyst, _) => false,
            (_, ViewKeys) => true,
            (Role::Owner, _) => true,
            (_, ManageTeam) => false,
            (Role::Admin, Operate) => true,
            (Role::Admin | Role::Developer, ManageKeys) | (Role::Developer, Operate) => {
                env == Environment::Test
            }
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Environment::{Live, Test};

    /// The matrix of the module docs, cell by cell.
    #[test]
    fn the_permission_matrix_is_the_documented_one() {
        let expect = |role: Role, action: Action, test: bool, live: bool| {
            assert_eq!(role.may(action, Test), test, "{role} {action:?} test");
            assert_eq!(role.may(action, Live), live, "{role} {action:?} live");
        };
        for role in Role::ALL {
            expect(role, View, true, true);
        }
        expect(Role::Owner, ViewKeys, true, true);
        expect(Role::Owner, ManageKeys, true, true);
        expect(Role::Owner, Operate, true, true);
        expect(Role::Owner, ManageTeam, true, true);
        expect(Role::Admin, ViewKeys, true, true);
        expect(Role::Admin, ManageKeys, true, false);
        expect(Role::Admin, Operate, true, true);
        expect(Role::Admin, ManageTeam, false, false);
        expect(Role::Developer, ViewKeys, true, true);
        expect(Role::Developer, ManageKeys, true, false);
        expect(Role::Developer, Operate, true, false);
        expect(Role::Developer, ManageTeam, false, false);
        for action in [ViewKeys, ManageKeys, Operate, ManageTeam] {
            expect(Role::Analyst, action, false, false);
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Owner"), None);
        assert_eq!(Role::parse("root"), None);
    }
}
