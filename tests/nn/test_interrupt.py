"""A real Ctrl-C (SIGINT) during training and during resample, in a subprocess.

First Ctrl-C: training stops cleanly after the running batch and keeps its weights and history;
around it, resample stops the whole run and returns the finished iterations, flagged. A second
Ctrl-C raises KeyboardInterrupt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

PRELUDE = textwrap.dedent("""
    import os, signal, warnings
    import jupytorch as jt
    from jupytorch import lrn, rsmp, tsk

    jt.set_progress_view("none")
    warnings.simplefilter("ignore")

    def ctrl_c_at(epoch, times=1):
        def send(cb):
            if cb.ctx.epoch == epoch and cb.ctx.step == 2:
                for _ in range(times):
                    os.kill(os.getpid(), signal.SIGINT)
        return jt.torch_callback("ctrl_c", on_batch_end=send)
""")


def _run(body: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(body)], capture_output=True, text=True,
                          timeout=300, env=env)


def test_first_ctrl_c_stops_training_and_keeps_weights_and_history():
    done = _run("""
        learner = lrn("classif.mlp", epochs=20, batch_size=8, seed=1, callbacks=[ctrl_c_at(3), jt.t_clbk("history")])
        learner.train(tsk("iris"))
        model = learner.model
        print("RESULT", model.interrupted, model.epochs, len(model.callbacks["history"]), learner.predict(tsk("iris")).response.notna().all())
    """)
    assert done.returncode == 0, done.stderr
    assert "RESULT True 3 3 True" in done.stdout


def test_second_ctrl_c_raises_keyboard_interrupt():
    done = _run("""
        learner = lrn("classif.mlp", epochs=20, batch_size=8, seed=1, callbacks=ctrl_c_at(2, times=2))
        try:
            learner.train(tsk("iris"))
            print("NOT RAISED")
        except KeyboardInterrupt:
            print("RAISED")
    """)
    assert done.returncode == 0, done.stderr
    assert "RAISED" in done.stdout and "NOT RAISED" not in done.stdout


def test_ctrl_c_in_resample_stops_the_run_and_keeps_the_finished_iterations():
    done = _run("""
        class CtrlCInFold:  # Ctrl-C during the second fold's training
            fold = 0
        def on_begin(cb):
            CtrlCInFold.fold += 1
        def send(cb):
            if CtrlCInFold.fold == 2 and cb.ctx.epoch == 2 and cb.ctx.step == 1:
                os.kill(os.getpid(), signal.SIGINT)
        clbk = jt.torch_callback("ctrl_c", on_begin=on_begin, on_batch_end=send)
        learner = lrn("classif.mlp", epochs=5, batch_size=16, seed=1, callbacks=clbk)
        rr = jt.resample(tsk("iris"), learner, rsmp("cv", folds=3), seed=1)
        print("RESULT", rr.stopped, rr.iters, rr.iterations)
        again = jt.resample(tsk("iris"), lrn("classif.rpart"), rsmp("cv", folds=3), seed=1)
        print("AGAIN", again.stopped, again.iters)
    """)
    assert done.returncode == 0, done.stderr
    assert "RESULT True 1 [0]" in done.stdout  # the half-trained second fold is not counted
    assert "AGAIN False 3" in done.stdout  # the next run starts afresh


def test_checkpoint_of_an_interrupted_epoch_is_partial_and_resume_continues_from_the_last_complete_one(tmp_path):
    done = _run(f"""
        import torch
        folder = {str(tmp_path / "ckpt")!r}
        def learner(*callbacks, **values):
            return lrn("classif.mlp", epochs=5, batch_size=8, seed=1, callbacks=[*callbacks, jt.t_clbk("history")], **values)
        full = learner().train(tsk("iris"))
        cut = learner(ctrl_c_at(3), jt.t_clbk("checkpoint", path=folder)).train(tsk("iris"))
        print("CUT", cut.model.interrupted, cut.model.epochs, sorted(os.listdir(folder)))
        resumed = learner(jt.t_clbk("checkpoint", path=folder), resume=True).train(tsk("iris"))
        same = all(torch.equal(v, resumed.model.network.state_dict()[k]) for k, v in full.model.network.state_dict().items())
        print("RESUMED", resumed.model.callbacks["history"]["epoch"].tolist(), same, sorted(os.listdir(folder)))
    """)
    assert done.returncode == 0, done.stderr
    files = ["network{0}.pt", "optimizer{0}.pt", "state{0}.pt"]
    cut = sorted([f.format(1) for f in files] + [f.format(2) for f in files] + [f.format("3_partial") for f in files])
    assert f"CUT True 3 {cut}" in done.stdout  # epoch 3 was cut after its second batch: saved, but as partial
    # resume continues after epoch 2 (not the cut epoch 3) and ends bit-identical to the uninterrupted run;
    # the complete epoch 3 replaces the partial one
    complete = sorted(f.format(n) for n in range(1, 6) for f in files)
    assert f"RESUMED [1, 2, 3, 4, 5] True {complete}" in done.stdout
