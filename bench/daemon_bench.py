#!/usr/bin/env python3
"""The daemon benchmark (scripts/bench, part "daemon"; docs/PERFORMANCE.md "Daemon").

    bench/daemon_bench.py --herald build-bench/daemon/herald --out bench/out/daemon \\
        [--idle-seconds 60] [--sizes 10000] [--calendars bench/out] [--posts 100] [--channels 10]

Runs the real `herald run` and measures, from /proc and a local sink:

  idle      Two daemons on a calendar whose next post is days away, one without
            and one with a systemd watchdog (WATCHDOG_USEC). After READY=1 (read
            from a unix datagram socket given as NOTIFY_SOCKET), over
            --idle-seconds of quiet: CPU time (utime + stime, /proc/PID/stat, and
            the nanosecond sum_exec_runtime of /proc/PID/task/*/schedstat),
            context switches (voluntary + involuntary, /proc/PID/task/*/status)
            and times scheduled (schedstat's timeslices): each wake-up is one.
            Goal: no wake-up but the watchdog's.
  memory    For each size, herald run on bench/out/calendar-N.yaml (written by
            bench/gen_calendar.py, as the preview part does, when missing):
            the time to READY=1 and the peak resident memory (VmHWM) then.
  lateness  --posts posts over --channels webhook channels, all due at one
            minute boundary (the next one plus one more minute of margin), to a
            sink in this process that stamps each request's arrival with the
            wall clock. Lateness = arrival - due instant; p50, p99, max.
            Goal: p99 < 50 ms.

The idle daemons idle while the other parts run (they are separate processes
with their own files; nothing they watch changes). Everything binds 127.0.0.1
or a path under --out, and every wait has a deadline. Prints a table per part;
exits 1 when a check fails (no READY=1, a post missing or sent twice, an exit
status other than 0), not when a goal is missed. Python 3 stdlib only.
"""

import argparse
import datetime as dt
import http.server
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ok = True


def fail(message):
    global ok
    ok = False
    print(f"bench: daemon: {message}", file=sys.stderr)


# --- herald as a child ----------------------------------------------------------

class Herald:
    """`herald run --config CONFIG` with NOTIFY_SOCKET bound here."""

    def __init__(self, herald, config, workdir, name, env=None):
        self.name = name
        self.notify_path = os.path.join(workdir, f"{name}.notify")
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.err_path = os.path.join(workdir, f"{name}.err")
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM",
                                    "HERALD_CONFIG", "STATE_DIRECTORY")}
        environment["NOTIFY_SOCKET"] = self.notify_path
        environment.update(env or {})
        self.started = time.monotonic()
        with open(self.err_path, "wb") as err, open(os.path.join(workdir, f"{name}.out"), "wb") as out:
            self.process = subprocess.Popen([herald, "run", "--config", config], stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=err, env=environment)
        self.messages = []

    def wait_for(self, line, limit):
        """Reads notify datagrams until one holds `line`; False at the deadline."""
        deadline = time.monotonic() + limit
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                return False
            self.notify.settimeout(min(left, 0.5))
            try:
                datagram = self.notify.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                continue
            self.messages.append(datagram)
            if line in datagram.split("\n"):
                return True

    def stop(self, limit=15):
        """SIGTERM and the exit status (None when it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(limit)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            status = None
        self.notify.close()
        os.unlink(self.notify_path)
        return status

    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()


def process_counters(pid):
    """CPU time and scheduling counters of a process, summed over its threads."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    counters = {"cpu_ms": (int(fields[11]) + int(fields[12])) * 1000.0 / ticks,
                "voluntary": 0, "involuntary": 0, "run_ns": 0, "timeslices": 0, "threads": 0}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        counters["voluntary"] += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        counters["involuntary"] += int(line.split()[1])
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                run_ns, _, slices = f.read().split()[:3]
                counters["run_ns"] += int(run_ns)
                counters["timeslices"] += int(slices)
            counters["threads"] += 1
        except FileNotFoundError:  # a thread that just ended
            pass
    return counters


