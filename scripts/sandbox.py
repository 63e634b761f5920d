"""Run an untrusted command in a bubblewrap (``bwrap``) sandbox, with limits and a hard end.

What the command sees: the system's programs and libraries (``/usr``), the Python interpreter
and the grading virtual environment, read-only, the read-only folders and files it is given, a
writable scratch folder ``/work`` and ``/tmp`` that live in memory (a size-limited tmpfs, gone
with the sandbox) and nothing else: no home folder, no repository, no network (a new network
namespace with only loopback), its own process numbers (a new PID namespace) and no way to
signal or see anything outside it. Nothing on the machine's disks is writable from inside. The
command hands its result back on a pipe (the file descriptor named by ``$OTS_OUTPUT_FD``), which
the grader reads up to a size limit.

Limits: wall-clock time (the sandbox is killed, with every process in it: when the first process
of a PID namespace dies the kernel kills the rest, double-forked daemons included), CPU time,
address space (memory), number of processes, size of a written file and open files.

When the grader runs as root, bwrap sets up the namespaces with root's rights and the command
then runs as an unprivileged user id of its own (one per parallel slot, so that the process limit
applies to each sandbox separately). As an ordinary user, bwrap uses a user namespace instead.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_UID_BASE = 64100  # + slot: user ids that own nothing on the machine
VENV_INSIDE = "/opt/venv"
SCRATCH_INSIDE = "/work"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces on this machine."""


@dataclass
class Limits:
    timeout: float = 300.0          # wall-clock seconds
    memory_mb: int = 3072           # address space of each process
    processes: int = 64             # processes and threads of the sandbox's user
    file_mb: int = 64               # largest file a process may write
    scratch_mb: int = 128           # size of the in-memory /work and of /tmp (each)
    output_mb: int = 32             # largest result read back from the pipe
    open_files: int = 256


@dataclass
class Outcome:
    returncode: int | None
    timed_out: bool
    seconds: float
    stray_processes: int = 0        # processes found (and killed) after the sandbox ended
    output: str = ""                # the first few KB of what it printed (for diagnosing)
    data: bytes | None = None       # what it wrote to $OTS_OUTPUT_FD (None: nothing, or too much)


