//! Wrong on purpose: `/set_speed` with the type std_srvs/srv/SetBool instead of SetSpeed.
use ros_env::std_srvs::srv::{SetBool, SetBool_Request, SetBool_Response};

fn main() -> anyhow::Result<()> {
    let (mut executor, node) = workbook_variants::node("speed_server")?;
    let _service =
        node.create_service::<SetBool, _>("/set_speed", |r: SetBool_Request| SetBool_Response {
            success: r.data,
            message: String::new(),
        })?;
    workbook_variants::spin(&mut executor, true)
}
