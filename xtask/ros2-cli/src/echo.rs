//! `ros2 service echo <service> [type]`: prints the service events that clients and servers
//! with service introspection on publish on `<service>/_service_event`, each as a YAML document
//! ending in `---`, the way ros2cli's `ros2service/verb/echo.py` dumps them (event types by name,
//! arrays and strings longer than 128 cut with `...`).

use crate::call::load_type;
use crate::graph::Graph;
use crate::introspection::CMessage;
use crate::rcl::{self, RclSubscription};
use crate::value::{Message, Value};
use crate::yaml_dump::dump;
use crate::Failure;
use anyhow::Result;
use std::io::Write;
use std::time::{Duration, Instant};

/// What the person asked for.
pub struct Echo<'a> {
    pub service: &'a str,
    pub service_type: Option<&'a str>,
    pub truncate_length: Option<usize>,
    /// Stop after this many seconds (this tool's addition, for scripts and tests).
    pub duration: Option<f64>,
    pub spin_time: Option<f64>,
}

/// The names of `service_msgs/msg/ServiceEventInfo`'s event types.
const EVENT_TYPES: [&str; 4] = [
    "REQUEST_SENT",
    "REQUEST_RECEIVED",
    "RESPONSE_SENT",
    "RESPONSE_RECEIVED",
];

pub fn run(echo: &Echo) -> Result<()> {
    let mut graph = Graph::discover(echo.spin_time)?;
    let type_name = match echo.service_type {
        Some(name) => name.to_string(),
        None => {
            let Some(types) = graph.service_types(echo.service, true)? else {
                return Err(Failure::new(
                    format!("Cannot find type for '{}'", echo.service),
                    "start the service first, or give its type after the name",
                )
                .into());
            };
            if types.len() != 1 {
                return Err(Failure::new(
                    format!(
                        "More than one type associated with service '{}'",
                        echo.service
                    ),
                    "give the type after the service name",
                )
                .into());
            }
            types[0].clone()
        }
    };
    let service_type = load_type(&type_name)?;
    let topic = format!("{}/_service_event", echo.service);
    let topic_c = rcl::c_string(&topic)?;
    let mut subscription = Box::new(RclSubscription::zeroed());
    // SAFETY: zero-initialised subscription, valid node and type support; finalised below.
    let ret = unsafe {
        let mut options = rcl::rcl_subscription_get_default_options();
        // ros2cli subscribes with the services_default QoS preset, as rcl's client default.
        options.qos = rcl::rcl_client_get_default_options().qos;
        rcl::rcl_subscription_init(
            &mut *subscription,
            graph.node.raw(),
            service_type.event_type_support,
            topic_c.as_ptr(),
            &options,
        )
    };
    rcl::check(ret, "subscribing to the service events")?;
    let end = echo
        .duration
        .map(|seconds| Instant::now() + Duration::from_secs_f64(seconds));
    let mut warned = false;
    let result = loop {
        if end.is_some_and(|end| Instant::now() >= end) {
            break Ok(());
        }
        if !warned {
            let mut publishers = 0usize;
            // SAFETY: valid subscription; rcl writes one usize.
            unsafe { rcl::rcl_subscription_get_publisher_count(&*subscription, &mut publishers) };
            if publishers < 1 {
                say(&format!(
                    "No publishers on topic '{topic}'; is service introspection on the client or server enabled?"
                ));
            }
            warned = true;
        }
        let mut event = CMessage::new(service_type.event);
        let mut info: rcl::MessageInfo = unsafe { std::mem::zeroed() };
        // SAFETY: the event memory is an initialised message of the subscription's type.
        let ret = unsafe {
            rcl::rcl_take(
                &*subscription,
                event.as_mut_ptr(),
                &mut info,
                std::ptr::null_mut(),
            )
        };
        if ret == rcl::RET_OK {
            let mut message = event.read();
            name_event_type(&mut message);
            let text = dump(&Value::Message(message), echo.truncate_length);
            say(&format!("{text}---"));
            continue;
        }
        if ret != rcl::RET_SUBSCRIPTION_TAKE_FAILED {
            break rcl::check(ret, "taking a service event");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // SAFETY: initialised above; the node is still alive.
    unsafe { rcl::rcl_subscription_fini(&mut *subscription, graph.node.raw_mut()) };
    result
}

/// `info.event_type: 0` → `REQUEST_SENT`, as ros2cli shows it.
fn name_event_type(message: &mut Message) {
    let Some(info) = message.fields.iter_mut().find(|f| f.name == "info") else {
        return;
    };
    let Value::Message(info) = &mut info.value else {
        return;
    };
    if let Some(field) = info.fields.iter_mut().find(|f| f.name == "event_type") {
        if let Value::Int(number) = field.value {
            if let Some(name) = EVENT_TYPES.get(number as usize) {
                field.value = Value::Str((*name).to_string());
            }
        }
    }
}

fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}
