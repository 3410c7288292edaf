//! `ros2 topic list`: the graph's topics, printed the way ros2cli's `ros2topic/verb/list.py`
//! prints them.

use crate::graph::Graph;
use anyhow::Result;

/// `topic list [-t] [-c] [--include-hidden-topics]`.
pub fn list(graph: &Graph, show_types: bool, count: bool, include_hidden: bool) -> Result<()> {
    let topics = graph.topics(include_hidden)?;
    if count {
        println!("{}", topics.len());
        return Ok(());
    }
    for (name, types) in topics {
        if show_types {
            println!("{name} [{}]", types.join(", "));
        } else {
            println!("{name}");
        }
    }
    Ok(())
}
