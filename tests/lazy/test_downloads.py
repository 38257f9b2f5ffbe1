"""Image tasks download their files when missing: served by a local HTTP server (no internet)."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import io
import pickle
import tarfile
import threading
import zipfile

import numpy as np
import pytest
import torchvision.datasets

from jupytorch import tsk
from jupytorch.core.download import DownloadError, download
from jupytorch.core.exceptions import DataNotFoundError
from jupytorch.lazy import tiny_imagenet
from jupytorch.lazy.data_files import set_data_dir


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1; yields (folder, base url)."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def online(tmp_path, monkeypatch):
    """Downloads allowed, data directory empty."""
    monkeypatch.delenv("JUPYTORCH_OFFLINE", raising=False)
    data = tmp_path / "data"
    monkeypatch.setenv("JUPYTORCH_DATA", str(data))
    set_data_dir(None)
    yield data
    set_data_dir(None)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def test_download_writes_the_file_and_checks_md5(server, tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTORCH_OFFLINE", raising=False)
    www, url = server
    (www / "a.bin").write_bytes(b"hello")
    assert download(url + "a.bin", tmp_path / "out" / "a.bin", md5=_md5(b"hello")).read_bytes() == b"hello"
    with pytest.raises(DownloadError, match="MD5"):
        download(url + "a.bin", tmp_path / "b.bin", md5="0" * 32)
    assert not (tmp_path / "b.bin").exists() and not (tmp_path / "b.bin.part").exists()
    with pytest.raises(DownloadError, match="not found"):
        download(url + "missing.bin", tmp_path / "c.bin")
    monkeypatch.setenv("JUPYTORCH_OFFLINE", "1")
    with pytest.raises(DownloadError, match="turned off"):
        download(url + "a.bin", tmp_path / "d.bin")


def test_mnist_is_downloaded_with_torchvisions_downloader(server, online, monkeypatch):
    www, url = server
    rng = np.random.default_rng(0)
    files = {
        "train-images-idx3-ubyte.gz": _idx(rng.integers(0, 255, (6, 28, 28))),
        "train-labels-idx1-ubyte.gz": _idx(np.arange(6) % 10),
        "t10k-images-idx3-ubyte.gz": _idx(rng.integers(0, 255, (4, 28, 28))),
        "t10k-labels-idx1-ubyte.gz": _idx(np.arange(4) % 10),
    }
    for name, data in files.items():
        (www / name).write_bytes(data)
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [url])
    monkeypatch.setattr(torchvision.datasets.MNIST, "resources", [(n, _md5(d)) for n, d in files.items()])
    task = tsk("mnist")
    assert task.nrow == 10 and (online / "MNIST" / "raw" / "train-images-idx3-ubyte").is_file()
    assert task.data(cols=["split"])["split"].tolist() == ["train"] * 6 + ["test"] * 4


def test_mnist_offline_keeps_the_clear_error(online, monkeypatch):
    monkeypatch.setenv("JUPYTORCH_OFFLINE", "1")
    with pytest.raises(DataNotFoundError, match=r"download failed \(downloads are turned off.*JUPYTORCH_DATA"):
        tsk("mnist")


def _pickled(obj) -> bytes:
    return pickle.dumps(obj, protocol=2)


def test_cifar10_is_downloaded_and_unpacked(server, online, monkeypatch):
    www, url = server
    rng = np.random.default_rng(1)
    members = {f"data_batch_{i}": _pickled({b"data": rng.integers(0, 255, (2, 3072), dtype=np.uint8),
                                              b"labels": [i % 10, (i + 1) % 10]}) for i in range(1, 6)}
    members["test_batch"] = _pickled({b"data": rng.integers(0, 255, (3, 3072), dtype=np.uint8), b"labels": [0, 1, 2]})
    members["batches.meta"] = _pickled({b"label_names": [f"c{i}".encode() for i in range(10)]})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive = buffer.getvalue()
    (www / "cifar.tar.gz").write_bytes(archive)
    cls = torchvision.datasets.CIFAR10
    monkeypatch.setattr(cls, "url", url + "cifar.tar.gz")
    monkeypatch.setattr(cls, "tgz_md5", _md5(archive))
    monkeypatch.setattr(cls, "train_list", [[f"data_batch_{i}", _md5(members[f"data_batch_{i}"])] for i in range(1, 6)])
    monkeypatch.setattr(cls, "test_list", [["test_batch", _md5(members["test_batch"])]])
    monkeypatch.setattr(cls, "meta", {"filename": "batches.meta", "key": "label_names",
                                      "md5": _md5(members["batches.meta"])})
    task = tsk("cifar10")
    assert task.nrow == 13 and task.class_names[:2] == ["c0", "c1"]


def test_tiny_imagenet_is_downloaded_and_unpacked(server, online, monkeypatch):
    from PIL import Image

    www, url = server
    buffer = io.BytesIO()
    wnids = ["n01", "n02"]

    def jpeg() -> bytes:
        out = io.BytesIO()
        Image.fromarray(np.zeros((64, 64, 3), dtype=np.uint8)).save(out, format="JPEG")
        return out.getvalue()

    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("tiny-imagenet-200/wnids.txt", "\n".join(wnids))
        for w in wnids:
            for i in range(3):
                zf.writestr(f"tiny-imagenet-200/train/{w}/images/{w}_{i}.JPEG", jpeg())
        zf.writestr("tiny-imagenet-200/val/images/val_0.JPEG", jpeg())
        zf.writestr("tiny-imagenet-200/val/val_annotations.txt", "val_0.JPEG\tn02\t0\t0\t63\t63\n")
    (www / "tiny.zip").write_bytes(buffer.getvalue())
    monkeypatch.setattr(tiny_imagenet, "TINY_IMAGENET_URL", url + "tiny.zip")
    task = tsk("tiny_imagenet")
    assert task.nrow == 7 and task.class_names == wnids
    assert task.data()["class"].tolist()[-1] == "n02" and not (online / "tiny-imagenet-200.zip").exists()
    assert task.data(rows=[0])["image"].iloc[0].shape == (3, 64, 64)


def test_tiny_imagenet_offline_says_where_to_put_it(online, monkeypatch):
    monkeypatch.setenv("JUPYTORCH_OFFLINE", "1")
    with pytest.raises(DataNotFoundError, match=r"tiny-imagenet-200.zip and unpack it into"):
        tsk("tiny_imagenet")
