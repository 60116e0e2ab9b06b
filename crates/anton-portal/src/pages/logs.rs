//! The request log (every API request the mode's keys made) and the audit log (every
//! security-relevant change, with who made it), each newest first with filters; the audit log
//! also as a download of JSON lines, in the shape the API shows entries.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::html;
use serde::Deserialize;

use anton_core::id::KeyId;
use anton_core::team::Action;
use anton_core::time::Timestamp;
use anton_engine::audit::{AuditQuery, ACTIONS};
use anton_engine::objects::AuditEntryOut;
use anton_engine::request_log::RequestQuery;
use anton_engine::validate::ListQuery;
use anton_store::audit::AuditFilter;
use anton_store::request_log::RequestFilter;

use crate::error::PageError;
use crate::layout::{self, pager, when};
use crate::session::{percent, Signed};
use crate::PortalState;

/// Entries the audit export reads per page (the list's largest).
const EXPORT_PAGE: i64 = 100;

fn list_query(limit: i64, after: &str, before: &str) -> ListQuery {
    ListQuery {
        limit,
        starting_after: (!after.is_empty()).then(|| after.to_owned()),
        ending_before: (!before.is_empty()).then(|| before.to_owned()),
        ..ListQuery::default()
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct RequestParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

/// `GET /{mode}/requests`.
pub(crate) async fn list_requests(
    State(state): State<PortalState>,
    signed: Signed,
    Query(p): Query<RequestParams>,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let status = match p.status.as_str() {
        "" => None,
        "2xx" => Some((200, 300)),
        "4xx" => Some((400, 500)),
        "5xx" => Some((500, 600)),
        _ => return Err(PageError::bad("Choose 2xx, 4xx or 5xx.")),
    };
    let method = match p.method.as_str() {
        "" => None,
        m @ ("GET" | "POST" | "DELETE") => Some(m.to_owned()),
        _ => return Err(PageError::bad("Choose GET, POST or DELETE.")),
    };
    let key_id = match p.key.trim() {
        "" => None,
        k => Some(KeyId::parse(k).map_err(|_| PageError::bad("A key's id starts with key_."))?),
    };
    let query = RequestQuery {
        list: list_query(50, &p.after, &p.before),
        filter: RequestFilter {
            status,
            route: None,
            method,
            key_id,
        },
    };
    let page = state.engine.list_requests(&signed.tenant(), &query).await?;
    let base = format!("/{}/requests", signed.mode.as_str());
    let link = |cursor: &str| {
        format!(
            "{base}?status={}&method={}&key={}&{cursor}",
            percent(&p.status),
            percent(&p.method),
            percent(&p.key)
        )
    };
    let content = html! {
        h1 { "Request log" }
        p { "Every API request your " (signed.mode.as_str()) "-mode keys made, kept for the retention the operator set." }
        form.filters method="get" action=(base) aria-label="Filter requests" {
            div {
                label for="req-status" { "Status" }
                select #req-status name="status" {
                    option value="" selected[p.status.is_empty()] { "Any" }
                    @for s in ["2xx", "4xx", "5xx"] { option value=(s) selected[p.status == s] { (s) } }
                }
            }
            div {
                label for="req-method" { "Method" }
                select #req-method name="method" {
                    option value="" selected[p.method.is_empty()] { "Any" }
                    @for m in ["GET", "POST", "DELETE"] { option value=(m) selected[p.method == m] { (m) } }
                }
            }
            div {
                label for="req-key" { "Key id" }
                input #req-key type="text" name="key" value=(p.key) placeholder="key_…";
            }
            div { button.secondary type="submit" { "Filter" } }
        }
        @if page.data.is_empty() {
            p { "No requests match." }
        } @else {
            table #requests {
                thead { tr {
                    th scope="col" { "Time" } th scope="col" { "Request" } th scope="col" { "Status" }
                    th scope="col" { "Key" } th scope="col" { "Address" } th.num scope="col" { "Duration" }
                } }
                tbody {
                    @for r in &page.data {
                        tr {
                            td { (when(Timestamp::from_unix_micros(r.created_us))) }
                            td { (r.method) " " code { (r.route) } br; code.hint { (r.id) } }
                            td { (r.status) @if let Some(code) = &r.error_code { " " code { (code) } } }
                            td { code { (r.key_id) } }
                            td { (r.source_ip.clone().unwrap_or_default()) }
                            td.num { (r.duration_us / 1000) " ms" }
                        }
                    }
                }
            }
            (pager(
                link,
                (page.data.first().map(|r| r.id.as_str()), page.data.last().map(|r| r.id.as_str())),
                page.has_more,
                (&p.after, &p.before),
            ))
        }
    };
    Ok(layout::page(&signed, "Request log", "/requests", content).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct AuditParams {
    #[serde(default)]
    action: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

fn audit_filter(action: &str) -> Result<AuditFilter, PageError> {
    if !action.is_empty() && !ACTIONS.contains(&action) {
        return Err(PageError::bad("Unknown action."));
    }
    Ok(AuditFilter {
        action: (!action.is_empty()).then(|| action.to_owned()),
        object_id: None,
        actor_id: None,
    })
}

/// `GET /{mode}/audit_log`.
pub(crate) async fn list_audit_log(
    State(state): State<PortalState>,
    signed: Signed,
    Query(p): Query<AuditParams>,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let query = AuditQuery {
        list: list_query(50, &p.after, &p.before),
        filter: audit_filter(&p.action)?,
    };
    let page = state
        .engine
        .list_audit_log(&signed.tenant(), &query)
        .await?;
    let base = format!("/{}/audit_log", signed.mode.as_str());
    let link = |cursor: &str| format!("{base}?action={}&{cursor}", percent(&p.action));
    let content = html! {
        h1 { "Audit log" }
        p {
            "Who changed what in " (signed.mode.as_str()) " mode: keys, endpoints, limits, reviews and alerts. "
            "The team's sign-ins and changes are in the live mode's log. "
            a #audit-export href=(format!("{base}/export")) download { "Download as JSON lines" }
        }
        form.filters method="get" action=(base) aria-label="Filter the audit log" {
            div {
                label for="audit-action" { "Action" }
                select #audit-action name="action" {
                    option value="" selected[p.action.is_empty()] { "Any" }
                    @for a in ACTIONS { option value=(a) selected[p.action == a] { (a) } }
                }
            }
            div { button.secondary type="submit" { "Filter" } }
        }
        @if page.data.is_empty() {
            p { "No entries match." }
        } @else {
            table #audit {
                thead { tr {
                    th scope="col" { "Time" } th scope="col" { "Action" } th scope="col" { "Who" }
                    th scope="col" { "Object" } th scope="col" { "Change" }
                } }
                tbody {
                    @for e in &page.data {
                        tr {
                            td { (when(Timestamp::from_unix_micros(e.created_us))) }
                            td { code { (e.action) } }
                            td { (e.actor_type) @if let Some(id) = &e.actor_id { " " code { (id) } } @if let Some(ip) = &e.source_ip { br; (ip) } }
                            td { (e.object_type) " " code { (e.object_id) } }
                            td {
                                @if e.before.is_some() || e.after.is_some() {
                                    details {
                                        summary { "Before and after" }
                                        pre { "before: " (e.before.clone().unwrap_or_else(|| "null".into())) "\nafter:  " (e.after.clone().unwrap_or_else(|| "null".into())) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager(
                link,
                (page.data.first().map(|e| e.id.as_str()), page.data.last().map(|e| e.id.as_str())),
                page.has_more,
                (&p.after, &p.before),
            ))
        }
    };
    Ok(layout::page(&signed, "Audit log", "/audit_log", content).into_response())
}

/// `GET /{mode}/audit_log/export`: the mode's whole audit log as JSON lines, newest first, in
/// the shape `GET /v1/audit_log` shows entries (read a page of 100 at a time).
pub(crate) async fn export_audit_log(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let tenant = signed.tenant();
    let mut out = String::new();
    let mut after = String::new();
    loop {
        let query = AuditQuery {
            list: list_query(EXPORT_PAGE, &after, ""),
            filter: AuditFilter::default(),
        };
        let page = state.engine.list_audit_log(&tenant, &query).await?;
        for e in &page.data {
            let line =
                serde_json::to_string(&AuditEntryOut::from_record(e.clone())).unwrap_or_default();
            out.push_str(&line);
            out.push('\n');
        }
        match (page.has_more, page.data.last()) {
            (true, Some(last)) => after = last.id.to_string(),
            _ => break,
        }
    }
    let name = format!(
        "attachment; filename=\"anton-audit-{}-{}.jsonl\"",
        signed.session.member.merchant_id,
        signed.mode.as_str()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        out,
    )
        .into_response())
}

/// The log pages under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/requests"), get(list_requests))
        .route(&format!("{mode}/audit_log"), get(list_audit_log))
        .route(&format!("{mode}/audit_log/export"), get(export_audit_log))
}
