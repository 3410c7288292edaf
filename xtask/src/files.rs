//! File trees: copying one folder into another (a backup before `reset`, a variant laid over a
//! copy of its solution, the files of the Gradescope autograder).

use anyhow::{Context, Result};
use std::path::Path;

/// Copies every file below `from` into `to` at the same place, creating folders as needed; a
/// file already in `to` is replaced.
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
