#!/usr/bin/env python3
"""Replay a gen_delivery.py tree into a folder watched by `ctinsights tail dir:`, in delivery order.

    feed_delivery.py --from GEN_DIR --to WATCHED [--part live] [--tick 300] [--pause 0.02]
                     [--tail ENGINE --state FILE --output FILE [--config FILE] [--kills N]
                      [--kill-seed S] [--log FILE] [--read-timeout 120]]

GEN_DIR's manifest.tsv lists the files in delivery order; those of --part
(live; `all` for a tree generated without --history-days) are put into
WATCHED in bursts: all the files delivered within one --tick seconds of
delivery time (300: an `aws s3 sync` every 5 minutes) at once, then
--pause seconds of real time before the next burst.  Time is compressed:
the engine decides on event time, not on the wall clock.  Each file is
written under a hidden name (.NAME.tmp) in its destination folder and
renamed into place, so the daemon never sees half a file; folders are made
as a sync makes them.

With --tail the feeder also runs the daemon,
    ENGINE tail --state FILE --output FILE [--config FILE] dir:WATCHED
started before the first burst; with --kills N it is killed with SIGKILL
after N bursts drawn by --kill-seed (after 0-250 ms more), 0-2 bursts are
delivered while it is down, and it is started again with the same --state
and --output.  After the last burst the feeder waits until the daemon has
read every file (the state's in_dir_files lists them, which it does at the
checkpoint after reading; tail.checkpoint_seconds makes that sooner), then
stops it with SIGTERM and exits with its status (1 if it timed out).
Daemon stderr goes to --log (appended).  A line on stderr tells what was
done.  Standard library only.
"""

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone


