//! The native command line: its arguments, and input that never ends.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

#[test]
#[cfg(unix)]
fn an_endless_binary_stream_ends_with_one_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_restricted-sender"))
        .args(["scan", "--json", "/dev/zero"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the command line starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("waits").is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("`scan /dev/zero` still reading after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{report}");
    let message = errors[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("found nothing but NUL bytes in the first 33792 bytes"),
        "{message}"
    );
    assert!(report["files"][0]["sha256"].is_null(), "{report}");
    let warning = report["warnings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        warning.contains("its size and SHA-256 are unknown"),
        "{warning}"
    );
}

#[test]
fn a_rejected_file_is_still_measured_to_its_end() {
    let path = std::env::temp_dir().join(format!("rejected-{}.bin", std::process::id()));
    // Three megabytes: several of the command line's chunks.
    let bytes: Vec<u8> = (0..3 << 20).map(|i: u32| (i % 7) as u8).collect();
    std::fs::write(&path, &bytes).expect("writes the file");
    let output = Command::new(env!("CARGO_BIN_EXE_restricted-sender"))
        .arg("scan")
        .arg("--json")
        .arg(&path)
        .output()
        .expect("the command line runs");
    std::fs::remove_file(&path).ok();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    assert_eq!(report["files"][0]["bytes"], bytes.len(), "{report}");
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(report["files"][0]["sha256"], sha256.as_str(), "{report}");
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
}

#[test]
fn no_command_is_a_usage_error_and_help_is_not() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_restricted-sender"))
            .args(args)
            .output()
            .expect("the command line runs")
    };
    let bare = run(&[]);
    assert_eq!(bare.status.code(), Some(2));
    assert!(bare.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&bare.stderr);
    assert!(
        stderr.starts_with("restricted-sender: a command is needed"),
        "{stderr}"
    );
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("usage:"));
}
