"""Where a gunicorn worker spends its time during a bench case, sampled by py-spy.

`BENCH_PROFILE=1 make bench` records one worker for each case and writes, beside the
figures, the functions that were on the stack in the largest share of samples (inclusive)
and those that were running themselves (self). Reading it needs no other tool; py-spy's
raw file (collapsed stacks) is kept as well for a flame graph.
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

# The frames below Django's handler are gunicorn's own and on every stack.
FIRST_FRAME = "WSGIHandler.__call__"
LINES = 30
PY_SPY = Path(sys.executable).parent / "py-spy"


def profile(name, master_pid, *, seconds, out):
    """Sample one worker of the gunicorn `master_pid` for `seconds`; write what was found
    to out/profile-<name>.txt, or why nothing was."""
    slug = re.sub(r"\W+", "-", name.lower()).strip("-")
    raw, text = out / f"profile-{slug}.raw", out / f"profile-{slug}.txt"
    raw.unlink(missing_ok=True)
    workers = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    if not workers.stdout.split():
        text.write_text(f"{name}\n\nNo gunicorn worker was running to sample.\n")
        return
    command = [PY_SPY, "record", "--pid", workers.stdout.split()[0], "--duration", str(seconds)]
    command += ["--format", "raw", "--output", str(raw), "--nonblocking"]
    sampled = subprocess.run(command, capture_output=True, text=True)
    if sampled.returncode or not raw.exists():
        reason = (sampled.stderr.strip().splitlines() or ["no output"])[-1]
        text.write_text(
            f"{name}\n\npy-spy could not sample the worker (exit {sampled.returncode}: "
            f"{reason}). It needs the requirements-dev.txt packages and the right to trace "
            "another process (root, or CAP_SYS_PTRACE).\n"
        )
        return
    text.write_text(f"{name}\n\n{summary(raw)}")


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
