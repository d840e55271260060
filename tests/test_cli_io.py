"""``ganzoo sample``'s output files and how the CLI reports errors: in-process through
``ganzoo.cli.main`` (tests/test_cli.py runs the real ``ganzoo`` process)."""

import io

import numpy as np
import pytest
from huggingface_hub import constants
from PIL import Image

import ganzoo
from ganzoo import cli, hub
from ganzoo.checkpoint import CheckpointError
from ganzoo.gan import GAN
from ganzoo.metrics.errors import MetricUnavailableError

# A name that cannot be loaded: an output error reported for it was found before loading.
NO_MODEL = "no-such-entry"


def run(capsys, *argv):
    """``ganzoo *argv`` in this process -> (exit code, stdout, stderr)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err, command, *fragments):
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"ganzoo {command}: error: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


# -- formats: the extension says what the bytes are --------------------------------------------

def test_jpg_and_jpeg_are_real_jpeg_with_the_png_grid_content(capsys, tmp_path):
    grids = {}
    for name in ("grid.png", "grid.jpg", "grid.JPEG"):
        code, out, err = run(capsys, "sample", "dcgan-mnist", "-n", 16, "-o", tmp_path / name)
        assert code == 0, err
        assert out == f"Wrote 16 samples of dcgan-mnist (seed 0) to {tmp_path / name}\n"
        image = Image.open(tmp_path / name)
        assert image.format == ("PNG" if name.endswith(".png") else "JPEG")
        assert image.size == (2 * (4 * 30 + 2),) * 2  # 4x4 tiles of 28 px, 2 px padding, scale 2
        grids[name] = np.asarray(image, np.float64)
    for name in ("grid.jpg", "grid.JPEG"):  # lossy, but the same picture
        assert np.abs(grids[name] - grids["grid.png"]).mean() < 2.0
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_toy_entry_writes_a_scatter_plot(capsys, tmp_path):
    code, _, err = run(capsys, "sample", "gan-ring8", "-n", 500, "-o", tmp_path / "ring.jpg")
    assert code == 0, err
    image = Image.open(tmp_path / "ring.jpg")
    assert image.format == "JPEG" and image.size == (400, 400) and image.mode == "RGB"


@pytest.mark.backend_independent
@pytest.mark.parametrize("output", ["x.gif", "x.PNG.txt", "samples", "x.npz"])
def test_other_extensions_are_refused_before_loading(capsys, tmp_path, output):
    code, _, err = run(capsys, "sample", NO_MODEL, "-o", tmp_path / output)
    assert code == 2
    assert_one_error_line(err, "sample", f"-o {tmp_path / output}: cannot write",
                          "use .png, .jpg, .jpeg (an image) or .npy (the float32 array)")
    assert list(tmp_path.iterdir()) == []


# -- paths that cannot be written: one line, exit 2, before the model is loaded -----------------

@pytest.mark.backend_independent
def test_folder_as_output_is_refused(capsys, tmp_path):
    for output in (str(tmp_path), str(tmp_path / "new") + "/"):
        code, _, err = run(capsys, "sample", NO_MODEL, "-o", output)
        assert code == 2
        assert_one_error_line(err, "sample", f"-o {output} is a folder: give a file name, e.g. ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.backend_independent
def test_unwritable_places_are_refused(capsys, tmp_path):
    (tmp_path / "a-file").write_text("")
    cases = {
        tmp_path / "missing" / "x.png": f"{tmp_path / 'missing'} does not exist",
        tmp_path / "a-file" / "x.png": f"{tmp_path / 'a-file'} is not a folder",
        # sysfs: no new files, not even for root (a chmod-ed folder would not stop root)
        "/sys/ganzoo-test.npy": "Permission denied (in /sys)",
    }
    for output, why in cases.items():
        code, _, err = run(capsys, "sample", NO_MODEL, "-o", output)
        assert code == 2
        assert_one_error_line(err, "sample", f"cannot write {output}: {why}")


@pytest.mark.backend_independent
def test_read_only_file_is_not_replaced(capsys, tmp_path, monkeypatch):
    out = tmp_path / "keep.png"
    out.write_bytes(b"precious")
    out.chmod(0o444)
    real_access = cli.os.access  # root may write anything: ask as an ordinary user would
    monkeypatch.setattr(cli.os, "access", lambda p, mode: False if str(p) == str(out)
                        else real_access(p, mode))
    code, _, err = run(capsys, "sample", NO_MODEL, "-o", out)
    assert code == 2
    assert_one_error_line(err, "sample", f"cannot write {out}: the file is read-only")
    assert out.read_bytes() == b"precious"


def test_interrupted_npy_leaves_the_old_file_and_no_partial_one(capsys, tmp_path, monkeypatch):
    out = tmp_path / "points.npy"
    out.write_bytes(b"the previous samples")
    monkeypatch.setattr(cli, "NPY_CHUNK_BYTES", 256 * 2 * 4)  # gan-ring8: 256 points per chunk
    real_generate, calls = GAN.generate, []

    def generate(self, z, batch_size=256, labels=None):
        calls.append(len(z))
        if len(calls) == 2:  # Ctrl-C while the second chunk is generated
            raise KeyboardInterrupt
        return real_generate(self, z, labels, batch_size)

    monkeypatch.setattr(GAN, "generate", generate)
    code, _, err = run(capsys, "sample", "gan-ring8", "-n", 600, "-o", out)
    assert code == 130 and err == "ganzoo sample: interrupted\n"
    assert out.read_bytes() == b"the previous samples"
    assert [p.name for p in tmp_path.iterdir()] == ["points.npy"]


@pytest.mark.backend_independent
@pytest.mark.parametrize("flag, least", [("-n", 1), ("--scale", 1), ("--nrow", 1), ("--seed", 0)])
def test_numbers_out_of_range_are_refused(capsys, tmp_path, flag, least):
    code, _, err = run(capsys, "sample", NO_MODEL, flag, least - 1, "-o", tmp_path / "x.png")
    assert code == 2
    assert_one_error_line(err, "sample", f"{flag} must be at least {least}; got {least - 1}")


# -- sizes: an estimate first, nothing that cannot fit is attempted -----------------------------

def test_grid_of_a_billion_images_is_refused_with_the_estimate(capsys, tmp_path):
    code, _, err = run(capsys, "sample", "dcgan-mnist", "-n", 10**9, "-o", tmp_path / "x.png")
    assert code == 2
    assert_one_error_line(err, "sample", "1,000,000,000 float32 samples of shape (28, 28, 1) "
                          "would take 2.9 TiB in memory", "at most 10,000", "write a .npy")
    assert list(tmp_path.iterdir()) == []


def test_grid_of_too_many_pixels_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "sample", "dcgan-mnist", "-n", 64, "--scale", 1000,
                       "-o", tmp_path / "x.png")
    assert code == 2
    assert_one_error_line(err, "sample", "the grid would be 242,000 x 242,000 pixels (54.5 GiB)",
                          "lower --scale")


def test_npy_larger_than_the_disk_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "sample", "dcgan-mnist", "-n", 10**12, "-o", tmp_path / "x.npy")
    assert code == 2
    assert_one_error_line(err, "sample", f"{tmp_path / 'x.npy'} would take 2,852.2 TiB "
                          "(1,000,000,000,000 float32 samples of shape (28, 28, 1))",
                          f"but {tmp_path} has only ")
    assert list(tmp_path.iterdir()) == []


def test_npy_is_streamed_in_chunks_and_equals_sample(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "NPY_CHUNK_BYTES", 256 * 2 * 4)  # gan-ring8: 256 points per chunk
    calls = []
    real_generate = GAN.generate
    monkeypatch.setattr(GAN, "generate", lambda self, z, batch_size=256, labels=None:
                        calls.append(len(z)) or real_generate(self, z, labels, batch_size))
    out = tmp_path / "points.npy"
    code, _, err = run(capsys, "sample", "gan-ring8", "-n", 600, "--seed", 3, "-o", out)
    assert code == 0, err
    assert calls == [256, 256, 88]  # never more than one chunk in memory
    calls.clear()
    expected = ganzoo.load("gan-ring8").sample(600, seed=3)
    # latents drawn chunk by chunk from one Generator = gan.latents(600, 3): the same samples
    np.testing.assert_array_equal(np.load(out), expected)
    buffer = io.BytesIO()
    np.save(buffer, expected)
    assert out.read_bytes() == buffer.getvalue()  # the very bytes np.save writes


# -- every ganzoo / I/O error is one line and exit 2 --------------------------------------------

ERRORS = [
    ValueError("bad value\nsecond line"),
    TypeError("name must be a string or a path; got int"),
    FileNotFoundError("No checkpoint directory at nowhere"),
    FileNotFoundError(2, "No such file or directory", "/data/x.gz"),
    PermissionError(13, "Permission denied", "/root/x"),
    ConnectionError("TensorFlow Datasets has not prepared 'mnist' and there is no network"),
    OSError(28, "No space left on device"),
    hub.HubError("Could not download a/b@main from the Hugging Face Hub: ..."),
    CheckpointError("ckpt/model.weights.h5 is corrupted"),
    MetricUnavailableError("the Inception weights are not on disk:\n put them in ~/.keras"),
]


@pytest.mark.backend_independent
@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_are_one_line_and_exit_2(capsys, monkeypatch, error):
    def fail(name):
        raise error

    monkeypatch.setattr(ganzoo, "model_info", fail)
    code, out, err = run(capsys, "info", "x")
    assert code == 2 and out == ""
    assert_one_error_line(err, "info")
    message = err[len("ganzoo info: error: "):-1]
    if getattr(error, "filename", None):
        assert message == f"{error.filename}: {error.strerror}"
    else:
        assert message == " ".join(str(error).split())
    # --traceback: the error itself, for a bug report
    with pytest.raises(type(error)):
        cli.main(["--traceback", "info", "x"])


@pytest.mark.backend_independent
def test_keyboard_interrupt_exits_130(capsys, monkeypatch):
    def interrupted(name):
        raise KeyboardInterrupt

    monkeypatch.setattr(ganzoo, "model_info", interrupted)
    code, _, err = run(capsys, "info", "x")
    assert code == 130 and err == "ganzoo info: interrupted\n"


@pytest.mark.backend_independent
def test_bugs_keep_their_traceback(monkeypatch):
    def bug(name):
        raise KeyError("a bug")

    monkeypatch.setattr(ganzoo, "model_info", bug)
    with pytest.raises(KeyError):
        cli.main(["info", "x"])


@pytest.mark.backend_independent
def test_hub_errors_reach_the_cli_as_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    code, _, err = run(capsys, "sample", "hf://someone/nothing", "-o", tmp_path / "x.png")
    assert code == 2
    assert_one_error_line(err, "sample", "Could not download someone/nothing@main from the "
                          "Hugging Face Hub: downloads are disabled (HF_HUB_OFFLINE=1)")
    assert not (tmp_path / "x.png").exists()
