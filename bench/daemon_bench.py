#!/usr/bin/env python3
"""The daemon benchmark (scripts/bench, part "daemon"; docs/PERFORMANCE.md "Daemon").

    bench/daemon_bench.py --herald build-bench/herald --out bench/out/daemon \\
        [--idle-seconds 60] [--sizes 10000] [--calendars bench/out] [--posts "1 10 100"] [--channels 10]

Runs the real `herald run` and measures, from /proc and a local sink:

  idle      Two daemons on a calendar whose next post is days away, one without
            and one with a systemd watchdog (WATCHDOG_USEC). From 1 s after
            READY=1 (read from a unix datagram socket given as NOTIFY_SOCKET),
            over --idle-seconds: CPU time (utime + stime of /proc/PID/stat, and
            the nanosecond sum_exec_runtime of /proc/PID/task/*/schedstat),
            context switches (voluntary + involuntary, /proc/PID/task/*/status)
            and times scheduled (schedstat's timeslices): each wake-up is one.
            Goal: no wake-up but the watchdog's.
  memory    For each size, herald run on bench/out/calendar-N.yaml (written by
            bench/gen_calendar.py, as the preview part does, when missing):
            the time to READY=1 and the peak resident memory (VmHWM) then.
  reload    herald run, then --reloads SIGHUPs (default 10): the peak (VmHWM)
            and resident memory after each. Goal: the peak after the last
            no higher than at the start (READY=1); also said: whether it
            creeps after the first reload.
  lateness  Groups of posts (--posts, e.g. 1, 10 and 100 posts), each group due
            at one minute boundary (the first at the next boundary plus one
            more minute of margin, then one a minute), in one daemon, over up to
            --channels webhook channels, to a local sink that stamps each
            request's arrival with the wall clock (--sink: bench/http_sink
            --stamps by default, or one of two in this process). Lateness = arrival -
            due instant; p50, p99, max per group, and the machine's io and cpu
            stalls (/proc/pressure) from 0.5 s before the due instant to 0.5 s
            after. Goal: p99 <= 50 ms for up to 100 posts at once, <= 300 ms
            for more (1000 over 50 channels).
  replicas  One group of --replica-posts posts due at one minute boundary, as
            in lateness, sent by one daemon over SQLite, one over a shared
            PostgreSQL journal, and two replicas sharing one (docs/service.md
            "Replicas"), each configuration at its own minute so they never
            overlap. A throwaway PostgreSQL 15 cluster (initdb, pg_ctl from
            /usr/lib/postgresql/15/bin, as the postgres user when root) under
            --out. Checks every post arrives exactly once. Goal: two replicas
            over PostgreSQL within 2x the lateness of one daemon over SQLite.

Each daemon has its own folder (herald watches the folder of its config and
calendar, so files written there by another part would wake it), with its
logs and notify socket in a subfolder it does not watch. The idle daemons idle while the other parts run (they are separate processes
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
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ok = True
CLOCK_NOTICE = "the wall clock moved"  # herald's log line when TFD_TIMER_CANCEL_ON_SET fires


def fail(message):
    global ok
    ok = False
    print(f"bench: daemon: {message}", file=sys.stderr)


# --- herald as a child ----------------------------------------------------------

class Herald:
    """`herald run --config CONFIG` with NOTIFY_SOCKET bound here.

    A thread reads the notify socket all the time, as systemd does: a unix
    datagram socket queues only net.unix.max_dgram_qlen datagrams (often 10),
    and herald's sd_notify blocks when the queue is full.
    """

    def __init__(self, herald, home, name, env=None):
        """Runs `herald run --config HOME/herald.yaml`; its stderr, stdout and
        notify socket are in HOME/run/, a folder herald does not watch, so its
        own log lines wake no file watcher."""
        self.name = name
        run = os.path.join(home, "run")
        os.makedirs(run, exist_ok=True)
        config = os.path.join(home, "herald.yaml")
        self.notify_path = os.path.join(run, "notify")
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.notify.settimeout(0.2)
        self.messages = []  # every datagram, in arrival order
        self.consumed = 0  # datagrams looked at by wait_for / take_new
        self.arrived = threading.Condition()
        self.closing = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.err_path = os.path.join(run, "herald.err")
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM",
                                    "HERALD_CONFIG", "STATE_DIRECTORY")}
        environment["NOTIFY_SOCKET"] = self.notify_path
        environment.update(env or {})
        self.started = time.monotonic()
        with open(self.err_path, "wb") as err, open(os.path.join(run, "herald.out"), "wb") as out:
            self.process = subprocess.Popen([herald, "run", "--config", config], stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=err, env=environment)

    def _read(self):
        while not self.closing:
            try:
                datagram = self.notify.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                continue
            except OSError:
                return
            with self.arrived:
                self.messages.append(datagram)
                self.arrived.notify_all()

    def wait_for(self, line, limit):
        """Waits for a datagram holding `line` after those already looked at; False at the deadline."""
        deadline = time.monotonic() + limit
        with self.arrived:
            while True:
                while self.consumed < len(self.messages):
                    self.consumed += 1
                    if line in self.messages[self.consumed - 1].split("\n"):
                        return True
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    return False
                self.arrived.wait(min(left, 0.5))

    def take_new(self):
        """The datagrams that came since the last wait_for / take_new."""
        with self.arrived:
            new = self.messages[self.consumed:]
            self.consumed = len(self.messages)
            return new

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
        self.closing = True
        self.reader.join()
        self.notify.close()
        os.unlink(self.notify_path)
        with open(os.path.join(os.path.dirname(self.err_path), "notify.log"), "w") as f:
            f.write("".join(m.replace("\n", " | ") + "\n" for m in self.messages))
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
            if key in ("VmHWM", "VmRSS", "RssAnon"):
                values[key] = int(rest.split()[0])  # kB
    return values


# --- files ----------------------------------------------------------------------

def daemon_home(work, name):
    """A fresh folder for one daemon: herald.yaml, its calendar, state/, run/.
    Each daemon has its own, because herald watches the folder of its config
    and calendar: files other parts write there would wake it."""
    home = os.path.join(work, name)
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    return home


def write_config(home, calendar, channels, extra=""):
    lines = ["version: 1", f"calendar: {calendar}", "state_dir: state", extra.rstrip("\n"), "channels:"]
    lines += [f"  {name}: {spec}" for name, spec in channels]
    with open(os.path.join(home, "herald.yaml"), "w") as f:
        f.write("\n".join(line for line in lines if line) + "\n")


def quiet_calendar(path, day):
    with open(path, "w") as f:
        f.write("version: 1\ntimezone: UTC\ndefaults: {channels: [outbox]}\nevents:\n"
                f"  - id: far-away\n    title: Far away\n    dates: [{day.isoformat()}]\n"
                "    steps: [{at: 0, time: \"12:00\", message: \"{{title}} is today.\"}]\n")


def group_posts(group, due, posts, channels):
    """The posts of one group: `posts` events due at `due` over min(posts, channels) channels, as (id, channel, key)."""
    return [(f"g{group}p{i:05d}", f"c{i % channels:03d}",
             f"g{group}p{i:05d}/{due.date().isoformat()}/0d/c{i % channels:03d}") for i in range(posts)]


def burst_calendar(path, groups):
    """A calendar of one-step events: each group's posts due at its own minute boundary (UTC)."""
    with open(path, "w") as f:
        f.write("version: 1\ntimezone: UTC\nevents:\n")
        for due, posts in groups:
            for event, channel, _ in posts:
                f.write(f"  - id: {event}\n    title: Post {event}\n    dates: [{due.date().isoformat()}]\n"
                        f"    steps: [{{at: 0, time: \"{due:%H:%M}\", channels: [{channel}], "
                        "message: \"{{title}} on {{date}}.\"}]\n")


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
    disable_nagle_algorithm = True

    def do_POST(self):
        # Stamped as soon as the request line and headers are in; the body is
        # read after.
        now = time.time()
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        with self.server.lock:
            self.server.arrivals.append((now, self.headers.get("Idempotency-Key", "")))
            self.server.arrived.notify_all()
        # One write for the whole answer: with a write for the headers and
        # another for the body, Nagle holds the body until the client's
        # delayed ACK (40 ms) and every request would look 40 ms late.
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")

    def log_message(self, *args):
        pass


