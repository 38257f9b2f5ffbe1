"""t_clbk("progress"): text progress bars of a training run."""

from __future__ import annotations

import jupytorch as jt

from ..conftest import make_classif, mlp


def test_progress_callback_draws_text_bars():
    import io

    out = io.StringIO()
    learner = mlp(epochs=2, callbacks=jt.t_clbk("progress", mininterval=0.0, file=out))
    learner.train(make_classif())
    text = out.getvalue()
    assert "epochs classif.mlp toy_classif" in text and "loss=" in text
    assert learner.clone().callbacks[0].file is out  # copies share the stream
