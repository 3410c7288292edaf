#!/usr/bin/env python3
"""Sets an integer parameter of a running node through its parameter service, as
`ros2 param set <node> <name> <value>` does.

    rclpy_set_parameter.py <node> <name> <integer> [--timeout SECS]

Prints `successful=true` or `successful=false reason=<why>` and exits 0 when the node answered,
2 when its `<node>/set_parameters` service did not answer in time.
"""

import argparse
import sys

import rclpy
from rclpy.node import Node
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("node")
    parser.add_argument("name")
    parser.add_argument("value", type=int)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    rclpy.init()
    node = Node("rclpy_parameter_setter")
    try:
        client = node.create_client(SetParameters, f"{args.node.rstrip('/')}/set_parameters")
        if not client.wait_for_service(timeout_sec=args.timeout):
            print(f"no server: {client.srv_name} is not available", file=sys.stderr)
            return 2
        value = ParameterValue(type=ParameterType.PARAMETER_INTEGER, integer_value=args.value)
        request = SetParameters.Request(parameters=[Parameter(name=args.name, value=value)])
        future = client.call_async(request)
        rclpy.spin_until_future_complete(node, future, timeout_sec=args.timeout)
        if not future.done():
            print(f"no answer: {client.srv_name} did not respond", file=sys.stderr)
            return 2
        result = future.result().results[0]
        if result.successful:
            print("successful=true")
        else:
            print(f"successful=false reason={result.reason}")
        return 0
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main())
