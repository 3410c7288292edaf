#!/usr/bin/env python3
"""An rclpy subscriber that prints every speed the robot publishes on /speed (std_msgs/msg/Int32).

    rclpy_speed_monitor.py [--topic NAME]

Prints `ready` once a publisher of the topic is in the graph (a little later, so the
subscription has matched it), then `speed <n>` for every message, as it arrives. Runs until
interrupted. Default QoS, like a plain `create_subscription`: reliable and volatile, so it gets
only what is published after it joined.
"""

import argparse
import sys
import time

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from std_msgs.msg import Int32


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topic", default="/speed")
    args = parser.parse_args()
    rclpy.init()
    node = Node("speed_monitor")
    node.create_subscription(Int32, args.topic, lambda m: print(f"speed {m.data}", flush=True), 10)
    deadline = time.monotonic() + 30
    while node.count_publishers(args.topic) == 0 and time.monotonic() < deadline:
        rclpy.spin_once(node, timeout_sec=0.05)
    # The graph shows the publisher; give the reliable endpoints a moment to match.
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        rclpy.spin_once(node, timeout_sec=0.05)
    print("ready", flush=True)
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        # Ctrl-C raises one or the other, depending on when it arrives.
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
