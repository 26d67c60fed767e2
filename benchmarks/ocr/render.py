"""Screens drawn with Pillow: a phone app (VNeID, the portal's mobile site) or a desktop browser
(the portal, the one-stop software), with a status bar or browser bar, menus, a form holding
personal data, and the error dialog. Then what happens to a picture on its way to the bot:
scaling (Telegram sends photos at most 1280 px), JPEG compression, and for photos of a screen
a slight rotation, blur, uneven light and sensor noise.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from benchmarks.ocr.messages import HEADERS, SCREEN_LINES, URLS, ScreenMessage

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
FAMILIES = {
    "roboto": ("Roboto-Regular.ttf", "Roboto-Bold.ttf"),
    "liberation": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "dejavu": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
}
ACCENT = {"vneid": (200, 30, 45), "portal": (22, 90, 170), "onestop": (0, 110, 120), "pay": (20, 120, 60)}
NAMES = ("Nguyễn Thị Lan", "Trần Văn Hùng", "Phạm Minh Đức", "Lê Thu Hà", "Vũ Quang Huy")


def installed_families() -> list[str]:
    return [name for name, (regular, _) in FAMILIES.items() if _font_path(regular) is not None]


def _font_path(name: str) -> Path | None:
    return next((d / name for d in FONT_DIRS if (d / name).exists()), None)


def font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = _font_path(FAMILIES[family][1 if bold else 0])
    if path is None:
        raise FileNotFoundError(f"font family {family} is not installed")
    return ImageFont.truetype(str(path), size)


@dataclass
class Screen:
    image: Image.Image
    error_lines: list[str]  # the message as drawn, line by line (the truth)
    pii: list[str] = field(default_factory=list)  # CCCD and phone numbers drawn on the screen


def wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=face) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _personal(rng: random.Random) -> tuple[str, str, str]:
    cccd = (
        f"0{rng.randint(1, 96):02d}{rng.randint(0, 1)}{rng.randint(40, 99):02d}{rng.randint(0, 999999):06d}"
    )
    phone = f"0{rng.choice('389')}{rng.randint(10000000, 99999999)}"
    return rng.choice(NAMES), cccd, phone


def _grouped_cccd(cccd: str, rng: random.Random) -> str:
    style = rng.choice(("plain", "444", "336"))
    if style == "444":
        return f"{cccd[:4]} {cccd[4:8]} {cccd[8:]}"
    if style == "336":
        return f"{cccd[:3]} {cccd[3:6]} {cccd[6:]}"
    return cccd


def phone_screen(msg: ScreenMessage, rng: random.Random, family: str, dark: bool) -> Screen:
    w, h = 1080, 2340
    bg, fg, muted = (
        ((18, 18, 18), (235, 235, 235), (160, 160, 160))
        if dark
        else ((255, 255, 255), (25, 25, 25), (110, 110, 110))
    )
    image = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(image)
    accent = ACCENT[msg.screen]
    # Status bar: time, signal, battery.
    d.text((48, 28), f"{rng.randint(6, 22)}:{rng.randint(0, 59):02d}", font=font(family, 38, True), fill=fg)
    d.text((w - 260, 28), f"4G  {rng.randint(8, 99)}%", font=font(family, 36), fill=fg)
    d.rectangle((0, 110, w, 280), fill=accent)
    d.text(
        (60, 160),
        HEADERS[msg.screen if msg.screen != "onestop" else "portal"],
        font=font(family, 50, True),
        fill=(255, 255, 255),
    )
    name, cccd, phone = _personal(rng)
    shown_id = _grouped_cccd(cccd, rng)
    y = 340
    for label in (f"Họ và tên: {name}", f"Số định danh: {shown_id}", f"Số điện thoại: {phone}"):
        d.text((60, y), label, font=font(family, 40), fill=fg)
        y += 80
    for item in SCREEN_LINES[msg.screen]:
        d.text((60, y + 30), item, font=font(family, 42), fill=muted)
        y += 110
    # The dialog over a dimmed screen.
    overlay = Image.new("RGB", (w, h), (0, 0, 0))
    image = Image.blend(image, overlay, 0.45)
    d = ImageDraw.Draw(image)
    face = font(family, rng.choice((42, 44, 46)))
    box_w = w - 140
    lines = wrap(d, msg.message, face, box_w - 100)
    line_h = int(face.size * 1.45)
    box_h = 130 + len(lines) * line_h + 170
    top = (h - box_h) // 2
    box_bg = (44, 44, 46) if dark else (255, 255, 255)
    d.rounded_rectangle((70, top, 70 + box_w, top + box_h), radius=36, fill=box_bg)
    title_face = font(family, 50, True)
    d.text(
        ((w - d.textlength(msg.title, font=title_face)) / 2, top + 45), msg.title, font=title_face, fill=fg
    )
    y = top + 130
    for line in lines:
        d.text(((w - d.textlength(line, font=face)) / 2, y), line, font=face, fill=fg)
        y += line_h
    d.rounded_rectangle((120, y + 40, w - 120, y + 140), radius=24, fill=accent)
    button = rng.choice(("Đóng", "Thử lại", "Đồng ý"))
    bface = font(family, 44, True)
    d.text(((w - d.textlength(button, font=bface)) / 2, y + 64), button, font=bface, fill=(255, 255, 255))
    return Screen(image, lines, [cccd, phone])


def desktop_screen(msg: ScreenMessage, rng: random.Random, family: str) -> Screen:
    w, h = rng.choice(((1920, 1080), (1600, 900), (1366, 768)))
    scale = w / 1600
    px = lambda v: int(v * scale)  # noqa: E731 - sizes drawn for 1600 px, scaled to the screen
    image = Image.new("RGB", (w, h), (244, 246, 249))
    d = ImageDraw.Draw(image)
    d.rectangle((0, 0, w, px(64)), fill=(222, 225, 230))
    d.rounded_rectangle((px(120), px(14), w - px(200), px(50)), radius=px(16), fill=(255, 255, 255))
    d.text((px(140), px(20)), "https://" + URLS[msg.screen], font=font(family, px(18)), fill=(60, 60, 60))
    accent = ACCENT[msg.screen]
    d.rectangle((0, px(64), w, px(140)), fill=accent)
    d.text((px(40), px(86)), HEADERS[msg.screen], font=font(family, px(28), True), fill=(255, 255, 255))
    y = px(170)
    for item in SCREEN_LINES[msg.screen]:
        d.text((px(40), y), item, font=font(family, px(19)), fill=(50, 50, 50))
        y += px(48)
    name, cccd, phone = _personal(rng)
    x0 = px(360)
    d.rectangle((x0, px(160), w - px(40), h - px(40)), fill=(255, 255, 255))
    y = px(190)
    for label in (
        f"Người nộp: {name}",
        f"Số CCCD: {_grouped_cccd(cccd, rng)}",
        f"Điện thoại: {phone}",
        f"Mã hồ sơ: H31.{rng.randint(10, 99)}-{rng.randint(250101, 251231)}-{rng.randint(1000, 9999)}",
    ):
        d.text((x0 + px(30), y), label, font=font(family, px(19)), fill=(40, 40, 40))
        y += px(44)
    # The alert: a pale red box with a bold title and the message.
    face = font(family, px(rng.choice((19, 20, 22))))
    box_x = x0 + px(30)
    box_w = min(px(900), w - px(40) - box_x - px(30))
    lines = wrap(d, msg.message, face, box_w - px(40))
    line_h = int(face.size * 1.5)
    box_top = y + px(30)
    box_h = px(70) + len(lines) * line_h + px(20)
    d.rectangle(
        (box_x, box_top, box_x + box_w, box_top + box_h),
        fill=(253, 236, 234),
        outline=(220, 80, 70),
        width=max(1, px(2)),
    )
    d.text((box_x + px(20), box_top + px(16)), msg.title, font=font(family, px(22), True), fill=(170, 30, 30))
    ty = box_top + px(60)
    for line in lines:
        d.text((box_x + px(20), ty), line, font=face, fill=(120, 20, 20))
        ty += line_h
    return Screen(image, lines, [cccd, phone])


def telegram_scaled(image: Image.Image, max_side: int = 1280) -> Image.Image:
    """Telegram sends a photo at most 1280 px on its long side."""
    if max(image.size) <= max_side:
        return image
    ratio = max_side / max(image.size)
    return image.resize((round(image.width * ratio), round(image.height * ratio)), Image.Resampling.LANCZOS)


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def photo_of_screen(image: Image.Image, rng: random.Random) -> Image.Image:
    """A phone pointed at the screen: a frame around it, a slight tilt, blur, uneven light, noise."""
    margin = int(max(image.size) * 0.06)
    framed = Image.new("RGB", (image.width + 2 * margin, image.height + 2 * margin), (30, 30, 34))
    framed.paste(image, (margin, margin))
    tilted = framed.rotate(
        rng.uniform(-3.0, 3.0), resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(30, 30, 34)
    )
    blurred = tilted.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.4)))
    # Light falls off towards one side (a lamp, the screen's angle).
    gradient = Image.linear_gradient("L").resize(blurred.size).rotate(rng.choice((0, 90, 180, 270)))
    dark = Image.new("RGB", blurred.size, (0, 0, 0))
    shaded = Image.composite(
        blurred, Image.blend(blurred, dark, 0.35), gradient.point(lambda v: 128 + v // 2)
    )
    noise = Image.effect_noise(blurred.size, rng.uniform(12, 22)).convert("RGB")
    return Image.blend(shaded, noise, 0.06)
