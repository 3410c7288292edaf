//! Time per page: each page states its minutes on a line starting `**Time:**` (every number
//! followed by "minutes" on it counts: reading, then the exercise), and the instructors' session
//! plan (a table of parts, each listing its pages and their minutes, then `**In all:** N minutes`)
//! adds them up.

use anyhow::{bail, Context, Result};
use regex::Regex;
use std::path::Path;

/// The minutes a page states, or `None` when it has no `**Time:**` line.
pub fn stated(page: &str) -> Option<u32> {
    let line = page.lines().find(|l| l.starts_with("**Time:**"))?;
    let number = Regex::new(r"(\d+) minutes").expect("a valid pattern");
    Some(
        number
            .captures_iter(line)
            .filter_map(|c| c[1].parse::<u32>().ok())
            .sum(),
    )
}

/// One row of the plan: its pages (file names) and the minutes it claims.
#[derive(Debug)]
pub struct Part {
    pub name: String,
    pub pages: Vec<String>,
    pub minutes: u32,
}

/// The plan's rows and its stated total.
pub fn plan(instructors: &str) -> Result<(Vec<Part>, u32)> {
    let link = Regex::new(r"\]\(([a-z0-9-]+\.md)\)").expect("a valid pattern");
    let mut parts = Vec::new();
    for line in instructors.lines() {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 3 || !link.is_match(cells[1]) {
            continue;
        }
        let minutes = cells[2]
            .parse()
            .with_context(|| format!("the plan's row {line:?} should end in its minutes"))?;
        parts.push(Part {
            name: cells[0].to_string(),
            pages: link
                .captures_iter(cells[1])
                .map(|c| c[1].to_string())
                .collect(),
            minutes,
        });
    }
    let total = Regex::new(r"\*\*In all:\*\* (\d+) minutes")
        .expect("a valid pattern")
        .captures(instructors)
        .and_then(|c| c[1].parse().ok());
    let Some(total) = total else {
        bail!("the instructors' chapter should state `**In all:** N minutes` under its plan");
    };
    Ok((parts, total))
}

/// What does not add up between the pages in `source` and the plan in `instructors.md`.
pub fn problems(source: &Path) -> Result<Vec<String>> {
    let read = |name: &str| {
        std::fs::read_to_string(source.join(name))
            .with_context(|| format!("cannot read book/src/{name}"))
    };
    let (parts, total) = plan(&read("instructors.md")?)?;
    let mut problems = Vec::new();
    if parts.is_empty() {
        problems.push(
            "instructors.md has no session plan (a table of parts with links to pages and minutes)"
                .into(),
        );
    }
    let mut sum = 0;
    for part in &parts {
        let mut part_sum = 0;
        for page in &part.pages {
            match stated(&read(page)?) {
                Some(minutes) => part_sum += minutes,
                None => problems.push(format!(
                    "{page} is in the plan but states no `**Time:** N minutes` line"
                )),
            }
        }
        if part_sum != part.minutes {
            problems.push(format!(
                "the plan gives \"{}\" {} minutes, but its pages state {part_sum}",
                part.name, part.minutes
            ));
        }
        sum += part.minutes;
    }
    if sum != total {
        problems.push(format!(
            "the plan's parts add up to {sum} minutes, but it says \"In all: {total} minutes\""
        ));
    }
    // Every page that states its time is somewhere in the plan: a new chapter gets its place.
    let planned: Vec<&String> = parts.iter().flat_map(|p| &p.pages).collect();
    let mut pages: Vec<_> = std::fs::read_dir(source)
        .with_context(|| format!("cannot list {}", source.display()))?
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.ends_with(".md"))
        .collect();
    pages.sort();
    for page in pages {
        if stated(&read(&page)?).is_some() && !planned.contains(&&page) {
            problems.push(format!(
                "{page} states its time but is in no part of the plan in instructors.md"
            ));
        }
    }
    // A link's label is its page's chapter number (`[4](server.md)` for `# 4. …`).
    let labelled = Regex::new(r"\[(\d+)\]\(([a-z0-9-]+\.md)\)").expect("a valid pattern");
    let heading = Regex::new(r"(?m)^# (\d+)\.").expect("a valid pattern");
    for link in labelled.captures_iter(&read("instructors.md")?) {
        let Ok(page) = read(&link[2]) else { continue };
        if let Some(number) = heading.captures(&page) {
            if number[1] != link[1] {
                problems.push(format!(
                    "instructors.md calls {} chapter {}, but it is chapter {}",
                    &link[2], &link[1], &number[1]
                ));
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_line_sums_reading_and_exercise() {
        assert_eq!(
            stated(
                "# 4. A page\n\n**Time:** 20 minutes of reading, then 15 minutes for exercise 1.\n"
            ),
            Some(35)
        );
        assert_eq!(stated("# A page without one\n"), None);
    }

    #[test]
    fn the_plan_is_read_from_its_table_and_total() {
        let text = "| part | pages | minutes |\n| --- | --- | ---: |\n| a | [1](one.md), [2](two.md) | 30 |\n\n**In all:** 30 minutes.\n";
        let (parts, total) = plan(text).unwrap();
        assert_eq!(total, 30);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].pages, ["one.md", "two.md"]);
        assert_eq!(parts[0].minutes, 30);
    }
}
