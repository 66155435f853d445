"""The Java engine: one `gradcam3d explain` run per call (CommandLine), or a long-lived
`gradcam3d serve` process (Worker) that keeps the model, its compiled programs and ONNX Runtime
sessions open between calls, so a loop over a test set starts one JVM.

Where the engine is: the ``launcher`` argument, else $GRADCAM3D_COMMAND (a command line that
runs gradcam3d, e.g. "/opt/gradcam3d/bin/gradcam3d" or "java -cp ... gradcam3d.cli.Main"), else
bin/gradcam3d of the checkout this package was imported from, else `gradcam3d` on the PATH.
bin/gradcam3d builds the engine with Maven on its first run.
"""
import atexit
import collections
import json
import os
import shlex
import shutil
import subprocess
import threading

__all__ = ["EngineError", "InputError", "OptionError", "InternalError", "EngineNotFound", "Answer", "CommandLine",
           "Worker", "engine_command", "default_worker"]


class EngineError(RuntimeError):
    """A run the engine refused or failed: ``message`` is its one-line message (without "error: "),
    ``exit_code`` its exit code (1 input, 2 option, 3 internal), ``stderr`` all it printed."""

    def __init__(self, message, exit_code, stderr="", hint=None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.stderr = stderr
        self.hint = hint


class InputError(EngineError, ValueError):
    """Exit code 1: a problem with the input (missing or corrupt files, shapes, NaN)."""


class OptionError(EngineError, ValueError):
    """Exit code 2: a bad option or option value, also one judged after the model loaded (an unknown
    layer name, a target class the model does not have)."""


class InternalError(EngineError):
    """Exit code 3, or the engine stopped: an internal failure."""


class EngineNotFound(RuntimeError):
    """No gradcam3d engine could be found."""


_ERRORS = {1: InputError, 2: OptionError}


class Answer(collections.namedtuple("Answer", "exit_code error stdout stderr pid")):
    """One run's outcome: exit code, one-line error (or None), what it printed, the JVM's pid."""

    def raise_for_error(self):
        if self.exit_code == 0:
            return self
        line = self.error or "gradcam3d exited with code %d" % self.exit_code
        for prefix in ("error: ", "internal error: "):
            if line.startswith(prefix):
                line = line[len(prefix):]
                break
        hints = [l for l in self.stderr.splitlines() if l.startswith("Try '")]
        raise _ERRORS.get(self.exit_code, InternalError)(line, self.exit_code, self.stderr, hints[0] if hints else None)


def engine_command(launcher=None):
    """The command that runs gradcam3d (a list), found as the module docstring says."""
    if launcher is not None:
        return list(launcher) if isinstance(launcher, (list, tuple)) else [str(launcher)]
    given = os.environ.get("GRADCAM3D_COMMAND", "").strip()
    if given:
        return shlex.split(given)
    here = os.path.dirname(os.path.abspath(__file__))
    checkout = os.path.join(os.path.dirname(os.path.dirname(here)), "bin", "gradcam3d")
    if os.path.isfile(checkout) and os.access(checkout, os.X_OK):
        return [checkout]
    found = shutil.which("gradcam3d")
    if found:
        return [found]
    raise EngineNotFound("gradcam3d's engine was not found: set GRADCAM3D_COMMAND to the bin/gradcam3d launcher of "
                         "a gradcam3d checkout (or put its bin/ on the PATH); it needs Java 17 and Maven")


def _environment():
    env = dict(os.environ)
    # ONNX Runtime's telemetry stays off: it reads this when it loads (runtime/Telemetry.java)
    env["ORT_DISABLE_TELEMETRY"] = "1"
    return env


class CommandLine:
    """Runs each explain as its own `gradcam3d explain` process (a JVM start per call)."""

    def __init__(self, launcher=None):
        self.command = engine_command(launcher)

    def explain(self, args):
        p = subprocess.run(self.command + ["explain"] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=_environment(), universal_newlines=True)
        error = None
        if p.returncode != 0:
            lines = [l.strip() for l in p.stderr.splitlines() if l.strip()]
            starts = [l for l in lines if l.startswith(("error: ", "internal error: "))]
            error = starts[0] if starts else (lines[-1] if lines else None)
        return Answer(p.returncode, error, p.stdout, p.stderr, None)

    def close(self):
        pass


class Worker:
    """One `gradcam3d serve` process: explain requests as JSON lines, answers as JSON lines.

    Thread-safe (requests run one at a time); started on first use and again if it stopped;
    ``close()`` (or the end of a ``with`` block, or of the Python process) ends it.
    """

    def __init__(self, launcher=None, pipelines=2):
        self.command = engine_command(launcher) + ["serve", "--pipelines", str(int(pipelines))]
        self._lock = threading.RLock()
        self._process = None
        self._stderr_tail = collections.deque(maxlen=50)
        self._next_id = 0
        self.ready = None
        self.starts = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def pid(self):
        """The engine JVM's process id (starts the worker)."""
        return self._started()["pid"]

    @property
    def methods(self):
        """The engine's method names, as its registry lists them (starts the worker)."""
        return list(self._started()["methods"])

    def _started(self):
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            return self.ready

    def _start(self):
        self._stderr_tail.clear()
        self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=_environment(), universal_newlines=True,
                                         encoding="utf-8", bufsize=1)
        self._drainer = threading.Thread(target=self._drain, args=(self._process,), daemon=True,
                                         name="gradcam3d-stderr")
        self._drainer.start()
        self.starts += 1
        # the launcher may build the engine first (minutes, once): no time limit on the first line
        self.ready = self._read(lambda m: m.get("ready") is True)

    def _drain(self, process):
        for line in process.stderr:
            self._stderr_tail.append(line.rstrip("\n"))

    def _read(self, wanted):
        """The next answer line the predicate accepts (other output on stdout is skipped)."""
        while True:
            line = self._process.stdout.readline()
            if not line:
                code = self._process.wait()
                self._process = None
                self._drainer.join(timeout=5)  # its last words
                tail = "\n".join(self._stderr_tail)
                raise InternalError("the gradcam3d worker stopped (exit code %s)%s" % (code, ": " + tail if tail else ""),
                                    3, tail)
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and wanted(message):
                return message

    def explain(self, args):
        with self._lock:
            self._started()
            self._next_id += 1
            request_id = self._next_id
            try:
                self._process.stdin.write(json.dumps({"id": request_id, "args": [str(a) for a in args]}) + "\n")
                self._process.stdin.flush()
            except (BrokenPipeError, OSError):
                self._read(lambda m: False)  # raises with the worker's last words
            a = self._read(lambda m: m.get("id") == request_id)
            return Answer(a["exit"], a.get("error"), a.get("stdout", ""), a.get("stderr", ""), a.get("pid"))

    def close(self):
        with self._lock:
            p, self._process = self._process, None
            if p is None:
                return
            try:
                p.stdin.close()  # end of input ends serve
                p.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                p.kill()
                p.wait()
            finally:
                p.stdout.close()


_default = {}
_default_lock = threading.Lock()


def default_worker(launcher=None):
    """The worker shared by every CAM object of this Python process (one per engine command)."""
    key = tuple(engine_command(launcher))
    with _default_lock:
        w = _default.get(key)
        if w is None:
            w = _default[key] = Worker(launcher)
        return w


@atexit.register
def _close_workers():
    for w in list(_default.values()):
        w.close()
