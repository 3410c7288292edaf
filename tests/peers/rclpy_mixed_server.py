#!/usr/bin/env python3
"""An rclpy node (`mixed_server`) serving one service of each kind `ros2 service call` must handle.

    rclpy_mixed_server.py

Services:
  /set_bool       std_srvs/srv/SetBool     answers success=<data>, message 'data is <data>'
  /trigger        std_srvs/srv/Trigger     answers success=True, message 'triggered'
  /mixed_speed    robot_interfaces/srv/SetSpeed  accepts 0..100, like the reference server
  /arrays         test_msgs/srv/Arrays     sends the request's fields back (nested and arrays)
  /basic_types    test_msgs/srv/BasicTypes sends the request's fields back
  /mixed_server/_private_trigger  std_srvs/srv/Trigger  a hidden service (a part starts with `_`)
/set_bool has service introspection on (contents), so `ros2 service echo /set_bool` sees events.

For each response it prints `sent <service>: <repr(response)>` (rclpy's own repr, which the checks
compare with what the workbook's `ros2 service call` prints), and `ready` once it serves.
"""

import sys

import rclpy
from rclpy.node import Node
from rclpy.qos import qos_profile_system_default
from rclpy.service_introspection import ServiceIntrospectionState
from robot_interfaces.srv import SetSpeed
from std_srvs.srv import SetBool, Trigger
from test_msgs.srv import Arrays, BasicTypes


def copy_fields(request, response):
    for name in request.get_fields_and_field_types():
        setattr(response, name, getattr(request, name))
    return response


class MixedServer(Node):
    def __init__(self):
        super().__init__('mixed_server')
        set_bool = self.create_service(SetBool, '/set_bool', self.set_bool)
        set_bool.configure_introspection(
            self.get_clock(), qos_profile_system_default, ServiceIntrospectionState.CONTENTS)
        self._services = [
            set_bool,
            self.create_service(Trigger, '/trigger', self.trigger),
            self.create_service(Trigger, '/mixed_server/_private_trigger', self.trigger),
            self.create_service(SetSpeed, '/mixed_speed', self.set_speed),
            self.create_service(Arrays, '/arrays', self.echo('/arrays', Arrays)),
            self.create_service(BasicTypes, '/basic_types', self.echo('/basic_types', BasicTypes)),
        ]

    def sent(self, service, response):
        print(f'sent {service}: {response!r}', flush=True)
        return response

    def set_bool(self, request, response):
        response.success = request.data
        response.message = f'data is {request.data}'
        return self.sent('/set_bool', response)

    def trigger(self, request, response):
        response.success = True
        response.message = 'triggered'
        return self.sent('/trigger', response)

    def set_speed(self, request, response):
        response.success = 0 <= request.speed <= 100
        response.message = (
            f'speed set to {request.speed}' if response.success
            else f'speed {request.speed} is out of range')
        return self.sent('/mixed_speed', response)

    def echo(self, service, kind):
        def callback(request, response):
            return self.sent(service, copy_fields(request, kind.Response()))
        return callback


def main() -> int:
    rclpy.init()
    node = MixedServer()
    try:
        # Printed inside the try, so a Ctrl-C right after "ready" still stops cleanly.
        print('mixed_server: ready', flush=True)
        rclpy.spin(node)
    except (KeyboardInterrupt, rclpy.executors.ExternalShutdownException):
        pass
    except Exception:
        if rclpy.ok():  # else a Ctrl-C mid-spin, as rclpy 9 (Kilted) reports it
            raise
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
