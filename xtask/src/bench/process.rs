//! Times the real `autogen` binary as a whole process (start-up, config, connect, models and
//! catalog, diff, output) and records its peak resident memory: through `/usr/bin/time -f %M`
//! when it exists, otherwise by polling `VmHWM` in `/proc/<pid>/status` while it runs (that
//! can miss a last-moment peak, so the GNU tool is preferred).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

const GNU_TIME: &str = "/usr/bin/time";

/// Wall-clock times of each run and the highest peak RSS among them.
#[derive(Debug, Clone, Default)]
pub struct ProcessTimes {
    pub seconds: Vec<f64>,
    pub peak_kb: u64,
}

/// Runs `autogen -C dir <args>` `reps` times. Exit codes 0 (in sync) and 1 (drift found) are
/// both fine; anything else is an error carrying autogen's stderr.
pub fn time_autogen(bin: &Path, dir: &Path, args: &[&str], reps: usize) -> Result<ProcessTimes> {
    let mut out = ProcessTimes::default();
    let gnu_time = Path::new(GNU_TIME).exists();
    let mem_file = dir.join("peak-kb.txt");
    for _ in 0..reps {
        let mut cmd = if gnu_time {
            let mut c = Command::new(GNU_TIME);
            c.arg("-f").arg("%M").arg("-o").arg(&mem_file).arg(bin);
            c
        } else {
            Command::new(bin)
        };
        cmd.arg("-C")
            .arg(dir)
            .args(args)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot run {}", bin.display()))?;
        let mut polled_kb = 0;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if !gnu_time {
                polled_kb = polled_kb.max(vm_hwm_kb(child.id()).unwrap_or(0));
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let elapsed = started.elapsed().as_secs_f64();
        let stderr = child
            .stderr
            .take()
            .map(|mut e| {
                let mut s = String::new();
                let _ = std::io::Read::read_to_string(&mut e, &mut s);
                s
            })
            .unwrap_or_default();
        match status.code() {
            Some(0) | Some(1) => {}
            _ => bail!("autogen {} exited with {status}:\n{stderr}", args.join(" ")),
        }
        let kb = if gnu_time {
            std::fs::read_to_string(&mem_file)
                .ok()
                .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
                .unwrap_or(0)
        } else {
            polled_kb
        };
        out.peak_kb = out.peak_kb.max(kb);
        out.seconds.push(elapsed);
    }
    let _ = std::fs::remove_file(&mem_file);
    Ok(out)
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
