//! The audit log (docs/reference.md §7): changes made over HTTPS with API keys and by the
//! operator with the real `anton` binary are listed through the SDK with who made them, from
//! where, in which request, and what changed — and never a secret; the hash chain holds under
//! concurrent changes from two nodes, `anton audit verify` passes on it and names the first
//! entry edited in the database, and `anton audit export` writes the same entries.

use std::collections::HashSet;

use anton_core::id::KeyId;
use anton_core::keys::Environment;
use anton_engine::audit::Actor;
use anton_engine::operator::{self, KeySpec};
use anton_sdk::types::{AuditEntry, ListParams};
use futures_util::TryStreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app_with, Backend, TestApp};
use crate::sdk::sdk;

/// A key of `app`'s merchant in `env`, and its id.
async fn key_with_id(app: &TestApp, env: Environment, scopes: Option<&[&str]>) -> (String, KeyId) {
    let (record, key) = operator::create_key(
        &app.store,
        &app.secrets,
        &KeySpec {
            merchant_id: app.merchant.clone(),
            env,
            scopes: scopes.map(|s| {
                anton_core::keys::ScopeSet::parse_list(s.iter().copied()).expect("scopes")
            }),
            expires_in: None,
            allowed_cidrs: vec![],
            name: "audit test".into(),
            created_by: "tests".into(),
        },
        &Actor::operator(),
    )
    .await
    .unwrap();
    (key.expose_secret().to_owned(), record.id)
}

async fn app(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        |c| c.webhooks.allow_private = vec!["localhost".into()],
        None,
    )
    .await
}

/// Every entry `key`'s environment lists, newest first.
async fn entries(app: &TestApp, key: &str, params: ListParams) -> Vec<AuditEntry> {
    sdk(app, key)
        .audit_log()
        .list_all(params)
        .try_collect()
        .await
        .unwrap()
}

