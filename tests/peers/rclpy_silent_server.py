#!/usr/bin/env python3
"""A SetSpeed server that takes every request and never answers: what a hung robot looks like.

    rclpy_silent_server.py [--service NAME] [--serve-after SECS]

Prints `started` once its node exists and `ready` once it serves; with `--serve-after`, it creates
the service that many seconds after `started` (a server that appears late, with Python's start-up
already paid, so the moment it appears is known to within milliseconds). Its callback blocks forever on a single-threaded executor, so a
client's request is received and no response ever comes: the checks use it to show that a client
keeps its deadline instead of waiting forever.
"""

import argparse
import sys
import threading
import time

import rclpy
from rclpy.node import Node

from robot_interfaces.srv import SetSpeed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", default="/set_speed")
    parser.add_argument("--serve-after", type=float, default=0.0)
    args = parser.parse_args()
    rclpy.init()
    node = Node("silent_robot")
    never = threading.Event()
    print("started", flush=True)
    if args.serve_after > 0:
        time.sleep(args.serve_after)

    def hang(request, response):
        print(f"received speed {request.speed}; not answering", flush=True)
        never.wait()
        return response

    node.create_service(SetSpeed, args.service, hang)
    print("ready", flush=True)
    try:
        rclpy.spin(node)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