def memory_of(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])  # kB
    return values


# --- files ----------------------------------------------------------------------

def write_config(path, calendar, state_dir, channels, extra=""):
    lines = ["version: 1", f"calendar: {calendar}", f"state_dir: {state_dir}", extra.rstrip("\n"), "channels:"]
    lines += [f"  {name}: {spec}" for name, spec in channels]
    with open(path, "w") as f:
        f.write("\n".join(line for line in lines if line) + "\n")


def quiet_calendar(path, day):
    with open(path, "w") as f:
        f.write("version: 1\ntimezone: UTC\ndefaults: {channels: [outbox]}\nevents:\n"
                f"  - id: far-away\n    title: Far away\n    dates: [{day.isoformat()}]\n"
                "    steps: [{at: 0, time: \"12:00\", message: \"{{title}} is today.\"}]\n")


def burst_calendar(path, due, posts, channels):
    """`posts` events, one post each at `due` (UTC, a minute boundary), over `channels` channels."""
    with open(path, "w") as f:
        f.write("version: 1\ntimezone: UTC\nevents:\n")
        for i in range(posts):
            f.write(f"  - id: late{i:05d}\n    title: Post {i}\n    dates: [{due.date().isoformat()}]\n"
                    f"    steps: [{{at: 0, time: \"{due:%H:%M}\", channels: [c{i % channels:03d}], "
                    "message: \"{{title}} on {{date}}.\"}]\n")


def keys_for(due, posts, channels):
    return {f"late{i:05d}/{due.date().isoformat()}/0d/c{i % channels:03d}" for i in range(posts)}


# --- the sink ---------------------------------------------------------------------

class Sink(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.lock = threading.Lock()
        self.arrivals = []  # (wall-clock seconds, Idempotency-Key)
        self.arrived = threading.Condition(self.lock)


class SinkHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as herald's transport expects

    def do_POST(self):
        # Stamped as soon as the request line and headers are in; the body is
        # read after.
        now = time.time()
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        with self.server.lock:
            self.server.arrivals.append((now, self.headers.get("Idempotency-Key", "")))
            self.server.arrived.notify_all()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


# --- parts --------------------------------------------------------------------------

def start_idle(args, work):
    day = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=3)
    quiet_calendar(os.path.join(work, "idle-calendar.yaml"), day)
    daemons = []
    for name, env in (("idle", {}), ("idle-watchdog", {"WATCHDOG_USEC": str(args.watchdog_seconds * 1_000_000)})):
        config = os.path.join(work, f"{name}.yaml")
        write_config(config, "idle-calendar.yaml", os.path.join(work, f"{name}-state"),
                     [("outbox", f"{{type: file, path: {name}-outbox.jsonl}}")])
        d = Herald(args.herald, config, work, name, env)
        if not d.wait_for("READY=1", 30):
            fail(f"{name}: no READY=1 within 30 s; stderr:\n{d.stderr()}")
            d.stop()
            continue
        d.at_ready = process_counters(d.process.pid)
        daemons.append(d)
    # The quiet minute starts a second after READY=1, so that what herald
    # finishes after telling systemd it is ready (the first plan's tail, the
    # step into its wait) is shown apart ("first 1 s" below), not mixed in.
    time.sleep(1)
    for d in daemons:
        d.before = process_counters(d.process.pid)
        d.t0 = time.monotonic()
        drain_notify(d)  # count only the pings of the quiet minute
    return daemons


def drain_notify(d):
    """The datagrams already queued on d's notify socket."""
    datagrams = []
    d.notify.setblocking(False)
    while True:
        try:
            datagrams.append(d.notify.recv(4096).decode("utf-8", "replace"))
        except BlockingIOError:
            break
    d.notify.setblocking(True)
    return datagrams