class FastSink:
    """The same answers and stamps as Sink from one thread on non-blocking
    sockets (selectors), without http.server's per-request parsing and thread
    per connection: Sink takes 1-3 ms a request on this machine, so 1000 posts
    due at once measured the sink (p99 2.3-2.7 s) rather than herald. A
    request is stamped when the read that completes its headers returns."""

    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.listener.setblocking(False)
        self.server_address = self.listener.getsockname()
        self.lock = threading.Lock()
        self.arrivals = []  # (wall-clock seconds, Idempotency-Key)
        self.arrived = threading.Condition(self.lock)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.pending = {}  # connection -> (bytes read and not yet answered, stamp of its headers)
        self.stopping = False

    def serve_forever(self):
        while not self.stopping:
            for key, _ in self.selector.select(0.2):
                if key.fileobj is self.listener:
                    self._accept()
                else:
                    self._read(key.fileobj)
        for conn in list(self.pending):
            conn.close()
        self.listener.close()

    def shutdown(self):
        self.stopping = True

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.selector.register(conn, selectors.EVENT_READ)
            self.pending[conn] = (b"", None)

    def _read(self, conn):
        try:
            data = conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        now = time.time()
        if not data:
            self.selector.unregister(conn)
            self.pending.pop(conn, None)
            conn.close()
            return
        buffer, stamp = self.pending[conn]
        buffer += data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            stamp = stamp or now
            length, key = 0, ""
            for line in buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value.strip())
                elif name == b"idempotency-key":
                    key = value.strip().decode("utf-8", "replace")
            if len(buffer) < end + 4 + length:
                break
            buffer = buffer[end + 4 + length:]
            with self.lock:
                self.arrivals.append((stamp, key))
                self.arrived.notify_all()
            stamp = None
            conn.setblocking(True)  # a 70-byte answer: the send buffer takes it at once
            conn.sendall(self.answer)
            conn.setblocking(False)
        self.pending[conn] = (buffer, stamp)


