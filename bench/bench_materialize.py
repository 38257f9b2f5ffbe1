"""Benchmark: one epoch of lazy-tensor batch materialization vs a per-item torch DataLoader.

Both sides read the MNIST test images (10 000, stored as uint8), scale them to float in [0, 1],
resize them to 32x32 and flip them horizontally at random, in batches of 256 in shuffled order:

- jupytorch: ``materialize(lt.take(batch_ids), rbind=True, stage="train")`` on a lazy tensor
  whose preprocessing graph holds ``v2.Resize((32, 32))`` and ``v2.RandomHorizontalFlip(0.5)``,
  applied to whole batches (plus a variant with a per-row flip, ``RandomFlip``, and the same
  pipeline built the way users build it: ``po("trafo_resize") >> po("augment_random_horizontal_flip")``).
- torch: ``DataLoader(batch_size=256, shuffle=True)`` over a Dataset whose ``__getitem__``
  returns one image run through the same ``v2.Compose`` (the usual per-item pattern).

Run: ``.venv/bin/python bench/bench_materialize.py [--case mnist|files|all] [--root DIR] [--repeats 5]
[--threads N] [--image-size 256]``. The images come from ``<root>/MNIST/raw/`` (``--root``, else ``$JUPYTORCH_DATA``);
without MNIST's files the bench writes 10 000 random 28x28 ``uint8`` images in MNIST's format to a
temporary folder (the timings do not depend on what the pixels show).

File-backed case (``--case files``): 512 JPEG files (256x256 by default, ``--image-size``) in a
generated image folder, resized to 64x64, batches of 64 in shuffled order, loaded the way a torch
learner loads them (``TaskDataset.get_batch`` inside ``prefetching``) with ``num_workers=2`` (worker
processes, see ``jupytorch.nn.loader``) and with ``num_workers=0`` (the main process, whose decoder
uses a thread pool; also timed with one decoding thread, as a plain loop decodes), next to a
hand-written ``DataLoader(num_workers=2)`` over a per-item Dataset that decodes and resizes one file
per ``__getitem__``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
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
    from jupytorch.lazy.tasks import DataNotFoundError

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


class PerItemFiles(Dataset):
    """The hand-written reference: decode and resize one JPEG per ``__getitem__``."""

    def __init__(self, paths: list[str], size: int):
        self.paths = paths
        self.resize = v2.Resize((size, size), antialias=True)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int):
        from torchvision.io import ImageReadMode, decode_image, read_file

        image = decode_image(read_file(self.paths[i]), mode=ImageReadMode.RGB).to(torch.float32).div_(255.0)
        return self.resize(image)


def write_jpegs(n: int, size: int = 128) -> Path:
    import numpy as np
    from PIL import Image

    root = Path(tempfile.mkdtemp()) / "images"
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
    for i in range(n):
        cls = root / f"c{i % 2}"
        cls.mkdir(parents=True, exist_ok=True)
        noise = rng.integers(0, 40, (size, size, 3), dtype=np.uint8)
        Image.fromarray(base + noise).save(cls / f"{i}.jpg", quality=90)
    return root


def epoch_task_dataset(ds, batches) -> float:
    from jupytorch.nn.loader import prefetching

    start = time.perf_counter()
    with prefetching(ds, batches):
        for index in batches:
            x, _ = ds.get_batch(index)
            assert x["image"].shape[1:] == (3, 64, 64)
    return time.perf_counter() - start


@contextlib.contextmanager
def one_decoding_thread():
    """num_workers=0 as a plain loop would run it: every file decoded in the main thread."""
    from jupytorch.lazy import datasets

    saved, datasets._THREADED_FROM = datasets._THREADED_FROM, sys.maxsize
    try:
        yield
    finally:
        datasets._THREADED_FROM = saved


def bench_files(repeats: int, n: int = 512, batch_size: int = 64, image_size: int = 256) -> None:
    import warnings

    from jupytorch.lazy.datasets import _quiet_image_io
    from jupytorch.lazy.tasks import image_folder_task
    from jupytorch.nn.ingress import ingress_ltnsr
    from jupytorch.nn.loader import attach_workers
    from jupytorch.nn.task_dataset import TaskDataset

    warnings.filterwarnings("ignore", message="The image decoding and encoding", category=DeprecationWarning)
    folder = write_jpegs(n, image_size)
    original = image_folder_task(folder)
    paths = original.data(cols=["path"])["path"].tolist()
    task = po("trafo_resize", size=(64, 64)).train([original])[0]
    token = ingress_ltnsr("image").bind(task)
    plain = TaskDataset(task, {"image": token})
    workers = TaskDataset(task, {"image": token})
    attach_workers(workers, 2, "cpu", seed=0)
    loader = DataLoader(PerItemFiles(paths, 64), batch_size=batch_size, shuffle=True, num_workers=2,
                        persistent_workers=True)

    def batches():
        order = torch.randperm(n)
        return [order[i:i + batch_size] for i in range(0, n, batch_size)]

    def epoch_reference() -> float:
        start = time.perf_counter()
        with _quiet_image_io():
            for x in loader:
                assert x.shape[1:] == (3, 64, 64)
        return time.perf_counter() - start

    epoch_task_dataset(plain, batches()[:2])  # warm-up (and worker start-up, outside the timings)
    epoch_task_dataset(workers, batches())
    epoch_reference()
    times = {"num_workers=0, one decoding thread": [], "num_workers=0 (threaded decode)": [], "num_workers=2": [],
             "hand-written DataLoader, 2 workers": []}
    for _ in range(repeats):
        with one_decoding_thread():
            times["num_workers=0, one decoding thread"].append(epoch_task_dataset(plain, batches()))
        times["num_workers=0 (threaded decode)"].append(epoch_task_dataset(plain, batches()))
        times["num_workers=2"].append(epoch_task_dataset(workers, batches()))
        times["hand-written DataLoader, 2 workers"].append(epoch_reference())
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"JPEG files: {n} ({image_size}x{image_size}), resized to 64x64, batch size {batch_size}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}, median of {repeats} epochs")
    single, threaded = medians["num_workers=0, one decoding thread"], medians["num_workers=0 (threaded decode)"]
    for name, value in medians.items():
        print(f"  {name:36s} {value * 1000:9.1f} ms/epoch   speed-up vs one thread: {single / value:5.2f}x"
              f"   vs threaded num_workers=0: {threaded / value:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=("mnist", "files", "all"), default="all")
    parser.add_argument("--root", default=None, help="data directory holding MNIST/raw/")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--image-size", type=int, default=256, help="side of the generated JPEG files (files case)")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.case in ("files", "all"):
        bench_files(args.repeats, image_size=args.image_size)
    if args.case == "files":
        return

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
