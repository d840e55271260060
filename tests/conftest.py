import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("GANZOO_TEST_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def mnist_dir():
    """The real MNIST IDX files (never copied into the project). Missing data fails loudly."""
    path = SHARED_DATA / "mnist"
    if not (path / "train-images-idx3-ubyte.gz").exists():
        pytest.fail(
            f"Real MNIST IDX files not found in {path}. Set GANZOO_TEST_DATA to the folder that "
            "holds mnist/*-ubyte.gz (the dev machines have them in ../shared/data)."
        )
    return path


BACKEND_INDEPENDENT_REASON = "backend-independent: runs once, under TensorFlow"


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.backend_independent`` (setup.cfg): a test that never builds, trains or loads
    a Keras model proves the same thing under every backend, so CI's three runs (``pytest &&
    KERAS_BACKEND=jax pytest && KERAS_BACKEND=torch pytest``) run it once, under TensorFlow.
    Anything that touches a model -- even through the CLI in a subprocess -- must not carry it."""
    import keras

    if keras.config.backend() == "tensorflow":
        return
    skip = pytest.mark.skip(reason=BACKEND_INDEPENDENT_REASON)
    for item in items:
        if item.get_closest_marker("backend_independent") is not None:
            item.add_marker(skip)


def tiny_gan(seed=0, latent_dim=8, width=4, image_shape=(28, 28, 1)):
    """A very small DCGAN pair: fast enough to train a few steps in every test."""
    from ganzoo.gan import GAN
    from ganzoo.models import DCGANDiscriminator, DCGANGenerator

    gan = GAN(
        DCGANGenerator(latent_dim=latent_dim, width=width, image_shape=image_shape),
        DCGANDiscriminator(width=width, image_shape=image_shape),
        seed=seed,
    )
    gan.compile()
    return gan


@pytest.fixture
def make_tiny_gan():
    return tiny_gan


@pytest.fixture(scope="session")
def fashion_mnist_dir():
    """The real Fashion-MNIST IDX files. Missing data fails loudly."""
    path = SHARED_DATA / "fashion_mnist"
    if not (path / "t10k-images-idx3-ubyte.gz").exists():
        pytest.fail(f"Real Fashion-MNIST IDX files not found in {path} (see GANZOO_TEST_DATA).")
    return path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The documentation site, built once per test session exactly as CI builds it:
    ``mkdocs build --strict`` (a warning fails the build) into a temporary folder."""
    import importlib.util
    import subprocess
    import sys
    import time

    missing = [m for m in ("mkdocs", "material", "mkdocstrings_handlers.python")
               if importlib.util.find_spec(m.split(".")[0]) is None]
    if missing:
        pytest.fail(f"The docs tools are not installed ({', '.join(missing)}): "
                    'pip install -e ".[test,docs]" (README, command 2)')
    out = tmp_path_factory.mktemp("site") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--site-dir", str(out)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        log = [line for line in (proc.stdout + proc.stderr).splitlines()
               if "WARNING" in line or "ERROR" in line or "Error" in line or "Aborted" in line]
        pytest.fail("mkdocs build --strict failed:\n" + "\n".join(log[-40:] or
                                                                  [proc.stderr[-4000:]]))
    print(f"\nsite built in {time.monotonic() - start:.1f} s: {out}")
    return out
