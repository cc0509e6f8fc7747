//! The native command line on input that never ends.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    assert!(message.contains("found binary data"), "{message}");
}
