"""The synthetic world's artists: names, birth years, careers, output per work window and ability walks.

Artists have unique names, birth years ``birth_first``-``birth_last``, a career starting at
about ``career_age`` and, for ``short_career_share`` of them, ending early. The work windows
that overlap the career are the artist's active windows; the artist's output is spread over
them by window weights, very unevenly for the ``sparse_share`` artists. The ability is a
random walk over the active windows from the first: ``a[first] ~ N(0, tau2)``, steps
``N(0, sigma_a^2)`` (see :mod:`artstudy.synth.world` on how this start relates to the
model's :math:`t'_0`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .specs import WorldSpec
from .truth import Truth

__all__ = ["Artists", "draw_artists", "artist_names", "expected_lots", "FIRST_NAMES", "LAST_NAMES"]

FIRST_NAMES = np.array([
    "Mary", "John", "Anna", "Peter", "Laura", "David", "Helen", "Thomas", "Susan", "Michael", "Ruth", "Robert",
    "Clara", "James", "Alice", "Richard", "Emma", "George", "Julia", "Frank", "Nina", "Paul", "Sarah", "Walter",
    "Eva", "Henry", "Grace", "Martin", "Irene", "Karl", "Louise", "Hans", "Marta", "Pierre", "Sophie", "Luis",
    "Elena", "Jean", "Ingrid", "Marco", "Yuki", "Kenji", "Mei", "Wei", "Lena", "Oskar", "Rosa", "Victor",
    "Agnes", "Bruno", "Carla", "Daniel", "Edith", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Kate", "Leon",
])
LAST_NAMES = np.array([
    "Smith", "Baker", "Carter", "Dalton", "Ellis", "Fischer", "Gray", "Hart", "Ingram", "Jensen", "Keller",
    "Lang", "Moreau", "Nash", "Olsen", "Porter", "Quinn", "Reed", "Stone", "Turner", "Ulrich", "Vance", "Walsh",
    "Young", "Zeller", "Abbott", "Brandt", "Cole", "Dorn", "Eder", "Frost", "Graf", "Holt", "Ito", "Janssen",
    "Kato", "Lund", "Marsh", "Novak", "Ortega", "Price", "Roth", "Sato", "Tanaka", "Voss", "Weber", "Berger",
    "Castell", "Duval", "Engel", "Falk", "Gerber", "Hayes", "Iversen", "Jung", "Kraus", "Lindqvist", "Mertens",
    "Nolan", "Pryce", "Richter", "Sander", "Thorne", "Vogel", "Winter", "Arden", "Blake", "Crane", "Drake",
    "Ferris", "Garland", "Horn", "Lowell", "Mercer", "Navarro", "Paige", "Romano", "Silva", "Tate", "Wade",
])
_INITIALS = np.array(list("ABCDEFGHJKLMNPRSTVW"))


@dataclass
class Artists:
    """Per-artist arrays of the world (length ``n_artists``; ``(n_artists, n_windows)`` for the window arrays)."""

    names: np.ndarray
    birth: np.ndarray
    start: np.ndarray
    """Career start year."""
    end: np.ndarray
    """Career end year."""
    first_year: np.ndarray
    """First and last year of the career inside the study's work years."""
    last_year: np.ndarray
    short: np.ndarray
    """Artists who stop early."""
    sparse: np.ndarray
    """Artists whose output varies strongly between windows."""
    window_weight: np.ndarray
    """Relative output per window (0 outside the career)."""
    first_w: np.ndarray
    """First active window: where the ability walk starts."""
    last_w: np.ndarray
    ability: np.ndarray
    """The ability walk (NaN outside ``first_w .. last_w``)."""


