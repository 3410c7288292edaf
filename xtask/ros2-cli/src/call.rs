//! `ros2 service call <service> <type> [values] [-r HZ]`: one generic rcl client for any
//! installed service type, printing what ros2cli's `ros2service/verb/call.py` prints:
//!
//! ```text
//! waiting for service to become available...      (only when the server is not yet seen)
//! requester: making request: robot_interfaces.srv.SetSpeed_Request(speed=42)
//!
//! response:
//! robot_interfaces.srv.SetSpeed_Response(success=True, message='speed set to 42')
//!
//! ```
//!
//! Unlike the real tool, the waits are bounded (`--timeout`): a missing service or a lost
//! response ends in an error instead of a hang.

use crate::format::repr;
use crate::introspection::{CMessage, ServiceType, UnknownType};
use crate::rcl::{self, Node, RclClient, RequestId};
use crate::value::Value;
use crate::{populate, yaml, Failure};
use anyhow::Result;
use std::io::Write;
use std::time::{Duration, Instant};

/// What the person asked for.
pub struct Call<'a> {
    pub service: &'a str,
    pub service_type: &'a str,
    pub values: &'a str,
    pub rate: Option<f64>,
    pub timeout: f64,
}

/// Loads a service type or fails the way ros2cli does.
pub fn load_type(identifier: &str) -> Result<ServiceType> {
    ServiceType::load(identifier).map_err(|error| {
        if error.downcast_ref::<UnknownType>().is_some() {
            Failure::new(
                "The passed service type is invalid",
                format!(
                    "`{identifier}` is not an installed service type; write it as \
                     package/srv/Name and see the installed ones with `ros2 interface list -s`"
                ),
            )
            .into()
        } else {
            error
        }
    })
}

/// Runs the call (repeatedly with a rate, until interrupted).
pub fn run(call: &Call) -> Result<()> {
    if let Some(rate) = call.rate {
        if rate <= 0.0 {
            return Err(Failure::new(
                "rate must be greater than zero",
                "give the rate in calls per second, e.g. -r 1",
            )
            .into());
        }
    }
    let service_type = load_type(call.service_type)?;
    let values = yaml::parse(call.values).map_err(|error| {
        Failure::new(
            format!("the values are not valid YAML: {error:#}"),
            "write them as a YAML mapping in one shell argument, e.g. \"{speed: 42}\"",
        )
    })?;
    let mut request_value = CMessage::new(service_type.request).read();
    if let Err(message) = populate::set_fields(&mut request_value, &values) {
        return Err(Failure::new(
            format!("Failed to populate field: {message}"),
            format!(
                "see the request's fields with `ros2 interface show {}`",
                full_name(&service_type)
            ),
        )
        .into());
    }
    let mut request = CMessage::new(service_type.request);
    request.write(&request_value)?;

    let mut node = Node::new(&format!(
        "_ros2cli_requester_{}_{}",
        service_type.package, service_type.name
    ))?;
    let client = Client::new(&mut node, &service_type, call.service)?;
    let timeout = Duration::from_secs_f64(call.timeout.max(0.0));
    if !client.server_is_available(&node)? {
        say("waiting for service to become available...");
        let end = Instant::now() + timeout;
        while !client.server_is_available(&node)? {
            if Instant::now() >= end {
                return Err(Failure::new(
                    format!(
                        "service '{}' did not become available within {:.1} s",
                        call.service, call.timeout
                    ),
                    "start the server first (e.g. `cargo xtask run speed_server`) and check the \
                     name with `ros2 service list`",
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let period = call.rate.map(|rate| Duration::from_secs_f64(1.0 / rate));
    loop {
        say(&format!(
            "requester: making request: {}\n",
            repr(&Value::Message(request_value.clone()))
        ));
        let started = Instant::now();
        let response = client.call(&request, &service_type, timeout)?;
        say(&format!(
            "response:\n{}\n",
            repr(&Value::Message(response.read()))
        ));
        let Some(period) = period else { break };
        if let Some(left) = (started + period).checked_duration_since(Instant::now()) {
            std::thread::sleep(left);
        }
    }
    drop(client);
    Ok(())
}

fn full_name(service_type: &ServiceType) -> String {
    format!("{}/srv/{}", service_type.package, service_type.name)
}

/// `print()`: a line on standard output, flushed at once (ros2cli makes stdout line-buffered).
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// An rcl client for a service type known only at run time (also the parameter verbs' client).
pub struct Client {
    client: Box<RclClient>,
    node: *mut rcl::RclNode,
}

impl Client {
    pub fn new(node: &mut Node, service_type: &ServiceType, service: &str) -> Result<Client> {
        let name = rcl::c_string(service)?;
        let mut client = Box::new(RclClient::zeroed());
        // SAFETY: a zeroed rcl_client_t is its zero-initialised value; the node outlives the
        // client (it is dropped in `run` before the node).
        let ret = unsafe {
            let options = rcl::rcl_client_get_default_options();
            rcl::rcl_client_init(
                &mut *client,
                node.raw(),
                service_type.type_support,
                name.as_ptr(),
                &options,
            )
        };
        if ret != rcl::RET_OK {
            return Err(Failure::new(
                format!(
                    "cannot create a client for '{service}' ({})",
                    rcl::last_error()
                ),
                "service names look like /set_speed: letters, digits, _ and /",
            )
            .into());
        }
        Ok(Client {
            client,
            node: node.raw_mut(),
        })
    }

    pub fn server_is_available(&self, node: &Node) -> Result<bool> {
        let mut available = false;
        // SAFETY: valid node and client; rcl writes one bool.
        let ret = unsafe {
            rcl::rcl_service_server_is_available(node.raw(), &*self.client, &mut available)
        };
        rcl::check(ret, "rcl_service_server_is_available")?;
        Ok(available)
    }

    /// Sends `request` and waits up to `timeout` for its response.
    pub fn call(
        &self,
        request: &CMessage,
        service_type: &ServiceType,
        timeout: Duration,
    ) -> Result<CMessage> {
        let mut sequence = 0i64;
        // SAFETY: the request holds an initialised message of the client's request type.
        rcl::check(
            unsafe { rcl::rcl_send_request(&*self.client, request.as_ptr(), &mut sequence) },
            "sending the request",
        )?;
        let end = Instant::now() + timeout;
        loop {
            let mut response = CMessage::new(service_type.response);
            let mut header: RequestId = unsafe { std::mem::zeroed() };
            // SAFETY: the response memory is an initialised message of the response type.
            let ret = unsafe {
                rcl::rcl_take_response(&*self.client, &mut header, response.as_mut_ptr())
            };
            if ret == rcl::RET_OK && header.sequence_number == sequence {
                return Ok(response);
            }
            if ret != rcl::RET_OK && ret != rcl::RET_CLIENT_TAKE_FAILED {
                rcl::check(ret, "taking the response")?;
            }
            if Instant::now() >= end {
                return Err(Failure::new(
                    format!("no response within {:.1} s", timeout.as_secs_f64()),
                    "the server may be busy or gone; check it with `ros2 service info`, or \
                     allow longer with --timeout",
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`; the node is still alive.
        unsafe {
            rcl::rcl_client_fini(&mut *self.client, self.node);
        }
    }
}
