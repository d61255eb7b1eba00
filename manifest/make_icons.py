"""Redraw the two committed app icons (color.png, outline.png).

Not part of the build: ``python -m manifest.build`` only copies the committed PNGs.
This script is kept so the icons can be redrawn; it needs Pillow, which is not a project
dependency. Install it somewhere throwaway and run, from the repository root:

    pip install --target /tmp/pil pillow
    PYTHONPATH=/tmp/pil python -m manifest.make_icons

Motif: a speech bubble (the meeting chat) holding a shield (screening, privacy).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SS = 8  # supersampling factor for smooth edges

BACKGROUND = (31, 78, 121, 255)  # deep blue, also the manifest accentColor
BUBBLE = (255, 255, 255, 255)
SHIELD = (46, 160, 130, 255)  # green-teal
TICK = (255, 255, 255, 255)


def _bubble(draw: ImageDraw.ImageDraw, box, radius, tail, fill=None, outline=None, width=0):
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=radius, fill=fill, outline=outline, width=width)
    # Tail at the lower left, pointing down-left.
    tx, tw, th = tail
    pts = [(x0 + tx, y1 - width), (x0 + tx + tw, y1 - width), (x0 + tx - th // 3, y1 + th)]
    if fill is not None:
        draw.polygon(pts, fill=fill)
    if outline is not None:
        # Cover the bubble's bottom edge under the tail, then stroke the two tail sides.
        draw.polygon(pts, fill=(0, 0, 0, 0))
        draw.line([pts[0], pts[2], pts[1]], fill=outline, width=width, joint="curve")


def _shield_points(cx, top, w, h):
    half = w / 2
    return [
        (cx - half, top),
        (cx + half, top),
        (cx + half, top + h * 0.45),
        (cx + half * 0.75, top + h * 0.72),
        (cx, top + h),
        (cx - half * 0.75, top + h * 0.72),
        (cx - half, top + h * 0.45),
    ]


def make_color(size: int = 192) -> Image.Image:
    s = size * SS
    img = Image.new("RGBA", (s, s), BACKGROUND)
    d = ImageDraw.Draw(img)
    # Bubble centred in the middle ~60 % of the tile.
    box = (int(s * 0.20), int(s * 0.22), int(s * 0.80), int(s * 0.68))
    _bubble(
        d,
        box,
        radius=int(s * 0.09),
        tail=(int(s * 0.12), int(s * 0.12), int(s * 0.10)),
        fill=BUBBLE,
    )
    # Shield inside the bubble.
    cx = s * 0.50
    pts = _shield_points(cx, s * 0.28, s * 0.26, s * 0.34)
    d.polygon(pts, fill=SHIELD)
    # Tick on the shield.
    w = int(s * 0.028)
    d.line(
        [(cx - s * 0.065, s * 0.43), (cx - s * 0.015, s * 0.48), (cx + s * 0.07, s * 0.37)],
        fill=TICK,
        width=w,
        joint="curve",
    )
    return img.resize((size, size), Image.LANCZOS)


def make_outline(size: int = 32) -> Image.Image:
    s = size * SS
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    w = int(s * 0.075)
    box = (int(s * 0.06), int(s * 0.08), int(s * 0.94), int(s * 0.72))
    _bubble(
        d,
        box,
        radius=int(s * 0.16),
        tail=(int(s * 0.16), int(s * 0.16), int(s * 0.22)),
        outline=BUBBLE,
        width=w,
    )
    cx = s * 0.50
    pts = _shield_points(cx, s * 0.20, s * 0.34, s * 0.42)
    d.polygon(pts, fill=BUBBLE)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    make_color().convert("RGB").save(HERE / "color.png", optimize=True)
    make_outline().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