/// `anton ARGS` as operator `user`: its standard output, after checking it succeeded.
fn cli_ok(app: &TestApp, user: &str, args: &[&str]) -> String {
    let out = app.operator_cli(user, args);
    assert!(
        out.status.success(),
        "anton {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// JSON of a request's answer and its `Request-Id`.
async fn answer(r: reqwest::RequestBuilder) -> (Value, String) {
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.headers()["request-id"].to_str().unwrap().to_owned();
    (r.json().await.unwrap(), id)
}

async fn changes_are_audited_with_who_where_and_what(backend: Backend) {
    let app = app(backend).await;
    let m = app.merchant.to_string();
    let (actor, actor_id) = key_with_id(&app, Environment::Test, None).await;
    let (reader, _) = key_with_id(&app, Environment::Test, Some(&["audit_log:read"])).await;
    let (live_reader, _) = key_with_id(&app, Environment::Live, Some(&["audit_log:read"])).await;
    let (doomed, doomed_id) = key_with_id(&app, Environment::Test, None).await;
    let (exposed, exposed_id) = key_with_id(&app, Environment::Test, None).await;
    let (payouts_only, _) = key_with_id(&app, Environment::Test, Some(&["payouts:read"])).await;
    let actor_s = actor_id.to_string();

    // Through the API, with `actor`.
    let (ep, create_req) = answer(
        app.post("/v1/webhook_endpoints", &actor)
            .header("Idempotency-Key", "audit-ep-1")
            .json(&json!({"url": "https://localhost:9/hooks", "enabled_events": ["payout.paid"]})),
    )
    .await;
    let first_secret = ep["secret"].as_str().unwrap().to_owned();
    let ep_id = ep["id"].as_str().unwrap().to_owned();
    // A replay changes nothing and writes no second entry.
    answer(
        app.post("/v1/webhook_endpoints", &actor)
            .header("Idempotency-Key", "audit-ep-1")
            .json(&json!({"url": "https://localhost:9/hooks", "enabled_events": ["payout.paid"]})),
    )
    .await;
    let (_, update_req) = answer(
        app.client
            .patch(format!("{}/v1/webhook_endpoints/{ep_id}", app.base))
            .bearer_auth(&actor)
            .json(&json!({"url": "https://localhost:9/v2", "description": "moved"})),
    )
    .await;
    let (rotated, _) = answer(
        app.post(
            &format!("/v1/webhook_endpoints/{ep_id}/rotate_secret"),
            &actor,
        )
        .json(&json!({"expire_previous_in_seconds": 0})),
    )
    .await;
    let second_secret = rotated["secret"].as_str().unwrap().to_owned();
    let gone = app
        .client
        .delete(format!("{}/v1/webhook_endpoints/{ep_id}", app.base))
        .bearer_auth(&actor)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::OK);
    // A refused change writes nothing.
    let missing = app
        .client
        .delete(format!("{}/v1/webhook_endpoints/{ep_id}", app.base))
        .bearer_auth(&actor)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    app.fund(&actor, 50_000, "USD").await;
    let rcp = app.create_recipient(&actor, "4321").await;
    let po = app
        .create_payout(&actor, rcp["id"].as_str().unwrap(), 1_200)
        .await;
    let po: Value = po.json().await.unwrap();
    let po_id = po["id"].as_str().unwrap().to_owned();
    answer(app.post(&format!("/v1/payouts/{po_id}/cancel"), &actor)).await;
    // A secret key from a browser: refused, flagged, audited with the address it came from.
    let browser = app
        .get("/v1/balance", &exposed)
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::FORBIDDEN);

    // By the operator, with the real binary.
    cli_ok(
        &app,
        "ops-alice",
        &["keys", "revoke", "--merchant", &m, doomed_id.as_str()],
    );
    cli_ok(
        &app,
        "ops-alice",
        &[
            "merchants",
            "set-rate-limit",
            &m,
            "--live",
            "10000",
            "--test",
            "77",
        ],
    );
    cli_ok(
        &app,
        "ops-bob",
        &[
            "balance",
            "fund",
            "--merchant",
            &m,
            "--env",
            "live",
            "--currency",
            "EUR",
            "--amount",
            "5000",
        ],
    );

    let all = entries(&app, &reader, ListParams::new()).await;
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "merchant.rate_limit_updated",
            "api_key.revoked",
            "api_key.exposed",
            "payout.canceled",
            "balance.funded",
            "webhook_endpoint.deleted",
            "webhook_endpoint.secret_rotated",
            "webhook_endpoint.updated",
            "webhook_endpoint.created",
            // The five test-mode keys this test made, then the app's own.
            "api_key.created",
            "api_key.created",
            "api_key.created",
            "api_key.created",
            "api_key.created",
            "api_key.created",
        ],
        "{all:#?}"
    );
    let one = |action: &str| all.iter().find(|e| e.action == action).unwrap().clone();

    let created = one("webhook_endpoint.created");
    assert_eq!(
        (created.actor.kind.as_str(), created.actor.id.as_deref()),
        ("api_key", Some(actor_s.as_str()))
    );
    assert_eq!(created.source_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(created.request_id.as_deref(), Some(create_req.as_str()));
    assert_eq!(created.resource.id, ep_id);
    assert_eq!(created.before, None);
    assert_eq!(
        created.after.as_ref().unwrap()["url"],
        "https://localhost:9/hooks"
    );
    assert!(!created.livemode);

    let updated = one("webhook_endpoint.updated");
    assert_eq!(updated.request_id.as_deref(), Some(update_req.as_str()));
    assert_eq!(
        updated.before.as_ref().unwrap()["url"],
        "https://localhost:9/hooks"
    );
    assert_eq!(
        updated.after.as_ref().unwrap()["url"],
        "https://localhost:9/v2"
    );
    assert_eq!(updated.after.as_ref().unwrap()["description"], "moved");
    assert_eq!(one("webhook_endpoint.deleted").after, None);

    let canceled = one("payout.canceled");
    assert_eq!(canceled.resource.id, po_id);
    assert_eq!(canceled.before.as_ref().unwrap()["status"], "pending");
    assert_eq!(canceled.after.as_ref().unwrap()["status"], "canceled");
    assert_eq!(
        one("balance.funded").after.as_ref().unwrap()["amount"],
        50_000
    );

    let flagged = one("api_key.exposed");
    assert_eq!(flagged.resource.id, exposed_id.to_string());
    assert_eq!(flagged.actor.id.as_deref(), Some(exposed_id.as_str()));
    assert_eq!(flagged.source_ip.as_deref(), Some("127.0.0.1"));
    assert!(flagged.after.as_ref().unwrap()["exposed"].is_string());

    let revoked = one("api_key.revoked");
    assert_eq!(
        (revoked.actor.kind.as_str(), revoked.actor.id.as_deref()),
        ("operator", Some("ops-alice"))
    );
    assert_eq!(
        (revoked.source_ip.as_ref(), revoked.request_id.as_ref()),
        (None, None)
    );
    assert_eq!(revoked.before.as_ref().unwrap()["revoked"], Value::Null);
    assert!(revoked.after.as_ref().unwrap()["revoked"].is_string());
    let limit = one("merchant.rate_limit_updated");
    assert_eq!(limit.before.as_ref().unwrap()["rate_limit_per_s"], 10_000);
    assert_eq!(limit.after.as_ref().unwrap()["rate_limit_per_s"], 77);

    // Live changes are the live environment's: the live fund, not the unchanged live limit.
    let live = entries(&app, &live_reader, ListParams::new()).await;
    let live_actions: Vec<&str> = live.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        live_actions,
        ["balance.funded", "api_key.created"],
        "{live:#?}"
    );
    assert_eq!(live[0].actor.id.as_deref(), Some("ops-bob"));
    assert!(live[0].livemode);

    // One chain over both environments: numbered without gaps, each linked to the one before.
    let mut chain: Vec<&AuditEntry> = all.iter().chain(live.iter()).collect();
    chain.sort_by_key(|e| e.seq);
    assert_eq!(
        chain.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=chain.len() as i64).collect::<Vec<_>>()
    );
    assert_eq!(chain[0].previous_hash, "0".repeat(64));
    for w in chain.windows(2) {
        assert_eq!(w[1].previous_hash, w[0].hash);
    }

    // Filters, one entry by id, scope and isolation.
    let client = sdk(&app, &reader);
    let by_resource = client
        .audit_log()
        .list(&ListParams::new().filter("resource", &ep_id))
        .await
        .unwrap();
    assert_eq!(by_resource.data.len(), 4);
    let by_action = client
        .audit_log()
        .list(&ListParams::new().filter("action", "webhook_endpoint.updated"))
        .await
        .unwrap();
    assert_eq!(by_action.data, vec![updated.clone()]);
    let by_key = client
        .audit_log()
        .list(&ListParams::new().filter("api_key", &actor_s))
        .await
        .unwrap();
    assert_eq!(by_key.data.len(), 6, "{:#?}", by_key.data);
    assert_eq!(client.audit_log().get(&updated.id).await.unwrap(), updated);
    for bad in ["action=key.stolen", "resource=not an id", "api_key=we_123"] {
        let (status, body) = error_of(
            app.get(&format!("/v1/audit_log?{bad}"), &reader)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("parameter_invalid")),
            "{bad}"
        );
    }
    let secret = app.get("/v1/audit_log", &actor).send().await.unwrap();
    assert_eq!(
        secret.status(),
        StatusCode::OK,
        "a secret key holds every scope"
    );
    let (status, body) = error_of(
        app.get("/v1/audit_log", &payouts_only)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("missing_scope"))
    );
    let (_, other_key) = app.other_merchant().await;
    let theirs = sdk(&app, &other_key);
    let err = theirs.audit_log().get(&updated.id).await.unwrap_err();
    assert_eq!(err.api().map(|e| e.status), Some(404));
    let other_entries: Vec<AuditEntry> = theirs
        .audit_log()
        .list_all(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert!(other_entries
        .iter()
        .all(|e| e.resource.id != ep_id && e.actor.id.as_deref() != Some(actor_s.as_str())));

    // No secret anywhere: not in the API's entries, not in the table.
    let exported = cli_ok(&app, "ops-alice", &["audit", "export", "--merchant", &m]);
    let listed = serde_json::to_string(&(&all, &live)).unwrap();
    for planted in [
        &actor,
        &reader,
        &doomed,
        &exposed,
        &first_secret,
        &second_secret,
        &app.key,
    ] {
        assert!(
            !listed.contains(planted.as_str()),
            "a secret in the API's audit entries"
        );
        assert!(
            !exported.contains(planted.as_str()),
            "a secret in the export"
        );
    }

    // The export is the chain, oldest first, in the API's shape.
    let lines: Vec<Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), chain.len());
    for (line, entry) in lines.iter().zip(&chain) {
        assert_eq!(line["object"], "audit_entry");
        let mut line = line.clone();
        line.as_object_mut().unwrap().remove("object");
        assert_eq!(line, serde_json::to_value(entry).unwrap());
    }

    // The chain verifies; an entry edited in the database is named.
    let ok = cli_ok(&app, "ops-alice", &["audit", "verify", "--merchant", &m]);
    assert!(
        ok.contains(&format!("{} entries, chain intact", chain.len())),
        "{ok}"
    );
    let target = chain[5].clone();
    let (mid, seq) = (app.merchant.to_string(), target.seq);
    app.store
        .write(move |c| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE audit_log SET actor_id = 'someone-else' WHERE merchant_id = $1 AND seq = $2",
                )
                .bind(mid)
                .bind(seq)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
        .unwrap();
    let out = app.operator_cli("ops-alice", &["audit", "verify", "--json"]);
    assert!(!out.status.success(), "a broken chain fails the command");
    let report = String::from_utf8(out.stdout).unwrap();
    let mine: Value = report
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["merchant"] == m.as_str())
        .unwrap();
    assert_eq!(mine["ok"], false);
    assert_eq!(mine["seq"], target.seq);
    assert_eq!(mine["id"], target.id.as_str());
    // Every other merchant's chain is still intact.
    assert!(
        report
            .lines()
            .filter(|l| !l.contains(m.as_str()))
            .all(|l| l.contains("\"ok\":true")),
        "{report}"
    );
}