def parse_iso(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def read_manifest(gen_dir, part):
    """[(deliveredAt epoch, path below GEN_DIR, path below the part, records, duplicate copies)] of part."""
    out = []
    with open(os.path.join(gen_dir, "manifest.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            t, p, path, n, dups = line.rstrip("\n").split("\t")
            if p != part:
                continue
            rel = path if p == "all" else path.split("/", 1)[1]
            out.append((parse_iso(t), path, rel, int(n), int(dups)))
    return out


def bursts(files, tick):
    """The files grouped by tick of delivery time, in delivery order: [(tick start, [file, ...])]."""
    out = []
    for f in files:
        b = int(f[0] // tick) * tick
        if not out or out[-1][0] != b:
            out.append((b, []))
        out[-1][1].append(f)
    return out


def is_read_by_engine(rel):
    return "/CloudTrail-Digest/" not in rel


def place(gen_dir, watched, f):
    """Copy one file into watched under a hidden name, then rename it into place.
    True when it made a folder for it."""
    dst = os.path.join(watched, f[2])
    d = os.path.dirname(dst)
    made = not os.path.isdir(d)
    if made:
        os.makedirs(d)
    tmp = os.path.join(d, "." + os.path.basename(dst) + ".tmp")
    with open(os.path.join(gen_dir, f[1]), "rb") as src, open(tmp, "wb") as out:
        out.write(src.read())
    os.rename(tmp, dst)
    return made


class Daemon:
    """ctinsights tail on one source, restartable."""

    def __init__(self, engine, state, output, sources, config=None, log=None, env=None):
        self.cmd = [engine, "tail", "--state", state, "--output", output] + \
            (["--config", config] if config else []) + list(sources)
        self.state, self.log, self.env = state, log, env
        self.proc = None
        self.starts = 0

    def start(self):
        err = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=err, env=self.env)
        if self.log:
            err.close()
        self.starts += 1

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        """SIGTERM; the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait()


def read_paths(state, watched):
    """The paths below watched the state lists as read (empty when it cannot be read yet)."""
    try:
        db = sqlite3.connect("file:%s?mode=ro" % state, uri=True, timeout=1)
        try:
            rows = db.execute("SELECT path FROM in_dir_files WHERE root = ?", (os.path.realpath(watched),))
            return {r[0] for r in rows}
        finally:
            db.close()
    except sqlite3.Error:
        return set()


def wait_read(daemon, watched, want, timeout):
    """Wait until the state lists every path of want; False on a timeout or if the daemon died."""
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        if not want - read_paths(daemon.state, watched):
            return True
        if not daemon.alive():
            return False
        time.sleep(0.05)
    return False


def main(argv):
    ap = argparse.ArgumentParser(description="Replay a gen_delivery.py tree into a watched folder (see the module's text).")
    ap.add_argument("--from", dest="gen_dir", required=True, help="a gen_delivery.py output folder")
    ap.add_argument("--to", dest="watched", required=True, help="the folder tail watches (dir:WATCHED)")
    ap.add_argument("--part", default="live", choices=("live", "history", "all"))
    ap.add_argument("--tick", type=float, default=300, help="seconds of delivery time per burst (300)")
    ap.add_argument("--pause", type=float, default=0.02, help="real seconds between bursts (0.02)")
    ap.add_argument("--settle", type=float, default=0,
                    help="real seconds to wait after starting the daemon and after making a folder (0; "
                         "more than sources.dir_settle_ms when that is not 0)")
    ap.add_argument("--tail", metavar="ENGINE", help="run ENGINE tail on WATCHED (needs --state and --output)")
    ap.add_argument("--state")
    ap.add_argument("--output")
    ap.add_argument("--config")
    ap.add_argument("--kills", type=int, default=0, help="SIGKILL the daemon this many times (0)")
    ap.add_argument("--kill-seed", type=int, default=1)
    ap.add_argument("--log", help="append the daemon's stderr here")
    ap.add_argument("--read-timeout", type=float, default=120, help="seconds to wait for the last files to be read")
    a = ap.parse_args(argv)
    if a.tail and not (a.state and a.output):
        ap.error("--tail needs --state and --output")
    if a.kills and not a.tail:
        ap.error("--kills needs --tail")
    if a.tick <= 0 or a.pause < 0 or a.settle < 0:
        ap.error("--tick must be > 0, --pause and --settle >= 0")
    files = read_manifest(a.gen_dir, a.part)
    if not files:
        print("feed_delivery: no %s files in %s/manifest.tsv" % (a.part, a.gen_dir), file=sys.stderr)
        return 2
    bs = bursts(files, a.tick)
    os.makedirs(a.watched, exist_ok=True)
    rng = random.Random(a.kill_seed)
    kill_at = set(rng.sample(range(len(bs) - 1), min(a.kills, len(bs) - 1))) if a.kills else set()
    daemon = None
    if a.tail:
        daemon = Daemon(a.tail, a.state, a.output, ["dir:" + a.watched], a.config, a.log)
        daemon.start()
        time.sleep(a.settle)
    t0 = time.monotonic()
    down = 0
    kills = []
    for i, (_t, group) in enumerate(bs):
        made = False
        for f in group:
            made |= place(a.gen_dir, a.watched, f)
        wait = a.pause + (a.settle if made else 0)
        if daemon and down > 0:
            down -= 1
            if down == 0:
                daemon.start()
                wait += a.settle
        elif daemon and i in kill_at:
            time.sleep(rng.uniform(0, 0.25))
            daemon.kill()
            kills.append(i)
            down = rng.randint(0, 2)
            if down == 0:
                daemon.start()
                wait += a.settle
        if wait:
            time.sleep(wait)
    rc = 0
    if daemon:
        if not daemon.alive():
            daemon.start()
        want = {f[2] for f in files if is_read_by_engine(f[2])}
        if not wait_read(daemon, a.watched, want, a.read_timeout):
            print("feed_delivery: the daemon %s within %.0f s" % (
                "died" if not daemon.alive() else "had not read every file", a.read_timeout), file=sys.stderr)
            rc = 1
        drc = daemon.stop()
        rc = rc or drc
    print("feed_delivery: %d files (%d records, %d duplicate copies) in %d bursts of %gs, %.1fs%s" % (
        len(files), sum(f[3] for f in files), sum(f[4] for f in files), len(bs), a.tick, time.monotonic() - t0,
        "; %d kills (after bursts %s), %d starts, exit %d" % (len(kills), ",".join(map(str, kills)),
                                                               daemon.starts, rc) if daemon else ""),
        file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
