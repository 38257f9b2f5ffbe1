"""Handle widget messages (a Stop click) while a notebook cell is still running.

A kernel busy in a cell reads no widget messages until the cell ends, so a Stop button would be
seen only after training. :class:`UiPoller` lets the running cell handle them itself, at most
every ``interval`` seconds, so the cost stays far below a percent of a training loop:

* kernels with ``Kernel.do_one_iteration`` (ipykernel 6 and early 7) go through
  ``jupyter-ui-poll``;
* newer ipykernels (7.2+, where ``do_one_iteration`` is gone and jupyter-ui-poll silently does
  nothing) go through :class:`_ShellQueue`, which reads the main shell queue directly: widget
  (comm) messages are handled at once, every other request (the next cell of "Run All", a
  completion request) is put back, in order, for the kernel to handle when the cell ends.

If the kernel's internals are not what this expects, polling turns itself off with a log
message; training then runs on and Stop takes effect only when the cell ends.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["UiPoller", "in_kernel"]

log = logging.getLogger(__name__)

_COMM_TYPES = frozenset({"comm_open", "comm_msg", "comm_close"})


def _shell() -> Any:
    if "IPython" not in sys.modules:
        return None
    return sys.modules["IPython"].get_ipython()


def in_kernel() -> bool:
    """Whether this code runs inside a Jupyter kernel (not plain Python, not a terminal IPython)."""
    shell = _shell()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _ShellQueue:
    """Read an ipykernel's main shell queue from inside a running cell (ipykernel >= 7).

    Used as a context manager like ``jupyter_ui_poll.ui_events()``: entering gives ``poll(n)``;
    leaving puts the requests that are not widget messages back on the kernel's loop, in order.
    """

    def __init__(self, kernel: Any):
        import zmq

        self._zmq = zmq
        self.kernel = kernel
        thread = getattr(kernel, "shell_channel_thread", None)
        if thread is not None:  # subshell-capable kernels forward the main shell's messages inproc
            self.socket = thread.manager.get_shell_channel_to_subshell_pair(None).to_socket
            self.stream = thread.manager.get_subshell_to_shell_channel_socket(None)
        else:
            self.socket = kernel.shell_stream.socket
            self.stream = kernel.shell_stream
        self.deferred: list[Any] = []

    def __enter__(self) -> Callable[[int], None]:
        return self.poll

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def poll(self, n: int = 20) -> None:
        """Handle up to ``n`` waiting messages: comm messages now, the rest later."""
        for _ in range(n):
            try:
                frames = self.socket.recv_multipart(self._zmq.NOBLOCK, copy=False)
            except self._zmq.Again:
                return
            self._take(frames)

    def _take(self, frames: list[Any]) -> None:
        session = self.kernel.session
        idents, rest = session.feed_identities(frames, copy=False)
        header = session.unpack(rest[1].bytes if hasattr(rest[1], "bytes") else rest[1])
        if header.get("msg_type") not in _COMM_TYPES:
            self.deferred.append(frames)  # deserialized only once, when the kernel replays it
            return
        msg = session.deserialize(rest, content=True, copy=False)
        kernel = self.kernel
        parent = kernel.get_parent("shell")
        ident = kernel._get_shell_context_var(kernel._shell_parent_ident)
        kernel.set_parent(idents, msg, channel="shell")
        try:
            kernel.shell_handlers[header["msg_type"]](self.stream, idents, msg)
        except Exception:
            log.exception("jupytorch: a widget message failed while the cell was running")
        finally:
            kernel.set_parent(ident, parent, channel="shell")

    def release(self) -> None:
        """Take what is still waiting, then hand the deferred requests back to the kernel."""
        self.poll(n=10_000)
        deferred, self.deferred = self.deferred, []
        for frames in deferred:
            self.kernel.io_loop.add_callback(self.kernel.shell_main, None, frames)


def _session_factory() -> Callable[[], Any] | None:
    """Return a factory of polling sessions that suits the running kernel (None outside one)."""
    shell = _shell()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None
    if hasattr(kernel, "do_one_iteration"):
        from jupyter_ui_poll import ui_events

        return ui_events
    if all(hasattr(kernel, name) for name in ("shell_main", "io_loop", "session", "shell_handlers")):
        return lambda: _ShellQueue(kernel)
    return None


class UiPoller:
    """Process pending front-end messages from inside a running cell, throttled.

    Parameters
    ----------
    interval : float, default 0.1
        Least number of seconds between two polls.
    clock : callable, default time.monotonic
        Returns seconds; tests pass a fake.
    poll_factory : callable, optional
        Returns a context manager whose ``__enter__`` gives ``poll(n)``; by default chosen for the
        running kernel. Outside a kernel polling does nothing.

    Examples
    --------
    >>> poller = UiPoller()          # outside a kernel: a no-op
    >>> poller.poll()
    False
    >>> poller.close()
    """

    def __init__(
        self,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        poll_factory: Callable[[], Any] | None = None,
    ):
        self.interval = interval
        self.clock = clock
        self.poll_factory = poll_factory
        self._session: Any = None
        self._poll: Callable[[int], Any] | None = None
        self._last = -float("inf")
        self._unhook: Callable[[], None] | None = None
        self._disabled = False

    def poll(self, n: int = 20) -> bool:
        """Handle up to ``n`` pending messages if ``interval`` has passed; return whether it polled."""
        now = self.clock()
        if self._disabled or now - self._last < self.interval:
            return False
        if threading.current_thread() is not threading.main_thread():
            return False  # the kernel's sockets belong to the main thread
        self._last = now
        try:
            if self._poll is None:
                factory = self.poll_factory or _session_factory()
                if factory is None:
                    self._disabled = True
                    return False
                self._session = factory()
                self._poll = self._session.__enter__()
                self._hook_cell_end()
            self._poll(n)
        except Exception:
            log.warning("jupytorch: cannot handle widget messages during a running cell; "
                        "Stop will take effect when the cell ends.", exc_info=True)
            self._disabled = True
            self.close()
            return False
        return True

    def _hook_cell_end(self) -> None:
        """Close the session when the cell ends, even if training raised before its end event."""
        shell = _shell()
        if shell is None or not hasattr(shell, "events"):
            return

        def on_cell_end(*args: Any, **kwargs: Any) -> None:
            self.close()
            self._disabled = False  # the next cell may poll again

        shell.events.register("post_run_cell", on_cell_end)

        def unhook() -> None:
            try:
                shell.events.unregister("post_run_cell", on_cell_end)
            except ValueError:
                pass

        self._unhook = unhook

    def close(self) -> None:
        """End the polling session (safe to call more than once)."""
        session, self._session, self._poll = self._session, None, None
        unhook, self._unhook = self._unhook, None
        if unhook is not None:
            unhook()
        if session is not None:
            session.__exit__(None, None, None)
