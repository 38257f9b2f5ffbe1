"""Benchmark: one epoch of lazy-tensor batch materialization vs a per-item torch DataLoader.

Both sides read the MNIST test images (10 000, stored as uint8), scale them to float in [0, 1],
resize them to 32x32 and flip them horizontally at random, in batches of 256 in shuffled order:

- jupytorch: ``materialize(lt.take(batch_ids), rbind=True, stage="train")`` on a lazy tensor
  whose preprocessing graph holds ``v2.Resize((32, 32))`` and ``v2.RandomHorizontalFlip(0.5)``,
  applied to whole batches (plus a variant with a per-row flip, ``RandomFlip``, and the same
  pipeline built the way users build it: ``po("trafo_resize") >> po("augment_random_horizontal_flip")``).
- torch: ``DataLoader(batch_size=256, shuffle=True)`` over a Dataset whose ``__getitem__``
  returns one image run through the same ``v2.Compose`` (the usual per-item pattern).

Run: ``.venv/bin/python bench/bench_materialize.py [--root DIR] [--repeats 5] [--threads N]``. The
images come from ``<root>/MNIST/raw/`` (``--root``, else ``$JUPYTORCH_DATA``); without MNIST's files
the bench writes 10 000 random 28x28 ``uint8`` images in MNIST's format to a temporary folder
(the timings do not depend on what the pixels show).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import torch  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402
from torchvision.transforms import v2  # noqa: E402

from jupytorch.lazy.materialize import materialize  # noqa: E402
from jupytorch.lazy.steps import RandomFlip  # noqa: E402
from jupytorch.lazy.tasks import load_mnist  # noqa: E402
from jupytorch.pipelines.sugar import po  # noqa: E402

BATCH_SIZE = 256


class PerItemImages(Dataset):
    """The usual Dataset: one image per ``__getitem__``, transformed on its own."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, transform: v2.Transform):
        self.images = images
        self.labels = labels
        self.transform = transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        x = self.images[i].to(torch.float32).div_(255.0)
        return self.transform(x), self.labels[i]


def write_random_mnist(n: int = 10_000) -> Path:
    """``n`` random images and labels as MNIST's test files in a temporary folder; returns the root."""
    raw = Path(tempfile.mkdtemp()) / "MNIST" / "raw"
    raw.mkdir(parents=True)
    gen = torch.Generator().manual_seed(0)
    for name, array in (("t10k-images-idx3-ubyte", torch.randint(0, 256, (n, 28, 28), generator=gen)),
                        ("t10k-labels-idx1-ubyte", torch.randint(0, 10, (n,), generator=gen))):
        shape = torch.tensor(array.shape, dtype=torch.int32).numpy().astype(">i4").tobytes()
        (raw / name).write_bytes(bytes([0, 0, 0x08, array.ndim]) + shape + array.to(torch.uint8).numpy().tobytes())
    return raw.parent.parent


def load_task(root: str | None):
    """MNIST from ``root`` or JUPYTORCH_DATA; random MNIST-format images when the files are not there."""
    from jupytorch.tasks.images import DataNotFoundError

    try:
        return load_mnist(root)
    except DataNotFoundError:
        print("MNIST's files were not found: timing 10 000 random images in MNIST's format instead")
        return load_mnist(write_random_mnist())


def epoch_lazy(lt, n: int) -> float:
    start = time.perf_counter()
    order = torch.randperm(n).numpy()
    for i in range(0, n, BATCH_SIZE):
        x = materialize(lt.take(order[i : i + BATCH_SIZE]), rbind=True, stage="train")
        assert x.shape[1:] == (1, 32, 32)
    return time.perf_counter() - start


def epoch_loader(loader: DataLoader) -> float:
    start = time.perf_counter()
    for x, _ in loader:
        assert x.shape[1:] == (1, 32, 32)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="data directory holding MNIST/raw/")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    task = load_task(args.root)
    column = task.data()["image"].array
    n = len(column)
    resize = v2.Resize((32, 32), antialias=True)
    lazy = column.with_step(resize, lambda s: (*s[:-2], 32, 32), name="trafo_resize")
    lazy_batch_flip = lazy.with_step(v2.RandomHorizontalFlip(0.5), stage="train", name="augment_flip")
    lazy_row_flip = lazy.with_step(RandomFlip(0.5), stage="train", name="augment_flip")
    pipeops = po("trafo_resize", size=(32, 32)) >> po("augment_random_horizontal_flip", p=0.5)
    lazy_pipeops = pipeops.train(task)[0].data()["image"].array

    images = column.descriptor.dataset.tensors["image"]  # the same uint8 tensor the lazy tensor reads
    labels = torch.tensor(task.truth().cat.codes.to_numpy(), dtype=torch.long)
    per_item = PerItemImages(images, labels, v2.Compose([resize, v2.RandomHorizontalFlip(0.5)]))
    loader = DataLoader(per_item, batch_size=BATCH_SIZE, shuffle=True, num_workers=0)

    epoch_lazy(lazy_batch_flip, 2 * BATCH_SIZE)  # warm-up
    epoch_lazy(lazy_row_flip, 2 * BATCH_SIZE)
    epoch_lazy(lazy_pipeops, 2 * BATCH_SIZE)
    times = {"lazy (v2 transforms on batches)": [], "lazy (per-row RandomFlip)": [], "lazy (trafo_/augment_ PipeOps)": [],
             "DataLoader (per item)": []}
    for _ in range(args.repeats):
        times["lazy (v2 transforms on batches)"].append(epoch_lazy(lazy_batch_flip, n))
        times["lazy (per-row RandomFlip)"].append(epoch_lazy(lazy_row_flip, n))
        times["lazy (trafo_/augment_ PipeOps)"].append(epoch_lazy(lazy_pipeops, n))
        times["DataLoader (per item)"].append(epoch_loader(loader))

    print(f"MNIST test images: {n}, batch size {BATCH_SIZE}, resize 28->32 + random horizontal flip, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, median of {args.repeats} epochs")
    medians = {k: statistics.median(v) for k, v in times.items()}
    base = medians["DataLoader (per item)"]
    for name, value in medians.items():
        print(f"  {name:34s} {value * 1000:9.1f} ms/epoch   speed-up vs DataLoader: {base / value:5.1f}x")


if __name__ == "__main__":
    main()
