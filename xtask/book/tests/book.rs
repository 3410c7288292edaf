//! The book as CI sees it: it builds without warnings, every include and link resolves, the output
//! it shows is what today's programs print, and a real browser renders it (pages, highlighted code,
//! SVG diagrams, search).

use std::path::PathBuf;
use std::sync::OnceLock;
use workbook_book::{
    answers, book_root, build, captures, includes, links, markdown_files, minutes, source_dir,
};

/// The book, built once per test process into a folder of its own.
fn built() -> &'static build::Built {
    static BUILT: OnceLock<build::Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = std::env::temp_dir().join(format!("workbook-book-test-{}", std::process::id()));
        build::build(&book_root(), &out).unwrap_or_else(|error| panic!("{error:#}"))
    })
}

#[track_caller]
fn assert_none(problems: Vec<String>, what: &str) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[test]
fn the_book_builds_without_warnings() {
    assert_none(
        built().warnings.clone(),
        "mdBook warned while building the book",
    );
}

#[test]
fn every_include_names_an_existing_file_and_anchor() {
    let pages = markdown_files().expect("book/src can be listed");
    let found = includes::find(&pages).expect("the book's pages can be read");
    assert!(
        found.len() > 30,
        "the book should include its listings and output from files; found only {}",
        found.len()
    );
    assert_none(includes::problems(&found), "includes that do not resolve");
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let problems = links::problems(&built().html).expect("the built book can be read");
    assert_none(problems, "links that do not resolve");
}

#[test]
fn every_captured_file_belongs_to_a_capture() {
    let all = captures::Captures::load().unwrap_or_else(|error| panic!("{error:#}"));
    let stale: Vec<String> = all
        .stale_files()
        .expect("book/src/captured can be listed")
        .iter()
        .map(|p| {
            format!(
                "{} (delete it, or add its capture to book/captures.toml)",
                p.display()
            )
        })
        .collect();
    assert_none(stale, "captured files no capture produces");
}

#[test]
fn the_output_the_book_shows_is_what_the_programs_print_today() {
    let all = captures::Captures::load().unwrap_or_else(|error| panic!("{error:#}"));
    let problems = all
        .drift_all(captures::SIDE_BY_SIDE, |_, _| {})
        .unwrap_or_else(|error| panic!("{error:#}"));
    assert_none(problems, "captured output that drifted");
}

/// The most of an exercise's answer a page before the Solutions part may show, in percent.
const MOST_SHOWN: f64 = 10.0;

#[test]
fn the_chapters_teach_without_printing_the_answers() {
    let root = workbook_harness::project_root();
    let exposures =
        answers::measure(&root, &built().html).unwrap_or_else(|error| panic!("{error:#}"));
    let mut problems = Vec::new();
    for exposure in &exposures {
        eprintln!(
            "{}: {} of {} lines of the answer shown ({:.0} %)",
            exposure.exercise,
            exposure.shown.len(),
            exposure.added.len(),
            exposure.percent()
        );
        assert!(
            !exposure.added.is_empty(),
            "{}: the solution adds nothing to the exercise, so there is nothing to measure",
            exposure.exercise
        );
        if exposure.percent() > MOST_SHOWN {
            problems.push(format!(
                "{}: {:.0} % of what its solution adds is in the book before the Solutions part \
                 (at most {MOST_SHOWN} %); teach it with the chapter's own example instead:\n      {}",
                exposure.exercise,
                exposure.percent(),
                exposure.shown.join("\n      ")
            ));
        }
    }
    assert_none(problems, "chapters that print an exercise's answer");
}

#[test]
fn only_the_solutions_part_includes_reference_solutions() {
    let pages = markdown_files().expect("book/src can be listed");
    let solutions = workbook_harness::project_root()
        .join("solutions")
        .canonicalize()
        .expect("solutions/ exists");
    let part = workbook_book::source_dir().join(answers::SOLUTIONS_PART);
    let problems: Vec<String> = includes::find(&pages)
        .expect("the book's pages can be read")
        .into_iter()
        .filter(|include| !include.page.starts_with(&part))
        .filter(|include| {
            include
                .target
                .canonicalize()
                .is_ok_and(|target| target.starts_with(&solutions))
        })
        .map(|include| {
            format!(
                "{}: {} shows a reference solution before the Solutions part; include the \
                 chapter's worked example (book/examples) instead, or move it to book/src/{}/",
                include.page.display(),
                include.directive,
                answers::SOLUTIONS_PART
            )
        })
        .collect();
    assert_none(problems, "chapters that include a reference solution");
}

#[test]
fn the_session_plan_adds_up_the_minutes_the_pages_state() {
    let problems = minutes::problems(&source_dir()).unwrap_or_else(|error| panic!("{error:#}"));
    assert_none(problems, "a session plan that does not add up");
}

#[test]
fn no_page_has_placeholder_text() {
    for page in markdown_files().expect("book/src can be listed") {
        let text = std::fs::read_to_string(&page).expect("a page can be read");
        for marker in ["TODO:", "TBD", "FIXME", "lorem ipsum", "XXX"] {
            assert!(
                !text.contains(marker),
                "{} contains the placeholder `{marker}`: finish the text",
                page.display()
            );
        }
    }
}

