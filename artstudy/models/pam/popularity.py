r"""Artist popularity (the seed paper's Eq. 1).

.. math::

    u_{i,t} = \frac{1}{\text{scale}} \sum_{s < t} \sum_k y_{i,s,k},

the sum of the artist's log prices in sale years strictly before ``t``, divided by
``scale`` (10,000 in the paper). A sale in the artist's first sale year has
popularity 0; sales in the same year share the same popularity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["popularity"]


def popularity(artist, sale_year, log_price, scale: float = 10_000.0) -> np.ndarray:
    """Popularity of each sale's artist at its sale year.

    Parameters
    ----------
    artist : array-like of hashable, shape (N,)
    sale_year : array-like of int, shape (N,)
    log_price : array-like of float, shape (N,)
    scale : float
        Divisor of the sum of log prices.

    Returns
    -------
    ndarray of shape (N,)
    """
    frame = pd.DataFrame({"artist": np.asarray(artist), "year": np.asarray(sale_year),
                          "y": np.asarray(log_price, dtype=float)})
    yearly = frame.groupby(["artist", "year"], sort=True)["y"].sum()
    # cumulative sum within artist, minus the current year: strictly earlier years
    earlier = yearly.groupby(level="artist", sort=False).cumsum() - yearly
    idx = pd.MultiIndex.from_arrays([frame["artist"], frame["year"]])
    return earlier.reindex(idx).to_numpy() / scale
