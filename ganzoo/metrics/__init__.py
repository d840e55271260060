"""Metrics.

* ``toy``: mode coverage on the 2-D Gaussian mixtures (``toy_metrics``);
* ``modes``: Stacked MNIST's modes and KL to uniform (``mode_coverage``, ``stacked_mnist_metrics``);
* ``stats``: streaming feature statistics (``FeatureStats``), FID (``frechet_distance``, ``fid``);
* ``kid``: Kernel Inception Distance; ``precision_recall``: improved precision/recall;
* ``classes``: Inception Score, class coverage and (conditional GANs) class accuracy on
  classifier outputs;
* ``inception``: the InceptionV3 feature extractor (``InceptionFeatures``).

The math takes numpy feature arrays and runs in float64 (numpy/scipy), under any Keras backend.
"""

from ganzoo.metrics.classes import (  # noqa: F401
    CONFIDENT_THRESHOLD, ISResult, class_accuracy, class_coverage, confident_share,
    inception_score,
)
from ganzoo.metrics.errors import MetricUnavailableError  # noqa: F401
from ganzoo.metrics.inception import InceptionFeatures, imagenet_weights_path  # noqa: F401
from ganzoo.metrics.kid import KIDResult, kid, mmd2_unbiased  # noqa: F401
from ganzoo.metrics.modes import mode_coverage, predict_digits, stacked_mnist_metrics  # noqa: F401
from ganzoo.metrics.precision_recall import PRResult, knn_radii, precision_recall  # noqa: F401
from ganzoo.metrics.stats import FeatureStats, fid, frechet_distance  # noqa: F401
from ganzoo.metrics.toy import toy_metrics  # noqa: F401

__all__ = [
    "FeatureStats", "ISResult", "InceptionFeatures", "KIDResult", "MetricUnavailableError",
    "PRResult", "class_accuracy", "class_coverage", "fid", "frechet_distance",
    "imagenet_weights_path", "inception_score", "kid", "knn_radii", "mmd2_unbiased", "mode_coverage", "precision_recall",
    "predict_digits", "stacked_mnist_metrics", "toy_metrics",
]
