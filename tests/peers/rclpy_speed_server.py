#!/usr/bin/env python3
"""The rclpy equivalent of exercise 1 (`speed_server`): the node `speed_server` serves `/set_speed`
(robot_interfaces/srv/SetSpeed), accepting speeds 0 to 100 and refusing the rest with a reason.

    rclpy_speed_server.py

Prints `speed_server: ready, ...` once it serves, one line per request, and exits 0 on Ctrl-C.
The book shows it beside the Rust server (chapter 4); tests/system/tests/rclpy_equivalents.rs
checks that the Rust client gets the same answers from it as from the Rust server.
"""

import sys

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node

from robot_interfaces.srv import SetSpeed

# ANCHOR: limits
MIN_SPEED = 0
MAX_SPEED = 100
# ANCHOR_END: limits


# ANCHOR: set_speed
def set_speed(request: SetSpeed.Request, response: SetSpeed.Response) -> SetSpeed.Response:
    """Decides a SetSpeed request: rclpy hands over an empty response to fill in and return."""
    speed = request.speed
    if speed < MIN_SPEED:
        response.success = False
        response.message = f"speed {speed} is below the minimum of {MIN_SPEED}"
    elif speed > MAX_SPEED:
        response.success = False
        response.message = f"speed {speed} is above the maximum of {MAX_SPEED}"
    else:
        response.success = True
        response.message = f"speed set to {speed}"
    if response.success:
        print(f"accepted: speed is now {speed}", flush=True)
    else:
        print(f"refused: {response.message}", flush=True)
    return response
# ANCHOR_END: set_speed


def main() -> int:
    # ANCHOR: main
    rclpy.init()
    node = Node("speed_server")
    # Keep the service in a variable, as in Rust: the node holds it, and so do we.
    service = node.create_service(SetSpeed, "/set_speed", set_speed)
    try:
        # Printed inside the try, so a Ctrl-C right after "ready" still stops cleanly.
        print("speed_server: ready, serving /set_speed", flush=True)
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass  # Ctrl-C: leave the graph cleanly below.
    except Exception:
        # rclpy 9 (Kilted) can report a Ctrl-C that lands while spin prepares its
        # next wait as an error of the shut-down context: a stop like the others.
        if rclpy.ok():
            raise
    node.destroy_service(service)
    node.destroy_node()
    rclpy.try_shutdown()
    # ANCHOR_END: main
    print("speed_server: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
