//! Checks the built HTML: every relative `href` and `src` names a file of the build, and every
//! `#fragment` names an `id` on the page it points at. External links (with a scheme) are not
//! fetched: the network may be closed, and their targets are not the book's to keep.

use anyhow::{Context, Result};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// What is wrong with each link of the HTML under `html` that does not resolve.
pub fn problems(html: &Path) -> Result<Vec<String>> {
    let link = Regex::new(r#"\s(?:href|src)="([^"]*)""#).context("the link pattern is valid")?;
    let id = Regex::new(r#"\sid="([^"]*)""#).context("the id pattern is valid")?;
    let mut pages = Vec::new();
    crate::walk(html, &mut |path| {
        if path.extension().is_some_and(|e| e == "html") {
            pages.push(path.to_path_buf());
        }
    })
    .with_context(|| format!("cannot list the built book in {}", html.display()))?;
    pages.sort();

    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut texts = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page)
            .with_context(|| format!("cannot read {}", page.display()))?;
        let found = id.captures_iter(&text).map(|c| c[1].to_string()).collect();
        ids.insert(normalise(page), found);
        texts.push((page, text));
    }

    let mut problems = Vec::new();
    for (page, text) in &texts {
        // mdBook's print page repeats every chapter with rewritten links; the chapters are
        // checked themselves, and 404.html uses absolute site paths on purpose.
        let name = page
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "print.html" || name == "404.html" {
            continue;
        }
        let folder = page.parent().unwrap_or(html);
        for capture in link.captures_iter(text) {
            let target = &capture[1];
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            if target.starts_with("javascript:") || target.starts_with("data:") {
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (target, None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let file = if path.is_empty() {
                page.to_path_buf()
            } else {
                normalise(&folder.join(path))
            };
            let file = if file.is_dir() {
                file.join("index.html")
            } else {
                file
            };
            if !file.exists() {
                problems.push(format!(
                    "{}: the link `{target}` points at {}, which the build does not have",
                    relative(page, html),
                    relative(&file, html)
                ));
                continue;
            }
            let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                continue;
            };
            if let Some(known) = ids.get(&normalise(&file)) {
                if !known.contains(fragment) {
                    problems.push(format!(
                        "{}: the link `{target}` names the anchor #{fragment}, which {} does not have",
                        relative(page, html),
                        relative(&file, html)
                    ));
                }
            }
        }
    }
    Ok(problems)
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
