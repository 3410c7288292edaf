//! A small HTTP server for the built book, on localhost only: enough for a browser to load pages,
//! scripts, the search index and images. mdBook 0.5's library has no server (that lives in the
//! `mdbook` command), so the workbook carries these hundred lines instead of a web framework.
//!
//! With a [`Generation`] counter, every HTML page gets a few lines of script that ask
//! `/__generation` once a second and reload the page when the number changed: `cargo xtask book
//! --serve` bumps it after each rebuild.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

/// Counts the builds; pages reload when it changes.
pub type Generation = Arc<AtomicU64>;

/// A running server. It serves until the process ends.
pub struct Server {
    /// The address it listens on, e.g. `127.0.0.1:3000`.
    pub address: SocketAddr,
}

/// The script added to every page when live reload is on.
const RELOAD_SCRIPT: &str = r#"<script>
(function () {
  var seen = null;
  setInterval(function () {
    fetch('/__generation').then(function (r) { return r.text(); }).then(function (g) {
      if (seen !== null && g !== seen) { location.reload(); }
      seen = g;
    }).catch(function () {});
  }, 1000);
})();
</script>"#;

impl Server {
    /// Serves `root` on `127.0.0.1:port` (port 0: any free port), with live reload when
    /// `generation` is given.
    pub fn start(root: &Path, port: u16, generation: Option<Generation>) -> Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port)).with_context(|| {
            format!("cannot listen on 127.0.0.1:{port} (is another server using it? try --port)")
        })?;
        let address = listener
            .local_addr()
            .context("the listener has no address")?;
        let root = root.to_path_buf();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                let generation = generation.clone();
                thread::spawn(move || {
                    let _ = answer(stream, &root, generation.as_ref());
                });
            }
        });
        Ok(Server { address })
    }

    /// The URL of a page of the book, e.g. `url("ch04-server.html")`.
    pub fn url(&self, page: &str) -> String {
        format!("http://{}/{}", self.address, page.trim_start_matches('/'))
    }
}

fn answer(stream: TcpStream, root: &Path, generation: Option<&Generation>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Read the headers to their end; nothing in them matters here.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let mut stream = stream;
    if path == "/__generation" {
        let number = generation.map_or(0, |g| g.load(Ordering::SeqCst));
        return respond(
            &mut stream,
            "200 OK",
            "text/plain",
            number.to_string().as_bytes(),
        );
    }
    let Some(file) = resolve(root, path) else {
        return respond(&mut stream, "404 Not Found", "text/plain", b"not found");
    };
    let Ok(mut body) = std::fs::read(&file) else {
        let missing = std::fs::read(root.join("404.html")).unwrap_or_default();
        return respond(&mut stream, "404 Not Found", "text/html", &missing);
    };
    let kind = content_type(&file);
    if generation.is_some() && kind.starts_with("text/html") {
        let text =
            String::from_utf8_lossy(&body).replace("</body>", &format!("{RELOAD_SCRIPT}</body>"));
        body = text.into_bytes();
    }
    respond(&mut stream, "200 OK", kind, &body)
}

/// The file a URL path names inside `root`, refusing anything that climbs out of it.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let part = decode(part);
        if part == ".." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    Some(file)
}

/// `%20`-style escapes decoded (book file names are plain ASCII, so this is all that is needed).
fn decode(part: &str) -> String {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&part[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(file: &Path) -> &'static str {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "application/javascript",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_served_folder() {
        let root = Path::new("/srv/book");
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/%2e%2e/etc/passwd"), None);
        assert_eq!(
            resolve(root, "/ch04-server.html"),
            Some(PathBuf::from("/srv/book/ch04-server.html"))
        );
    }
}
