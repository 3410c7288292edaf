#!/usr/bin/env python3
"""The rclpy equivalent of exercise 4 (`async_client`): sends one SetSpeed request every `--every`
seconds without waiting for the earlier ones, each with its own deadline, and reports every request
exactly once: answered (accepted or refused), no server when it was due, or no answer in time.

    rclpy_async_client.py <speed>... [--every SECS] [--timeout SECS] [--wait SECS] [--service NAME]

Same output and exit codes as the Rust program: one `#n speed s: ...` line per request, then a
summary; 0 when every request was answered, 1 otherwise, 2 for wrong arguments.
"""

import argparse
import sys
import time

import rclpy
from rclpy.node import Node

from robot_interfaces.srv import SetSpeed


def describe(report) -> str:
    if report is None:
        return "no answer in time"
    if report == "no server":
        return report
    verdict = "accepted" if report.success else "refused"
    return f"{verdict}: {report.message}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("speeds", nargs="+", type=int)
    parser.add_argument("--every", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--wait", type=float, default=5.0)
    parser.add_argument("--service", default="/set_speed")
    args = parser.parse_args()

    rclpy.init()
    node = Node("async_client")
    client = node.create_client(SetSpeed, args.service)
    client.wait_for_service(timeout_sec=args.wait)  # a chance for discovery, not a requirement

    total = len(args.speeds)
    reports = {}
    in_flight = {}  # number -> (speed, future, deadline)

    def record(number: int, speed: int, report) -> None:
        reports[number] = report
        print(f"#{number} speed {speed}: {describe(report)}", flush=True)

    # ANCHOR: schedule
    def send() -> None:
        number = len(reports) + len(in_flight) + 1
        if number > total:
            return
        speed = args.speeds[number - 1]
        if not client.service_is_ready():
            record(number, speed, "no server")
            return
        future = client.call_async(SetSpeed.Request(speed=speed))  # returns at once
        in_flight[number] = (speed, future, time.monotonic() + args.timeout)

    def collect() -> None:
        for number, (speed, future, deadline) in list(in_flight.items()):
            if future.done():
                del in_flight[number]
                record(number, speed, future.result())
            elif time.monotonic() > deadline:
                del in_flight[number]
                client.remove_pending_request(future)  # forget it: a late answer is dropped
                record(number, speed, None)

    node.create_timer(args.every, send)
    node.create_timer(0.01, collect)
    while len(reports) < total:
        rclpy.spin_once(node, timeout_sec=0.05)
    # ANCHOR_END: schedule

    answered = sum(1 for r in reports.values() if r is not None and r != "no server")
    no_server = sum(1 for r in reports.values() if r == "no server")
    print(
        f"{total} requests: {answered} answered, {no_server} without a server, "
        f"{total - answered - no_server} without an answer",
        flush=True,
    )
    node.destroy_node()
    rclpy.try_shutdown()
    return 0 if answered == total else 1


if __name__ == "__main__":
    sys.exit(main())
