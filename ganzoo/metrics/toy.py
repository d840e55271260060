"""Mode metrics on the 2-D toys (as in Srivastava et al. 2017, VEEGAN; Metz et al. 2017).

For samples ``x`` (n, 2) of a mixture with centres ``c`` and standard deviation σ:

* each sample is assigned to its nearest centre; it is *high quality* if it lies within 3σ of it;
* ``modes``: the number of centres that received at least one high-quality sample;
* ``high_quality``: the fraction of samples that are high quality;
* ``reverse_kl``: KL(p_gen || p_data) between the histogram of high-quality samples over the modes
  (normalized to sum 1) and the data's uniform mode distribution:
  Σ_k p_k log(p_k · K), over modes with p_k > 0 (0 when every mode gets the same share). With no
  high-quality sample at all it is undefined and reported as ``inf``.

The zoo reports them over 2,500 samples.
"""

import numpy as np

from ganzoo.data.toys import nearest_center, toy_centers, toy_sigma


def toy_metrics(samples, name=None, centers=None, sigma=None):
    """``{"modes", "num_modes", "high_quality", "reverse_kl", "samples"}`` for ``samples`` (n, 2)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"samples must have shape (n, 2); got {x.shape}")
    if name is not None:
        centers, sigma = toy_centers(name), toy_sigma(name)
    if centers is None or sigma is None:
        raise ValueError("pass a toy name, or both centers= and sigma=")
    centers = np.asarray(centers, dtype=np.float64)
    nearest, dist = nearest_center(x, centers)
    good = dist <= 3 * sigma
    counts = np.bincount(nearest[good], minlength=len(centers))
    if counts.sum():
        p = counts / counts.sum()
        nz = p > 0
        reverse_kl = float(np.sum(p[nz] * np.log(p[nz] * len(centers))))
    else:
        reverse_kl = float("inf")
    return {
        "modes": int((counts > 0).sum()),
        "num_modes": int(len(centers)),
        "high_quality": float(good.mean()) if len(x) else 0.0,
        "reverse_kl": reverse_kl,
        "samples": int(len(x)),
    }
