"""Load test of `concordant serve` from localhost: bounded and self-stopping.

Starts the server (target/release/concordant unless --binary) on a free port of 127.0.0.1,
sends --requests POST /validate requests (a Label Studio task with two annotators' boxes) from
--concurrency keep-alive connections, and reports requests/s, p50 and p99 latency, the
statuses, and the server's resident memory before and after (flat memory: the second
figure near the first). With --max-concurrent small, overload shows as 503s. The server is
stopped by its PID. Standard library only.

    python3 bench/serve_load.py --requests 20000 --concurrency 64
    python3 bench/serve_load.py --requests 5000 --concurrency 64 --max-concurrent 1
"""

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "load-test-token-0123456789"


def task():
    def region(rid, x, who):
        return {"id": rid, "type": "rectanglelabels", "from_name": "label", "to_name": "image",
                "original_width": 640, "original_height": 480,
                "value": {"x": x, "y": 10, "width": 20, "height": 20, "rectanglelabels": ["Car"]}}
    annotations = [{"id": a, "completed_by": a, "result": [region(f"r{a}-{i}", 5 + 9 * i + a, a)
                                                            for i in range(8)]} for a in (1, 2, 3)]
    return json.dumps({"id": 1, "data": {"image": "/data/a.jpg"}, "annotations": annotations}).encode()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--max-concurrent", type=int)
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/concordant"))
    parser.add_argument("--rules", default=os.path.join(ROOT, "rules/datasets/label-studio"))
    args = parser.parse_args()

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    command = [args.binary, "serve", "--rules", args.rules, "--listen", f"127.0.0.1:{port}"]
    if args.max_concurrent:
        command += ["--max-concurrent", str(args.max_concurrent)]
    server = subprocess.Popen(command, env={**os.environ, "CONCORDANT_TOKEN": TOKEN},
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.05)
        body = task()
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        latencies, statuses, lock = [], {}, threading.Lock()
        left = [args.requests]

        def client():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine, seen = [], {}
            while True:
                with lock:
                    if left[0] == 0:
                        break
                    left[0] -= 1
                started = time.perf_counter()
                try:
                    connection.request("POST", "/validate", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status = "connection error"
                mine.append(time.perf_counter() - started)
                seen[status] = seen.get(status, 0) + 1
            with lock:
                latencies.extend(mine)
                for status, n in seen.items():
                    statuses[status] = statuses.get(status, 0) + n

        before = rss_kb(server.pid)
        samples, running = [], [True]

        def sample():
            while running[0]:
                samples.append(rss_kb(server.pid) // 1024)
                time.sleep(1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - started
        running[0] = False
        sampler.join()
        after = rss_kb(server.pid)
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(f"CPU: {cpu()} ({os.cpu_count()} cores)")
        print(f"{args.requests} requests at concurrency {args.concurrency}"
              f"{f', --max-concurrent {args.max_concurrent}' if args.max_concurrent else ''}: "
              f"{args.requests / took:.0f} requests/s, p50 {statistics.median(latencies) * 1e3:.2f} ms, "
              f"p99 {p99 * 1e3:.2f} ms; statuses {dict(sorted(statuses.items(), key=str))}; "
              f"server RSS {before // 1024} MB before, {after // 1024} MB after")
        print(f"server RSS each second (MB): {samples}")
        alive = server.poll() is None
        print("server still running:", alive)
        return 0 if alive else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
