r"""The synthetic world's pictures: an artist's style, a work's visual quality in a known region.

Every work of the world (:mod:`artstudy.synth.world`) has a small RGB picture, drawn from the
world's seed and rendered with numpy, vectorised over works (:func:`render_images`):

*Style* (per artist, :func:`draw_styles`), what a model can learn across an artist's works:

* a palette of three colours (``colour0`` .. ``colour2``, RGB in [0.2, 0.8]);
* a background gradient from ``colour0`` to ``colour1`` along the direction ``gradient_angle``
  (the composition);
* a stripe texture in ``colour2``: ``texture_freq`` cycles per picture, at ``texture_angle``,
  with strength ``texture_amp``.

*Per work* (:func:`draw_work_looks`): the texture's phase, a small jitter of the palette, a soft
round motif in ``colour2`` outside the quality region, light grain, and the **visual quality**
:math:`q \sim N(0, \text{quality\_sd}^2)` (``Truth.quality_sd``). Every sale of a work shows the
same picture and the same :math:`q`.

*Quality region*: :math:`q` brightens (or darkens) every pixel inside the centred square
:data:`QUALITY_REGION` (the middle half of the rows and of the columns: a quarter of the area) by
:data:`QUALITY_BRIGHTNESS` per unit of :math:`q`, and changes nothing outside it
(:func:`quality_region` gives it in pixels: row0, row1, col0, col1, end-exclusive). No column of
the raw export depends on :math:`q`; the world adds ``quality_effect * q`` to the log price
(:mod:`artstudy.synth.prices` is unchanged: the world passes it with the ability).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["QUALITY_REGION", "QUALITY_BRIGHTNESS", "GRAIN_SD", "quality_region", "draw_styles",
           "draw_work_looks", "render_images", "STYLE_COLUMNS", "LOOK_COLUMNS"]

#: The quality region as fractions of the picture: (row0, row1, col0, col1), end-exclusive.
QUALITY_REGION = (0.25, 0.75, 0.25, 0.75)
#: Brightness added inside the region per unit of visual quality (pixel values in [0, 1]).
QUALITY_BRIGHTNESS = 0.1
#: Sd of the per-pixel grain (pixel values in [0, 1]).
GRAIN_SD = 0.02

STYLE_COLUMNS = [f"colour{k}_{c}" for k in range(3) for c in "rgb"] + [
    "gradient_angle", "texture_freq", "texture_angle", "texture_amp"]
LOOK_COLUMNS = ["visual_quality", "texture_phase", "jitter_r", "jitter_g", "jitter_b", "motif_row", "motif_col",
                "motif_radius"]


def quality_region(size: int) -> tuple[int, int, int, int]:
    """The quality region in pixels of a ``size`` x ``size`` picture: (row0, row1, col0, col1), end-exclusive."""
    r0, r1, c0, c1 = (int(round(f * size)) for f in QUALITY_REGION)
    return r0, r1, c0, c1


def draw_styles(n_artists: int, rng) -> pd.DataFrame:
    """Each artist's style: palette, gradient direction, texture (:data:`STYLE_COLUMNS`), one row per artist."""
    palette = rng.uniform(0.2, 0.8, size=(n_artists, 9))
    out = pd.DataFrame(palette, columns=STYLE_COLUMNS[:9])
    out["gradient_angle"] = rng.uniform(0.0, 2 * np.pi, size=n_artists)
    out["texture_freq"] = rng.uniform(1.5, 6.0, size=n_artists)
    out["texture_angle"] = rng.uniform(0.0, np.pi, size=n_artists)
    out["texture_amp"] = rng.uniform(0.15, 0.45, size=n_artists)
    return out


def draw_work_looks(n_works: int, quality_sd: float, rng) -> pd.DataFrame:
    """Each work's visual quality and its own look (:data:`LOOK_COLUMNS`), one row per work.

    The motif's centre lies in the outer band, outside :data:`QUALITY_REGION`."""
    q = rng.normal(0.0, quality_sd, size=n_works) if quality_sd > 0 else np.zeros(n_works)
    phase = rng.uniform(0.0, 2 * np.pi, size=n_works)
    jitter = rng.normal(0.0, 0.03, size=(n_works, 3))
    # a point on the band between the picture's edge and the region: along the border at a random place
    side = rng.integers(0, 4, size=n_works)
    along = rng.uniform(0.1, 0.9, size=n_works)
    depth = rng.uniform(0.06, 0.16, size=n_works)
    row = np.select([side == 0, side == 1, side == 2], [depth, 1 - depth, along], along)
    col = np.select([side == 0, side == 1, side == 2], [along, along, depth], 1 - depth)
    return pd.DataFrame({"visual_quality": q, "texture_phase": phase, "jitter_r": jitter[:, 0],
                         "jitter_g": jitter[:, 1], "jitter_b": jitter[:, 2], "motif_row": row, "motif_col": col,
                         "motif_radius": rng.uniform(0.05, 0.09, size=n_works)})


