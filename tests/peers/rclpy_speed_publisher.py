#!/usr/bin/env python3
"""The rclpy equivalent of exercise 5 (`speed_reporter`): the node `speed_reporter` serves
`/set_speed` and publishes its speed on the topic `/speed` (std_msgs/msg/Int32) each time an
accepted request changes it. Repeats and refusals publish nothing.

    rclpy_speed_publisher.py

Prints `speed_reporter: ready, ...` once it serves; exits 0 on Ctrl-C.
"""

import sys

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from std_msgs.msg import Int32

from robot_interfaces.srv import SetSpeed

MIN_SPEED = 0
MAX_SPEED = 100


class SpeedReporter(Node):
    def __init__(self) -> None:
        super().__init__("speed_reporter")
        self.speed = 0
        # ANCHOR: publisher
        # Queue depth 10, reliable, volatile: like rclrs' default, a subscriber that joins later
        # does not get what was published before.
        self.announce = self.create_publisher(Int32, "/speed", 10)
        # ANCHOR_END: publisher
        self.create_service(SetSpeed, "/set_speed", self.set_speed)

    # ANCHOR: set_speed
    def set_speed(self, request: SetSpeed.Request, response: SetSpeed.Response) -> SetSpeed.Response:
        speed = request.speed
        if not MIN_SPEED <= speed <= MAX_SPEED:
            side = f"below the minimum of {MIN_SPEED}" if speed < MIN_SPEED else f"above the maximum of {MAX_SPEED}"
            response.success = False
            response.message = f"speed {speed} is {side}"
            return response
        if speed != self.speed:
            self.speed = speed
            self.announce.publish(Int32(data=speed))  # to every subscriber listening now
        response.success = True
        response.message = f"speed set to {speed}"
        return response
    # ANCHOR_END: set_speed


def main() -> int:
    rclpy.init()
    node = SpeedReporter()
    try:
        # Printed inside the try, so a Ctrl-C right after "ready" still stops cleanly.
        print("speed_reporter: ready, serving /set_speed and publishing /speed", flush=True)
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception:
        if rclpy.ok():  # else a Ctrl-C mid-spin, as rclpy 9 (Kilted) reports it
            raise
    node.destroy_node()
    rclpy.try_shutdown()
    print("speed_reporter: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
