//! Reading `grade`'s options: the output folder made absolute, `--shard I/N` and `--deadline`.

use crate::ui;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// `path` made absolute with symbolic links resolved, without creating anything: the deepest
/// existing ancestor is resolved and the rest appended.
pub(super) fn absolute(path: &Path) -> Result<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize()?;
    resolved.extend(rest.iter().rev());
    Ok(resolved)
}

/// `I/N` with 1 ≤ I ≤ N.
pub(super) fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let parsed = text.split_once('/').and_then(|(i, n)| {
        Some((
            i.trim().parse::<usize>().ok()?,
            n.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((i, n)) if n >= 1 && (1..=n).contains(&i) => Ok((i, n)),
        _ => Err(ui::usage(
            format!("--shard {text} is not a shard like 2/4"),
            "give I/N with 1 ≤ I ≤ N, e.g. --shard 1/4 … --shard 4/4",
        )),
    }
}

/// An RFC 3339 time (`2026-12-01T23:59:00Z`, or with a space) or a date (end of that day, UTC).
pub(super) fn parse_time(text: &str) -> Result<i64> {
    let full = if text.len() == 10 {
        format!("{text}T23:59:59Z")
    } else {
        text.to_string()
    };
    let time = humantime::parse_rfc3339_weak(&full).map_err(|_| {
        ui::usage(
            format!("--deadline {text} is not a date or time"),
            "give e.g. --deadline 2026-12-01 or --deadline \"2026-12-01 18:00:00\" (UTC)",
        )
    })?;
    Ok(time
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_one_based_and_within_the_count() {
        assert_eq!(parse_shard("1/4").unwrap(), (1, 4));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }

    #[test]
    fn a_deadline_date_means_the_end_of_that_day() {
        assert_eq!(parse_time("1970-01-02").unwrap(), 86_400 + 86_399);
        assert!(parse_time("tomorrow").is_err());
    }
}