mod browser {
    //! A real headless Chromium loads the built book from a local server.
    use super::*;
    use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
    use headless_chrome::{Browser, LaunchOptions, Tab};
    use std::ffi::OsStr;
    use workbook_book::serve::Server;

    /// Evaluates a JavaScript expression and returns its value, passed through JSON (the
    /// protocol returns arrays as references otherwise).
    fn evaluate(tab: &Tab, expression: &str) -> serde_json::Value {
        let json = tab
            .evaluate(&format!("JSON.stringify({expression})"), false)
            .unwrap_or_else(|error| panic!("cannot evaluate `{expression}`: {error:#}"))
            .value
            .unwrap_or(serde_json::Value::Null);
        serde_json::from_str(json.as_str().unwrap_or("null")).unwrap_or(serde_json::Value::Null)
    }

    /// Where screenshots go: `WORKBOOK_SCREENSHOTS` (to refresh book/screenshots), or a temp dir.
    fn screenshot_dir() -> PathBuf {
        let dir = std::env::var_os("WORKBOOK_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("workbook-book-screenshots"));
        std::fs::create_dir_all(&dir).expect("the screenshot folder can be created");
        dir
    }

    fn open(tab: &Tab, url: &str) {
        tab.navigate_to(url)
            .and_then(|t| t.wait_until_navigated())
            .unwrap_or_else(|error| panic!("Chromium could not load {url}: {error:#}"));
    }

    #[test]
    fn a_real_browser_renders_pages_code_diagrams_and_search() {
        let chromium =
            workbook_book::browser::chromium().unwrap_or_else(|error| panic!("{error:#}"));
        let server =
            Server::start(&built().html, 0, None).unwrap_or_else(|error| panic!("{error:#}"));
        let profile =
            std::env::temp_dir().join(format!("workbook-chromium-{}", std::process::id()));
        let flags: Vec<&OsStr> = workbook_book::browser::FLAGS
            .iter()
            .filter(|f| **f != "--headless")
            .map(OsStr::new)
            .collect();
        let options = LaunchOptions::default_builder()
            .path(Some(chromium))
            .headless(true)
            .sandbox(false)
            .window_size(Some((1280, 900)))
            .user_data_dir(Some(profile.clone()))
            .args(flags)
            .build()
            .expect("valid launch options");
        let browser = Browser::new(options)
            .unwrap_or_else(|error| panic!("Chromium did not start: {error:#}"));
        let tab = browser.new_tab().expect("a tab");
        let shots = screenshot_dir();

        // A chapter with Rust listings: highlight.js has run over them.
        open(&tab, &server.url("server.html"));
        tab.wait_for_element("pre code.hljs")
            .unwrap_or_else(|error| {
                panic!("server.html: no highlighted code block appeared: {error:#}")
            });
        let keywords = evaluate(
            &tab,
            "document.querySelectorAll('pre code.language-rust .hljs-keyword').length",
        );
        assert!(
            keywords.as_u64().unwrap_or(0) > 10,
            "server.html: the Rust listings should be highlighted (keywords found: {keywords})"
        );
        let listing = evaluate(
            &tab,
            "document.querySelector('pre code.language-rust').innerText",
        );
        assert!(
            listing
                .as_str()
                .unwrap_or_default()
                .contains("Context::default_from_env"),
            "server.html: the first listing should be the included example code, got {listing}"
        );
        let png = tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("a screenshot of server.html");
        std::fs::write(shots.join("server.png"), png).expect("the screenshot can be written");

        // A chapter with diagrams: every SVG image loaded and has a size.
        open(&tab, &server.url("topics-vs-services.html"));
        let diagrams = evaluate(
            &tab,
            "Array.from(document.querySelectorAll('img')).filter(i => i.src.endsWith('.svg')).map(i => i.complete && i.naturalWidth > 100)",
        );
        let loaded: Vec<bool> = serde_json::from_value(diagrams.clone()).unwrap_or_default();
        assert!(
            loaded.len() >= 3 && loaded.iter().all(|l| *l),
            "topics-vs-services.html: three SVG diagrams should load and have a size; got {diagrams}"
        );
        tab.evaluate("document.querySelector('img').scrollIntoView()", false)
            .expect("scrolling works");
        let png = tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("a screenshot of topics-vs-services.html");
        std::fs::write(shots.join("topics-vs-services.png"), png)
            .expect("the screenshot can be written");

        // Search: mdBook's searcher reads ?search= from the URL and lists the hits.
        open(&tab, &server.url("welcome.html?search=SetSpeed"));
        tab.wait_for_element("#mdbook-searchresults li")
            .unwrap_or_else(|error| panic!("searching for SetSpeed listed no results: {error:#}"));
        let hits = evaluate(&tab, "Array.from(document.querySelectorAll('#mdbook-searchresults li a')).map(a => a.getAttribute('href'))");
        let hits: Vec<String> = serde_json::from_value(hits).unwrap_or_default();
        assert!(
            hits.iter().any(|h| h.starts_with("interfaces.html")),
            "searching for SetSpeed should find the interfaces chapter; found {hits:?}"
        );
        let png = tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("a screenshot of the search");
        std::fs::write(shots.join("search.png"), png).expect("the screenshot can be written");
        let _ = std::fs::remove_dir_all(profile);
    }
}
