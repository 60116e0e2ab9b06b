//! A real OpenSSH server for the SFTP rail tests (Debian's `openssh-server`, which `.ci/run`
//! installs): started on a free localhost port with its own Ed25519 host key, serving SFTP only
//! (`internal-sftp`, no shell, no forwarding) to the test's own user, logging in with a key
//! the test makes. Its files are this process's files: the test plays the bank on the server's
//! side by reading and writing [`Sshd::root`] directly.
//!
//! `ANTON_TEST_SSHD` names the binary (CI sets it, so a missing one fails there); without it the
//! test says so and passes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anton_engine::rail::files::sftp::SftpConfig;

/// The server, stopped when dropped.
pub struct Sshd {
    child: Child,
    pub port: u16,
    /// The directory the SFTP session starts in (relative paths are under it).
    pub root: PathBuf,
    /// The host key line a bank would hand out (`ssh-ed25519 AAAA…`).
    pub host_key: String,
    /// The client's private key (0600) and its user.
    pub client_key: PathBuf,
    pub user: String,
    dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "anton-test", "-f"])
        .arg(path)
        .output()
        .expect("run ssh-keygen (Debian's openssh-client)");
    assert!(
        out.status.success(),
        "ssh-keygen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Sshd {
    /// The binary to run, or `None` (said on stderr) when the test is to be skipped.
    pub fn binary() -> Option<PathBuf> {
        match std::env::var("ANTON_TEST_SSHD") {
            Ok(named) => {
                let path = PathBuf::from(&named);
                assert!(
                    path.is_file(),
                    "ANTON_TEST_SSHD={named} is not a file: install Debian's `openssh-server` \
                     (or unset the variable to skip this test)"
                );
                Some(path)
            }
            Err(_) => {
                eprintln!(
                    "ANTON_TEST_SSHD is not set: the SFTP test did not run (CI runs it; set it \
                     to /usr/sbin/sshd after installing Debian's `openssh-server`)"
                );
                None
            }
        }
    }

    /// Starts the server and waits until it listens.
    pub fn start(binary: &Path) -> Sshd {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        let root = d.join("data");
        std::fs::create_dir(&root).expect("root");
        keygen(&d.join("host_ed25519"));
        keygen(&d.join("client_ed25519"));
        std::fs::copy(d.join("client_ed25519.pub"), d.join("authorized_keys")).expect("copy");
        let user = String::from_utf8(
            Command::new("id")
                .arg("-un")
                .output()
                .expect("id -un")
                .stdout,
        )
        .expect("user")
        .trim()
        .to_owned();
        // As root, sshd wants its privilege-separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        // A free port may be taken between finding it and sshd binding it: then another.
        let (child, port) = (0..5)
            .find_map(|_| listen(binary, d, &root, &user))
            .expect("sshd starts on one of five free ports");
        let host_key = std::fs::read_to_string(d.join("host_ed25519.pub")).expect("host key");
        Sshd {
            child,
            port,
            root,
            host_key: host_key.trim().to_owned(),
            client_key: d.join("client_ed25519"),
            user,
            dir,
        }
    }

    /// The rail's `[sftp]` section for this server.
    pub fn config(&self) -> SftpConfig {
        SftpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            user: self.user.clone(),
            private_key: self.client_key.clone(),
            host_key: self.host_key.clone(),
            timeout_secs: 20,
        }
    }

    /// A key pair made for the occasion: (private key path, public key line).
    pub fn other_key(&self, name: &str) -> (PathBuf, String) {
        let path = self.dir.path().join(name);
        keygen(&path);
        let public = std::fs::read_to_string(path.with_extension("pub")).expect("pub");
        (path, public.trim().to_owned())
    }
}

/// Starts sshd on a free port with the files in `d`; `None` when the port was taken first.
fn listen(binary: &Path, d: &Path, root: &Path, user: &str) -> Option<(Child, u16)> {
    let port = crate::process::free_port();
    let config = d.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "ListenAddress 127.0.0.1:{port}\n\
             HostKey {d}/host_ed25519\n\
             PidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\n\
             StrictModes no\n\
             UsePAM no\n\
             PermitRootLogin prohibit-password\n\
             PubkeyAuthentication yes\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             DisableForwarding yes\n\
             PermitTTY no\n\
             AllowUsers {user}\n\
             Subsystem sftp internal-sftp\n\
             ForceCommand internal-sftp -d {root}\n",
            d = d.display(),
            root = root.display(),
        ),
    )
    .expect("config");
    let mut child = Command::new(binary)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sshd");
    // sshd says "Server listening on 127.0.0.1 port N." once it accepts connections; the
    // rest of its log goes on to the test's stderr.
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stderr).lines();
        let mut told = false;
        for line in lines.by_ref().map_while(Result::ok) {
            if !told && line.contains("Server listening") {
                let _ = tx.send(Ok(()));
                told = true;
            } else if !told {
                let _ = tx.send(Err(line.clone()));
            }
            eprintln!("sshd: {line}");
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut said = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Ok(())) => return Some((child, port)),
            Ok(Err(line)) if line.contains("Address already in use") => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(Err(line)) => said.push(line),
            Err(_) => panic!("sshd did not start listening: {said:?}"),
        }
    }
}
