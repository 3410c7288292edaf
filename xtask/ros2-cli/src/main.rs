//! `ros2`: the verbs of ROS 2's command-line tool that the workbook teaches (`service`,
//! `interface`, `node`, `param`, `topic`), for machines where ros2cli is not installed (it is not on
//! PyPI). Output follows ros2cli (Jazzy) line for line; `cargo xtask ros2 …` runs it, and
//! `cargo xtask env` puts it on `PATH` when no real `ros2` is there.
//!
//! This file only parses the command line and dispatches; each verb lives in its own module.

mod call;
mod echo;
mod format;
mod graph;
mod interface_show;
mod interfaces;
mod introspection;
mod nodes;
mod param;
mod populate;
mod rcl;
mod service;
mod topic;
mod value;
mod yaml;
mod yaml_dump;

// Linked for its build script's link lines (rcl, rcl_action, rcutils); see `rcl.rs`.
extern crate rclrs;

use clap::{Args, CommandFactory, Parser, Subcommand};
use graph::Graph;
use std::process::ExitCode;

/// ros2 is an extensible command-line tool for ROS 2 (the workbook's own, for the verbs it
/// teaches).
#[derive(Parser)]
#[command(name = "ros2", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Various service related sub-commands
    Service {
        /// Consider hidden services as well
        #[arg(long, global = true)]
        include_hidden_services: bool,
        #[command(subcommand)]
        verb: ServiceVerb,
    },
    /// Show information about ROS interfaces
    Interface {
        #[command(subcommand)]
        verb: InterfaceVerb,
    },
    /// Various node related sub-commands
    Node {
        #[command(subcommand)]
        verb: NodeVerb,
    },
    /// Various param related sub-commands
    Param {
        #[command(subcommand)]
        verb: ParamVerb,
    },
    /// Various topic related sub-commands
    Topic {
        #[command(subcommand)]
        verb: TopicVerb,
    },
    /// Print the shell script that completes these commands on Tab (bash, zsh, fish):
    /// `eval "$(ros2 completion bash)"`. `cargo xtask env` does this for bash and zsh. Not a
    /// ros2cli verb (ros2cli completes through argcomplete), so it is hidden from the help.
    #[command(hide = true)]
    Completion { shell: clap_complete::Shell },
}

/// How long to let discovery run, as ros2cli's `--spin-time` (it applies without the daemon).
#[derive(Args, Clone, Copy)]
struct Discovery {
    /// Spin time in seconds to wait for discovery (default: until the graph stops changing)
    #[arg(long)]
    spin_time: Option<f64>,
}

