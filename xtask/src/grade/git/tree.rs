//! Walking the last commit's tree in the copied repository, within limits, collecting the
//! blobs the caller wants.

use super::*;

/// The most trees of one commit read; a whole workbook has a few hundred.
pub(super) const TREES_LIMIT: usize = 20_000;

/// The most bytes of one tree object read.
pub(super) const TREE_LIMIT: u64 = 4 * 1024 * 1024;

/// Reads the tree `root` and the trees below it, taking the blobs `wanted` accepts. An object
/// the copy does not hold (a hand-in may name objects it does not carry, borrowed from another
/// repository) is left out with a note, as are links, blobs over `file_cap` and files past
/// `files_cap`.
pub(super) fn walk(
    batch: &mut Batch,
    root: &str,
    wanted: &impl Fn(&Path) -> bool,
    file_cap: u64,
    files_cap: usize,
    notes: &mut Vec<String>,
) -> Result<Vec<Blob>> {
    let id_bytes = if root.len() == 64 { 32 } else { 20 };
    let mut blobs = Vec::new();
    let mut pending = vec![(root.to_string(), PathBuf::new())];
    let mut trees = 0;
    'trees: while let Some((tree, folder)) = pending.pop() {
        trees += 1;
        if trees > TREES_LIMIT {
            notes.push(format!(
                "the last commit has more than {TREES_LIMIT} folders; the rest were not read"
            ));
            break;
        }
        let bytes = match batch.get(&tree, "tree", TREE_LIMIT)? {
            Found::Object(bytes) => bytes,
            Found::Missing => {
                notes.push(missing(&folder, &tree));
                continue;
            }
            Found::TooLarge | Found::Other => continue,
        };
        for (mode, name, id) in tree_entries(&bytes, id_bytes) {
            let path = folder.join(&name);
            match mode.as_str() {
                "40000" => pending.push((id, path)),
                "100644" | "100755" if wanted(&path) => {
                    if blobs.len() >= files_cap {
                        notes.push(format!(
                            "{}: more than {files_cap} source files in the commit, the rest ignored",
                            path.display()
                        ));
                        break 'trees;
                    }
                    match batch.get(&id, "blob", file_cap)? {
                        Found::Object(bytes) => blobs.push(Blob { path, bytes }),
                        Found::Missing => notes.push(missing(&path, &id)),
                        Found::TooLarge => notes.push(format!(
                            "{}: larger than {} KiB, not taken",
                            path.display(),
                            file_cap / 1024
                        )),
                        Found::Other => {}
                    }
                }
                "120000" if wanted(&path) => {
                    notes.push(format!("{}: a symbolic link, not followed", path.display()))
                }
                _ => {}
            }
        }
    }
    blobs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(blobs)
}

pub(super) fn missing(path: &Path, id: &str) -> String {
    format!(
        "{}: the commit names object {id}, which the repository does not hold \
         (objects borrowed from another repository are not read), not taken",
        if path.as_os_str().is_empty() {
            Path::new("the top folder")
        } else {
            path
        }
        .display()
    )
}

/// The entries of a tree object: `<mode> <name>\0<id as bytes>` after one another.
pub(super) fn tree_entries(bytes: &[u8], id_bytes: usize) -> Vec<(String, String, String)> {
    let mut entries = Vec::new();
    let mut rest = bytes;
    while let Some(space) = rest.iter().position(|b| *b == b' ') {
        let Some(nul) = rest.iter().position(|b| *b == 0) else {
            break;
        };
        if nul < space || rest.len() < nul + 1 + id_bytes {
            break;
        }
        let mode = String::from_utf8_lossy(&rest[..space]).into_owned();
        let name = String::from_utf8_lossy(&rest[space + 1..nul]).into_owned();
        let id: String = rest[nul + 1..nul + 1 + id_bytes]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        rest = &rest[nul + 1 + id_bytes..];
        // A name git would refuse to check out (`..`, `a/b`) is no path of the hand-in.
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            continue;
        }
        entries.push((mode, name, id));
    }
    entries
}

/// What `git cat-file --batch` had for an object id.
pub(super) enum Found {
    Object(Vec<u8>),
    Missing,
    /// Larger than the cap asked for (its bytes are read and dropped).
    TooLarge,
    /// An object of another kind than asked for.
    Other,
}
