"""Two processes as one command (`postlicense serve`): the web server and the job worker start together, and
when either ends, or on Ctrl-C / SIGTERM, both stop. Production runs them as separate systemd units instead."""

import os
import signal
import subprocess
import time


def supervise(commands, poll=0.2, grace=10):
    """Run `commands` (argument lists) side by side until one exits or a stop signal arrives; stop the rest
    (SIGTERM, then SIGKILL after `grace` seconds). Returns the first exit code (0 after a stop signal)."""
    # Each child leads its own process group, so stopping it stops what it started too (runserver's reloaded
    # child, gunicorn's workers); the terminal's Ctrl-C reaches only this process, which passes it on.
    children = [subprocess.Popen(command, start_new_session=True) for command in commands]
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(poll)
    finally:
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping:
        return 0
    return next(child.returncode for child in children if child.returncode is not None)


def _signal_group(child, sig):
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:  # the group has already gone
        pass