def finish_idle(args, daemons):
    rows = []
    for d in daemons:
        left = d.t0 + args.idle_seconds - time.monotonic()
        if left > 0:
            time.sleep(left)  # the measurement itself: a quiet minute
        if d.process.poll() is not None:
            fail(f"{d.name}: herald exited during the idle minute; stderr:\n{d.stderr()}")
            continue
        after = process_counters(d.process.pid)
        seconds = time.monotonic() - d.t0
        b = d.before
        watchdogs = sum(m.split("\n").count("WATCHDOG=1") for m in drain_notify(d))
        status = d.stop()
        if status != 0:
            fail(f"{d.name}: exit status {status} after SIGTERM; stderr:\n{d.stderr()}")
        rows.append((d.name, seconds, after["cpu_ms"] - b["cpu_ms"], (after["run_ns"] - b["run_ns"]) / 1e6,
                     after["voluntary"] - b["voluntary"], after["involuntary"] - b["involuntary"],
                     after["timeslices"] - b["timeslices"], watchdogs, after["threads"],
                     b["timeslices"] - d.at_ready["timeslices"]))
    print(f"idle:     herald run on a calendar whose next post is 3 days away, after READY=1 and 1 s, over "
          f"{args.idle_seconds} s; idle-watchdog has WATCHDOG_USEC={args.watchdog_seconds} s (a ping every "
          f"{args.watchdog_seconds / 2:g} s)")
    print()
    print("| daemon | seconds | CPU ms (stat) | CPU ms (schedstat) | voluntary cs | involuntary cs | "
          "times scheduled | WATCHDOG=1 seen | threads | scheduled in the 1 s after READY |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.1f} | {r[2]:.0f} | {r[3]:.3f} | {r[4]} | {r[5]} | {r[6]} | {r[7]} | {r[8]} "
              f"| {r[9]} |")
    print()
    plain = [r for r in rows if r[0] == "idle"]
    if plain:
        wakes = plain[0][6]
        print(f"goal: no wake-up while idle without a watchdog: {'met' if wakes == 0 else 'missed'} "
              f"({wakes} times scheduled in {plain[0][1]:.0f} s)")
    print()


def memory_part(args, work):
    rows = []
    for n in args.sizes:
        calendar = os.path.abspath(os.path.join(args.calendars, f"calendar-{n}.yaml"))
        if not os.path.exists(calendar):
            subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "gen_calendar.py"),
                            "--events", str(n), "--seed", "1", "--yaml", calendar,
                            "--remind", os.path.join(work, f"calendar-{n}.rem")], check=True)
        name = f"memory-{n}"
        state = os.path.join(work, f"{name}-state")
        shutil.rmtree(state, ignore_errors=True)
        config = os.path.join(work, f"{name}.yaml")
        write_config(config, calendar, state, [("staff-slack", f"{{type: file, path: {name}-outbox.jsonl}}"),
                                               ("edi-team", f"{{type: file, path: {name}-outbox.jsonl}}")])
        d = Herald(args.herald, config, work, name)
        if not d.wait_for("READY=1", args.ready_limit):
            fail(f"{name}: no READY=1 within {args.ready_limit} s; stderr:\n{d.stderr()[-2000:]}")
            d.stop()
            rows.append((n, None, None, None))
            continue
        ready = time.monotonic() - d.started
        m = memory_of(d.process.pid)
        status = d.stop(30)
        if status != 0:
            fail(f"{name}: exit status {status} after SIGTERM")
        rows.append((n, ready, m.get("VmHWM"), m.get("VmRSS")))
    print("memory:   herald run on the generated calendar (bench/gen_calendar.py --seed 1), fresh journal, "
          "read at READY=1")
    print()
    print("| events | to READY=1 s | peak RSS MiB (VmHWM) | RSS MiB at READY |")
    print("| ---: | ---: | ---: | ---: |")
    for n, ready, hwm, rss in rows:
        if ready is None:
            print(f"| {n} | failed | - | - |")
        else:
            print(f"| {n} | {ready:.2f} | {hwm / 1024:.1f} | {rss / 1024:.1f} |")
    print()


