"""Pretrained torchvision weights through torch hub's local cache.

The file of a torchvision weights enum member is ``<torch.hub.get_dir()>/checkpoints/<the last
part of its URL>`` (``~/.cache/torch/hub/checkpoints/resnet18-f37072fd.pth``; ``TORCH_HOME``
moves it), the same place torchvision itself reads. When it is missing, it is downloaded once
(unless ``JUPYTORCH_OFFLINE=1``); without network the error names the file and the folder to put
it in. Weights are loaded with ``torch.load(weights_only=True)``: no code runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from jupytorch.core.exceptions import JupytorchError, WeightsNotFoundError

__all__ = ["WeightsNotFoundError", "cached_weights", "weights_path"]


def weights_path(weights: Any) -> Path:
    """Where torch hub keeps the file of a torchvision weights enum member.

    Examples
    --------
    >>> import torchvision
    >>> weights_path(torchvision.models.ResNet18_Weights.DEFAULT).name
    'resnet18-f37072fd.pth'
    """
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)


def cached_weights(weights: Any, model: str = "") -> dict[str, torch.Tensor]:
    """The state dict of ``weights`` (a torchvision weights enum member), from the cache or downloaded.

    Raises
    ------
    WeightsNotFoundError
        The file is missing and cannot be downloaded; the message says which file to put where.

    Examples
    --------
    >>> import torchvision
    >>> sd = cached_weights(torchvision.models.ResNet18_Weights.DEFAULT)  # doctest: +SKIP
    >>> sd["fc.weight"].shape  # doctest: +SKIP
    torch.Size([1000, 512])
    """
    from jupytorch.core.download import DownloadError, download

    path = weights_path(weights)
    if not path.is_file():
        try:
            download(weights.url, path, timeout=60)
        except DownloadError as error:
            what = f"Learner 'classif.{model}'" if model else "Pretrained weights"
            raise WeightsNotFoundError(
                f"{what}: the weights {weights} are not in torch hub's cache and could not be downloaded ({error}). "
                f"Download {weights.url} on a machine with network and put it at {path} (the folder is "
                f"torch.hub.get_dir()/checkpoints; set TORCH_HOME to move it), or use pretrained=False."
            ) from error
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise JupytorchError(f"Cannot read the pretrained weights {path} ({error}); delete the file to download it again.") from error