@dataclass
class Sandbox:
    """One sandbox configuration; ``run`` starts a fresh sandbox for each command."""

    ro_binds: list[tuple[Path, str]] = field(default_factory=list)  # (host path, path inside)
    env: dict[str, str] = field(default_factory=dict)
    venv: Path = Path(sys.prefix)

    def command(self, argv: list[str], inputs: dict[str, Path], uid: int | None, limits: Limits,
                output_fd: int) -> list[str]:
        """The bwrap arguments (its options go on a pipe, so that /proc/1/cmdline shows no host path)."""
        args = ["--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-net",
                "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if uid is None:
            args += ["--unshare-user", "--cap-drop", "ALL"]
        args += ["--ro-bind", "/usr", "/usr"]
        for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            host = Path("/") / link
            if host.is_symlink():
                args += ["--symlink", os.readlink(host), f"/{link}"]
            elif host.is_dir():
                args += ["--ro-bind", str(host), f"/{link}"]
        binds = []
        base = Path(sys.base_prefix).resolve()
        if not str(base).startswith("/usr/"):
            binds.append((base, str(base)))  # the interpreter the venv points to
        binds += [(self.venv, VENV_INSIDE), *self.ro_binds]
        made = set()
        for host, inside in binds:
            for parent in reversed(Path(inside).parents[:-1]):  # bwrap would make them 0700
                if parent not in made:
                    made.add(parent)
                    args += ["--perms", "0755", "--dir", str(parent)]
            args += ["--ro-bind", str(host), inside]
        size = str(limits.scratch_mb * 2**20)
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", size, "--tmpfs", SCRATCH_INSIDE,
                 "--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
        for name, host in inputs.items():  # read-only files in the scratch folder
            args += ["--ro-bind", str(host), f"{SCRATCH_INSIDE}/{name}"]
        args += ["--chdir", SCRATCH_INSIDE, "--clearenv"]
        env = {"HOME": SCRATCH_INSIDE, "TMPDIR": "/tmp", "PATH": f"{VENV_INSIDE}/bin:/usr/bin:/bin",
               "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "OTS_OUTPUT_FD": str(output_fd), **self.env}
        for key, value in env.items():
            args += ["--setenv", key, value]
        args.append("--")
        if uid is not None:  # drop root inside: every process of the submission runs as `uid`
            args += ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                     "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]
        return args + argv

    def run(self, argv: list[str], limits: Limits, slot: int = 0, inputs: dict[str, Path] | None = None) -> Outcome:
        """Run ``argv`` (paths as seen inside) in a fresh sandbox; ``inputs`` (name -> host file)
        appear read-only in its /work."""
        uid = SANDBOX_UID_BASE + slot if os.geteuid() == 0 else None
        if uid is not None:
            kill_user_processes(uid)  # a clean slot (nothing should be left, but never trust that)
        out_read, out_write = os.pipe()
        args = self.command(argv, inputs or {}, uid, limits, out_write)
        split = args.index("--")
        options, command = args[:split], args[split:]
        args_read, args_write = os.pipe()
        payload = b"".join(a.encode() + b"\0" for a in options)

        def limit():  # in the child, before bwrap starts: inherited by every process of the sandbox
            os.umask(0o022)
            cpu = int(limits.timeout) + 5
            for name, value in ((resource.RLIMIT_AS, limits.memory_mb * 2**20),
                                (resource.RLIMIT_CPU, cpu),
                                (resource.RLIMIT_FSIZE, limits.file_mb * 2**20),
                                (resource.RLIMIT_NOFILE, limits.open_files),
                                (resource.RLIMIT_CORE, 0),
                                (resource.RLIMIT_NPROC, limits.processes + _own_processes(uid))):
                resource.setrlimit(name, (value, value))

        started = time.monotonic()
        process = subprocess.Popen(["bwrap", "--args", str(args_read), *command], pass_fds=(args_read, out_write),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=limit)
        os.close(args_read)
        os.close(out_write)
        try:
            os.write(args_write, payload)
        finally:
            os.close(args_write)
        printed = _Drain(process.stdout, 8192)
        result = _Drain(os.fdopen(out_read, "rb"), limits.output_mb * 2**20)
        timed_out = False
        try:
            process.wait(timeout=limits.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
        stray = kill_user_processes(uid) if uid is not None else 0
        printed.join()
        result.join()
        return Outcome(None if timed_out else process.returncode, timed_out, time.monotonic() - started, stray,
                       printed.data.decode("utf-8", "replace"), None if result.overflow else result.data)


class _Drain(threading.Thread):
    """Read a pipe to its end in the background, keeping at most ``limit`` bytes."""

    def __init__(self, stream, limit: int):
        super().__init__(daemon=True)
        self.stream, self.limit, self.data, self.overflow = stream, limit, b"", False
        self.start()

    def run(self):
        with self.stream:
            while chunk := self.stream.read(65536):
                if len(self.data) + len(chunk) > self.limit:
                    self.overflow = True
                    self.data = self.data[: self.limit]
                else:
                    self.data += chunk


def _own_processes(uid: int | None) -> int:
    """How many processes the sandbox's user already has (0 for a dedicated user id)."""
    if uid is not None:
        return 0
    me = os.getuid()
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == me:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                pass
    return count


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # bwrap; --die-with-parent then ends the sandbox
    except ProcessLookupError:
        pass
    process.wait()


def user_processes(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def kill_user_processes(uid: int, wait: float = 5.0) -> int:
    """Kill every process of a sandbox user id (they are all the grader's own); how many there were."""
    found = set()
    deadline = time.monotonic() + wait
    while True:
        pids = user_processes(uid)
        if not pids:
            return len(found)
        found.update(pids)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if time.monotonic() > deadline:
            return len(found)
        time.sleep(0.05)


def check_available() -> None:
    """Raise SandboxUnavailable unless bwrap can start a sandbox here."""
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed; on Debian or Ubuntu: "
                                 "sudo apt-get install bubblewrap")
    code = "import os; os.write(int(os.environ['OTS_OUTPUT_FD']), b'ok')"
    outcome = Sandbox().run([f"{VENV_INSIDE}/bin/python", "-c", code], Limits(timeout=60))
    if outcome.returncode != 0 or outcome.data != b"ok":
        raise SandboxUnavailable(f"bubblewrap could not start a sandbox: {outcome.output.strip()[:300]}")