class CppSink:
    """bench/http_sink (C++, Beast, one thread) with --stamps: the same answers
    and stamps as FastSink, without Python's per-request cost in what is
    measured (FastSink answers ~3 requests per ms on this machine, about what
    the lateness part measured). The sink stamps each request with the wall
    clock when its headers are parsed and appends "SECONDS KEY" lines to a
    file every 20 ms; this class reads the file for new whole lines."""

    def __init__(self, binary, folder):
        os.makedirs(folder, exist_ok=True)
        self.path = os.path.join(folder, "sink-stamps.txt")
        self.process = subprocess.Popen([binary, "--max-seconds", "1800", "--stamps", self.path],
                                        stdout=subprocess.PIPE, text=True)
        first = self.process.stdout.readline().strip()
        if not first.startswith("port="):
            self.process.kill()
            raise RuntimeError(f"{binary}: no port line (got {first!r})")
        self.server_address = ("127.0.0.1", int(first[len("port="):]))
        self.lock = threading.Lock()
        self.arrivals = []  # (wall-clock seconds, Idempotency-Key)
        self.arrived = threading.Condition(self.lock)
        self.stopping = False

    def serve_forever(self):
        offset, rest = 0, b""
        while True:
            stopping = self.stopping or self.process.poll() is not None
            with open(self.path, "rb") as f:
                f.seek(offset)
                data = f.read()
            offset += len(data)
            data = rest + data
            lines, _, rest = data.rpartition(b"\n")
            if lines:
                with self.lock:
                    for line in lines.split(b"\n"):
                        stamp, _, key = line.partition(b" ")
                        self.arrivals.append((float(stamp), key.decode("utf-8", "replace")))
                    self.arrived.notify_all()
            if stopping:
                return
            time.sleep(0.02)

    def shutdown(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stopping = True


def make_sink(args, work, name="sink"):
    """The sink of --sink; a C++ one stamps into its own folder WORK/NAME."""
    if args.sink == "cpp":
        return CppSink(args.sink_binary, os.path.join(work, name))
    return FastSink() if args.sink == "fast" else Sink()


def sink_name(args):
    return {"cpp": "a C++ sink (bench/http_sink --stamps)", "fast": "a Python sink (selectors)",
            "threads": "a Python sink (http.server, a thread per connection)"}[args.sink]


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def stall_totals():
    """The machine's stall counters now (pressure stall information, µs): tasks of
    any process waiting for the disk ("io") or for a CPU ("cpu"); None without PSI."""
    totals = {}
    for kind in ("io", "cpu"):
        try:
            with open(f"/proc/pressure/{kind}") as f:
                some = f.readline().split()
        except OSError:
            return None
        totals[kind] = int(some[-1].split("=")[1])
    return totals


class StallWatch:
    """The machine's io and cpu stalls (PSI "some") from half a second before
    each due instant to half a second after: a first post late by the disk
    (the round's claims are synced before any post goes out) or by other
    processes on the CPUs shows there, where herald's own wake-up does not
    (docs/PERFORMANCE.md "2026-12-03, night: late wake-up")."""

    def __init__(self, dues):
        self.stalls = {}  # due (epoch seconds) -> {"io": ms, "cpu": ms}, or absent without PSI
        self.thread = threading.Thread(target=self._watch, args=(sorted(dues),), daemon=True)
        self.thread.start()

    def _watch(self, dues):
        for due in dues:
            if time.time() > due - 0.5:
                continue  # too late to see its start
            time.sleep(max(0.0, due - 0.5 - time.time()))
            before = stall_totals()
            time.sleep(max(0.0, due + 0.5 - time.time()))
            after = stall_totals()
            if before and after:
                self.stalls[due] = {k: (after[k] - before[k]) / 1000.0 for k in after}

    def columns(self, due):
        """"io ms | cpu ms" of the window around `due`, or dashes."""
        got = self.stalls.get(due)
        return f"{got['io']:.0f} | {got['cpu']:.0f}" if got else "- | -"


# --- parts --------------------------------------------------------------------------

def start_idle(args, work):
    """Starts the idle daemons; a timer thread takes their counters at the
    end of the quiet period, whatever the other parts are doing then."""
    day = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=3)
    daemons = []
    for name, env in (("idle", {}), ("idle-watchdog", {"WATCHDOG_USEC": str(args.watchdog_seconds * 1_000_000)})):
        home = daemon_home(work, name)
        quiet_calendar(os.path.join(home, "calendar.yaml"), day)
        write_config(home, "calendar.yaml", [("outbox", "{type: file, path: outbox.jsonl}")])
        d = Herald(args.herald, home, name, env)
        if not d.wait_for("READY=1", 30):
            fail(f"{name}: no READY=1 within 30 s; stderr:\n{d.stderr()}")
            d.stop()
            continue
        d.at_ready = process_counters(d.process.pid)
        daemons.append(d)
    # The quiet period starts a second after READY=1, so that what herald
    # finishes after telling systemd it is ready (the first plan's tail, the
    # step into its wait) is shown apart, not mixed in. This sleep and the
    # quiet period itself are the measurement, not waits for a condition.
    time.sleep(1)
    for d in daemons:
        d.before = process_counters(d.process.pid)
        d.t0 = time.monotonic()
        d.take_new()  # count only the pings of the quiet period
        d.clock_notices = d.stderr().count(CLOCK_NOTICE)

    def snapshot():
        for d in daemons:
            if d.process.poll() is not None:
                d.after = None
                continue
            d.after = process_counters(d.process.pid)
            d.seconds = time.monotonic() - d.t0
            d.pings = sum(m.split("\n").count("WATCHDOG=1") for m in d.take_new())
            d.clock_sets = d.stderr().count(CLOCK_NOTICE) - d.clock_notices

    timer = threading.Timer(args.idle_seconds, snapshot)
    timer.start()
    return daemons, timer


