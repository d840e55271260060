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
