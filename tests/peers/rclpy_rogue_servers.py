#!/usr/bin/env python3
"""A rogue on the machine: the node `speed_server` serving `/set_speed` in every ROS domain from
FIRST to LAST, answering every request wrongly (it accepts every speed, with the message `rogue`),
as a leftover of an interrupted check or another course's robot would. Used by the tests that
prove no such node can reach a check (xtask/tests/rogue_nodes.rs).

    rclpy_rogue_servers.py FIRST LAST

One process, one rclpy context per domain, all spun by one executor thread each. Prints
`rogue: ready in N domains` once every node serves, then runs until Ctrl-C or SIGTERM.
"""

import signal
import sys
import threading

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

from robot_interfaces.srv import SetSpeed


def wrong_answer(request: SetSpeed.Request, response: SetSpeed.Response) -> SetSpeed.Response:
    response.success = True
    response.message = "rogue"
    return response


def main() -> int:
    first, last = int(sys.argv[1]), int(sys.argv[2])
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    spinners = []
    for domain in range(first, last + 1):
        context = rclpy.Context()
        rclpy.init(context=context, domain_id=domain, signal_handler_options=rclpy.signals.SignalHandlerOptions.NO)
        node = Node("speed_server", context=context)
        node.create_service(SetSpeed, "/set_speed", wrong_answer)
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        thread = threading.Thread(target=executor.spin, daemon=True)
        thread.start()
        spinners.append((context, executor))
    print(f"rogue: ready in {len(spinners)} domains", flush=True)
    stop.wait()
    for context, executor in spinners:
        executor.shutdown(timeout_sec=1)
        context.try_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