def finish_idle(args, started):
    daemons, timer = started
    timer.join()
    rows = []
    for d in daemons:
        if d.after is None:
            fail(f"{d.name}: herald exited during the quiet period; stderr:\n{d.stderr()}")
            continue
        status = d.stop()
        if status != 0:
            fail(f"{d.name}: exit status {status} after SIGTERM; stderr:\n{d.stderr()}")
        a, b = d.after, d.before
        rows.append({"name": d.name, "seconds": d.seconds, "cpu_ms": a["cpu_ms"] - b["cpu_ms"],
                     "run_ms": (a["run_ns"] - b["run_ns"]) / 1e6, "voluntary": a["voluntary"] - b["voluntary"],
                     "involuntary": a["involuntary"] - b["involuntary"],
                     "scheduled": a["timeslices"] - b["timeslices"], "pings": d.pings, "clock_sets": d.clock_sets,
                     "threads": a["threads"], "after_ready": b["timeslices"] - d.at_ready["timeslices"]})
    print(f"idle:     herald run on a calendar whose next post is 3 days away, from 1 s after READY=1, for "
          f"{args.idle_seconds} s; idle-watchdog has WATCHDOG_USEC={args.watchdog_seconds} s (a ping every "
          f"{args.watchdog_seconds / 2:g} s)")
    print()
    print("| daemon | seconds | CPU ms (stat) | CPU ms (schedstat) | voluntary cs | involuntary cs | "
          "times scheduled | WATCHDOG=1 seen | wall clock set | threads | scheduled in the 1 s after READY |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['name']} | {r['seconds']:.1f} | {r['cpu_ms']:.0f} | {r['run_ms']:.3f} | {r['voluntary']} "
              f"| {r['involuntary']} | {r['scheduled']} | {r['pings']} | {r['clock_sets']} | {r['threads']} "
              f"| {r['after_ready']} |")
    print()
    for r in rows:
        if r["name"] != "idle":
            continue
        wakes, sets = r["scheduled"], r["clock_sets"]
        verdict = "met" if wakes == 0 else "missed" if sets == 0 else "unknown"
        print(f"goal: no wake-up while idle without a watchdog: {verdict} ({wakes} times scheduled in "
              f"{r['seconds']:.0f} s; the wall clock was set {sets} times meanwhile)")
        if sets:
            print("      something set the system clock during the period (clock_settime, e.g. the wall_clock_timer "
                  "test), and herald re-plans on each: run again on a quiet machine")
    print()