def artist_names(n: int, rng) -> np.ndarray:
    """``n`` unique "First Last" names (with middle initials once the first x last pairs run out)."""
    n_names = FIRST_NAMES.size * LAST_NAMES.size
    pick = rng.choice(n_names, size=min(n, n_names), replace=False)
    names = np.char.add(np.char.add(FIRST_NAMES[pick // LAST_NAMES.size], " "), LAST_NAMES[pick % LAST_NAMES.size])
    if n > n_names:
        k = np.arange(n - n_names)
        base = names[k % n_names]
        parts = np.char.partition(base, " ")
        middle = np.char.add(_INITIALS[(k // n_names) % _INITIALS.size], ". ")
        names = np.concatenate([names, np.char.add(np.char.add(np.char.add(parts[:, 0], " "), middle), parts[:, 2])])
    return names.astype(object)


def _careers(spec: WorldSpec, rng) -> dict:
    """Birth years and careers; the part of each career inside the study's work years."""
    I = spec.n_artists
    birth = rng.integers(spec.birth_first, spec.birth_last + 1, size=I)
    start = birth + np.clip(np.round(rng.normal(spec.career_age, 4.0, size=I)), 16, 40).astype(int)
    lifetime_end = birth + np.clip(np.round(rng.normal(82, 9, size=I)), 50, 100).astype(int)
    lo, hi = spec.short_career_years
    short = rng.random(I) < spec.short_career_share
    end = np.where(short, start + rng.integers(lo, hi + 1, size=I), lifetime_end)
    end = np.maximum(end, spec.window_start + 2)  # every career reaches into the study's work years
    first_year = np.clip(start, spec.window_start, spec.last_work_year)
    last_year = np.clip(end, first_year, spec.last_work_year)
    return dict(birth=birth, start=start, end=end, first_year=first_year, last_year=last_year, short=short)


def _window_weights(spec: WorldSpec, first_year, last_year, rng):
    """Output per window: the years of the window inside the career, times a lognormal factor."""
    I, W = spec.n_artists, spec.n_windows
    w_start = spec.window_start + spec.window_width * np.arange(W)
    w_end = w_start + spec.window_width - 1
    overlap = np.clip(np.minimum(w_end[None, :], last_year[:, None])
                      - np.maximum(w_start[None, :], first_year[:, None]) + 1, 0, None)
    active = overlap > 0
    sparse = rng.random(I) < spec.sparse_share
    sd = np.where(sparse, spec.sparse_sd, spec.window_sd)
    weight = overlap / spec.window_width * np.exp(rng.normal(0.0, 1.0, size=(I, W)) * sd[:, None])
    return weight * active, active, sparse


def _ability_walks(truth: Truth, active, rng):
    """Random walks over the active windows: N(0, tau2) at the first, steps N(0, sigma_a^2)."""
    I, W = active.shape
    first_w = np.argmax(active, axis=1)
    last_w = W - 1 - np.argmax(active[:, ::-1], axis=1)
    j = np.arange(W)[None, :]
    steps = rng.normal(0.0, truth.sigma_a, size=(I, W))
    steps[np.arange(I), first_w] = rng.normal(0.0, np.sqrt(truth.tau2), size=I)
    steps = np.where(j < first_w[:, None], 0.0, steps)
    ability = np.cumsum(steps, axis=1)
    inside = (j >= first_w[:, None]) & (j <= last_w[:, None])
    return first_w, last_w, np.where(inside, ability, np.nan)


def draw_artists(spec: WorldSpec, truth: Truth, rng) -> Artists:
    """Names, careers, output per window and ability walks of the world's artists.

    Parameters
    ----------
    spec : WorldSpec
    truth : Truth
        tau2 and sigma_a of the walks.
    rng : numpy.random.Generator

    Returns
    -------
    Artists
    """
    names = artist_names(spec.n_artists, rng)
    c = _careers(spec, rng)
    weight, active, sparse = _window_weights(spec, c["first_year"], c["last_year"], rng)
    first_w, last_w, ability = _ability_walks(truth, active, rng)
    return Artists(names=names, sparse=sparse, window_weight=weight, first_w=first_w, last_w=last_w,
                   ability=ability, **c)


def expected_lots(spec: WorldSpec, n_windows_active, rng) -> np.ndarray:
    """Expected lots per artist: a lognormal share of ``n_lots`` capped at ``max_lots_per_artist``.

    The excess over the cap is shared among the others in proportion to their shares (water-filling).
    """
    w = np.exp(rng.normal(0.0, 0.8, size=spec.n_artists)) * np.sqrt(n_windows_active)
    cap = float(spec.max_lots_per_artist)
    expected = w / w.sum() * float(spec.n_lots)
    for _ in range(100):
        over = expected > cap
        if not over.any():
            break
        excess = (expected[over] - cap).sum()
        expected[over] = cap
        free = expected < cap
        expected[free] += excess * expected[free] / expected[free].sum()
    return np.minimum(expected, cap)
