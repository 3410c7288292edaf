#!/usr/bin/env python3
"""Parameters on the rclpy side, the independent peer of `ros2 param`'s tests
(xtask/ros2-cli/tests/param_verbs.rs).

    rclpy_parameters.py serve
    rclpy_parameters.py get <node> <name>...
    rclpy_parameters.py set <node> <name> <text>
    rclpy_parameters.py dump <node>

`serve` runs the node `param_node` with parameters of every type ros2cli prints (a range with a
step, a floating-point range, a read-only one, a description, additional constraints, dotted
names), prints `ready` and serves until Ctrl-C.

The other commands are clients through rclpy's own AsyncParameterClient: `get` prints one line
per name, `<type number> <str() of the value>` as rclpy's parameter_value_to_python gives it;
`set` turns the text into a value with rclpy's get_parameter_value (the rule `ros2 param set`
uses) and prints `successful` or `failed: <reason>`; `dump` prints what PyYAML's `yaml.dump`
writes for the node's parameters, nested at their dots. Exits 2 when the node's parameter
services do not answer within 10 s.
"""

import sys

import rclpy
import yaml
from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.parameter import get_parameter_value, parameter_value_to_python
from rclpy.parameter_client import AsyncParameterClient
from rcl_interfaces.msg import Parameter as ParameterMsg

TIMEOUT = 10.0


def serve() -> int:
    node = Node("param_node")
    node.declare_parameter(
        "gain",
        4,
        ParameterDescriptor(
            description="How hard the wheels push.",
            integer_range=[IntegerRange(from_value=0, to_value=10, step=2)],
        ),
    )
    node.declare_parameter(
        "ratio",
        0.25,
        ParameterDescriptor(
            floating_point_range=[FloatingPointRange(from_value=0.0, to_value=1.5, step=0.0)]
        ),
    )
    node.declare_parameter(
        "robot_name",
        "rover",
        ParameterDescriptor(
            read_only=True,
            additional_constraints="Only letters.",
        ),
    )
    node.declare_parameter("enabled", True)
    node.declare_parameter("waypoints", [1, 2, 3])
    node.declare_parameter("weights", [0.5, 1e20])
    node.declare_parameter("flags", [True, False])
    node.declare_parameter("names", ["a", "it's", "true"])
    node.declare_parameter("key", [b"\x01", b"a"])
    node.declare_parameter("limits.lower", -3)
    node.declare_parameter("limits.upper", 3.0)
    try:
        print("param_node: ready", flush=True)
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception:
        if rclpy.ok():  # else a Ctrl-C mid-spin, as rclpy 9 (Kilted) reports it
            raise
    node.destroy_node()
    return 0


def answer(node: Node, future):
    rclpy.spin_until_future_complete(node, future, timeout_sec=TIMEOUT)
    if not future.done() or future.result() is None:
        print("no answer from the parameter services", file=sys.stderr)
        sys.exit(2)
    return future.result()


def client_of(node: Node, target: str) -> AsyncParameterClient:
    client = AsyncParameterClient(node, target)
    if not client.wait_for_services(timeout_sec=TIMEOUT):
        print(f"no parameter services for {target}", file=sys.stderr)
        sys.exit(2)
    return client


def get(node: Node, target: str, names: list) -> int:
    client = client_of(node, target)
    response = answer(node, client.get_parameters(names))
    for value in response.values:
        print(value.type, parameter_value_to_python(value))
    return 0


def set_(node: Node, target: str, name: str, text: str) -> int:
    client = client_of(node, target)
    parameter = ParameterMsg(name=name, value=get_parameter_value(text))
    response = answer(node, client.set_parameters([parameter]))
    result = response.results[0]
    print("successful" if result.successful else f"failed: {result.reason}")
    return 0


def dump(node: Node, target: str) -> int:
    client = client_of(node, target)
    names = sorted(answer(node, client.list_parameters()).result.names)
    values = answer(node, client.get_parameters(names)).values
    parameters = {}
    for name, value in zip(names, values):
        *parents, leaf = name.split(".")
        level = parameters
        for parent in parents:
            level = level.setdefault(parent, {})
        level[leaf] = parameter_value_to_python(value)
    print(yaml.dump({target: {"ros__parameters": parameters}}, default_flow_style=False))
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "get", "set", "dump"):
        print(__doc__, file=sys.stderr)
        return 2
    rclpy.init()
    try:
        if sys.argv[1] == "serve":
            return serve()
        node = Node("rclpy_parameter_peer")
        try:
            target = sys.argv[2]
            if sys.argv[1] == "get":
                return get(node, target, sys.argv[3:])
            if sys.argv[1] == "set":
                return set_(node, target, sys.argv[3], sys.argv[4])
            return dump(node, target)
        finally:
            node.destroy_node()
    finally:
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main())
