from progress_events import Clock

from jupytorch.notebook._ui_poll import UiPoller, in_kernel


def test_outside_a_kernel_polling_does_nothing():
    assert in_kernel() is False
    poller = UiPoller()
    assert poller.poll() is False
    poller.close()


def test_polls_are_throttled_and_the_session_opens_once():
    clock = Clock()
    log = []

    class Session:
        def __init__(self):
            log.append("open")

        def __enter__(self):
            return lambda n: log.append(("poll", n))

        def __exit__(self, *exc):
            log.append("exit")

    poller = UiPoller(interval=0.1, clock=clock, poll_factory=Session)
    assert poller.poll(5) is True
    clock.t = 0.05
    assert poller.poll(5) is False
    clock.t = 0.2
    assert poller.poll(5) is True
    poller.close()
    poller.close()  # twice is fine
    assert log == ["open", ("poll", 5), ("poll", 5), "exit"]


def test_shell_queue_handles_widget_messages_now_and_puts_the_rest_back_in_order():
    import zmq
    from jupyter_client.session import Session

    from jupytorch.notebook._ui_poll import _ShellQueue

    session = Session(key=b"secret")

    def frames(msg_type, content):
        return [zmq.Frame(f) for f in session.serialize(session.msg(msg_type, content), ident=[b"client"])]

    waiting = [
        frames("execute_request", {"code": "next_cell()"}),
        frames("comm_msg", {"comm_id": "c1", "data": {"method": "update", "state": {"stop_requested": True}}}),
        frames("kernel_info_request", {}),
    ]
    expected_replays = [waiting[0], waiting[2]]

    class Socket:
        def recv_multipart(self, flags, copy):
            assert flags == zmq.NOBLOCK and copy is False
            if not waiting:
                raise zmq.Again()
            return waiting.pop(0)

    handled, replays = [], []

    class Kernel:
        shell_channel_thread = None
        shell_stream = type("Stream", (), {"socket": Socket()})()
        io_loop = type("Loop", (), {"add_callback": staticmethod(lambda *args: replays.append(args))})()
        _shell_parent_ident = "ident-var"

        def __init__(self):
            self.session = session
            self.parent = ({"msg_id": "running-cell"}, b"cell-ident")
            self.shell_handlers = {"comm_msg": self.comm_msg}

        def comm_msg(self, stream, idents, msg):
            handled.append((msg["content"]["data"]["state"], self.parent[0]["header"]["msg_type"]))

        def get_parent(self, channel):
            return self.parent[0]

        def _get_shell_context_var(self, var):
            return self.parent[1]

        def set_parent(self, ident, parent, channel):
            self.parent = (parent, ident)

        async def shell_main(self, subshell_id, msg):
            pass

    kernel = Kernel()
    with _ShellQueue(kernel) as poll:
        poll(1)
        assert handled == [] and replays == []
        poll(5)
        assert handled == [({"stop_requested": True}, "comm_msg")]  # handled under its own parent
        assert kernel.parent == ({"msg_id": "running-cell"}, b"cell-ident")  # and the cell's restored
        assert replays == []  # nothing else runs while the cell runs
    assert [r[1:] for r in replays] == [(None, f) for f in expected_replays]
    assert all(r[0] == kernel.shell_main for r in replays)
    for _, _, f in replays:  # still valid for the kernel: signatures not yet used up
        idents, rest = session.feed_identities(f, copy=False)
        session.deserialize(rest, content=True, copy=False)


def test_only_the_main_thread_polls():
    import threading

    opened = []
    poller = UiPoller(poll_factory=lambda: opened.append(1))
    result = []
    thread = threading.Thread(target=lambda: result.append(poller.poll()))
    thread.start()
    thread.join()
    assert result == [False] and opened == []
