//! `cargo xtask demo`: the workbook's main job on a fresh machine. Sets up ROS 2, builds the
//! reference server and client, starts `speed_server`, calls `/set_speed` with accepted and
//! refused speeds, asks `/get_status` from an rclpy client, and stops everything.

use crate::{cargo, provision, ui};
use anyhow::{Context, Result};
use colored::Colorize;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use workbook_harness::{describe_end, run_to_end, NodeProcess, World};

/// The calls the demo makes, with the exit code the reference client must give for each.
const CALLS: &[(i32, i32)] = &[(42, 0), (100, 0), (0, 0), (101, 1), (-5, 1)];

/// Runs the demo; exits 1 when something did not behave as the course says it does.
pub fn run() -> Result<ExitCode> {
    let environment = provision::ensure()?;
    ui::heading(
        "demo",
        "building the reference speed_server and speed_client",
    );
    let mut build = cargo::command(&environment, "build");
    build.args(["--bin", "speed_server", "--bin", "speed_client"]);
    cargo::run_visible(build)?;
    let bin = cargo::target_dir()?.join("debug");

    let world = World::new();
    ui::heading(
        "demo",
        &format!(
            "a ROS world of its own ({}), so nothing else on this machine interferes",
            if world.is_sealed() {
                "sealed namespaces".to_string()
            } else {
                format!("ROS domain {}, localhost only", world.domain.id())
            }
        ),
    );
    let server_command = world.command(bin.join("speed_server"));
    let mut server = NodeProcess::start("speed_server", server_command)?;
    let ready = server.wait_for_line("ready", Duration::from_secs(30))?;
    println!("  {} {}", "server".bold(), ready);

    let mut surprises = 0;
    for &(speed, expected) in CALLS {
        let mut client = world.command(bin.join("speed_client"));
        client.arg(speed.to_string()).args(["--timeout", "10"]);
        let started = Instant::now();
        let output = run_to_end("speed_client", client, Duration::from_secs(20))?;
        let code = output.code.unwrap_or(-1);
        let answer = output
            .text
            .lines()
            .last()
            .unwrap_or("(no output)")
            .to_string();
        let mark = if code == expected {
            "✓".green()
        } else {
            "✗".red()
        };
        if code != expected {
            surprises += 1;
        }
        println!(
            "  {mark} {:<22} exit {code}  {:<46} {}",
            format!("speed_client {speed}"),
            answer,
            ui::seconds(started.elapsed()).dimmed()
        );
    }

    let mut status = world.rclpy("rclpy_speed_client.py");
    status.arg("get_status");
    let output = run_to_end("rclpy get_status", status, Duration::from_secs(30))?;
    let mark = if output.code == Some(0) {
        "✓".green()
    } else {
        "✗".red()
    };
    if output.code != Some(0) {
        surprises += 1;
    }
    println!(
        "  {mark} {:<22} {}",
        "rclpy get_status",
        output.text.lines().last().unwrap_or("(no output)")
    );

    server.interrupt();
    let stopped = server
        .wait_for_exit(Duration::from_secs(10))
        .context("speed_server did not stop after Ctrl-C")?;
    let clean = stopped.code == Some(0);
    if !clean {
        surprises += 1;
    }
    let mark = if clean { "✓".green() } else { "✗".red() };
    println!(
        "  {mark} {:<22} stopped on Ctrl-C, {}",
        "speed_server",
        describe_end(&stopped)
    );
    println!();
    if surprises == 0 {
        println!("  Everything behaved as the course says. Next: read the book and run `cargo xtask test`.");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("  {surprises} step(s) did not behave as expected (marked ✗ above).");
        Ok(ExitCode::from(1))
    }
}