def render_images(styles: pd.DataFrame, works: pd.DataFrame, size: int, rng=None) -> np.ndarray:
    """Render works as RGB pictures, vectorised over works and pixels.

    Parameters
    ----------
    styles : pandas.DataFrame
        One row per artist, :data:`STYLE_COLUMNS` (:func:`draw_styles`).
    works : pandas.DataFrame
        One row per work: ``artist`` (row position in ``styles``) and :data:`LOOK_COLUMNS`
        (:func:`draw_work_looks`).
    size : int
        Pixels per side.
    rng : numpy.random.Generator, optional
        Draws the grain (sd :data:`GRAIN_SD`); None: no grain.

    Returns
    -------
    ndarray of uint8, shape (n, size, size, 3)
    """
    n = len(works)
    artist = works["artist"].to_numpy(np.int64)
    st = {c: styles[c].to_numpy(np.float32)[artist] for c in STYLE_COLUMNS}
    lk = {c: works[c].to_numpy(np.float32) for c in LOOK_COLUMNS}
    colour = [np.stack([st[f"colour{k}_{c}"] for c in "rgb"], axis=1) for k in range(3)]  # (n, 3) each
    jitter = np.stack([lk["jitter_r"], lk["jitter_g"], lk["jitter_b"]], axis=1)
    pix = (np.arange(size, dtype=np.float32) + 0.5) / size
    yy, xx = pix[None, :, None], pix[None, None, :]  # (1, size, 1), (1, 1, size)

    def per(v):  # (n,) -> (n, 1, 1)
        return v[:, None, None]

    # composition: a gradient from colour0 to colour1
    ga = st["gradient_angle"]
    t = 0.5 + (per(np.cos(ga)) * (xx - 0.5) + per(np.sin(ga)) * (yy - 0.5)) * np.float32(np.sqrt(0.5))
    t = np.clip(t, 0.0, 1.0)[..., None]  # (n, size, size, 1)
    img = (colour[0] + jitter)[:, None, None, :] * (1 - t) + (colour[1] + jitter)[:, None, None, :] * t
    # texture: stripes of colour2
    ta = st["texture_angle"]
    wave = np.sin(np.float32(2 * np.pi) * per(st["texture_freq"]) * (per(np.cos(ta)) * xx + per(np.sin(ta)) * yy)
                  + per(lk["texture_phase"]))
    m = (per(st["texture_amp"]) * (0.5 + 0.5 * wave))[..., None]
    c2 = (colour[2] + jitter)[:, None, None, :]
    img = img * (1 - m) + c2 * m
    # the work's motif: a soft disc of the inverse of colour2, outside the quality region
    d2 = (yy - per(lk["motif_row"])) ** 2 + (xx - per(lk["motif_col"])) ** 2
    w = (0.7 * np.exp(-d2 / (2 * per(lk["motif_radius"]) ** 2)))[..., None]
    img = img * (1 - w) + (1 - c2) * w
    if rng is not None:
        img = img + rng.normal(0.0, GRAIN_SD, size=img.shape).astype(np.float32)
    # the visual quality: brightness inside the region only
    r0, r1, c0, c1 = quality_region(size)
    img[:, r0:r1, c0:c1, :] += (np.float32(QUALITY_BRIGHTNESS) * lk["visual_quality"])[:, None, None, None]
    return np.clip(np.rint(img * 255), 0, 255).astype(np.uint8).reshape(n, size, size, 3)


#: Works per rendering chunk (each chunk's grain has its own stream).
IMAGE_CHUNK = 2048


def work_images(styles: pd.DataFrame, works: pd.DataFrame, image_seed, size: int, artwork_ids=None) -> np.ndarray:
    """Pictures of ``works`` (rows with artwork_id, artist_code and the look), uint8 (n, size, size, 3), in the
    order of ``artwork_ids`` (default: every work). Rendered in fixed chunks of :data:`IMAGE_CHUNK` works, each
    with its own stream from ``image_seed``, so a work's picture does not depend on which others are asked for."""
    size = int(size)
    pos = (np.arange(len(works)) if artwork_ids is None
           else pd.Index(works["artwork_id"]).get_indexer(np.asarray(artwork_ids, dtype=object)))
    if (pos < 0).any():
        raise KeyError(f"no such artwork: {np.asarray(artwork_ids, dtype=object)[pos < 0][:3].tolist()}")
    out = np.empty((pos.size, size, size, 3), dtype=np.uint8)
    chunk = pos // IMAGE_CHUNK
    for k in np.unique(chunk):
        rows = works.iloc[k * IMAGE_CHUNK:(k + 1) * IMAGE_CHUNK]
        img = render_images(styles, rows.assign(artist=rows["artist_code"]), size,
                            np.random.default_rng([image_seed, int(k)]))
        sel = chunk == k
        out[sel] = img[pos[sel] - k * IMAGE_CHUNK]
    return out


def write_work_images(styles: pd.DataFrame, works: pd.DataFrame, image_seed, size: int, out_dir):
    """Write every work's picture to ``out_dir/<image_file>`` (lossless PNG); returns ``out_dir/images``."""
    from pathlib import Path

    from PIL import Image

    folder = Path(out_dir) / "images"
    folder.mkdir(parents=True, exist_ok=True)
    names = works["image_file"].to_numpy(object)
    ids = works["artwork_id"].to_numpy(object)
    for k in range(0, len(works), IMAGE_CHUNK):
        rows = np.arange(k, min(k + IMAGE_CHUNK, len(works)))
        for name, img in zip(names[rows], work_images(styles, works, image_seed, size, ids[rows])):
            Image.fromarray(img).save(Path(out_dir) / name, format="PNG", compress_level=1)
    return folder
