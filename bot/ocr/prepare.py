"""Getting a picture ready for Tesseract: upright, grey, light background, text large enough, sharp.

Measured on the benchmark set (benchmarks/ocr, README there): what helps is turning dark mode
into dark text on a light background, enlarging Telegram's downscaled pictures (a desktop
screenshot arrives 1280 px wide, its text ~10 px high, below what Tesseract reads well) and
sharpening; flattening the background (``flatten``) rescues dialogs over a dimmed screen but
hurts photos, so bot.ocr.recognise uses it only as a second try.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

# Long side after scaling: enough for ~10 px text to reach Tesseract's comfortable 20+ px, and a
# cap so a huge photo does not cost seconds.
TARGET_LONG_SIDE = 2400
MAX_UPSCALE = 2.0
# Pictures larger than this many pixels are refused before decoding (decompression bombs).
MAX_PIXELS = 40_000_000


class NotAPicture(Exception):
    """The bytes are not an image Pillow can read."""


def open_picture(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise NotAPicture(f"{image.width}x{image.height} pixels is too large")
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAPicture(type(exc).__name__) from None
    return ImageOps.exif_transpose(image) or image


def prepare(
    image: Image.Image, *, target: int = TARGET_LONG_SIDE, upscale: float = MAX_UPSCALE
) -> Image.Image:
    """Grey, light background, scaled towards `target` on the long side."""
    grey = ImageOps.grayscale(image.convert("RGB"))
    if ImageStat.Stat(grey).mean[0] < 110:
        grey = ImageOps.invert(grey)  # dark mode: Tesseract reads dark text on light best
    ratio = min(upscale, target / max(grey.size))
    if abs(ratio - 1) > 0.05:
        size = (max(1, round(grey.width * ratio)), max(1, round(grey.height * ratio)))
        grey = grey.resize(size, Image.Resampling.LANCZOS if ratio < 1 else Image.Resampling.BICUBIC)
    grey = ImageOps.autocontrast(grey, cutoff=1)
    # Photos of a screen are soft: sharpening brought their error lines from ~25 % CER to ~3 %.
    return grey.filter(ImageFilter.UnsharpMask(radius=2, percent=150, threshold=2))


def flatten(grey: Image.Image) -> Image.Image:
    """Divide by the background (the brightest nearby tone): a white dialog over a dimmed screen,
    or a grey dark-mode dialog, comes out as text on one white page. Tesseract's global threshold
    otherwise blackens the dimmed screen and skips the dialog as a picture. It hurts photos (it
    lifts their noise), so it is the second try, for screens where the first found no message."""
    small = grey.resize((max(1, grey.width // 8), max(1, grey.height // 8)), Image.Resampling.BILINEAR)
    background = small.filter(ImageFilter.MaxFilter(5)).resize(grey.size, Image.Resampling.BILINEAR)
    text = np.asarray(grey, dtype=np.float32)
    light = np.asarray(background, dtype=np.float32)
    return Image.fromarray(np.clip(text * 255 / (light + 1), 0, 255).astype(np.uint8))


def to_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # speed over size: it only goes through a pipe
    return out.getvalue()
