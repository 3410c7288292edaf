//! Resolving the hand-in's `HEAD` from its ref files (loose or packed), read here as plain small
//! files, never through git.

use super::*;

/// The object id `HEAD` names: directly, or through ref files and `packed-refs`, read here as
/// plain files (never through a link).
pub(super) fn resolve_head(git_dir: &Path) -> Result<String> {
    let mut target = read_small(&git_dir.join("HEAD"))
        .context("the git repository has no HEAD")?
        .trim()
        .to_string();
    for _ in 0..REF_DEPTH {
        let Some(name) = target.strip_prefix("ref:").map(str::trim) else {
            return object_id(&target)
                .with_context(|| format!("HEAD does not name a commit ({target:?})"));
        };
        let name = ref_path(name)?;
        let file = git_dir.join(&name);
        target = if plain_file(&file) {
            read_small(&file)?.trim().to_string()
        } else {
            packed_ref(git_dir, &name)?.with_context(|| {
                format!(
                    "the git repository has no commit to grade (HEAD names {}, which does not exist)",
                    name.display()
                )
            })?
        };
    }
    bail!("HEAD goes through more than {REF_DEPTH} symbolic refs")
}

/// A ref name as a path inside the repository, refused when it could leave it.
pub(super) fn ref_path(name: &str) -> Result<PathBuf> {
    let path = Path::new(name);
    let normal = path.components().all(|c| matches!(c, Component::Normal(_)));
    if !normal || !name.starts_with("refs/") {
        bail!("HEAD names {name:?}, which is not a ref inside the repository");
    }
    Ok(path.to_path_buf())
}

/// The id `packed-refs` gives `name`, if it lists it.
pub(super) fn packed_ref(git_dir: &Path, name: &Path) -> Result<Option<String>> {
    let file = git_dir.join("packed-refs");
    if !plain_file(&file) {
        return Ok(None);
    }
    let text = read_small(&file)?;
    let name = name.to_string_lossy();
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .filter_map(|l| l.split_once(' '))
        .find(|(_, n)| n.trim() == name)
        .map(|(id, _)| id.trim().to_string()))
}

/// `text` if it is an object id (40 or 64 hexadecimal digits).
pub(super) fn object_id(text: &str) -> Option<String> {
    let hex = text.chars().all(|c| c.is_ascii_hexdigit());
    (hex && (text.len() == 40 || text.len() == 64)).then(|| text.to_ascii_lowercase())
}

/// A regular file, not a link to one.
pub(super) fn plain_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

pub(super) fn read_small(path: &Path) -> Result<String> {
    if !plain_file(path) {
        bail!("{} is not a plain file", path.display());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(REF_FILE_LIMIT).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
