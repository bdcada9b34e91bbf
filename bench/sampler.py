"""Where a gunicorn worker spends its time during a bench case, sampled by py-spy.

`BENCH_PROFILE=1 make bench` records one worker for each case and writes, beside the
figures, the functions that were on the stack in the largest share of samples (inclusive)
and those that were running themselves (self). Reading it needs no other tool; py-spy's
raw file (collapsed stacks) is kept as well for a flame graph.
"""

import subprocess
import sys
from collections import Counter
from pathlib import Path

# The frames below Django's handler are gunicorn's own and on every stack.
FIRST_FRAME = "WSGIHandler.__call__"
LINES = 30
PY_SPY = Path(sys.executable).parent / "py-spy"


def worker_pid(master_pid):
    output = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    return int(output.stdout.split()[0])


def record(pid, seconds, raw_path):
    """Start sampling `pid` for `seconds`; the caller waits on the returned process."""
    command = [PY_SPY, "record", "--pid", str(pid), "--duration", str(seconds)]
    command += ["--format", "raw", "--output", str(raw_path), "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def frame_name(frame):
    """`function (path/to/module.py:12)` as `function (module.py)`."""
    function, _, where = frame.partition(" (")
    return f"{function} ({Path(where.split(':')[0]).name})"


def summary(raw_path):
    inclusive, own, total, handled = Counter(), Counter(), 0, 0
    for line in Path(raw_path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [frame_name(frame) for frame in stack.split(";")]
        count = int(count)
        total += count
        own[frames[-1]] += count
        first = next((i for i, name in enumerate(frames) if name.startswith(FIRST_FRAME)), None)
        if first is not None:
            handled += count
            for name in set(frames[first:]):
                inclusive[name] += count
    if not total:
        return "No samples.\n"

    def shares(counter):
        return [f"{100 * n / total:5.1f}%  {name}" for name, n in counter.most_common(LINES)]

    lines = [
        f"{total} samples; {100 * handled / total:.1f}% inside Django's handler, the rest in "
        "gunicorn (accepting, reading, writing, closing).",
        "",
        "On the stack (inclusive), from Django's handler down:",
        *shares(inclusive),
        "",
        "Running itself (self):",
        *shares(own),
    ]
    return "\n".join(lines) + "\n"
