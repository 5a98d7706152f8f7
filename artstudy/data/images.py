"""Reading the lots' pictures: RGB arrays of one size, a clear error for a missing or corrupt file.

:func:`load_images` reads the files the sales table's ``image_path`` names (absolute, or relative to
``base_dir``) into one ``uint8`` array of shape (n, size, size, 3): converted to RGB, resized
(bilinear) when a file has another size, read as it is when it has the size asked for (so a
picture written losslessly comes back identical). A file that is missing or cannot be read as a
picture is an :class:`artstudy.errors.InputError` whose one-line message counts them and names the
first few, raised before any array is handed on (never a crash mid-training).
:func:`readable_images` gives the mask of the files that can be read, so a caller can count the others
and leave them out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError

__all__ = ["load_images", "readable_images", "image_paths"]

_SHOWN = 3


def image_paths(paths, base_dir=None) -> list[Path | None]:
    """The paths as :class:`Path` (relative ones under ``base_dir``); None for a missing value (NA, NaN, "")."""
    base = Path(base_dir) if base_dir is not None else None
    out = []
    for p in paths:
        if p is None or (isinstance(p, float) and np.isnan(p)) or str(p) in ("", "<NA>", "nan"):
            out.append(None)
            continue
        path = Path(str(p))
        out.append(base / path if base is not None and not path.is_absolute() else path)
    return out


def _read(path: Path | None, size: int | None):
    """The picture as uint8 RGB (resized to ``size`` when given and different), or the reason it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    if path is None:
        return "no path"
    if not path.is_file():
        return "missing"
    try:
        with Image.open(path) as im:
            im.load()
            rgb = im.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        return f"corrupt ({type(err).__name__})"
    if size is not None and rgb.size != (size, size):
        rgb = rgb.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.uint8)


def _message(bad: list[tuple[str, str]], n: int) -> str:
    shown = "; ".join(f"{p} ({why})" for p, why in bad[:_SHOWN])
    more = f"; and {len(bad) - _SHOWN} more" if len(bad) > _SHOWN else ""
    return f"{len(bad)} of {n} image files cannot be read (missing or corrupt): {shown}{more}"


def load_images(paths, size: int, base_dir=None) -> np.ndarray:
    """Read pictures into one array.

    Parameters
    ----------
    paths : sequence of str or Path
        One path per picture (relative ones under ``base_dir``).
    size : int
        Pixels per side of the result; files of another size are resized.
    base_dir : path, optional
        Folder relative paths are under.

    Returns
    -------
    ndarray of uint8, shape (n, size, size, 3)

    Raises
    ------
    InputError
        One line: how many files are missing or corrupt, and the first few of them.
    """
    size = int(size)
    files = image_paths(paths, base_dir)
    out = np.empty((len(files), size, size, 3), dtype=np.uint8)
    bad = []
    for i, path in enumerate(files):
        img = _read(path, size)
        if isinstance(img, str):
            bad.append((str(path) if path is not None else f"row {i}", img))
        else:
            out[i] = img
    if bad:
        raise InputError(_message(bad, len(files)))
    return out


def readable_images(paths, base_dir=None) -> np.ndarray:
    """Boolean mask: True where the file exists and can be read as a picture (a missing path is False)."""
    return np.array([not isinstance(_read(p, None), str) for p in image_paths(paths, base_dir)], dtype=bool)
