//! The horn of exercise 8, with one mistake chosen by the variant that serves it.

use anyhow::Result;
use ros_env::std_srvs::srv::{SetBool, SetBool_Response, Trigger, Trigger_Response};
use std::sync::atomic::{AtomicU32, Ordering};

/// What a horn variant gets wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HornMistake {
    /// The node has another name than `horn`.
    NodeName,
    /// `/honk` is a SetBool service, not a Trigger one.
    ServiceType,
    /// Every answer says `honk 1`: the count is never kept.
    ForgetsCount,
    /// No Ctrl-C handler: SIGINT kills the process.
    NoCleanStop,
}

/// Serves `/honk` with `mistake`, until Ctrl-C (or until killed).
pub fn serve_horn(mistake: HornMistake) -> Result<()> {
    let name = if mistake == HornMistake::NodeName {
        "horn_node"
    } else {
        "horn"
    };
    let (mut executor, node) = crate::node(name)?;
    let honks = AtomicU32::new(0);
    let answer = move || {
        let count = if mistake == HornMistake::ForgetsCount {
            1
        } else {
            honks.fetch_add(1, Ordering::Relaxed) + 1
        };
        format!("honk {count}")
    };
    let _trigger;
    let _set_bool;
    if mistake == HornMistake::ServiceType {
        _set_bool =
            Some(
                node.create_service::<SetBool, _>("/honk", move |_| SetBool_Response {
                    success: true,
                    message: answer(),
                })?,
            );
    } else {
        _trigger = Some(
            node.create_service::<Trigger, _>("/honk", move |_| Trigger_Response {
                success: true,
                message: answer(),
            })?,
        );
    }
    crate::spin(&mut executor, mistake != HornMistake::NoCleanStop)
}
