"""Images in ganzoo's convention (float32, [-1, 1], channels last) <-> pixels and grids.

Image files are written in the format their extension names (:data:`IMAGE_FORMATS`); any other
extension is refused, so a file's name never lies about its bytes.
"""

import math
import os

import numpy as np

# file extension -> Pillow format
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def to_uint8(images):
    """Map float images in [-1, 1] to uint8 pixels 0..255 (rounded; values outside are clipped)."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def image_format(path):
    """The Pillow format that ``path``'s extension names (``"PNG"`` or ``"JPEG"``), or a
    ``ValueError`` for any other extension."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in IMAGE_FORMATS:
        raise ValueError(f"{path}: cannot write an image with the extension {ext or '(none)'!r}; "
                         f"use one of {', '.join(IMAGE_FORMATS)}")
    return IMAGE_FORMATS[ext]


def grid_size(n, image_shape, nrow=None, padding=2):
    """``(height, width)`` in pixels of the grid :func:`make_grid` tiles ``n`` images of
    ``image_shape`` (H, W[, C]) into; ``nrow`` images per row (default: a square)."""
    h, w = image_shape[:2]
    nrow = min(nrow or math.ceil(math.sqrt(n)), n)
    ncol = math.ceil(n / nrow)
    return ncol * (h + padding) + padding, nrow * (w + padding) + padding


def make_grid(images, nrow=None, padding=2, pad_value=0):
    """Tile (n, H, W, C) images in [-1, 1] into one uint8 image of shape (rows, cols, C)."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must have shape (n, H, W, C); got {images.shape}")
    n, h, w, c = images.shape
    if n == 0:
        raise ValueError("make_grid needs at least one image")
    nrow = min(nrow or math.ceil(math.sqrt(n)), n)
    pixels = to_uint8(images)
    grid = np.full(grid_size(n, (h, w), nrow, padding) + (c,), pad_value, np.uint8)
    for i in range(n):
        r, k = divmod(i, nrow)
        y, x = padding + r * (h + padding), padding + k * (w + padding)
        grid[y : y + h, x : x + w] = pixels[i]
    return grid


def save_image(pixels, path, scale=1):
    """Save uint8 ``pixels`` (H, W) or (H, W, C) in the format of ``path``'s extension (PNG or
    JPEG, see :func:`image_format`); ``scale`` enlarges each pixel (nearest neighbour)."""
    from PIL import Image

    fmt = image_format(path)
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    img = Image.fromarray(pixels)
    if scale != 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    # JPEG: the best quality and no chroma subsampling, so single-pixel detail survives
    img.save(path, format=fmt, **({"quality": 95, "subsampling": 0} if fmt == "JPEG" else {}))
    return path


def save_grid(images, path, nrow=None, scale=2):
    """Save a grid of images in [-1, 1] as PNG or JPEG (by extension); ``scale`` enlarges each
    pixel (nearest neighbour)."""
    return save_image(make_grid(images, nrow=nrow), path, scale=scale)


def render_points(points, centers=None, size=400, margin=0.5):
    """A scatter plot of 2-D ``points`` (n, 2) as a uint8 RGB image: samples in blue, the data's
    ``centers`` (if given) as red crosses. The view spans the centres (or the points) plus
    ``margin``, equal on both axes."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2); got {points.shape}")
    ref = np.asarray(centers if centers is not None else points, dtype=np.float64)
    half = float(np.abs(ref).max()) + margin if ref.size else 1.0
    img = np.full((size, size, 3), 255, np.uint8)

    def to_px(p):
        return np.clip(np.rint((p + half) / (2 * half) * (size - 1)), 0, size - 1).astype(int)

    for x, y in to_px(points):
        img[max(size - 1 - y - 1, 0) : size - y + 1, max(x - 1, 0) : x + 2] = (40, 90, 200)
    if centers is not None:
        for x, y in to_px(ref):
            r = size - 1 - y
            img[max(r - 4, 0) : r + 5, x] = (220, 30, 30)
            img[r, max(x - 4, 0) : x + 5] = (220, 30, 30)
    return img


def save_samples(samples, path, centers=None, nrow=8, scale=2):
    """Save ``samples`` as an image (PNG or JPEG, by extension): a grid of images (``nrow`` per
    row, each pixel ``scale`` x ``scale``), or a scatter plot of 2-D points over ``centers``.
    Returns the path."""
    samples = np.asarray(samples)
    if samples.ndim == 2:
        return save_image(render_points(samples, centers), path)
    return save_grid(samples, path, nrow=nrow, scale=scale)