def lateness_part(args, work):
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = sink.server_address[1]
    now = dt.datetime.now(dt.timezone.utc)
    due = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=2)  # next boundary + 1 minute
    calendar = os.path.join(work, "lateness-calendar.yaml")
    burst_calendar(calendar, due, args.posts, args.channels)
    state = os.path.join(work, "lateness-state")
    shutil.rmtree(state, ignore_errors=True)
    config = os.path.join(work, "lateness.yaml")
    write_config(config, "lateness-calendar.yaml", state,
                 [(f"c{c:03d}", f"{{type: webhook, url: \"http://127.0.0.1:{port}/hook/c{c:03d}\"}}")
                  for c in range(args.channels)],
                 extra=f"delivery: {{timeout: 10s, attempts: 3, rate: {args.rate}}}")
    d = Herald(args.herald, config, work, "lateness")
    if not d.wait_for("READY=1", 30):
        fail(f"lateness: no READY=1 within 30 s; stderr:\n{d.stderr()}")
        d.stop()
        sink.shutdown()
        return
    due_ts = due.timestamp()
    print(f"bench: daemon: lateness: {args.posts} posts due at {due:%H:%M:%S}Z, in {due_ts - time.time():.0f} s",
          file=sys.stderr)
    expected = keys_for(due, args.posts, args.channels)
    deadline = time.monotonic() + (due_ts - time.time()) + 60
    with sink.lock:
        while len(sink.arrivals) < args.posts and time.monotonic() < deadline and d.process.poll() is None:
            sink.arrived.wait(0.5)
        arrivals = list(sink.arrivals)
    status = d.stop()
    sink.shutdown()
    if status != 0:
        fail(f"lateness: exit status {status} after SIGTERM; stderr:\n{d.stderr()}")
    keys = [k for _, k in arrivals]
    if sorted(keys) != sorted(expected):
        fail(f"lateness: {len(keys)} arrivals ({len(set(keys))} distinct keys), expected {len(expected)}; "
             f"missing {sorted(expected - set(keys))[:5]}…")
    late = sorted((t - due_ts) * 1000 for t, _ in arrivals)
    if not late:
        return
    early = sum(1 for x in late if x < 0)
    if early:
        fail(f"lateness: {early} posts arrived before their due instant")
    p50, p99, worst = percentile(late, 50), percentile(late, 99), late[-1]
    print(f"lateness: {args.posts} posts over {args.channels} webhook channels (rate {args.rate} each), due at one "
          f"minute boundary, to a Python sink on 127.0.0.1 stamping arrivals")
    print()
    print("| posts | channels | first ms | p50 ms | p99 ms | max ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {len(late)} | {args.channels} | {late[0]:.1f} | {p50:.1f} | {p99:.1f} | {worst:.1f} |")
    print()
    print(f"goal: p99 lateness < 50 ms: {'met' if p99 < 50 else 'missed'} ({p99:.1f} ms)")
    with open(os.path.join(work, "lateness.json"), "w") as f:
        json.dump({"due": due.isoformat(), "lateness_ms": late}, f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--herald", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--idle-seconds", type=int, default=60)
    p.add_argument("--watchdog-seconds", type=int, default=20)
    p.add_argument("--sizes", default="10000")
    p.add_argument("--calendars", default="bench/out")
    p.add_argument("--ready-limit", type=int, default=300)
    p.add_argument("--posts", type=int, default=100)
    p.add_argument("--channels", type=int, default=10)
    p.add_argument("--rate", default="100/s")
    p.add_argument("--parts", default="idle memory lateness")
    args = p.parse_args()
    args.herald = os.path.abspath(args.herald)
    args.sizes = [int(s) for s in args.sizes.split()]
    parts = args.parts.split()
    work = os.path.abspath(args.out)
    os.makedirs(work, exist_ok=True)

    daemons = start_idle(args, work) if "idle" in parts else []
    if "memory" in parts:
        memory_part(args, work)
    if "lateness" in parts:
        lateness_part(args, work)
    if "idle" in parts:
        finish_idle(args, daemons)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
