"""Free TCP ports on 127.0.0.1, chosen at each start and recorded in the run's state."""

from __future__ import annotations

import random
import socket

HOST = "127.0.0.1"


def is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def free_ports(
    count: int, *, twin_offset: int = 0, avoid: frozenset[int] = frozenset()
) -> list[int]:
    """Distinct free ports; with `twin_offset`, port + offset must be free as well."""
    chosen: list[int] = []
    taken = set(avoid)
    top = 65535 - twin_offset
    for port in random.sample(range(20000, top), 3000):
        pair = {port, port + twin_offset}
        if pair & taken or not all(is_free(p) for p in pair):
            continue
        chosen.append(port)
        taken |= pair
        if len(chosen) == count:
            return chosen
    raise OSError(f"no {count} free local ports")
