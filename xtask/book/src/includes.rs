//! Checks every `{{#include …}}` (and `{{#rustdoc_include …}}`) of the book's sources: the file
//! exists and, when an anchor is named, the file marks it with `ANCHOR: name` and
//! `ANCHOR_END: name`. mdBook itself only logs a missing file and shows an empty listing.

use anyhow::{Context, Result};
use regex::Regex;
use std::path::{Path, PathBuf};

/// One include directive, where it was written and what it points at.
#[derive(Debug, Clone)]
pub struct Include {
    /// The Markdown file holding the directive.
    pub page: PathBuf,
    /// The included file, resolved against the page's folder.
    pub target: PathBuf,
    /// The anchor after the path, if it names one (line ranges are not anchors).
    pub anchor: Option<String>,
    /// The directive as written.
    pub directive: String,
}

/// Every include directive in `pages`.
pub fn find(pages: &[PathBuf]) -> Result<Vec<Include>> {
    let pattern = Regex::new(r"\{\{#(?:include|rustdoc_include)\s+([^}\s]+)\s*\}\}")
        .context("the include pattern is valid")?;
    let mut found = Vec::new();
    for page in pages {
        let text = std::fs::read_to_string(page)
            .with_context(|| format!("cannot read {}", page.display()))?;
        let folder = page.parent().unwrap_or(Path::new("."));
        for capture in pattern.captures_iter(&text) {
            let argument = &capture[1];
            let (path, anchor) = match argument.split_once(':') {
                Some((path, rest)) => {
                    let first = rest.split(':').next().unwrap_or_default();
                    let is_range = first.is_empty() || first.chars().all(|c| c.is_ascii_digit());
                    (path, (!is_range).then(|| first.to_string()))
                }
                None => (argument, None),
            };
            found.push(Include {
                page: page.clone(),
                target: folder.join(path),
                anchor,
                directive: capture[0].to_string(),
            });
        }
    }
    Ok(found)
}

/// What is wrong with each include that does not resolve (empty when all do).
pub fn problems(includes: &[Include]) -> Vec<String> {
    let mut problems = Vec::new();
    for include in includes {
        let Ok(text) = std::fs::read_to_string(&include.target) else {
            problems.push(format!(
                "{}: {} names {}, which does not exist (fix the path, relative to the page)",
                include.page.display(),
                include.directive,
                include.target.display()
            ));
            continue;
        };
        if let Some(anchor) = &include.anchor {
            let starts = has_marker(&text, "ANCHOR", anchor);
            let ends = has_marker(&text, "ANCHOR_END", anchor);
            if !(starts && ends) {
                problems.push(format!(
                    "{}: {} needs `ANCHOR: {anchor}` and `ANCHOR_END: {anchor}` in {} \
                     (add the markers there, or name an anchor it has)",
                    include.page.display(),
                    include.directive,
                    include.target.display()
                ));
            }
        }
    }
    problems
}

/// True when a line of `text` holds `<kind>: <anchor>` as a whole marker.
fn has_marker(text: &str, kind: &str, anchor: &str) -> bool {
    let marker = format!("{kind}: {anchor}");
    text.lines().any(|line| {
        line.split_once(&marker)
            .is_some_and(|(_, rest)| rest.trim().is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, kind: &str, anchor: &str, expected: bool) {
        assert_eq!(
            has_marker(text, kind, anchor),
            expected,
            "{kind}: {anchor} in {text:?}"
        );
    }

    #[test]
    fn markers_match_whole_anchor_names_only() {
        check("// ANCHOR: call\n", "ANCHOR", "call", true);
        check("# ANCHOR: call\n", "ANCHOR", "call", true);
        check("// ANCHOR: call_twice\n", "ANCHOR", "call", false);
        check("// ANCHOR_END: call\n", "ANCHOR", "call", false);
        check("// ANCHOR_END: call\n", "ANCHOR_END", "call", true);
    }
}
