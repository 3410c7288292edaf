#!/usr/bin/env python3
"""Reads the ROS graph the way any other node sees it (the checks use it, not the program under test).

    rclpy_graph.py wait-service <name> <timeout-seconds>
    rclpy_graph.py wait-topic <name> <timeout-seconds>

Waits until a service called <name> is in the graph and a server for it has been discovered,
then prints one `type <type>` line per type it is offered with and one `node <node>` line per
node that serves it, and exits 0. After the timeout it prints the services it did see and exits 1. `wait-topic` does the same for
a topic with a publisher: `type <type>` lines and `node <node>` per publishing node.
"""

import sys
import time

import rclpy
from rclpy.node import Node


def servers_of(node: Node, service: str) -> list:
    found = []
    for name, namespace in node.get_node_names_and_namespaces():
        try:
            offered = node.get_service_names_and_types_by_node(name, namespace)
        except Exception:  # the node left the graph while we asked
            continue
        if any(offered_name == service for offered_name, _ in offered):
            found.append(namespace.rstrip("/") + "/" + name)
    return found


def wait_service(node: Node, service: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        services = dict(node.get_service_names_and_types())
        if service in services:
            nodes = servers_of(node, service)
            if nodes:
                for type_name in services[service]:
                    print(f"type {type_name}")
                for name in sorted(nodes):
                    print(f"node {name}")
                return 0
        if time.monotonic() > deadline:
            seen = ", ".join(sorted(services)) or "none"
            print(f"no service {service} after {timeout:.0f} s; services seen: {seen}")
            return 1
        rclpy.spin_once(node, timeout_sec=0.1)


def wait_topic(node: Node, topic: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        topics = dict(node.get_topic_names_and_types())
        publishers = node.get_publishers_info_by_topic(topic) if topic in topics else []
        # An endpoint can be seen before the node that owns it; wait until every owner is known.
        known = all("_UNKNOWN_" not in info.node_name for info in publishers)
        if publishers and known:
            for type_name in topics[topic]:
                print(f"type {type_name}")
            for info in publishers:
                print(f"node {info.node_namespace.rstrip('/')}/{info.node_name}")
            return 0
        if time.monotonic() > deadline:
            seen = ", ".join(sorted(topics)) or "none"
            print(f"no publisher of {topic} after {timeout:.0f} s; topics seen: {seen}")
            return 1
        rclpy.spin_once(node, timeout_sec=0.1)


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("wait-service", "wait-topic"):
        print(__doc__, file=sys.stderr)
        return 2
    rclpy.init()
    node = Node("workbook_graph_reader")
    try:
        wait = wait_service if sys.argv[1] == "wait-service" else wait_topic
        return wait(node, sys.argv[2], float(sys.argv[3]))
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main())
