//! The few rcl calls the tool makes, declared by hand, and a [`Node`] that owns an rcl context and
//! node for one command.
//!
//! rclrs keeps its rcl handles private, and a generic client (request type known only at run
//! time) plus `rcl_count_services`/`rcl_count_clients` need them, so the tool starts its own rcl
//! node. rclrs' build script already links rcl, rcl_action and rcutils; `build.rs` adds
//! rosidl_runtime_c. The structs below mirror rcl's Jazzy headers field by field; this module
//! must not grow any logic beyond owning and releasing those handles.

use anyhow::{bail, Result};
use std::ffi::{c_char, c_int, c_void, CStr, CString};

pub type Ret = i32;
pub const RET_OK: Ret = 0;
pub const RET_SUBSCRIPTION_TAKE_FAILED: Ret = 401;
pub const RET_CLIENT_TAKE_FAILED: Ret = 501;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Allocator {
    allocate: *mut c_void,
    deallocate: *mut c_void,
    reallocate: *mut c_void,
    zero_allocate: *mut c_void,
    state: *mut c_void,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct RmwTime {
    sec: u64,
    nsec: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct QosProfile {
    history: u32,
    depth: usize,
    reliability: u32,
    durability: u32,
    deadline: RmwTime,
    lifespan: RmwTime,
    liveliness: u32,
    liveliness_lease_duration: RmwTime,
    avoid_ros_namespace_conventions: bool,
}

#[repr(C)]
struct InitOptions {
    implementation: *mut c_void,
}

#[repr(C)]
struct Context {
    global_arguments: *mut c_void,
    implementation: *mut c_void,
    instance_id_storage: [u8; 8],
}

#[repr(C)]
pub struct RclNode {
    context: *mut Context,
    implementation: *mut c_void,
}

#[repr(C)]
struct NodeOptions {
    allocator: Allocator,
    use_global_arguments: bool,
    arguments: *mut c_void,
    enable_rosout: bool,
    rosout_qos: QosProfile,
}

#[repr(C)]
pub struct RclClient {
    implementation: *mut c_void,
}

impl RclClient {
    /// `rcl_get_zero_initialized_client()`.
    pub fn zeroed() -> RclClient {
        RclClient {
            implementation: std::ptr::null_mut(),
        }
    }
}

#[repr(C)]
pub struct ClientOptions {
    pub qos: QosProfile,
    allocator: Allocator,
}

#[repr(C)]
pub struct RclSubscription {
    implementation: *mut c_void,
}

impl RclSubscription {
    /// `rcl_get_zero_initialized_subscription()`.
    pub fn zeroed() -> RclSubscription {
        RclSubscription {
            implementation: std::ptr::null_mut(),
        }
    }
}

#[repr(C)]
pub struct SubscriptionOptions {
    pub qos: QosProfile,
    allocator: Allocator,
    rmw_specific_payload: *mut c_void,
    ignore_local_publications: bool,
    require_unique_network_flow_endpoints: u32,
    content_filter_options: *mut c_void,
    disable_loaned_message: bool,
}

/// `rmw_request_id_t`.
#[repr(C)]
pub struct RequestId {
    pub writer_guid: [u8; 16],
    pub sequence_number: i64,
}

/// `rmw_gid_t`.
#[repr(C)]
struct Gid {
    implementation_identifier: *const c_char,
    data: [u8; 16],
}

/// `rmw_message_info_t`.
#[repr(C)]
pub struct MessageInfo {
    source_timestamp: i64,
    received_timestamp: i64,
    publication_sequence_number: u64,
    reception_sequence_number: u64,
    publisher_gid: Gid,
    from_intra_process: bool,
}

/// `rcutils_string_array_t`.
#[repr(C)]
pub struct StringArray {
    size: usize,
    data: *mut *mut c_char,
    allocator: Allocator,
}

/// `rmw_names_and_types_t`.
#[repr(C)]
pub struct NamesAndTypes {
    names: StringArray,
    types: *mut StringArray,
}

extern "C" {
    fn rcutils_get_default_allocator() -> Allocator;
    fn rcutils_string_array_fini(array: *mut StringArray) -> Ret;
    fn rcutils_get_error_string() -> ErrorString;
    fn rcutils_reset_error();

    fn rcl_get_zero_initialized_init_options() -> InitOptions;
    fn rcl_init_options_init(options: *mut InitOptions, allocator: Allocator) -> Ret;
    fn rcl_init_options_fini(options: *mut InitOptions) -> Ret;
    fn rcl_get_zero_initialized_context() -> Context;
    fn rcl_init(
        argc: c_int,
        argv: *const *const c_char,
        options: *const InitOptions,
        context: *mut Context,
    ) -> Ret;
    fn rcl_shutdown(context: *mut Context) -> Ret;
    fn rcl_context_fini(context: *mut Context) -> Ret;
    fn rcl_get_zero_initialized_node() -> RclNode;
    fn rcl_node_get_default_options() -> NodeOptions;
    fn rcl_node_init(
        node: *mut RclNode,
        name: *const c_char,
        namespace: *const c_char,
        context: *mut Context,
        options: *const NodeOptions,
    ) -> Ret;
    fn rcl_node_fini(node: *mut RclNode) -> Ret;

    fn rcl_names_and_types_fini(names_and_types: *mut NamesAndTypes) -> Ret;
    fn rcl_get_service_names_and_types(
        node: *const RclNode,
        allocator: *mut Allocator,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_get_topic_names_and_types(
        node: *const RclNode,
        allocator: *mut Allocator,
        no_demangle: bool,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_get_node_names(
        node: *const RclNode,
        allocator: Allocator,
        names: *mut StringArray,
        namespaces: *mut StringArray,
    ) -> Ret;
    fn rcl_get_publisher_names_and_types_by_node(
        node: *const RclNode,
        allocator: *mut Allocator,
        no_demangle: bool,
        node_name: *const c_char,
        node_namespace: *const c_char,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_get_subscriber_names_and_types_by_node(
        node: *const RclNode,
        allocator: *mut Allocator,
        no_demangle: bool,
        node_name: *const c_char,
        node_namespace: *const c_char,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_get_service_names_and_types_by_node(
        node: *const RclNode,
        allocator: *mut Allocator,
        node_name: *const c_char,
        node_namespace: *const c_char,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_get_client_names_and_types_by_node(
        node: *const RclNode,
        allocator: *mut Allocator,
        node_name: *const c_char,
        node_namespace: *const c_char,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_action_get_server_names_and_types_by_node(
        node: *const RclNode,
        allocator: *const Allocator,
        node_name: *const c_char,
        node_namespace: *const c_char,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_action_get_client_names_and_types_by_node(
        node: *const RclNode,
        allocator: *const Allocator,
        node_name: *const c_char,
        node_namespace: *const c_char,
        names_and_types: *mut NamesAndTypes,
    ) -> Ret;
    fn rcl_count_services(node: *const RclNode, name: *const c_char, count: *mut usize) -> Ret;
    fn rcl_count_clients(node: *const RclNode, name: *const c_char, count: *mut usize) -> Ret;

    pub fn rcl_client_get_default_options() -> ClientOptions;
    pub fn rcl_client_init(
        client: *mut RclClient,
        node: *const RclNode,
        type_support: *const c_void,
        service_name: *const c_char,
        options: *const ClientOptions,
    ) -> Ret;
    pub fn rcl_client_fini(client: *mut RclClient, node: *mut RclNode) -> Ret;
    pub fn rcl_send_request(
        client: *const RclClient,
        request: *const c_void,
        sequence_number: *mut i64,
    ) -> Ret;
    pub fn rcl_take_response(
        client: *const RclClient,
        request_header: *mut RequestId,
        response: *mut c_void,
    ) -> Ret;
    pub fn rcl_service_server_is_available(
        node: *const RclNode,
        client: *const RclClient,
        is_available: *mut bool,
    ) -> Ret;

    pub fn rcl_subscription_get_default_options() -> SubscriptionOptions;
    pub fn rcl_subscription_init(
        subscription: *mut RclSubscription,
        node: *const RclNode,
        type_support: *const c_void,
        topic_name: *const c_char,
        options: *const SubscriptionOptions,
    ) -> Ret;
    pub fn rcl_subscription_fini(subscription: *mut RclSubscription, node: *mut RclNode) -> Ret;
    pub fn rcl_take(
        subscription: *const RclSubscription,
        message: *mut c_void,
        info: *mut MessageInfo,
        allocation: *mut c_void,
    ) -> Ret;
    pub fn rcl_subscription_get_publisher_count(
        subscription: *const RclSubscription,
        count: *mut usize,
    ) -> Ret;
}

/// `rcutils_error_string_t`: a fixed buffer.
#[repr(C)]
struct ErrorString {
    text: [c_char; 1024],
}

/// rcl's last error message (and clears it).
pub fn last_error() -> String {
    // SAFETY: rcutils returns the thread-local error state by value.
    unsafe {
        let error = rcutils_get_error_string();
        rcutils_reset_error();
        CStr::from_ptr(error.text.as_ptr())
            .to_string_lossy()
            .into_owned()
    }
}

/// Fails with rcl's message when `ret` is not `RET_OK`.
pub fn check(ret: Ret, what: &str) -> Result<()> {
    if ret != RET_OK {
        bail!("{what} failed (rcl error {ret}: {})", last_error());
    }
    Ok(())
}

/// A name as C wants it; ROS names never hold a NUL.
pub fn c_string(text: &str) -> Result<CString> {
    CString::new(text).map_err(|_| anyhow::anyhow!("the name {text:?} contains a NUL byte"))
}

/// An rcl context and one node in it, for the lifetime of a command.
pub struct Node {
    context: Box<Context>,
    node: Box<RclNode>,
}

impl Node {
    /// Starts rcl (domain and discovery range from the environment, as every ROS program does)
    /// and creates a node called `name`, without a `/rosout` publisher so the tool adds nothing
    /// to the topic list.
    pub fn new(name: &str) -> Result<Node> {
        let name = c_string(name)?;
        // SAFETY: each rcl object is zero-initialised by rcl, initialised once, and released in
        // `Drop` in reverse order; the boxes keep their addresses stable.
        unsafe {
            let allocator = rcutils_get_default_allocator();
            let mut options = rcl_get_zero_initialized_init_options();
            check(
                rcl_init_options_init(&mut options, allocator),
                "rcl_init_options_init",
            )?;
            let mut context = Box::new(rcl_get_zero_initialized_context());
            let ret = rcl_init(0, std::ptr::null(), &options, &mut *context);
            rcl_init_options_fini(&mut options);
            check(ret, "rcl_init (starting ROS 2)")?;
            let mut node = Box::new(rcl_get_zero_initialized_node());
            let mut node_options = rcl_node_get_default_options();
            node_options.enable_rosout = false;
            let ret = rcl_node_init(
                &mut *node,
                name.as_ptr(),
                c"/".as_ptr(),
                &mut *context,
                &node_options,
            );
            if ret != RET_OK {
                let message = last_error();
                rcl_shutdown(&mut *context);
                rcl_context_fini(&mut *context);
                bail!("cannot create the node (rcl error {ret}: {message})");
            }
            Ok(Node { context, node })
        }
    }

    /// The raw node, for clients and subscriptions.
    pub fn raw(&self) -> *const RclNode {
        &*self.node
    }

    /// The raw node, mutable (rcl's `*_fini` functions take it so).
    pub fn raw_mut(&mut self) -> *mut RclNode {
        &mut *self.node
    }

    /// Every service in the graph with its types, as rcl reports them (sorted by name).
    pub fn service_names_and_types(&self) -> Result<Vec<(String, Vec<String>)>> {
        names_and_types("rcl_get_service_names_and_types", |allocator, out| unsafe {
            rcl_get_service_names_and_types(self.raw(), allocator, out)
        })
    }

    /// Every topic in the graph with its types.
    pub fn topic_names_and_types(&self) -> Result<Vec<(String, Vec<String>)>> {
        names_and_types("rcl_get_topic_names_and_types", |allocator, out| unsafe {
            rcl_get_topic_names_and_types(self.raw(), allocator, false, out)
        })
    }

    /// `(name, namespace)` of every node in the graph.
    pub fn node_names(&self) -> Result<Vec<(String, String)>> {
        // SAFETY: zeroed string arrays are rcutils' zero-initialised value; both are released.
        unsafe {
            let mut names: StringArray = std::mem::zeroed();
            let mut namespaces: StringArray = std::mem::zeroed();
            let ret = rcl_get_node_names(
                self.raw(),
                rcutils_get_default_allocator(),
                &mut names,
                &mut namespaces,
            );
            let result = check(ret, "rcl_get_node_names").map(|()| {
                strings(&names)
                    .into_iter()
                    .zip(strings(&namespaces))
                    .collect()
            });
            rcutils_string_array_fini(&mut names);
            rcutils_string_array_fini(&mut namespaces);
            result
        }
    }

    /// What one node publishes, subscribes, serves, calls, and its action servers and clients.
    pub fn endpoints_of(&self, name: &str, namespace: &str, kind: Endpoint) -> Result<NodeTopics> {
        let name_c = c_string(name)?;
        let namespace_c = c_string(namespace)?;
        let (n, ns) = (name_c.as_ptr(), namespace_c.as_ptr());
        let node = self.raw();
        let result = names_and_types("reading a node's endpoints", |allocator, out| unsafe {
            match kind {
                Endpoint::Publishers => {
                    rcl_get_publisher_names_and_types_by_node(node, allocator, false, n, ns, out)
                }
                Endpoint::Subscribers => {
                    rcl_get_subscriber_names_and_types_by_node(node, allocator, false, n, ns, out)
                }
                Endpoint::ServiceServers => {
                    rcl_get_service_names_and_types_by_node(node, allocator, n, ns, out)
                }
                Endpoint::ServiceClients => {
                    rcl_get_client_names_and_types_by_node(node, allocator, n, ns, out)
                }
                Endpoint::ActionServers => {
                    rcl_action_get_server_names_and_types_by_node(node, allocator, n, ns, out)
                }
                Endpoint::ActionClients => {
                    rcl_action_get_client_names_and_types_by_node(node, allocator, n, ns, out)
                }
            }
        });
        match result {
            Ok(found) => Ok(NodeTopics::Found(found)),
            Err(error) if error.to_string().contains("rcl error 203") /* RCL_RET_NODE_NAME_NON_EXISTENT */ => Ok(NodeTopics::NoSuchNode),
            Err(error) => Err(error),
        }
    }

    /// How many servers (`servers = true`) or clients a service name has.
    pub fn count(&self, service: &str, servers: bool) -> Result<usize> {
        let name = c_string(service)?;
        let mut count = 0;
        // SAFETY: the node is valid for `self`'s lifetime; rcl writes one usize.
        let ret = unsafe {
            if servers {
                rcl_count_services(self.raw(), name.as_ptr(), &mut count)
            } else {
                rcl_count_clients(self.raw(), name.as_ptr(), &mut count)
            }
        };
        check(ret, "counting a service's endpoints")?;
        Ok(count)
    }
}

/// Which of a node's endpoints to list.
#[derive(Clone, Copy)]
pub enum Endpoint {
    Publishers,
    Subscribers,
    ServiceServers,
    ServiceClients,
    ActionServers,
    ActionClients,
}

/// A node's endpoints, or the news that no such node is in the graph.
pub enum NodeTopics {
    Found(Vec<(String, Vec<String>)>),
    NoSuchNode,
}

impl Drop for Node {
    fn drop(&mut self) {
        // SAFETY: both were initialised in `new`; nothing uses them after this.
        unsafe {
            rcl_node_fini(&mut *self.node);
            rcl_shutdown(&mut *self.context);
            rcl_context_fini(&mut *self.context);
        }
    }
}

fn names_and_types(
    what: &str,
    query: impl FnOnce(*mut Allocator, *mut NamesAndTypes) -> Ret,
) -> Result<Vec<(String, Vec<String>)>> {
    // SAFETY: a zeroed `rmw_names_and_types_t` is its zero-initialised value; rcl fills it and
    // `rcl_names_and_types_fini` releases it whether or not the query succeeded.
    unsafe {
        let mut allocator = rcutils_get_default_allocator();
        let mut out: NamesAndTypes = std::mem::zeroed();
        let ret = query(&mut allocator, &mut out);
        if ret != RET_OK {
            let message = last_error();
            bail!("{what} failed (rcl error {ret}: {message})");
        }
        let names = strings(&out.names);
        let mut result = Vec::with_capacity(names.len());
        for (index, name) in names.into_iter().enumerate() {
            result.push((name, strings(&*out.types.add(index))));
        }
        rcl_names_and_types_fini(&mut out);
        Ok(result)
    }
}

/// # Safety
/// `array` must be a valid, initialised rcutils string array.
unsafe fn strings(array: &StringArray) -> Vec<String> {
    (0..array.size)
        .map(|index| {
            let text = *array.data.add(index);
            if text.is_null() {
                String::new()
            } else {
                CStr::from_ptr(text).to_string_lossy().into_owned()
            }
        })
        .collect()
}
