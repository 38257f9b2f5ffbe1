"""Download one file into a cache folder, or say clearly why not (used by tasks and pretrained weights).

Downloads are written to ``<dest>.part`` and renamed when complete, so an interrupted download
never leaves a broken file under the final name. The environment variable
``JUPYTORCH_OFFLINE=1`` turns every download off (the callers then report which file to put
where).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from jupytorch.core.exceptions import DownloadError

__all__ = ["DownloadError", "download", "offline"]


def offline() -> bool:
    """Whether downloads are turned off (``JUPYTORCH_OFFLINE`` set to ``1``, ``true`` or ``yes``).

    Examples
    --------
    >>> import os; os.environ["JUPYTORCH_OFFLINE"] = "1"; offline()
    True
    >>> del os.environ["JUPYTORCH_OFFLINE"]
    """
    return os.environ.get("JUPYTORCH_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def download(url: str, dest: str | os.PathLike, md5: str | None = None, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``dest`` (folders are created); return ``dest``.

    Parameters
    ----------
    url : str
    dest : path
        The final file name.
    md5 : str, optional
        Expected MD5 hex digest; a mismatch removes the file and raises.
    timeout : float
        Seconds to wait for the server (per blocking read).

    Raises
    ------
    DownloadError
        With the URL and the reason (offline mode, network error, HTTP status, checksum).

    Examples
    --------
    >>> download("http://127.0.0.1:9/none.bin", "/tmp/none.bin", timeout=1)  # doctest: +SKIP
    Traceback (most recent call last):
    DownloadError: cannot download http://127.0.0.1:9/none.bin: [Errno 111] Connection refused
    """
    dest = Path(dest)
    if offline():
        raise DownloadError(f"cannot download {url}: downloads are turned off (JUPYTORCH_OFFLINE is set)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as error:
        part.unlink(missing_ok=True)
        reason = getattr(error, "reason", None) or error
        raise DownloadError(f"cannot download {url}: {reason}") from error
    if md5 is not None and digest.hexdigest() != md5:
        part.unlink(missing_ok=True)
        raise DownloadError(f"cannot download {url}: the file's MD5 is {digest.hexdigest()}, expected {md5}")
    shutil.move(str(part), str(dest))
    return dest
