//! The page shell and shared bits of HTML. Every page is a whole document with a language, a
//! title, a skip link and one `main` landmark; no inline style or script (the CSP allows
//! neither).

use anton_core::keys::Environment;
use anton_core::team::Action;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::session::Signed;

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Anton" }
            link rel="stylesheet" href="/assets/portal.css";
            link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
        }
    }
}

/// A page outside a session (sign-in, invitations, errors).
pub(crate) fn bare(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare {
                a.skip href="#main" { "Skip to content" }
                header.top { span.brand { "Anton" } }
                main #main { (content) }
            }
        }
    }
}

/// The portal's areas, in the navigation's order: (path after the mode, label, what the
/// member's role must allow to see it).
const AREAS: &[(&str, &str, Action)] = &[
    ("", "Dashboard", Action::View),
    ("/payouts", "Payouts", Action::View),
    ("/reviews", "Review queue", Action::View),
    ("/recipients", "Recipients", Action::View),
    ("/webhooks", "Webhooks", Action::View),
    ("/alerts", "Alerts", Action::View),
    ("/risk_rules", "Risk rules", Action::View),
    ("/requests", "Request log", Action::View),
    ("/audit_log", "Audit log", Action::View),
    ("/keys", "API keys", Action::ViewKeys),
    ("/team", "Team", Action::View),
];

/// A signed-in page: `path` is the page's path after the mode (`""` for the dashboard).
pub(crate) fn page(signed: &Signed, title: &str, path: &str, content: Markup) -> Markup {
    let mode = signed.mode;
    let other = match mode {
        Environment::Test => Environment::Live,
        Environment::Live => Environment::Test,
    };
    let member = &signed.session.member;
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body class=(format!("mode-{}", mode.as_str())) {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    span.brand { "Anton" }
                    span.merchant { (signed.session.merchant_name) }
                    @if mode == Environment::Test {
                        span.badge.test { "Test mode" }
                    } @else {
                        span.badge.live { "Live mode" }
                    }
                    a.switch href=(format!("/{}{}", other.as_str(), path)) {
                        "Switch to " (other.as_str()) " mode"
                    }
                    @let account = format!("/{}/account", mode.as_str());
                    @if path == "/account" {
                        a.who href=(account) aria-current="page" title="Your account" { (member.email) " · " (member.role.as_str()) }
                    } @else {
                        a.who href=(account) title="Your account" { (member.email) " · " (member.role.as_str()) }
                    }
                    form.signout method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(signed.csrf);
                        button type="submit" { "Sign out" }
                    }
                }
                nav aria-label="Portal" {
                    ul {
                        @for (area, label, action) in AREAS {
                            @if signed.may(*action) {
                                li {
                                    @let href = format!("/{}{}", mode.as_str(), area);
                                    @if *area == path {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main { (content) }
            }
        }
    }
}

/// A minor-unit amount as people read it (`1,234.56 USD`); every supported currency has two
/// decimals.
pub(crate) fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02} {currency}", abs % 100)
}

/// A moment as the portal shows it: `2026-12-06 05:40:12 UTC`, in a `<time>` element.
pub(crate) fn when(t: anton_core::time::Timestamp) -> Markup {
    let iso = t.to_rfc3339();
    let shown = iso.replacen('T', " ", 1).trim_end_matches('Z').to_owned() + " UTC";
    html! { time datetime=(iso) { (shown) } }
}

/// A published RFC 3339 time, shown as [`when`] shows times.
pub(crate) fn when_text(rfc3339: &str) -> Markup {
    match anton_core::time::Timestamp::parse_rfc3339(rfc3339) {
        Some(t) => when(t),
        None => html! { (rfc3339) },
    }
}

/// The links to a list's newer and older pages. Lists are newest first: "older" continues after
/// the page's last row, "newer" before its first. `link(cursor)` makes a page's URL from
/// `after=…` or `before=…`; `after`/`before` are the cursors this page was asked with.
pub(crate) fn pager(
    link: impl Fn(&str) -> String,
    (first, last): (Option<&str>, Option<&str>),
    has_more: bool,
    (after, before): (&str, &str),
) -> Markup {
    let going_back = !before.is_empty();
    let older = last.filter(|_| has_more || going_back);
    let newer = first.filter(|_| !after.is_empty() || (going_back && has_more));
    html! {
        nav.pager aria-label="Pages" {
            @if let Some(first) = newer { a href=(link(&format!("before={first}"))) { "← Newer" } }
            @if let Some(last) = older { a href=(link(&format!("after={last}"))) { "Older →" } }
        }
    }
}

/// A hidden CSRF field.
pub(crate) fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// An SVG document from a trusted renderer (the QR code), placed as it is.
pub(crate) fn trusted_svg(svg: String) -> Markup {
    PreEscaped(svg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(super::money(0, "USD"), "0.00 USD");
        assert_eq!(super::money(5, "EUR"), "0.05 EUR");
        assert_eq!(super::money(123_456_789, "GBP"), "1,234,567.89 GBP");
        assert_eq!(super::money(-100_000, "USD"), "-1,000.00 USD");
    }
}
