#!/usr/bin/env python3
"""An independent rclpy peer: calls the workbook's services the way a Python node would.

    rclpy_speed_client.py set_speed <speed>... [--service NAME] [--timeout SECS]
    rclpy_speed_client.py get_status [--service NAME] [--timeout SECS]

Prints one line per answer (several speeds: one call each, in order, from one node), `key=value` pairs separated by spaces (the tests parse it), and exits
0 when the call was answered (whatever the answer), 2 when no server answered in time.
"""

import argparse
import sys

import rclpy
from rclpy.node import Node

from robot_interfaces.srv import GetStatus, SetSpeed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("call", choices=["set_speed", "get_status"])
    parser.add_argument("speeds", nargs="*", type=int)
    parser.add_argument("--service")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()

    rclpy.init()
    node = Node("rclpy_speed_client")
    try:
        if args.call == "set_speed":
            if not args.speeds:
                parser.error("set_speed needs a speed")
            client = node.create_client(SetSpeed, args.service or "/set_speed")
            requests = [SetSpeed.Request(speed=speed) for speed in args.speeds]
        else:
            client = node.create_client(GetStatus, args.service or "/get_status")
            requests = [GetStatus.Request()]

        if not client.wait_for_service(timeout_sec=args.timeout):
            print(f"no server: {client.srv_name} is not available", file=sys.stderr)
            return 2
        for request in requests:
            future = client.call_async(request)
            rclpy.spin_until_future_complete(node, future, timeout_sec=args.timeout)
            if not future.done():
                print(f"no answer: {client.srv_name} did not respond", file=sys.stderr)
                return 2
            response = future.result()
            if args.call == "set_speed":
                print(f"success={str(response.success).lower()} message={response.message}", flush=True)
            else:
                print(
                    f"speed={response.speed} accepted_count={response.accepted_count} "
                    f"refused_count={response.refused_count} uptime_seconds={response.uptime_seconds:.3f}"
                )
        return 0
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main())
