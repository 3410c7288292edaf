#!/usr/bin/env python3
"""The rclpy side of `cargo xtask bench`: a SetSpeed server and a measuring client.

    rclpy_bench.py server [--service NAME]
    rclpy_bench.py client <service> <calls> <warmup> <in-flight> <pattern>

The server accepts 0..=100 like the reference robot and prints `ready`. The client prints one
JSON object like the Rust `bench_client`: discovery time, sequential latencies in microseconds,
calls per second with <in-flight> requests outstanding. Patterns:
  usual      call_async + rclpy.spin_until_future_complete, what the tutorials teach;
  spin_once  call_async + one reused SingleThreadedExecutor, spun once at a time until done
             (the fastest plain-rclpy pattern measured here).
"""

import json
import sys
import time

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

from robot_interfaces.srv import SetSpeed


def serve(service: str) -> int:
    rclpy.init()
    node = Node("rclpy_bench_server")

    def decide(request, response):
        response.success = 0 <= request.speed <= 100
        response.message = "ok" if response.success else "out of range"
        return response

    node.create_service(SetSpeed, service, decide)
    print("ready", flush=True)
    try:
        rclpy.spin(node)
    except KeyboardInterrupt:
        pass
    return 0


def measure(service: str, calls: int, warmup: int, in_flight: int, pattern: str) -> int:
    rclpy.init()
    node = Node("rclpy_bench_client")
    client = node.create_client(SetSpeed, service)
    started = time.perf_counter()
    if not client.wait_for_service(timeout_sec=30.0):
        print(f"{service} did not appear within 30 s", file=sys.stderr)
        return 2
    discovery = time.perf_counter() - started
    # A node belongs to one executor at a time: the usual pattern lets rclpy use its global one.
    executor = None
    if pattern != "usual":
        executor = SingleThreadedExecutor()
        executor.add_node(node)

    def spin_once():
        if executor is None:
            rclpy.spin_once(node, timeout_sec=1.0)
        else:
            executor.spin_once(timeout_sec=1.0)

    def wait(future):
        if executor is None:
            rclpy.spin_until_future_complete(node, future, timeout_sec=10.0)
        else:
            while not future.done():
                spin_once()
        return future.result()

    request = SetSpeed.Request()
    for i in range(warmup):
        request.speed = i % 101
        wait(client.call_async(request))
    latencies = []
    for i in range(calls):
        request.speed = i % 101
        sent = time.perf_counter()
        wait(client.call_async(request))
        latencies.append((time.perf_counter() - sent) * 1e6)
    began = time.perf_counter()
    pending = [client.call_async(SetSpeed.Request(speed=i % 101)) for i in range(min(in_flight, calls))]
    sent = len(pending)
    done = 0
    while done < calls:
        spin_once()
        still = []
        for future in pending:
            if future.done():
                done += 1
                if sent < calls:
                    still.append(client.call_async(SetSpeed.Request(speed=sent % 101)))
                    sent += 1
            else:
                still.append(future)
        pending = still
    rate = calls / (time.perf_counter() - began)
    print(json.dumps({
        "discovery_ms": round(discovery * 1e3, 1),
        "latencies_us": [round(x, 1) for x in latencies],
        "in_flight": in_flight,
        "in_flight_calls_per_s": round(rate, 1),
    }))
    return 0


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "server":
        service = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--service" else "/set_speed"
        return serve(service)
    if len(sys.argv) == 7 and sys.argv[1] == "client":
        _, _, service, calls, warmup, in_flight, pattern = sys.argv
        return measure(service, int(calls), int(warmup), int(in_flight), pattern)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
