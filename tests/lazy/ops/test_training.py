"""The documented lazy-tensor examples, end to end: MNIST rows, flattening, MLPs, a CNN with augmentation,
an image-folder task and a multimodal graph. Small subsets and few epochs keep them fast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torchvision.io import write_png

import jupytorch as jt
from jupytorch import msr, nn, po, t_loss, t_opt, tsk

pytestmark = pytest.mark.filterwarnings("ignore:The image decoding:DeprecationWarning")

TRAIN, TEST = range(2000), range(2000, 2600)


def accuracy(learner, task, rows) -> float:
    return learner.predict(task, row_ids=rows).score(msr("classif.acc"))


def model_steps(epochs: int, batch_size: int = 64, lr: float = 0.003):
    return (po("torch_loss", t_loss("cross_entropy")) >> po("torch_optimizer", t_opt("adamw", lr=lr))
            >> po("torch_model_classif", epochs=epochs, batch_size=batch_size, seed=1))


def test_api_mnist_rows_materialize_and_flatten(mnist_env):
    mnist = tsk("mnist")
    rows = mnist.data(rows=[0, 1])
    assert "<tnsr[1x28x28]>" in repr(rows)
    assert repr(rows["image"].iloc[0]) == "<tnsr[1x28x28]>"
    batch = jt.materialize(rows["image"], rbind=True)
    assert batch.shape == (2, 1, 28, 28) and batch.dtype == torch.float32 and 0 <= batch.min() <= batch.max() <= 1
    listed = jt.materialize(rows["image"])
    assert len(listed) == 2 and torch.equal(listed[1], batch[1])
    flat = po("trafo_reshape", shape=(-1, 28 * 28)).train([mnist])[0]
    assert repr(flat.data(rows=[0])["image"].iloc[0]) == "<tnsr[784]>"
    assert torch.equal(jt.materialize(flat.data(rows=[0, 1])["image"], rbind=True), batch.reshape(2, 784))


def test_mlp_learner_on_flattened_images(mnist):
    flat = po("trafo_reshape", shape=(-1, 28 * 28)).train([mnist])[0]
    mlp = jt.lrn("classif.mlp", neurons=(64,), epochs=2, batch_size=64, optimizer=t_opt("adam", lr=0.003), seed=1)
    mlp.train(flat, row_ids=TRAIN)
    assert accuracy(mlp, flat, TEST) > 0.5  # chance is 0.1


def test_api_graph_learner_on_flattened_images(mnist):
    flat = po("trafo_reshape", shape=(-1, 28 * 28)).train([mnist])[0]
    graph = po("torch_ingress_ltnsr") >> nn("linear", out_features=10) >> nn("relu") >> nn("head")
    md = graph.train(flat)[0]
    assert md.pointer_shape == (None, 10)
    glrn = jt.as_learner(graph >> model_steps(epochs=2))
    glrn.train(flat, row_ids=TRAIN)
    assert accuracy(glrn, flat, TEST) > 0.5


def cnn(out_channels: int = 8):
    return (po("torch_ingress_ltnsr") >> nn("conv2d", out_channels=out_channels, kernel_size=3) >> nn("relu")
            >> nn("max_pool2d", kernel_size=2) >> nn("flatten") >> nn("head"))


def test_cnn_with_augmentation_on_images(mnist):
    graph = po("augment_random_crop", size=28, padding=2) >> po("augment_random_affine", degrees=10) >> cnn()
    md = cnn().train(mnist.filter(range(10)))[0]
    assert md.pointer_shape == (None, 10)
    learner = jt.as_learner(graph >> model_steps(epochs=2))
    learner.train(mnist, row_ids=TRAIN)
    assert accuracy(learner, mnist, TEST) > 0.5
    first = learner.predict(mnist, row_ids=range(2000, 2100)).prob
    again = learner.predict(mnist, row_ids=range(2000, 2100)).prob
    np.testing.assert_array_equal(first, again)  # no augmentation at predict time


def test_cnn_with_validation_and_preprocessing_in_the_graph(mnist):
    graph = (po("augment_random_horizontal_flip", p=0.5) >> po("trafo_normalize", mean=0.1307, std=0.3081) >> cnn()
             >> po("torch_loss", t_loss("cross_entropy")) >> po("torch_optimizer", t_opt("adamw", lr=0.003))
             >> po("torch_model_classif", epochs=1, batch_size=64, seed=1, measures_valid=msr("classif.acc")))
    learner = jt.as_learner(graph)
    jt.set_validate(learner, 0.25)
    learner.train(mnist, row_ids=range(1200))
    scores = learner.internal_valid_scores
    assert scores is not None and scores["torch_model_classif.classif.acc"] > 0.3


def write_image_folder(root, n_per_class: int = 30):
    """Bright and dark RGB images of varying sizes in <root>/<class>/<i>.png; returns paths and labels."""
    gen = torch.Generator().manual_seed(0)
    paths, labels = [], []
    for cls, level in (("bright", 0.75), ("dark", 0.25)):
        (root / cls).mkdir(parents=True)
        for i in range(n_per_class):
            h, w = 10 + i % 5, 12 + i % 3
            image = (level + 0.15 * torch.randn(3, h, w, generator=gen)).clamp(0, 1)
            path = root / cls / f"{i}.png"
            write_png((image * 255).to(torch.uint8), str(path))
            paths.append(str(path))
            labels.append(cls)
    return paths, labels


def test_image_folder_task_from_paths(tmp_path):
    paths, labels = write_image_folder(tmp_path / "images")
    lt = jt.as_lazy_tensor(paths, {"image": (None, 3, None, None)})
    df = pd.DataFrame({"image": lt, "class": labels})
    task = jt.as_task_classif(df, target="class", id="bright_vs_dark")
    assert task.feature_types.to_dict() == {"image": "lazy_tensor"}
    assert repr(task.data(rows=[0])["image"].iloc[0]) == "<tnsr[3x?x?]>"
    resized = po("trafo_resize", size=(16, 16)).train([task])[0]
    assert jt.materialize(resized.data()["image"], rbind=True).shape == (60, 3, 16, 16)
    graph = (po("trafo_resize", size=(16, 16)) >> po("augment_random_horizontal_flip")
             >> cnn(4) >> model_steps(epochs=15, batch_size=16, lr=0.01))
    learner = jt.as_learner(graph)
    rows = np.random.default_rng(0).permutation(60)
    learner.train(task, row_ids=rows[:40])
    assert accuracy(learner, task, rows[40:]) >= 0.9


def multimodal_task(n: int = 400):
    """Label = age + image brightness > 0: either modality alone gets about 75% right, both 100%."""
    rng = np.random.default_rng(1)
    age, brightness, lesion = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    base = torch.sigmoid(torch.tensor(brightness, dtype=torch.float32)).view(n, 1, 1, 1)
    images = (base + 0.05 * torch.randn(n, 3, 12, 12, generator=torch.Generator().manual_seed(2))).clamp(0, 1)
    df = pd.DataFrame({
        "age": age, "lesion_size": lesion, "xray": jt.as_lazy_tensor(images),
        "status": pd.Categorical(np.where(age + brightness > 0, "malignant", "benign")),
    })
    return jt.as_task_classif(df, target="status", id="medical")


def test_multimodal_graph_merges_tabular_and_image_branches():
    task = multimodal_task()
    assert task.feature_types.to_dict() == {"age": "numeric", "lesion_size": "numeric", "xray": "lazy_tensor"}
    branch_num = (po("select_1", selector=jt.selector_type("numeric")) >> po("torch_ingress_num")
                  >> nn("linear_1", out_features=16) >> nn("relu_1"))
    branch_img = (po("select_2", selector=jt.selector_type("lazy_tensor")) >> po("torch_ingress_ltnsr")
                  >> nn("conv2d", out_channels=4, kernel_size=3) >> nn("relu_2") >> nn("flatten"))
    graph = [branch_num, branch_img] >> nn("merge_cat") >> nn("head")
    md = graph.train(task)[0]
    assert len(md.ingress) == 2 and md.pointer_shape == (None, 1)  # binary: one logit
    learner = jt.as_learner(graph >> model_steps(epochs=30, batch_size=32, lr=0.01))
    learner.train(task, row_ids=range(300))
    assert accuracy(learner, task, range(300, 400)) > 0.9  # each branch alone: about 0.7 to 0.8
