//! The data directory is the operator's alone: created 0700 with every file in it 0600 (the
//! SQLite database and its `-wal`/`-shm`, the secrets, the generated TLS material), and a node
//! refuses to start, saying what to fix, when its data or secrets are open to other users.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anton_server::config::Config;
use anton_server::startup::Application;

use crate::helpers::{private_tempdir, spawn_app, Backend};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn the_data_directory_and_every_file_in_it_are_private() {
    let app = spawn_app(Backend::Sqlite).await;
    // Some writes, so SQLite has made its -wal and -shm files.
    app.create_recipient(&app.key, "6789").await;
    // (The data directory itself is the test's; its creation is checked below.)
    let data = app.data_dir.path();
    for name in ["anton.db", "anton.db-wal", "anton.db-shm"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    for dir in ["secrets", "tls"] {
        assert_eq!(mode(&data.join(dir)), 0o700, "{dir}");
        let files: Vec<_> = std::fs::read_dir(data.join(dir)).unwrap().collect();
        assert!(!files.is_empty());
        for entry in files {
            let path = entry.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

fn config(data_dir: &Path) -> Config {
    Config {
        data_dir: data_dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        workers: false,
        metrics: anton_server::config::MetricsConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            ..Default::default()
        },
        ..Config::default()
    }
}

async fn refusal(data_dir: &Path) -> String {
    match Application::build(config(data_dir)).await {
        Ok(_) => panic!("a node started with data open to other users"),
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn a_node_refuses_to_start_when_its_data_or_secrets_are_open_to_others() {
    let dir = private_tempdir();
    let data = dir.path().join("data");
    // First start: everything is created private.
    drop(Application::build(config(&data)).await.unwrap());
    assert_eq!(mode(&data), 0o700);

    chmod(&data, 0o755);
    let message = refusal(&data).await;
    assert!(message.contains("open to other users"), "{message}");
    assert!(message.contains("chmod 700"), "{message}");
    chmod(&data, 0o700);

    chmod(&data.join("anton.db"), 0o644);
    assert!(refusal(&data).await.contains("chmod 600"));
    chmod(&data.join("anton.db"), 0o600);

    chmod(&data.join("secrets"), 0o750);
    assert!(refusal(&data).await.contains("secrets"));
    chmod(&data.join("secrets"), 0o700);

    chmod(&data.join("secrets/encryption.keys"), 0o640);
    assert!(refusal(&data).await.contains("encryption.keys"));
    chmod(&data.join("secrets/encryption.keys"), 0o600);

    drop(Application::build(config(&data)).await.unwrap());
}