/// Audited changes racing on two nodes (PostgreSQL) or one (SQLite) still make one chain.
async fn concurrent_changes_keep_one_chain(backend: Backend) {
    let app = app(backend).await;
    let second = match backend {
        Backend::Postgres => Some(
            app.node(|c| c.webhooks.allow_private = vec!["localhost".into()])
                .await,
        ),
        Backend::Sqlite => None,
    };
    let bases: Vec<String> = std::iter::once(app.base.clone())
        .chain(second.iter().map(|n| n.base.clone()))
        .collect();
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (client, base, key) = (
            app.client.clone(),
            bases[i % bases.len()].clone(),
            app.key.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(format!("{base}/v1/webhook_endpoints"))
                .bearer_auth(key)
                .json(&json!({"url": format!("https://localhost:9/h{i}"), "enabled_events": ["*"]}))
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.text().await.unwrap())
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let entries = entries(&app, &app.key, ListParams::new()).await;
    let created: HashSet<&str> = entries
        .iter()
        .filter(|e| e.action == "webhook_endpoint.created")
        .map(|e| e.resource.id.as_str())
        .collect();
    assert_eq!(created.len(), 24);
    let out = cli_ok(
        &app,
        "ops",
        &["audit", "verify", "--merchant", app.merchant.as_str()],
    );
    assert!(out.contains("25 entries, chain intact"), "{out}");
}

crate::both_backends!(
    changes_are_audited_with_who_where_and_what,
    concurrent_changes_keep_one_chain
);
