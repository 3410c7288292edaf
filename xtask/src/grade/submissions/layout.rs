//! Finding each exercise's `src/` in a hand-in, whatever layout the student used (the whole
//! workbook, an `exercises/` folder, a wrapping folder, a differently named exercise folder).

use super::*;

/// Sorts files into exercises by the folder that holds their `src/`. That folder must be an
/// exercise's folder (`01-speed-server`), name (`speed-server`) or number (`01`, `ex01`), and lie
/// at the top, under `exercises/`, or under one wrapping folder.
pub(super) fn sort_into_exercises(
    entries: Vec<Entry>,
    catalogue: &Catalogue,
    limits: &Limits,
    submission: &mut Submission,
) {
    // exercise name → (prefix depth, crate folder path) of the best candidate.
    let mut chosen: BTreeMap<String, (usize, PathBuf)> = BTreeMap::new();
    let mut ignored_folders = std::collections::BTreeSet::new();
    for entry in &entries {
        let Some((crate_dir, exercise)) = locate(&entry.path, catalogue) else {
            if let Some(folder) = src_parent(&entry.path) {
                ignored_folders.insert(folder);
            }
            continue;
        };
        let depth = crate_dir.components().count();
        let better = chosen
            .get(&exercise.name)
            .is_none_or(|(d, p)| depth < *d || (depth == *d && crate_dir < *p));
        if better {
            chosen.insert(exercise.name.clone(), (depth, crate_dir));
        }
    }
    for folder in ignored_folders {
        submission.notes.push(format!(
            "{}: not an exercise folder (expected names like 01-speed-server), ignored",
            folder.display()
        ));
    }
    let mut newest: Option<i64> = None;
    for entry in entries {
        let Some((crate_dir, exercise)) = locate(&entry.path, catalogue) else {
            continue;
        };
        if chosen.get(&exercise.name).map(|(_, p)| p) != Some(&crate_dir) {
            continue;
        }
        let Ok(inside) = entry.path.strip_prefix(crate_dir.join("src")) else {
            continue;
        };
        if !inside.components().all(|c| {
            c.as_os_str().to_str().is_some_and(|s| {
                s.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
            })
        }) {
            submission.notes.push(format!(
                "{}: not a name Rust can use as a module, ignored",
                entry.path.display()
            ));
            continue;
        }
        let sources = submission
            .exercises
            .entry(exercise.name.clone())
            .or_default();
        if sources.len() >= limits.files_per_exercise {
            submission.notes.push(format!(
                "{}: more than {} source files in {}, the rest ignored",
                entry.path.display(),
                limits.files_per_exercise,
                exercise.dir
            ));
            continue;
        }
        sources.insert(inside.to_path_buf(), entry.bytes);
        newest = newest.max(entry.modified);
    }
    submission.submitted = newest;
}

/// The crate folder (path up to `src`) and exercise of a source path, if it belongs to one.
pub(super) fn locate<'a>(path: &Path, catalogue: &'a Catalogue) -> Option<(PathBuf, &'a Exercise)> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let src = parts.iter().position(|p| *p == "src")?;
    if src == 0 {
        return None;
    }
    let folder = parts[src - 1];
    let prefix = &parts[..src - 1];
    let prefix_ok = match prefix {
        [] | [_] => true,
        [.., last] if *last == "exercises" => prefix.len() <= 2,
        _ => false,
    };
    if !prefix_ok {
        return None;
    }
    let exercise = catalogue
        .exercises
        .iter()
        .find(|e| names_exercise(folder, e))?;
    Some((parts[..src].iter().collect(), exercise))
}

pub(super) fn src_parent(path: &Path) -> Option<PathBuf> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let src = parts.iter().position(|p| *p == "src")?;
    (src > 0).then(|| parts[..src].iter().collect())
}

/// Whether a folder name names the exercise: `01-speed-server`, `speed-server`, `speed_server`,
/// `01`, `1`, `ex01`, `exercise-01` (case and `_`/`-` ignored).
pub(super) fn names_exercise(folder: &str, exercise: &Exercise) -> bool {
    let folder = folder.to_lowercase().replace('_', "-");
    if folder == exercise.dir || folder == exercise.name {
        return true;
    }
    let digits = folder
        .trim_start_matches("exercise")
        .trim_start_matches("ex")
        .trim_start_matches('-');
    digits.parse::<u32>().ok() == Some(exercise.number)
}
