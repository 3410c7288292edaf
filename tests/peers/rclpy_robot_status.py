#!/usr/bin/env python3
"""The rclpy equivalent of exercise 3 (`robot_status`): one node, two services, one state.
`/set_speed` changes the speed and counts what it accepted and refused; `/get_status` reports the
speed, the counts and the uptime.

    rclpy_robot_status.py

Prints `robot_status: ready, ...` once it serves; exits 0 on Ctrl-C. rclpy's default executor runs
one callback at a time, so the shared state needs no lock here (a multi-threaded executor with a
reentrant callback group would need one, like the Rust version's Mutex).
"""

import sys
import time

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node

from robot_interfaces.srv import GetStatus, SetSpeed

MIN_SPEED = 0
MAX_SPEED = 100


# ANCHOR: state
class RobotStatus(Node):
    """The node and the robot's state, kept on the object both callbacks belong to."""

    def __init__(self) -> None:
        super().__init__("robot_status")
        self.speed = 0
        self.accepted = 0
        self.refused = 0
        self.started = time.monotonic()
        self.create_service(SetSpeed, "/set_speed", self.set_speed)
        self.create_service(GetStatus, "/get_status", self.status)
    # ANCHOR_END: state

    # ANCHOR: callbacks
    def set_speed(self, request: SetSpeed.Request, response: SetSpeed.Response) -> SetSpeed.Response:
        speed = request.speed
        if MIN_SPEED <= speed <= MAX_SPEED:
            self.speed = speed
            self.accepted += 1
            response.success = True
            response.message = f"speed set to {speed}"
        else:
            self.refused += 1
            side = f"below the minimum of {MIN_SPEED}" if speed < MIN_SPEED else f"above the maximum of {MAX_SPEED}"
            response.success = False
            response.message = f"speed {speed} is {side}"
        return response

    def status(self, _request: GetStatus.Request, response: GetStatus.Response) -> GetStatus.Response:
        response.speed = self.speed
        response.accepted_count = self.accepted
        response.refused_count = self.refused
        response.uptime_seconds = time.monotonic() - self.started
        return response
    # ANCHOR_END: callbacks


def main() -> int:
    rclpy.init()
    node = RobotStatus()
    try:
        # Printed inside the try, so a Ctrl-C right after "ready" still stops cleanly.
        print("robot_status: ready, serving /set_speed and /get_status", flush=True)
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception:
        if rclpy.ok():  # else a Ctrl-C mid-spin, as rclpy 9 (Kilted) reports it
            raise
    node.destroy_node()
    rclpy.try_shutdown()
    print("robot_status: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
