"""The engine under n_jobs: a worker process that dies is reported with the iteration and learner it
was running, as a WorkerDiedError carrying the finished iterations (``error.partial_result``).

The learner kills its own process (SIGKILL) in the iteration whose test set holds row 1, once this
process has received another iteration's result, so that at least one finished iteration exists.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import os, signal, sys, time
    import numpy as np
    import jupytorch as jt
    from jupytorch.core import progress
    from jupytorch.core.learner import Learner
    from jupytorch.core.paramset import ParamSet

    MARK, BACKEND = sys.argv[1], sys.argv[2]

    class Dies(Learner):
        def __init__(self):
            super().__init__("regr.dies", "regr", param_set=ParamSet({}))

        def _train(self, task, param_values):
            if 1 not in set(task.row_ids.tolist()):
                for _ in range(1200):  # until this process has a finished iteration
                    if os.path.exists(MARK):
                        break
                    time.sleep(0.1)
                os.kill(os.getpid(), signal.SIGKILL)
            return float(np.mean(task.truth()))

        def _predict(self, task, param_values):
            return {"response": np.full(task.nrow, self.model)}

    class Mark:
        def on_event(self, event):
            if event.get("level") == "resample" and event.get("stage") == "advance":
                open(MARK, "w").close()

    def report(name, run):
        try:
            run()
            print(name, "NOT RAISED")
        except jt.JupytorchError as error:
            partial = error.partial_result
            rrs = [partial] if name == "resample" else partial.resample_results
            kept = [(rr.learner.id, i) for rr in rrs for i in rr.iterations]
            print(name, type(error).__name__, "|", error, "|", kept)
            print(name + "_notes", error.__notes__)

    if __name__ == "__main__":
        jt.set_progress_view("none")
        task = jt.tsk("mtcars")
        cv = jt.rsmp("cv", folds=3).instantiate(task)
        print("DIES", [i for i in range(3) if 1 in cv.test_set(i).tolist()][0])
        with progress.listen(Mark()):
            if BACKEND == "dask":
                with jt.parallel("dask", n_workers=2):
                    report("resample", lambda: jt.resample(task, Dies(), cv, seed=1))
            else:
                report("resample", lambda: jt.resample(task, Dies(), cv, seed=1, n_jobs=2))
                os.remove(MARK)
                design = jt.benchmark_grid(task, [jt.lrn("regr.featureless"), Dies()], cv)
                report("benchmark", lambda: jt.benchmark(design, seed=1, n_jobs=2))
""")


@pytest.mark.parametrize("backend", ["loky", "dask"])
def test_a_worker_that_dies_is_named_and_the_finished_iterations_are_kept(tmp_path, backend):
    script = tmp_path / "dies.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "mark"), backend], capture_output=True,
                          text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = {line.split(" ")[0]: line for line in done.stdout.splitlines()}
    dies = int(lines["DIES"].split()[1])
    for name in ["resample"] if backend == "dask" else ["resample", "benchmark"]:
        line = lines[name]
        assert line.startswith(f"{name} WorkerDiedError | "), line
        message, kept = line.split(" | ")[1:]
        assert "died" in message and f"iteration {dies} of learner 'regr.dies' on task 'mtcars'" in message
        assert "picklable" not in message
        kept = ast.literal_eval(kept)  # (learner id, iteration) of each iteration in error.partial_result
        assert kept and ("regr.dies", dies) not in kept  # at least the iteration finished before the death
