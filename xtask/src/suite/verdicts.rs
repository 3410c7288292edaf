//! Where a suite's verdicts travel: libtest's `--logfile`, in a private 0700 folder no program
//! of the suite inherits, read back once each known check (duplicates and unknown names are not
//! counted).

use super::*;

/// What one run of a suite reported: an outcome for every check of the exercise, in course
/// order, and what the verdict file held that could not be counted.
#[derive(Debug, Default)]
pub struct Results {
    pub outcomes: Vec<Outcome>,
    /// The checks the suite reported no verdict for (it ended early or was stopped).
    pub unreported: Vec<String>,
    /// Verdicts that were not counted, each said in a sentence: names that are no check of the
    /// exercise, and checks reported more than once.
    pub rejected: Vec<String>,
}

/// The private file a suite run writes its verdicts to, through libtest's `--logfile`: one
/// `ok <test>` or `failed <test>` line per finished test.
///
/// libtest opens it close-on-exec, so the programs the checks start never inherit it, and it lies
/// in a fresh folder only this user may enter, so the verdicts cannot be forged by printing:
/// whatever a program prints reaches the suite's output, never this file.
pub struct VerdictFile {
    folder: TempDir,
}

/// The most of a verdict file that is read: a few dozen bytes per check.
pub(super) const VERDICT_FILE_LIMIT: u64 = 1024 * 1024;

impl VerdictFile {
    /// A fresh private folder (mode 0700) in `parent`, or in the system's temporary folder.
    pub fn create(parent: Option<&Path>) -> Result<VerdictFile> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("workbook-verdicts-");
        let folder = match parent {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        }
        .context("cannot create a private folder for the suite's verdicts")?;
        std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot make {} private", folder.path().display()))?;
        Ok(VerdictFile { folder })
    }

    /// Where the suite writes its verdicts.
    pub fn path(&self) -> PathBuf {
        self.folder.path().join("verdicts")
    }

    /// What the suite wrote; empty when it wrote nothing (it did not start, or crashed early).
    pub fn read(&self) -> Result<String> {
        let path = self.path();
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()))
            }
        };
        let mut bytes = Vec::new();
        file.take(VERDICT_FILE_LIMIT)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}
