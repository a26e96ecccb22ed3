#!/usr/bin/python3
"""Write keys through the real libmemcached (via Debian's pylibmc) and report the client's behaviors.

Run by generate.mjs with /usr/bin/python3 (Debian's interpreter, which has python3-pylibmc); never run
any hashing of our own here. Reads one JSON request on stdin:

    {"servers": ["127.0.0.1:21211:1", ...],   # pylibmc server specs, "host:port:weight"
     "steps": [{"ketama": true}, ...],          # steps[0] -> Client(..., behaviors=steps[0]),
                                                # later steps -> client.set_behaviors(step)
     "keys": ["user:1", ...]}

Writes one JSON object on stdout: the behaviors read back from the client after configuration, the
versions in use, and the keys libmemcached failed to store (must be empty). Which backend holds each
key is observed afterwards by generate.mjs, which reads every memcached directly.
"""

import ctypes
import json
import sys

import pylibmc

# The behaviors recorded in each fixture's effective_behaviors, in this order.
REPORTED = ["hash", "ketama_hash", "ketama", "ketama_weighted", "distribution",
            "auto_eject", "retry_timeout", "remove_failed", "failure_limit", "dead_timeout"]


def runtime_libmemcached_version():
    lib = ctypes.CDLL("libmemcached.so.11")
    lib.memcached_lib_version.restype = ctypes.c_char_p
    return lib.memcached_lib_version().decode()


def main():
    req = json.load(sys.stdin)
    steps = req["steps"]
    client = pylibmc.Client(req["servers"], behaviors=steps[0] if steps else None)
    for step in steps[1:]:
        client.set_behaviors(step)
    behaviors = client.get_behaviors()
    effective = {name: behaviors[name] for name in REPORTED}

    failed = []
    keys = req["keys"]
    for start in range(0, len(keys), 250):
        chunk = {key: b"1" for key in keys[start:start + 250]}
        failed.extend(client.set_multi(chunk))
    client.disconnect_all()

    json.dump({
        "effective_behaviors": effective,
        "failed": failed,
        "pylibmc_version": pylibmc.__version__,
        "libmemcached_runtime_version": runtime_libmemcached_version(),
    }, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
