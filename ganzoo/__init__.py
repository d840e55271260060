"""ganzoo: a Keras 3 model zoo of GANs with pretrained checkpoints.

::

    import ganzoo
    ganzoo.list_models()                    # ['dcgan-mnist', ...]
    gan = ganzoo.load("dcgan-mnist")        # pretrained, offline from checkpoints/
    images = gan.sample(64, seed=0)         # float32 (64, 28, 28, 1) in [-1, 1]
    gan.fit(ganzoo.data.load("mnist", data_dir="../shared/data/mnist"), epochs=1)
    gan.save_pretrained("out/my-dcgan")
"""

__version__ = "0.1.0"

from ganzoo import data  # noqa: E402,F401
from ganzoo.checkpoint import CheckpointError  # noqa: E402,F401
from ganzoo.gan import GAN  # noqa: E402,F401
from ganzoo.loading import checkpoints_root, load  # noqa: E402,F401
from ganzoo.zoo import create, list_models  # noqa: E402,F401


def model_info(name):
    """A dict describing an entry: name, description, dataset, techniques, checkpoint, metrics."""
    from ganzoo import checkpoint
    from ganzoo.zoo import get_entry

    entry = get_entry(name)
    info = entry.summary()
    info.update(hparams=dict(entry.hparams), hub=f"{entry.hub_repo}@{entry.hub_revision}",
                paper=entry.paper, checkpoint=None, metrics={})
    local = checkpoints_root() / name
    if (local / checkpoint.METADATA).exists():
        meta = checkpoint.read_metadata(local)
        info.update(checkpoint=str(local), metrics=meta.get("metrics", {}),
                    training=meta.get("training", {}))
    return info