def memory_part(args, work):
    """Each size twice: a first start (a fresh journal, so herald records the
    posts of the look-back window as missed before READY=1) and a restart on
    the journal that start left."""
    rows = []
    for n in args.sizes:
        calendar = os.path.abspath(os.path.join(args.calendars, f"calendar-{n}.yaml"))
        if not os.path.exists(calendar):
            subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "gen_calendar.py"),
                            "--events", str(n), "--seed", "1", "--yaml", calendar,
                            "--remind", calendar[:-len(".yaml")] + ".rem"], check=True)
        name = f"memory-{n}"
        home = daemon_home(work, name)
        write_config(home, calendar, [("staff-slack", "{type: file, path: outbox.jsonl}"),
                                      ("edi-team", "{type: file, path: outbox.jsonl}")])
        for start in ("first start", "restart"):
            d = Herald(args.herald, home, name)
            if not d.wait_for("READY=1", args.ready_limit):
                fail(f"{name}: no READY=1 within {args.ready_limit} s; stderr:\n{d.stderr()[-2000:]}")
                d.stop()
                rows.append((n, start, None, None, None, None, None))
                break
            ready = time.monotonic() - d.started
            m = memory_of(d.process.pid)
            # One line per missed post, or one "missed N posts due from …" for many.
            log = d.stderr()
            missed = sum(int(n) for n in re.findall(r": missed (\d+) posts due from ", log))
            missed += len(re.findall(r": missed (?!\d+ posts due from )", log))
            status = d.stop(30)
            if status != 0:
                fail(f"{name}: exit status {status} after SIGTERM")
            rows.append((n, start, ready, m.get("VmHWM"), m.get("VmRSS"), m.get("RssAnon"), missed))
    print("memory:   herald run on the generated calendar (bench/gen_calendar.py --seed 1, Europe/London, "
          "catch_up 12h), read at READY=1")
    print()
    print("| events | start | to READY=1 s | peak RSS MiB (VmHWM) | RSS MiB at READY | RssAnon MiB at READY "
          "| posts recorded missed |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for n, start, ready, hwm, rss, anon, missed in rows:
        if ready is None:
            print(f"| {n} | {start} | failed | - | - | - | - |")
        else:
            print(f"| {n} | {start} | {ready:.2f} | {hwm / 1024:.1f} | {rss / 1024:.1f} | {(anon or 0) / 1024:.1f} "
                  f"| {missed} |")
    print()


def reload_part(args, work):
    """For each size: herald run, then --reloads SIGHUPs, each after the
    READY=1 of the one before; the peak (VmHWM) and the resident memory
    after each. Goal: the peak after the last no higher than at the start."""
    for n in args.sizes:
        calendar = os.path.abspath(os.path.join(args.calendars, f"calendar-{n}.yaml"))
        if not os.path.exists(calendar):
            fail(f"reload: {calendar} is missing (the memory part or scripts/bench writes it)")
            continue
        name = f"reload-{n}"
        home = daemon_home(work, name)
        write_config(home, calendar, [("staff-slack", "{type: file, path: outbox.jsonl}"),
                                      ("edi-team", "{type: file, path: outbox.jsonl}")])
        d = Herald(args.herald, home, name)
        rows = []
        if d.wait_for("READY=1", args.ready_limit):
            rows.append(("start", memory_of(d.process.pid)))
            for i in range(1, args.reloads + 1):
                d.process.send_signal(signal.SIGHUP)
                if not d.wait_for("READY=1", args.ready_limit):
                    fail(f"{name}: no READY=1 within {args.ready_limit} s after SIGHUP {i}")
                    break
                rows.append((f"after reload {i}", memory_of(d.process.pid)))
        else:
            fail(f"{name}: no READY=1 within {args.ready_limit} s")
        if d.stop(30) != 0:
            fail(f"{name}: exit status other than 0 after SIGTERM")
        print(f"reload:   herald run on calendar-{n}.yaml, SIGHUP {args.reloads} times (each after READY=1)")
        print()
        print("| when | peak RSS MiB (VmHWM) | RSS MiB |")
        print("| --- | ---: | ---: |")
        for when, m in rows:
            print(f"| {when} | {m.get('VmHWM', 0) / 1024:.1f} | {m.get('VmRSS', 0) / 1024:.1f} |")
        if len(rows) > 2:
            start, first, last = (rows[i][1].get("VmHWM", 0) for i in (0, 1, -1))
            print(f"\ngoal (peak after the last reload <= after the start): {'met' if last <= start else 'missed'} "
                  f"({start / 1024:.1f} -> {last / 1024:.1f} MiB); after the first reload {first / 1024:.1f} MiB, "
                  f"{'no creep' if last <= first else 'creeps'} from there")
        print()


def lateness_part(args, work):
    sink = make_sink(args, work)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = sink.server_address[1]
    # Group g is due at the next minute boundary + 1 + g minutes: a minute of
    # margin for the start, then one boundary per group, all in one daemon,
    # which sleeps between them.
    first_due = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0) + dt.timedelta(minutes=2)
    groups = []
    for g, (n, c) in enumerate(args.posts):
        due = first_due + dt.timedelta(minutes=args.offset_minutes + g * args.every_minutes)
        groups.append((due, group_posts(g, due, n, c)))
    channel_count = max(c for _, c in args.posts)
    home = daemon_home(work, "lateness")
    burst_calendar(os.path.join(home, "calendar.yaml"), groups)
    write_config(home, "calendar.yaml",
                 [(f"c{c:03d}", f"{{type: webhook, url: \"http://127.0.0.1:{port}/hook/c{c:03d}\"}}")
                  for c in range(channel_count)],
                 extra=f"delivery: {{timeout: 10s, attempts: 3, rate: {args.rate}, burst: {args.burst}}}")
    d = Herald(args.herald, home, "lateness")
    if not d.wait_for("READY=1", 30):
        fail(f"lateness: no READY=1 within 30 s; stderr:\n{d.stderr()}")
        d.stop()
        sink.shutdown()
        return
    d.take_new()
    stalls = StallWatch([due.timestamp() for due, _ in groups])
    last_due = groups[-1][0].timestamp()
    print(f"bench: daemon: lateness: groups of {[n for n, _ in args.posts]} posts due from {first_due:%H:%M}Z, the last in "
          f"{last_due - time.time():.0f} s", file=sys.stderr)
    total = sum(n for n, _ in args.posts)
    deadline = time.monotonic() + (last_due - time.time()) + 60
    with sink.lock:
        while len(sink.arrivals) < total and time.monotonic() < deadline and d.process.poll() is None:
            sink.arrived.wait(0.5)
        arrivals = list(sink.arrivals)
    status = d.stop()
    sink.shutdown()
    notes = d.take_new()
    if status != 0:
        fail(f"lateness: exit status {status} after SIGTERM; stderr:\n{d.stderr()}")
    received = sorted(k for _, k in arrivals)
    expected = sorted(key for _, posts in groups for _, _, key in posts)
    if received != expected:
        missing = sorted(set(expected) - set(received))
        fail(f"lateness: {len(received)} arrivals ({len(set(received))} distinct keys), expected {len(expected)}; "
             f"missing {missing[:5]}")
    print(f"lateness: posts due at one minute boundary (one group a minute, one daemon), spread over up to "
          f"{channel_count} webhook channels (N:C in --posts: N posts over C of them; rate {args.rate}, burst {args.burst} each) on one host, to {sink_name(args)} on 127.0.0.1 "
          f"stamping each request's arrival")
    print()
    print("| posts at once | channels | first ms | p50 ms | p99 ms | max ms | goal: p99 <= 50 ms (<= 100 posts), "
          "<= 300 ms (more) | io stall ms | cpu stall ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: |")
    report = []
    for due, posts in groups:
        keys = {key for _, _, key in posts}
        due_ts = due.timestamp()
        late = sorted((t - due_ts) * 1000 for t, k in arrivals if k in keys)
        if not late:
            print(f"| {len(posts)} | - | - | - | - | - | - | {stalls.columns(due_ts)} |")
            continue
        early = sum(1 for x in late if x < 0)
        if early:
            fail(f"lateness: {early} posts arrived before their due instant {due:%H:%M}Z")
        p50, p99, worst = percentile(late, 50), percentile(late, 99), late[-1]
        channels = len({c for _, c, _ in posts})
        goal = 50 if len(posts) <= 100 else 300
        print(f"| {len(posts)} | {channels} | {late[0]:.1f} | {p50:.1f} | {p99:.1f} | {worst:.1f} "
              f"| {'met' if p99 <= goal else 'missed'} (<= {goal} ms) | {stalls.columns(due_ts)} |")
        report.append({"due": due.isoformat(), "posts": len(posts), "lateness_ms": late,
                       "stall_ms": stalls.stalls.get(due_ts)})
    print()
    print("stall ms: the machine's io and cpu pressure stalls (/proc/pressure, \"some\": time any task waited for "
          "the disk or a CPU) from 0.5 s before the due instant to 0.5 s after. A group late from its first post with "
          "stalls there waited for the machine (its claims' sync, or a CPU), not for its wake-up.")
    print()
    with_status = sum(any(line.startswith("STATUS=") for line in n.split("\n")) for n in notes)
    print(f"notify:   {len(notes)} sd_notify datagrams from READY=1 to the exit ({with_status} with STATUS=)")
    print()
    with open(os.path.join(home, "lateness.json"), "w") as f:
        json.dump(report, f)


