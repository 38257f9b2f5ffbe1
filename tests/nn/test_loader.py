"""Batches of an epoch (drop_last, sampler, batch_sampler) and loading in worker processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch import lrn, po
from jupytorch.nn.loader import BatchPlan, balanced_sampler, uses_workers
from jupytorch.nn.task_dataset import TaskDataset

from .conftest import make_classif
from .learners.conftest import write_image_folder


def test_default_plan_is_slices_of_a_shuffled_order():
    plan = BatchPlan(7, 3, shuffle=True)
    gen = torch.Generator().manual_seed(1)
    batches = plan.batches(gen)
    expected = torch.randperm(7, generator=torch.Generator().manual_seed(1))
    assert torch.equal(torch.cat(batches), expected) and [len(b) for b in batches] == [3, 3, 1]
    assert plan.n_batches == 3 and BatchPlan(7, 3, drop_last=True).n_batches == 2


def test_sampler_and_batch_sampler():
    sampler = torch.utils.data.SequentialSampler(range(5))
    plan = BatchPlan(5, 2, sampler=sampler, drop_last=True)
    assert [b.tolist() for b in plan.batches(torch.Generator())] == [[0, 1], [2, 3]]
    plan = BatchPlan(5, 2, batch_sampler=[[4, 0], [1]])
    assert [b.tolist() for b in plan.batches(torch.Generator())] == [[4, 0], [1]] and plan.n_batches == 2
    with pytest.raises(Exception, match="yielded position 9, but the training data has 5 rows"):
        BatchPlan(5, 2, batch_sampler=[[9]]).batches(torch.Generator())


class _BatchNormNet(torch.nn.Module):
    def __init__(self, task):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(task.n_features, 4), torch.nn.BatchNorm1d(4),
                                       torch.nn.Linear(4, 3))

    def forward(self, x):
        return self.net(x)


def test_drop_last_avoids_a_one_row_batch():
    task = make_classif(n=9)
    learner = lrn("classif.module", module_generator=_BatchNormNet, epochs=1, batch_size=4, device="cpu", seed=1)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        learner.train(task)
    learner.configure(drop_last=True).train(task)
    assert learner.model.epochs == 1


class _Classes(jt.Callback):
    def __init__(self):
        self.seen = []

    def on_batch_begin(self):
        self.seen.extend(self.ctx.batch.y.tolist())

    def state_dict(self):
        return self.seen


def test_balanced_sampler_evens_out_imbalanced_classes():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=400), "y": ["rare"] * 40 + ["common"] * 360})
    task = jt.as_task_classif(frame, target="y")
    learner = lrn("classif.mlp", epochs=3, batch_size=50, device="cpu", seed=1, sampler=balanced_sampler(),
                  callbacks=_Classes().set_id("classes"))
    learner.train(task)
    seen = np.array(learner.model.callbacks["classes"])
    assert len(seen) == 3 * 400
    assert 0.4 < seen.mean() < 0.6  # about half the rows drawn are of the rare class (10% of the data)


class _FileDataset(torch.utils.data.Dataset):
    """A user dataset with per-item __getitem__ that decodes one file per row."""

    def __init__(self, paths):
        self.paths = [str(p) for p in paths]

    def __getitem__(self, i):
        from PIL import Image

        with Image.open(self.paths[i]) as image:
            array = np.asarray(image.convert("RGB").resize((16, 16)), dtype=np.float32) / 255
        return {"image": torch.from_numpy(array.transpose(2, 0, 1).copy())}

    def __len__(self):
        return len(self.paths)


@pytest.fixture
def folder(tmp_path):
    return write_image_folder(tmp_path / "images", n=8)


def _fit(task, epochs=2, **values):
    learner = lrn("classif.resnet18", pretrained=False, epochs=epochs, batch_size=4, device="cpu", seed=3,
                  predict_type="prob", **values)
    jt.set_validate(learner, 0.25)
    return learner.train(task)


def test_workers_give_the_same_training_as_the_main_process(folder):
    task = po("trafo_resize", size=(16, 16)).train([jt.image_folder_task(folder)])[0]
    ds = TaskDataset(task, {"image": jt.ingress_ltnsr("image").bind(task)})
    assert uses_workers(ds, 2) and not uses_workers(ds, 0)
    plain, workers = _fit(task), _fit(task, num_workers=2)
    for a, b in zip(plain.network.parameters(), workers.network.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    np.testing.assert_allclose(plain.predict(task).prob, workers.configure(num_workers=2).predict(task).prob, atol=1e-6)


def test_workers_load_a_user_dataset_with_random_augmentation_reproducibly(folder):
    paths = sorted(folder.glob("*/*.jpg"))
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(_FileDataset(paths), {"image": (None, 3, 16, 16)}),
                          "y": [p.parent.name for p in paths]})
    task = po("augment_random_horizontal_flip").train([jt.as_task_classif(frame, target="y")])[0]
    first, second = _fit(task, epochs=1, num_workers=2), _fit(task, epochs=1, num_workers=2)
    for a, b in zip(first.network.parameters(), second.network.parameters(), strict=True):
        assert torch.equal(a, b)


def test_in_memory_lazy_tensors_keep_index_slicing():
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(torch.rand(8, 3, 8, 8)), "y": ["a", "b"] * 4})
    task = jt.as_task_classif(frame, target="y")
    ds = TaskDataset(task, {"image": jt.ingress_ltnsr("image").bind(task)})
    assert not uses_workers(ds, 4)


def test_loader_workers_reuse_freed_batch_memory_instead_of_faulting_it_in_again():
    # what a worker runs at start-up; in a fresh process, since it changes the allocator for good
    import platform
    import subprocess
    import sys
    import textwrap

    if platform.libc_ver()[0] != "glibc":  # macOS, musl: there is no mallopt, and nothing is changed
        from jupytorch.nn.loader import _keep_freed_memory

        assert _keep_freed_memory() is False
        return

    code = textwrap.dedent("""
        import resource, sys, torch
        from jupytorch.nn.loader import _worker_init
        def faults_of_one_batch():
            start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            torch.ones(64, 3, 256, 256)  # a 48 MiB batch, made and freed
            return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start
        before = [faults_of_one_batch() for _ in range(4)]
        _worker_init(0)
        after = [faults_of_one_batch() for _ in range(12)]  # the heap settles within the first few batches
        print(min(before), max(after[6:]))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    fewest_before, most_after = int(out[0]), int(out[1])
    assert fewest_before > 10_000 and most_after < 100, (fewest_before, most_after)
