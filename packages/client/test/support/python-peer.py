#!/usr/bin/python3
"""Another client, written by others: pylibmc (memcached) or redis-py (redis), as Debian ships them.

Run by plain-values-interop.test.ts with /usr/bin/python3 (Debian's interpreter: the pyenv python
on PATH cannot import Debian's python3-pylibmc and python3-redis), once for the whole file (starting
Python and importing the libraries costs more than most requests). Reads one JSON request per line
on stdin and answers each with one JSON line on stdout, until stdin closes:

    {"backend": "memcached", "servers": ["127.0.0.1:21211:1", ...],   # pylibmc, ketama, in ring order
     "op": "write" | "read" | "incr", ...}
    {"backend": "redis", "owners": {"key": "127.0.0.1:6379", ...},      # redis-py does not shard: the
     "op": ..., ...}                                                    # test says which node owns each key

    write: {"text": {key: str}, "ints": {key: int}, "bytes": {key: hex}}  -> {"failed": [key, ...]}
    read:  {"keys": [key, ...]}   -> {key: [kind, value]}: ["bytes", hex], ["str", s], ["int", n],
                                     ["missing", null], or ["error", "ExceptionName: message"]
    incr:  {"keys": [key, ...]}   -> {key: new value} (memcached: None for a missing key; redis'
                                     INCR would create it as 1, so the test reads every key first)

Values are written the way each library writes them natively (str, int and bytes objects, nothing
encoded by hand), so the test sees what their users see. A request that raises is answered with
{"raised": traceback}, and the peer carries on with the next one.
"""

import json
import sys
import traceback

import pylibmc
import redis


def memcached_client(req):
    return pylibmc.Client(req["servers"], behaviors={"ketama": True})


def redis_clients(req):
    clients = {}
    for owner in set(req["owners"].values()):
        host, port = owner.rsplit(":", 1)
        clients[owner] = redis.Redis(host=host, port=int(port))
    return clients


def values_of(req):
    values = {}
    values.update(req.get("text", {}))
    values.update(req.get("ints", {}))
    values.update({key: bytes.fromhex(text) for key, text in req.get("bytes", {}).items()})
    return values


def described(value):
    if value is None:
        return ["missing", None]
    if isinstance(value, bytes):
        return ["bytes", value.hex()]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", value]
    if isinstance(value, str):
        return ["str", value]
    return [type(value).__name__, repr(value)]


def on_memcached(req):
    client = memcached_client(req)
    op = req["op"]
    keys = req.get("keys", [])
    if op == "write":
        return {"failed": sorted(client.set_multi(values_of(req)))}
    if op == "read":
        # A value pylibmc cannot decode raises from get (a pickle flag on bytes that are no pickle:
        # UnpicklingError, EOFError, even MemoryError; an int flag on text: ValueError) and fails
        # a whole get_multi: then each key is read alone, so one bad value does not hide the others.
        try:
            found = client.get_multi(keys)
            return {key: described(found.get(key)) for key in keys}
        except Exception:
            return {key: read_one(client, key) for key in keys}
    result = {}
    for key in keys:
        try:
            result[key] = client.incr(key)
        except pylibmc.NotFound:
            result[key] = None
    return result


def read_one(client, key):
    try:
        return described(client.get(key))
    except Exception as error:
        return ["error", f"{type(error).__name__}: {error}"]


def on_redis(req):
    clients = redis_clients(req)
    owners = req["owners"]
    op = req["op"]
    if op == "write":
        by_owner = {}
        for key, value in values_of(req).items():
            by_owner.setdefault(owners[key], []).append((key, value))
        failed = []
        for owner, entries in by_owner.items():
            pipe = clients[owner].pipeline(transaction=False)
            for key, value in entries:
                pipe.set(key, value)
            failed.extend(key for (key, _), ok in zip(entries, pipe.execute()) if ok is not True)
        return {"failed": sorted(failed)}
    keys = req["keys"]
    by_owner = {}
    for key in keys:
        by_owner.setdefault(owners[key], []).append(key)
    result = {}
    for owner, owned in by_owner.items():
        pipe = clients[owner].pipeline(transaction=False)
        for key in owned:
            if op == "read":
                pipe.get(key)
            else:
                pipe.incr(key)
        for key, value in zip(owned, pipe.execute()):
            result[key] = described(value) if op == "read" else value
    return result


def main():
    for line in sys.stdin:
        req = json.loads(line)
        handler = on_memcached if req["backend"] == "memcached" else on_redis
        try:
            answer = handler(req)
        except Exception:
            answer = {"raised": traceback.format_exc()}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
