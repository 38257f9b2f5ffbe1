"""A small CNN on MNIST images with data augmentation, built from lazy-tensor PipeOps and layers.

The images stay in a lazy-tensor column; ``augment_*`` steps (random crop with padding, random
affine) run only on training batches, ``trafo_normalize`` on every batch. The script trains on
a subset of the MNIST test set, predicts the rest and prints the accuracy (about 0.98 with the
defaults, in about 15 s on two CPU cores).

``examples/images.ipynb`` builds the same network step by step in a notebook (the lazy-tensor
column, its preprocessing, the preview widget, training history) and also fine-tunes a
pretrained resnet18; offline it uses the bundled 8x8 digits instead of MNIST.

Data: MNIST's idx files in ``<data directory>/MNIST/raw/`` (``$JUPYTORCH_DATA``, else
``~/.cache/jupytorch``; see docs/lazy-tensors.md). Nothing is downloaded: without the files the
script says where to put them and how to fetch them with torchvision, and exits.

Usage::

    python examples/images.py [--train-rows 6000] [--epochs 3] [--threads N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import jupytorch as jt
from jupytorch import msr, nn, po, t_loss, t_opt, tsk

FETCH_HINT = """\
To fetch MNIST once (torchvision writes exactly <root>/MNIST/raw/):
    python -c "import torchvision; torchvision.datasets.MNIST('<root>', download=True)"
then run this script with JUPYTORCH_DATA=<root>."""


def mnist_task():
    """``tsk("mnist")``; without the files, the loader's message (where they go) and how to fetch them."""
    from jupytorch.lazy.tasks import DataNotFoundError

    try:
        return tsk("mnist")
    except DataNotFoundError as error:
        sys.exit(f"{error}\n\n{FETCH_HINT}")


def build_learner(epochs: int):
    """Augmentation and normalization, then conv -> pool -> conv -> pool -> dense -> head."""
    preprocessing = (
        po("augment_random_crop", size=28, padding=2)          # train batches only, a new crop per image
        >> po("augment_random_affine", degrees=10, scale=(0.9, 1.1))
        >> po("trafo_normalize", mean=0.1307, std=0.3081)      # train and predict
    )
    network = (
        po("torch_ingress_ltnsr")
        >> nn("conv2d_1", out_channels=16, kernel_size=3, padding=1) >> nn("relu_1") >> nn("max_pool2d_1", kernel_size=2)
        >> nn("conv2d_2", out_channels=32, kernel_size=3, padding=1) >> nn("relu_2") >> nn("max_pool2d_2", kernel_size=2)
        >> nn("flatten") >> nn("linear", out_features=64) >> nn("relu_3") >> nn("head")
    )
    training = (
        po("torch_loss", t_loss("cross_entropy"))
        >> po("torch_optimizer", t_opt("adamw", lr=0.003))
        >> po("torch_model_classif", epochs=epochs, batch_size=64, seed=1)
    )
    return jt.as_learner(preprocessing >> network >> training)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-rows", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    task = mnist_task()
    print(task)
    print(task.data(rows=[0, 1, 2]))
    flat = po("trafo_reshape", shape=(-1, 28 * 28)).train([task])[0]
    print("flattened:", flat.data(rows=[0])["image"].iloc[0])

    learner = build_learner(args.epochs)
    train, test = range(args.train_rows), range(args.train_rows, task.nrow)
    start = time.perf_counter()
    learner.train(task, row_ids=train)
    took = time.perf_counter() - start
    pred = learner.predict(task, row_ids=test)
    print(f"CNN with augmentation, {len(train)} training images, {args.epochs} epochs ({took:.1f} s): "
          f"accuracy on {len(test)} held-out images = {pred.score(msr('classif.acc')):.3f}")


if __name__ == "__main__":
    main()
