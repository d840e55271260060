"""Images in ganzoo's convention (float32, [-1, 1], channels last) <-> pixels and grids."""

import math

import numpy as np


def to_uint8(images):
    """Map float images in [-1, 1] to uint8 pixels 0..255 (rounded; values outside are clipped)."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def make_grid(images, nrow=None, padding=2, pad_value=0):
    """Tile (n, H, W, C) images in [-1, 1] into one uint8 image of shape (rows, cols, C)."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must have shape (n, H, W, C); got {images.shape}")
    n, h, w, c = images.shape
    if n == 0:
        raise ValueError("make_grid needs at least one image")
    nrow = nrow or math.ceil(math.sqrt(n))
    ncol = math.ceil(n / nrow)
    pixels = to_uint8(images)
    grid = np.full(
        (ncol * (h + padding) + padding, nrow * (w + padding) + padding, c), pad_value, np.uint8
    )
    for i in range(n):
        r, k = divmod(i, nrow)
        y, x = padding + r * (h + padding), padding + k * (w + padding)
        grid[y : y + h, x : x + w] = pixels[i]
    return grid


def save_grid(images, path, nrow=None, scale=2):
    """Save a PNG grid of images in [-1, 1]; ``scale`` enlarges each pixel (nearest neighbour)."""
    from PIL import Image

    grid = make_grid(images, nrow=nrow)
    if grid.shape[-1] == 1:
        grid = grid[..., 0]
    img = Image.fromarray(grid)
    if scale != 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    img.save(path, format="PNG")
    return path


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


def save_samples(samples, path, centers=None):
    """Save ``samples`` as a PNG: an 8-per-row grid (x2 pixels) of images, or a scatter plot of
    2-D points. Returns the path."""
    from PIL import Image

    samples = np.asarray(samples)
    if samples.ndim == 2:
        Image.fromarray(render_points(samples, centers)).save(path, format="PNG")
        return path
    return save_grid(samples, path, nrow=8, scale=2)
