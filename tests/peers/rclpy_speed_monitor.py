#!/usr/bin/env python3
"""An rclpy subscriber that prints every speed the robot publishes on /speed (std_msgs/msg/Int32).

    rclpy_speed_monitor.py [--topic NAME]

Prints `ready` once its subscription has matched a publisher of the topic (and half a second
later, so the publisher has matched the subscription too: reliable volatile samples go only to
subscriptions the publisher already knows), then `speed <n>` for every message, as it arrives. Runs until
interrupted. Default QoS, like a plain `create_subscription`: reliable and volatile, so it gets
only what is published after it joined.
"""

import argparse
import sys
import time

import rclpy
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from std_msgs.msg import Int32


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topic", default="/speed")
    args = parser.parse_args()
    rclpy.init()
    node = Node("speed_monitor")
    matched = []
    node.create_subscription(
        Int32,
        args.topic,
        lambda m: print(f"speed {m.data}", flush=True),
        10,
        event_callbacks=SubscriptionEventCallbacks(
            matched=lambda info: matched.append(info.current_count)
        ),
    )
    # As long as the checks give a program to start serving (APPEAR): a program that never
    # publishes is reported in seconds, not half a minute.
    deadline = time.monotonic() + 8
    while not (matched and matched[-1] > 0) and time.monotonic() < deadline:
        rclpy.spin_once(node, timeout_sec=0.05)
    # This side has matched the publisher; give the publisher's side a moment to match too.
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        rclpy.spin_once(node, timeout_sec=0.05)
    print("ready", flush=True)
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        # Ctrl-C raises one or the other, depending on when it arrives.
        pass
    except Exception:
        if rclpy.ok():  # else a Ctrl-C mid-spin, as rclpy 9 (Kilted) reports it
            raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
