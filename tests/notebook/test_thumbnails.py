"""Tensors as PNG thumbnails: valid PNG files, the right kind per shape, honest statistics."""

from __future__ import annotations

import base64
import io
import zlib

import numpy as np
import pytest
import torch

from jupytorch.notebook._thumbnails import image_kind, png_bytes, thumbnail


def decode_png(data: bytes) -> np.ndarray:
    """A minimal reader for the PNGs png_bytes writes (8-bit, filter 0): the pixels back."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == int.from_bytes(data[pos + 8 + length:pos + 12 + length], "big")
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height = int.from_bytes(chunks[b"IHDR"][:4], "big"), int.from_bytes(chunks[b"IHDR"][4:8], "big")
    channels = {0: 1, 2: 3}[chunks[b"IHDR"][9]]
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(height, 1 + width * channels)
    assert (raw[:, 0] == 0).all()
    pixels = raw[:, 1:].reshape(height, width, channels)
    return pixels[..., 0] if channels == 1 else pixels


def test_png_round_trips_grey_and_rgb_pixels():
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    rgb = np.random.default_rng(0).integers(0, 256, (5, 2, 3), dtype=np.uint8)
    assert np.array_equal(decode_png(png_bytes(grey)), grey)
    assert np.array_equal(decode_png(png_bytes(rgb)), rgb)
    with pytest.raises(ValueError, match=r"\(H, W\) or \(H, W, 3\)"):
        png_bytes(np.zeros((2, 2, 2), dtype=np.uint8))


def test_pillow_reads_the_png():
    from PIL import Image as image  # Pillow comes with torchvision
    rgb = np.random.default_rng(1).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    assert np.array_equal(np.asarray(image.open(io.BytesIO(png_bytes(rgb)))), rgb)


@pytest.mark.parametrize(("shape", "kind"), [((1, 28, 28), "gray"), ((3, 32, 32), "rgb"), ((28, 28), "heatmap"),
                                             ((5, 8, 8), "heatmap"), ((784,), "strip"), ((2, 3, 4, 5), "strip"),
                                             ((1, 1, 40), "strip")])
def test_kind_follows_the_shape(shape, kind):
    assert image_kind(shape) == kind
    t = thumbnail(torch.rand(shape))
    assert t["kind"] == kind and t["shape"] == list(shape)
    decode_png(base64.b64decode(t["png"]))


def test_images_keep_their_brightness_and_statistics():
    sample = torch.zeros(1, 4, 4)
    sample[0, 0, 0] = 1.0
    t = thumbnail(sample)
    pixels = decode_png(base64.b64decode(t["png"]))
    assert pixels[0, 0] == 255 and pixels[1:, :].max() == 0
    assert (t["min"], t["max"], t["mean"], t["dtype"]) == (0.0, 1.0, 1 / 16, "float32")
    # normalised data (negative values) is min-max scaled; uint8 images keep 0..255
    assert decode_png(base64.b64decode(thumbnail(torch.tensor([[[-2.0, 2.0], [0.0, 0.0]]]))["png"]))[0].tolist() == [0, 255]
    assert decode_png(base64.b64decode(thumbnail(torch.tensor([[[0, 128], [0, 0]]], dtype=torch.uint8))["png"]))[0].tolist() == [0, 128]


def test_large_images_and_long_vectors_are_shrunk():
    t = thumbnail(torch.rand(3, 300, 150), max_side=96)
    assert (t["width"], t["height"]) == (48, 96) and t["shape"] == [3, 300, 150]
    strip = thumbnail(torch.rand(10_000))
    assert (strip["width"], strip["height"]) == (256, 1)


def test_non_finite_values_do_not_break_the_thumbnail():
    t = thumbnail(torch.tensor([[[float("nan"), 1.0], [float("inf"), 0.0]]]))
    assert (t["min"], t["max"]) == (0.0, 1.0)
    assert thumbnail(torch.full((1, 2, 2), float("nan")))["mean"] is None
