//! The isolated copy: a fresh repository holding the hand-in's plain object files, and
//! `git cat-file --batch` run on it with no configuration, attributes or hooks of anyone's.

use super::*;

/// One `git cat-file --batch` on the copy, asked one object at a time (it answers each request
/// at once, since its output is not buffered without `--buffer`).
pub(super) struct Batch {
    child: std::process::Child,
    requests: std::process::ChildStdin,
    answers: BufReader<std::process::ChildStdout>,
}

impl Batch {
    pub(super) fn get(&mut self, id: &str, kind: &str, cap: u64) -> Result<Found> {
        writeln!(self.requests, "{id}")
            .and_then(|()| self.requests.flush())
            .context("git cat-file stopped reading")?;
        let mut header = String::new();
        self.answers
            .read_line(&mut header)
            .context("git cat-file stopped answering")?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        let (found, size) = match fields.as_slice() {
            [_, "missing"] => return Ok(Found::Missing),
            [_, found, size] => (
                *found,
                size.parse::<u64>()
                    .with_context(|| format!("git cat-file said {header:?}"))?,
            ),
            _ => bail!("git cat-file gave an unexpected answer for {id}: {header:?}"),
        };
        // The contents and the newline after them; what is not wanted is read and dropped,
        // never kept (a small object file can unpack to gigabytes).
        let mut contents = (&mut self.answers).take(size + 1);
        if found != kind || size > cap {
            std::io::copy(&mut contents, &mut std::io::sink())
                .context("git cat-file stopped answering")?;
            return Ok(if found != kind {
                Found::Other
            } else {
                Found::TooLarge
            });
        }
        let mut bytes = Vec::new();
        contents
            .read_to_end(&mut bytes)
            .context("git cat-file stopped answering")?;
        bytes.pop();
        Ok(Found::Object(bytes))
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh repository of the grader's own, and git run on it with nothing configured.
pub(super) struct Isolated {
    repository: PathBuf,
    home: PathBuf,
}

impl Isolated {
    /// An empty bare repository in `scratch`, for objects named like `head` (SHA-1 or SHA-256).
    pub(super) fn create(scratch: &TempDir, head: &str) -> Result<Isolated> {
        let isolated = Isolated {
            repository: scratch.path().join("repository.git"),
            home: scratch.path().join("home"),
        };
        std::fs::create_dir_all(&isolated.home)
            .with_context(|| format!("cannot create {}", isolated.home.display()))?;
        let format = if head.len() == 64 { "sha256" } else { "sha1" };
        let mut init = isolated.git();
        // An empty template: not even the sample hooks are copied in.
        init.args(["init", "--quiet", "--bare", "--template="])
            .arg(format!("--object-format={format}"))
            .arg(&isolated.repository);
        run(init).context("cannot create a temporary git repository")?;
        Ok(isolated)
    }

    pub(super) fn objects(&self) -> PathBuf {
        self.repository.join("objects")
    }

    /// `git` with no configuration but this repository's (made here), no hooks, no fsmonitor,
    /// and an environment of its own, so no `GIT_*` variable of the grader's steers it.
    pub(super) fn git(&self) -> Command {
        let mut command = Command::new("git");
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("LC_ALL", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .args(["-c", "core.hooksPath=/dev/null"])
            .args(["-c", "core.fsmonitor=false"])
            .args(["-c", "protocol.allow=never"])
            .stdin(Stdio::null());
        command
    }

    /// `git args…` on the copy: its standard output.
    pub(super) fn bytes(&self, args: &[&str]) -> Result<Vec<u8>> {
        let mut command = self.git();
        command.arg("--git-dir").arg(&self.repository).args(args);
        run(command)
    }

    pub(super) fn text(&self, args: &[&str]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.bytes(args)?).into_owned())
    }

    /// A `git cat-file --batch` on the copy.
    pub(super) fn batch(&self) -> Result<Batch> {
        let mut command = self.git();
        command
            .arg("--git-dir")
            .arg(&self.repository)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().context("cannot run git cat-file")?;
        let requests = child.stdin.take().context("git cat-file has no input")?;
        let answers = child.stdout.take().context("git cat-file has no output")?;
        Ok(Batch {
            child,
            requests,
            answers: BufReader::new(answers),
        })
    }
}

/// Runs `command` to its end: its standard output, or an error with what git said.
pub(super) fn run(mut command: Command) -> Result<Vec<u8>> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .context("cannot run git (is it installed?)")?;
    if !output.status.success() {
        bail!(
            "git said: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// Copies the object files of `from` into `to`: loose objects (`xx/<rest of the id>`) and packs
/// (`pack/pack-*.pack` with their `.idx`), plain files only. `info/` (alternates and the like)
/// and anything else is left behind.
pub(super) fn copy_objects(from: &Path, to: &Path) -> Result<()> {
    let is_folder = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_dir());
    if !is_folder(from) {
        bail!("the git repository has no objects folder (or it is a link)");
    }
    let mut budget = (OBJECTS_LIMIT, OBJECT_FILES_LIMIT);
    let mut copy = |source: &Path, folder: &Path, name: &std::ffi::OsStr| -> Result<()> {
        let size = std::fs::symlink_metadata(source)?.len();
        if budget.1 == 0 || size > budget.0 {
            bail!(
                "the git repository's objects are larger than {} MiB or more than {} files; \
                 hand in a fresh clone (`git clone`), or the exercise folders as an archive",
                OBJECTS_LIMIT / 1024 / 1024,
                OBJECT_FILES_LIMIT
            );
        }
        budget = (budget.0 - size, budget.1 - 1);
        std::fs::create_dir_all(folder)?;
        std::fs::copy(source, folder.join(name))
            .with_context(|| format!("cannot copy {}", source.display()))?;
        Ok(())
    };
    for entry in sorted_entries(from)? {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        let path = entry.path();
        if text.len() == 2 && text.chars().all(|c| c.is_ascii_hexdigit()) && is_folder(&path) {
            for object in sorted_entries(&path)? {
                let object_name = object.file_name();
                let rest = object_name.to_string_lossy();
                let id_like = (rest.len() == 38 || rest.len() == 62)
                    && rest.chars().all(|c| c.is_ascii_hexdigit());
                if id_like && plain_file(&object.path()) {
                    copy(&object.path(), &to.join(&name), &object_name)?;
                }
            }
        } else if text == "pack" && is_folder(&path) {
            for pack in sorted_entries(&path)? {
                let pack_name = pack.file_name();
                let file = pack_name.to_string_lossy();
                let kept = file.starts_with("pack-")
                    && (file.ends_with(".pack") || file.ends_with(".idx"));
                if kept && plain_file(&pack.path()) {
                    copy(&pack.path(), &to.join("pack"), &pack_name)?;
                }
            }
        }
    }
    Ok(())
}

pub(super) fn sorted_entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}