#[derive(Subcommand)]
enum ServiceVerb {
    /// Output a list of available services
    List {
        /// Additionally show the service type
        #[arg(short = 't', long)]
        show_types: bool,
        /// Only display the number of services discovered
        #[arg(short = 'c', long)]
        count_services: bool,
        #[command(flatten)]
        discovery: Discovery,
    },
    /// Output a service's type
    Type {
        /// Name of the ROS service to get type (e.g. '/talker/list_parameters')
        service_name: String,
        #[command(flatten)]
        discovery: Discovery,
    },
    /// Output a list of available services of a given type
    Find {
        /// Name of the ROS service type to filter for (e.g. 'rcl_interfaces/srv/ListParameters')
        service_type: String,
        /// Only display the number of services discovered
        #[arg(short = 'c', long)]
        count_services: bool,
        #[command(flatten)]
        discovery: Discovery,
    },
    /// Print information about a service
    Info {
        /// Name of the ROS service to get info (e.g. '/add_two_ints')
        service_name: String,
        /// Also list the node behind each server and client (not in Jazzy's ros2cli)
        #[arg(short = 'v', long)]
        verbose: bool,
        #[command(flatten)]
        discovery: Discovery,
    },
    /// Call a service
    Call {
        /// Name of the ROS service to call to (e.g. '/add_two_ints')
        service_name: String,
        /// Type of the ROS service (e.g. 'std_srvs/srv/Empty')
        service_type: String,
        /// Values to fill the service request with in YAML format (e.g. '{a: 1, b: 2}'),
        /// otherwise the service request will be published with default values
        #[arg(default_value = "{}", conflicts_with = "stdin")]
        values: String,
        /// Read values from standard input
        #[arg(long)]
        stdin: bool,
        /// Repeat the call at a specific rate in Hz
        #[arg(short = 'r', long, value_name = "N")]
        rate: Option<f64>,
        /// Give up after this many seconds without a server or a response (ros2cli waits
        /// forever)
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
    /// Echo a service
    Echo {
        /// Name of the ROS service to echo (e.g. '/add_two_ints')
        service_name: String,
        /// Type of the ROS service (e.g. 'example_interfaces/srv/AddTwoInts')
        service_type: Option<String>,
        /// Output all elements for arrays, bytes, and string with a length > '--truncate-length'
        #[arg(short = 'f', long)]
        full_length: bool,
        /// The length to truncate arrays, bytes, and string to
        #[arg(short = 'l', long, default_value_t = 128)]
        truncate_length: usize,
        /// Stop after this many seconds (not in ros2cli, which runs until Ctrl-C)
        #[arg(long)]
        duration: Option<f64>,
        #[command(flatten)]
        discovery: Discovery,
    },
}

#[derive(Subcommand)]
enum InterfaceVerb {
    /// Output the interface definition
    Show {
        /// Show an interface definition (e.g. 'example_interfaces/msg/String')
        #[arg(value_name = "TYPE")]
        interface_type: String,
        /// Show all comments, including for nested interface definitions
        #[arg(long, conflicts_with = "no_comments")]
        all_comments: bool,
        /// Show no comments or whitespace
        #[arg(long)]
        no_comments: bool,
    },
    /// List all interface types available
    List {
        #[command(flatten)]
        kinds: Kinds,
    },
    /// Output a list of available interface types within one package
    Package {
        /// Name of the ROS package (e.g. 'example_interfaces')
        package_name: String,
        #[command(flatten)]
        kinds: Kinds,
    },
}

#[derive(Args)]
struct Kinds {
    /// Print out only the message types
    #[arg(short = 'm', long)]
    only_msgs: bool,
    /// Print out only the service types
    #[arg(short = 's', long)]
    only_srvs: bool,
    /// Print out only the action types
    #[arg(short = 'a', long)]
    only_actions: bool,
}

#[derive(Subcommand)]
enum NodeVerb {
    /// Output a list of available nodes
    List {
        /// Display all nodes even hidden ones
        #[arg(short = 'a', long)]
        all: bool,
        /// Only display the number of nodes discovered
        #[arg(short = 'c', long)]
        count_nodes: bool,
        #[command(flatten)]
        discovery: Discovery,
    },
    /// Output information about a node
    Info {
        /// Node name to request information
        node_name: String,
        /// Display hidden topics, services, and actions as well
        #[arg(long)]
        include_hidden: bool,
        #[command(flatten)]
        discovery: Discovery,
    },
}

/// Which node a parameter verb talks to (ros2cli's `node_name`, `--include-hidden-nodes` and
/// `--timeout`).
#[derive(Args)]
struct ParamNode {
    /// Name of the ROS node
    node_name: String,
    /// Consider hidden nodes as well
    #[arg(long)]
    include_hidden_nodes: bool,
    /// Wait for N seconds until node becomes available (default 1 sec)
    #[arg(long, value_name = "N", default_value_t = 1)]
    timeout: u32,
}

impl ParamNode {
    fn target(&self) -> param::Target<'_> {
        param::Target {
            node: &self.node_name,
            include_hidden: self.include_hidden_nodes,
            timeout: f64::from(self.timeout),
        }
    }
}

#[derive(Subcommand)]
enum ParamVerb {
    /// Output a list of available parameters
    List {
        /// Name of the ROS node
        node_name: Option<String>,
        /// Only parameters matching the regex expression will be showed. Supports `re` regex
        /// syntax.
        #[arg(long)]
        filter: Option<String>,
        /// Consider hidden nodes as well
        #[arg(long)]
        include_hidden_nodes: bool,
        /// Only list parameters with the provided prefixes
        #[arg(long, num_args = 1..)]
        param_prefixes: Vec<String>,
        /// Print parameter types with parameter names
        #[arg(long)]
        param_type: bool,
        #[command(flatten)]
        discovery: Discovery,
    },
    /// Get parameter
    Get {
        #[command(flatten)]
        node: ParamNode,
        /// Name of the parameter
        parameter_name: String,
        /// Hide the type information
        #[arg(long)]
        hide_type: bool,
    },
    /// Set parameter
    Set {
        #[command(flatten)]
        node: ParamNode,
        /// Name of the parameter
        parameter_name: String,
        /// Value of the parameter
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Show descriptive information about declared parameters
    Describe {
        #[command(flatten)]
        node: ParamNode,
        /// Names of the parameters
        #[arg(required = true)]
        parameter_names: Vec<String>,
    },
    /// Show all of the parameters of a node in a YAML file format
    Dump {
        #[command(flatten)]
        node: ParamNode,
    },
}

#[derive(Subcommand)]
enum TopicVerb {
    /// Output a list of available topics
    List {
        /// Additionally show the topic type
        #[arg(short = 't', long)]
        show_types: bool,
        /// Only display the number of topics discovered
        #[arg(short = 'c', long)]
        count_topics: bool,
        /// Consider hidden topics as well
        #[arg(long)]
        include_hidden_topics: bool,
        #[command(flatten)]
        discovery: Discovery,
    },
}

/// A failure to report as the real tool does (its message on standard error, exit code 1),
/// followed by how to fix it.
#[derive(Debug)]
pub struct Failure {
    pub problem: String,
    pub fix: String,
    pub code: u8,
}

impl Failure {
    pub fn new(problem: impl Into<String>, fix: impl Into<String>) -> Failure {
        Failure {
            problem: problem.into(),
            fix: fix.into(),
            code: 1,
        }
    }

