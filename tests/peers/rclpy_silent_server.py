#!/usr/bin/env python3
"""A SetSpeed server that takes every request and never answers: what a hung robot looks like.

    rclpy_silent_server.py [--service NAME] [--serve-after SECS] [--trigger]

Prints `started` once its node exists and `ready` once it serves; with `--serve-after`, it creates
the service that many seconds after `started` (a server that appears late, with Python's start-up
already paid, so the moment it appears is known to within milliseconds). Its callback blocks
forever on a single-threaded executor, so a client's request is received and no response ever
comes: the checks use it to show that a client keeps its deadline instead of waiting forever. With `--trigger` it serves std_srvs/srv/Trigger
instead (the book's worked examples use it).
"""

import argparse
import sys
import threading
import time

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node

from robot_interfaces.srv import SetSpeed
from std_srvs.srv import Trigger


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", default="/set_speed")
    parser.add_argument("--serve-after", type=float, default=0.0)
    parser.add_argument("--trigger", action="store_true")
    args = parser.parse_args()
    rclpy.init()
    node = Node("silent_robot")
    never = threading.Event()
    print("started", flush=True)
    if args.serve_after > 0:
        time.sleep(args.serve_after)

    def hang(request, response):
        what = "a trigger" if args.trigger else f"speed {request.speed}"
        print(f"received {what}; not answering", flush=True)
        never.wait()
        return response

    node.create_service(Trigger if args.trigger else SetSpeed, args.service, hang)
    print("ready", flush=True)
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception:
        if rclpy.ok():  # else a Ctrl-C mid-spin, as rclpy 9 (Kilted) reports it
            raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
