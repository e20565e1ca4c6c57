"""Two processes as one command (`postlicense serve`): the web server and the job worker start together, and
when either ends, or on Ctrl-C / SIGTERM, both stop. Production runs them as separate systemd units instead."""

import signal
import subprocess
import time


def supervise(commands, poll=0.2, grace=10):
    """Run `commands` (argument lists) side by side until one exits or a stop signal arrives; stop the rest
    (SIGTERM, then SIGKILL after `grace` seconds). Returns the first exit code (0 after a stop signal)."""
    children = [subprocess.Popen(command) for command in commands]
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(poll)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping:
        return 0
    return next(child.returncode for child in children if child.returncode is not None)