    /// A failure that prints nothing (`ros2 service type` of an unknown service).
    pub fn silent(code: u8) -> Failure {
        Failure {
            problem: String::new(),
            fix: String::new(),
            code,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for Failure {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => match error.downcast_ref::<Failure>() {
            Some(failure) => {
                if !failure.problem.is_empty() {
                    eprintln!("{}", failure.problem);
                }
                if !failure.fix.is_empty() {
                    eprintln!("  fix: {}", failure.fix);
                }
                ExitCode::from(failure.code)
            }
            None => {
                eprintln!("{error:#}");
                ExitCode::from(1)
            }
        },
    }
}

fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Completion { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ros2", &mut script);
            match std::io::Write::write_all(&mut std::io::stdout(), &script) {
                Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
                _ => Ok(()),
            }
        }
        Command::Service {
            include_hidden_services: hidden,
            verb,
        } => match verb {
            ServiceVerb::List {
                show_types,
                count_services,
                discovery,
            } => service::list(&discover(discovery)?, show_types, count_services, hidden),
            ServiceVerb::Type {
                service_name,
                discovery,
            } => service::type_of(&discover(discovery)?, &service_name, hidden),
            ServiceVerb::Find {
                service_type,
                count_services,
                discovery,
            } => service::find(&discover(discovery)?, &service_type, count_services, hidden),
            ServiceVerb::Info {
                service_name,
                verbose,
                discovery,
            } => service::available_here("info", "use `ros2 service type` and `ros2 node info`")
                .and_then(|()| {
                    service::info(&discover(discovery)?, &service_name, verbose, hidden)
                }),
            ServiceVerb::Call {
                service_name,
                service_type,
                values,
                stdin,
                rate,
                timeout,
            } => {
                let values = if stdin {
                    std::io::read_to_string(std::io::stdin())?
                } else {
                    values
                };
                call::run(&call::Call {
                    service: &service_name,
                    service_type: &service_type,
                    values: &values,
                    rate,
                    timeout,
                })
            }
            ServiceVerb::Echo {
                service_name,
                service_type,
                full_length,
                truncate_length,
                duration,
                discovery,
            } => {
                service::available_here("echo", "call the service and print what you sent and got")
                    .and_then(|()| {
                        echo::run(&echo::Echo {
                            service: &service_name,
                            service_type: service_type.as_deref(),
                            truncate_length: (!full_length).then_some(truncate_length),
                            duration,
                            spin_time: discovery.spin_time,
                        })
                    })
            }
        },
        Command::Interface { verb } => match verb {
            InterfaceVerb::Show {
                interface_type,
                all_comments,
                no_comments,
            } => interface_show::show(&interface_type, no_comments, all_comments),
            InterfaceVerb::List { kinds } => {
                interfaces::list(kinds.only_msgs, kinds.only_srvs, kinds.only_actions)
            }
            InterfaceVerb::Package {
                package_name,
                kinds,
            } => interfaces::package(
                &package_name,
                kinds.only_msgs,
                kinds.only_srvs,
                kinds.only_actions,
            ),
        },
        Command::Node { verb } => match verb {
            NodeVerb::List {
                all,
                count_nodes,
                discovery,
            } => nodes::list(&discover(discovery)?, all, count_nodes),
            NodeVerb::Info {
                node_name,
                include_hidden,
                discovery,
            } => nodes::info(&discover(discovery)?, &node_name, include_hidden),
        },
        Command::Param { verb } => match verb {
            ParamVerb::List {
                node_name,
                filter,
                include_hidden_nodes,
                param_prefixes,
                param_type,
                discovery,
            } => {
                let target = node_name.as_deref().map(|node| param::Target {
                    node,
                    include_hidden: include_hidden_nodes,
                    timeout: 1.0,
                });
                param::list(&param::Listing {
                    target,
                    filter: filter.as_deref(),
                    prefixes: &param_prefixes,
                    param_type,
                    spin_time: discovery.spin_time,
                    include_hidden: include_hidden_nodes,
                })
            }
            ParamVerb::Get {
                node,
                parameter_name,
                hide_type,
            } => param::get(&node.target(), &parameter_name, hide_type),
            ParamVerb::Set {
                node,
                parameter_name,
                value,
            } => param::set(&node.target(), &parameter_name, &value),
            ParamVerb::Describe {
                node,
                parameter_names,
            } => param::describe(&node.target(), &parameter_names),
            ParamVerb::Dump { node } => param::dump(&node.target()),
        },
        Command::Topic {
            verb:
                TopicVerb::List {
                    show_types,
                    count_topics,
                    include_hidden_topics,
                    discovery,
                },
        } => topic::list(
            &discover(discovery)?,
            show_types,
            count_topics,
            include_hidden_topics,
        ),
    }
}

fn discover(discovery: Discovery) -> anyhow::Result<Graph> {
    Graph::discover(discovery.spin_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn tab_completion_offers_the_param_verbs_and_their_flags() {
        let mut script = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut Cli::command(),
            "ros2",
            &mut script,
        );
        let script = String::from_utf8(script).expect("a UTF-8 script");
        for word in [
            "list get set describe dump",
            "--include-hidden-nodes",
            "--hide-type",
            "--param-type",
        ] {
            assert!(script.contains(word), "the bash completion lacks {word:?}");
        }
    }
}
