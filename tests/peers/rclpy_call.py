#!/usr/bin/env python3
"""An independent rclpy peer that calls any service whose Python type support it can import.

    rclpy_call.py <package/srv/Type> <service> [--count N] [--set FIELD=VALUE]... [--timeout SECS]

Sends the same request `count` times (default 1) from one node, in order, each after the last
was answered. `--set` fills a request field (converted to the field's type; unset fields keep
their defaults). Prints one line per answer, its fields as `name=value` pairs separated by spaces
(the checks parse it), and exits 0 when every call was answered, 2 when no server answered in
time, 3 when the type cannot be imported.
"""

import argparse
import importlib
import sys

import rclpy
from rclpy.node import Node


def service_type(name: str):
    """The Python class of `package/srv/Type`."""
    package, kind, type_name = name.split("/")
    return getattr(importlib.import_module(f"{package}.{kind}"), type_name)


def fill(request, assignments: list[str]):
    """Sets the request's fields named in `assignments` (`field=value`), each to its own type."""
    for assignment in assignments:
        field, value = assignment.split("=", 1)
        current = getattr(request, field)
        if isinstance(current, bool):
            setattr(request, field, value.lower() in ("true", "1", "yes"))
        else:
            setattr(request, field, type(current)(value))
    return request


def shown(response) -> str:
    """The response's fields as `name=value`, in the order the interface declares them."""
    parts = []
    for field in response.get_fields_and_field_types():
        value = getattr(response, field)
        if isinstance(value, bool):
            value = str(value).lower()
        parts.append(f"{field}={value}")
    return " ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("type")
    parser.add_argument("service")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()

    try:
        kind = service_type(args.type)
    except (ImportError, AttributeError, ValueError) as error:
        print(f"cannot import {args.type}: {error}", file=sys.stderr)
        return 3

    rclpy.init()
    node = Node("rclpy_call")
    try:
        client = node.create_client(kind, args.service)
        if not client.wait_for_service(timeout_sec=args.timeout):
            print(f"no server: {args.service} is not available", file=sys.stderr)
            return 2
        for _ in range(args.count):
            future = client.call_async(fill(kind.Request(), args.set))
            rclpy.spin_until_future_complete(node, future, timeout_sec=args.timeout)
            if not future.done():
                print(f"no answer: {args.service} did not respond", file=sys.stderr)
                return 2
            print(shown(future.result()), flush=True)
        return 0
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main())