PG_BIN = "/usr/lib/postgresql/15/bin/"


class Cluster:
    """A throwaway PostgreSQL cluster under `folder`: trust auth on 127.0.0.1, no fsync."""

    def __init__(self, folder):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        self.folder = folder
        self.owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        data = os.path.join(folder, "data")
        subprocess.run(self.owner + [PG_BIN + "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync",
                                     "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        options = f"-p {self.port} -c fsync=off -c listen_addresses=127.0.0.1 -k {folder}"
        subprocess.run(self.owner + [PG_BIN + "pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-o", options,
                                     "-w", "start"], check=True, capture_output=True)

    def database(self, name):
        subprocess.run([PG_BIN + "psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        subprocess.run(self.owner + [PG_BIN + "pg_ctl", "-D", os.path.join(self.folder, "data"), "-m", "fast", "-w",
                                     "stop"], capture_output=True)


def replicas_part(args, work):
    # The C++ sink by default, as in lateness: the Python one added a ~1 s
    # straggler per setup (a SYN retried once its listen queue was full).
    sink = make_sink(args, work, "replicas-sink")
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = sink.server_address[1]
    cluster = Cluster(os.path.join(work, "postgresql"))
    setups = [("SQLite, one daemon", None, 1), ("PostgreSQL, one replica", "one", 1),
              ("PostgreSQL, two replicas", "two", 2)]
    first_due = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0) + dt.timedelta(minutes=2)
    runs, daemons = [], []
    for k, (label, database, replicas) in enumerate(setups):
        due = first_due + dt.timedelta(minutes=k)
        posts = group_posts(k, due, args.replica_posts, args.channels)
        url = cluster.database(database) if database else None
        for r in range(replicas):
            name = f"replicas-{k}-{r}"
            home = daemon_home(work, name)
            burst_calendar(os.path.join(home, "calendar.yaml"), [(due, posts)])
            journal = f"journal: {{postgresql: {{env: HERALD_JOURNAL_URL}}, replica: r{r}}}\n" if url else ""
            write_config(home, "calendar.yaml",
                         [(f"c{c:03d}", f"{{type: webhook, url: \"http://127.0.0.1:{port}/hook/c{c:03d}\"}}")
                          for c in range(args.channels)],
                         extra=journal + f"delivery: {{timeout: 10s, attempts: 3, rate: {args.rate}, burst: {args.burst}}}")
            d = Herald(args.herald, home, name, {"HERALD_JOURNAL_URL": url} if url else {})
            if not d.wait_for("READY=1", 30):
                fail(f"{name}: no READY=1 within 30 s; stderr:\n{d.stderr()}")
            daemons.append(d)
        runs.append((label, replicas, due, posts))
    stalls = StallWatch([due.timestamp() for _, _, due, _ in runs])
    last_due = runs[-1][2].timestamp()
    print(f"bench: daemon: replicas: {args.replica_posts} posts per setup, due from {first_due:%H:%M}Z, the last in "
          f"{last_due - time.time():.0f} s", file=sys.stderr)
    total = args.replica_posts * len(runs)
    deadline = time.monotonic() + (last_due - time.time()) + 60
    with sink.lock:
        while len(sink.arrivals) < total and time.monotonic() < deadline:
            sink.arrived.wait(0.5)
    time.sleep(2)  # the measurement's tail: a second copy would arrive by now, not a condition to wait for
    with sink.lock:
        arrivals = list(sink.arrivals)
    for d in daemons:
        if d.stop() != 0:
            fail(f"{d.name}: exit status other than 0 after SIGTERM; stderr:\n{d.stderr()}")
    cluster.stop()
    sink.shutdown()
    print(f"replicas: {args.replica_posts} posts due at one minute boundary over {args.channels} webhook channels "
          f"(rate {args.rate}, burst {args.burst} each), to {sink_name(args)} on 127.0.0.1; PostgreSQL 15 on the same host "
          f"(fsync off), each setup at its own minute")
    print()
    print("| journal | posts | first ms | p50 ms | p99 ms | max ms | sent twice | io stall ms | cpu stall ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    p99s = {}
    for label, replicas, due, posts in runs:
        keys = {key for _, _, key in posts}
        mine = [(t, k) for t, k in arrivals if k in keys]
        counts = {}
        for _, k in mine:
            counts[k] = counts.get(k, 0) + 1
        if set(counts) != keys:
            fail(f"replicas: {label}: {len(keys) - len(counts)} posts missing")
        twice = sum(1 for n in counts.values() if n > 1)
        if twice:
            fail(f"replicas: {label}: {twice} posts arrived more than once")
        late = sorted((t - due.timestamp()) * 1000 for t, _ in mine)
        if not late:
            print(f"| {label} | 0 | - | - | - | - | - | {stalls.columns(due.timestamp())} |")
            continue
        p50, p99 = percentile(late, 50), percentile(late, 99)
        p99s[label] = p99
        print(f"| {label} | {len(late)} | {late[0]:.1f} | {p50:.1f} | {p99:.1f} | {late[-1]:.1f} | {twice} "
              f"| {stalls.columns(due.timestamp())} |")
    print()
    print("stall ms: as in the lateness part, the machine's io and cpu pressure stalls around each due instant.")
    print()
    base, two = p99s.get("SQLite, one daemon"), p99s.get("PostgreSQL, two replicas")
    if base and two:
        print(f"goal (two replicas over PostgreSQL: p99 within 2x of one daemon over SQLite): "
              f"{'met' if two <= 2 * base else 'missed'} ({two:.1f} ms vs {base:.1f} ms, {two / base:.2f}x)")
        print()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--herald", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--idle-seconds", type=int, default=60)
    p.add_argument("--watchdog-seconds", type=int, default=20)
    p.add_argument("--sizes", default="10000")
    p.add_argument("--calendars", default="bench/out")
    p.add_argument("--ready-limit", type=int, default=300)
    p.add_argument("--posts", default="1 10 100",
                   help="posts per group, N or N:CHANNELS; one group per minute boundary")
    p.add_argument("--channels", type=int, default=10)
    p.add_argument("--every-minutes", type=int, default=1,
                   help="lateness: minutes between groups (2 lets two benchmarks take turns, see --offset-minutes)")
    p.add_argument("--offset-minutes", type=int, default=0,
                   help="lateness: the first group this many minutes later (1 with --every-minutes 2: the "
                        "other benchmark's gaps)")
    p.add_argument("--rate", default="100/s")
    p.add_argument("--burst", type=int, default=1, help="delivery.burst of each channel")
    p.add_argument("--reloads", type=int, default=10, help="SIGHUPs of the reload part")
    p.add_argument("--replica-posts", type=int, default=100, help="posts per setup of the replicas part")
    p.add_argument("--sink", choices=("cpp", "fast", "threads"), default="cpp",
                   help="lateness and replicas sink: bench/http_sink --stamps (cpp), or in Python: one thread on selectors "
                        "(fast) or http.server, a thread per connection (threads)")
    p.add_argument("--sink-binary", help="bench/http_sink for --sink cpp (default: bench/http_sink beside "
                                         "--herald's folder, as build-bench/ has them)")
    p.add_argument("--parts", default="idle memory lateness", help="of idle memory lateness reload replicas")
    args = p.parse_args()
    args.herald = os.path.abspath(args.herald)
    if args.sink_binary is None:
        args.sink_binary = os.path.join(os.path.dirname(args.herald), "bench", "http_sink")
    args.sink_binary = os.path.abspath(args.sink_binary)
    if args.sink == "cpp" and {"lateness", "replicas"} & set(args.parts.split()) and not os.access(args.sink_binary, os.X_OK):
        p.error(f"--sink cpp needs {args.sink_binary} (build the http_sink target, or give --sink-binary "
                "or --sink fast)")
    args.sizes = [int(s) for s in args.sizes.split()]
    # "100" is 100 posts over --channels channels; "1000:50" over 50.
    args.posts = [(int(spec.split(":")[0]), int(spec.split(":")[1]) if ":" in spec else args.channels)
                  for spec in args.posts.split()]
    parts = args.parts.split()
    work = os.path.abspath(args.out)
    os.makedirs(work, exist_ok=True)

    idle = start_idle(args, work) if "idle" in parts else None
    if "memory" in parts:
        memory_part(args, work)
    if "lateness" in parts:
        lateness_part(args, work)
    if "reload" in parts:
        reload_part(args, work)
    if "replicas" in parts:
        replicas_part(args, work)
    if idle:
        finish_idle(args, idle)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
