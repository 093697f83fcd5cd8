"""Photos of a place (DESIGN §16): checked, turned upright, stripped of every tag (EXIF, XMP,
GPS: a phone photo of the room must not publish where the host lives) and re-encoded at fixed
widths, all before anything is kept. At most 12 per place, in the order the hosts set.

Decoding is bounded: Pillow's own pixel limit is ours (40 megapixels), the size is read from
the header before any pixel is decoded, and a JPEG is decoded straight at the smallest scale
the largest rendition needs, so a 12-megapixel phone photo costs a quarter of its pixels."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from booking.errors import Conflict, Invalid, TooLarge
from booking.extensions import db
from booking.models import PhotoFile, Place, PlacePhoto, utcnow
from booking.services.authorization import Actor, require_place_manager
from booking.services.common import get_or_404, locked_or_404
from booking.text import first_forbidden_character, has_line_break, is_blank

MAX_PHOTOS = 12
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The widths served (srcset): a phone's column and a wide screen's.
WIDTHS = (480, 1280)
FORMATS = ("JPEG", "PNG", "WEBP")
QUALITY = 82
MAX_ALT = 200

# Pillow refuses (DecompressionBombError) what is twice its limit, and warns above it; with
# the limit at ours, anything over it is refused before decoding (the warning is caught).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Rendition:
    """One re-encoded width of a photo."""

    width: int
    content: bytes
    etag: str
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class Processed:
    """A photo made ready to keep: its upright size and its renditions."""

    width: int
    height: int
    renditions: list[Rendition]


def _not_an_image() -> Invalid:
    return Invalid(
        "This file is not a photo we can read (JPEG, PNG or WebP), or it is broken.",
        code="not_an_image",
        errors={"file": ["Not a JPEG, PNG or WebP image, or a broken one."]},
    )


def _too_large(pixels: int) -> Invalid:
    return Invalid(
        f"This image has {pixels / 1e6:.0f} megapixels; at most {MAX_PIXELS // 1_000_000} "
        "are taken.",
        code="image_too_large",
        errors={"file": ["Too many pixels: make it smaller first."]},
    )


# EXIF orientations that swap width and height.
_TURNED = (5, 6, 7, 8)


def process(data: bytes) -> Processed:
    """Check, turn upright, strip and re-encode a photo; pure (bytes in, renditions out)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > MAX_PIXELS:
                raise _too_large(width * height)
            turned = image.getexif().get(0x0112) in _TURNED
            # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the largest width.
            longest = max(WIDTHS)
            image.draft("RGB", (longest, longest))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(0) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_an_image() from None
    upright = ImageOps.exif_transpose(image)
    if turned:
        width, height = height, width
    flat = _on_white(upright)
    renditions = []
    for target in WIDTHS:
        copy = flat.copy()
        copy.thumbnail((target, target * 4), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # Saved without exif=, xmp= or icc_profile=: none of the original's tags survive.
        copy.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        content = out.getvalue()
        renditions.append(Rendition(target, content, hashlib.sha256(content).hexdigest()[:32]))
    return Processed(width, height, renditions)


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (JPEG has none)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def check_alt(alt: Any) -> str:
    """The alt text: required, one line, at most 200 characters."""
    text = " ".join(alt.split()) if isinstance(alt, str) else ""
    if is_blank(text):
        raise Invalid(
            "Describe the photo for those who cannot see it.",
            code="alt_required",
            errors={"alt": ["Required: say what the photo shows."]},
        )
    if len(text) > MAX_ALT or has_line_break(text) or first_forbidden_character(text):
        raise Invalid(
            f"The description is at most {MAX_ALT} characters of plain text.",
            errors={"alt": [f"At most {MAX_ALT} characters, no special characters."]},
        )
    return text


def place_photos(place_id: int) -> list[PlacePhoto]:
    """A place's photos in their order; 404 for an unknown place."""
    get_or_404(Place, place_id)
    return photos_of(place_id)


def photos_of(place_id: int) -> list[PlacePhoto]:
    """A place's photos in their order."""
    return list(
        db.session.scalars(
            select(PlacePhoto)
            .where(PlacePhoto.place_id == place_id)
            .order_by(PlacePhoto.position, PlacePhoto.id)
        )
    )


def add_photo(
    actor: Actor, place_id: int, data: bytes, alt: Any, now: datetime | None = None
) -> PlacePhoto:
    """Keep a new photo at the end of the place's order (hosts of the place, admins)."""
    place = get_or_404(Place, place_id)
    require_place_manager(actor, place)
    text = check_alt(alt)
    if len(data) > MAX_BYTES:
        raise TooLarge("The file is larger than 10 MB.")
    # Counted under a lock on the place's row, so two uploads cannot both be the 12th.
    locked_or_404(Place, place_id)
    count = db.session.scalar(
        select(func.count()).select_from(PlacePhoto).where(PlacePhoto.place_id == place_id)
    )
    if (count or 0) >= MAX_PHOTOS:
        raise Conflict(
            f"A place has at most {MAX_PHOTOS} photos; remove one first.", code="too_many_photos"
        )
    processed = process(data)
    photo = PlacePhoto(
        place_id=place_id,
        alt=text,
        position=int(count or 0) + 1,
        width=processed.width,
        height=processed.height,
        created_at=now or utcnow(),
    )
    photo.files = [
        PhotoFile(
            width=item.width, content_type=item.content_type, etag=item.etag, content=item.content
        )
        for item in processed.renditions
    ]
    db.session.add(photo)
    db.session.flush()
    _touch(place)
    return photo


def _managed_photo(actor: Actor, photo_id: int) -> PlacePhoto:
    photo = get_or_404(PlacePhoto, photo_id, "photo")
    require_place_manager(actor, get_or_404(Place, photo.place_id))
    return photo


def update_photo(actor: Actor, photo_id: int, data: dict[str, Any]) -> PlacePhoto:
    """Change a photo's alt text or its place in the order (1 is first)."""
    photo = _managed_photo(actor, photo_id)
    if "alt" in data:
        photo.alt = check_alt(data["alt"])
    if data.get("position") is not None:
        locked_or_404(Place, photo.place_id)
        others = [item for item in photos_of(photo.place_id) if item.id != photo.id]
        spot = max(1, min(int(data["position"]), len(others) + 1))
        others.insert(spot - 1, photo)
        for number, item in enumerate(others, start=1):
            item.position = number
    db.session.flush()
    _touch(db.session.get(Place, photo.place_id))
    return photo


def delete_photo(actor: Actor, photo_id: int) -> None:
    """Remove a photo; those after it move up."""
    photo = _managed_photo(actor, photo_id)
    place_id = photo.place_id
    locked_or_404(Place, place_id)
    db.session.delete(photo)
    db.session.flush()
    for number, item in enumerate(photos_of(place_id), start=1):
        item.position = number
    db.session.flush()
    _touch(db.session.get(Place, place_id))


def _touch(place: Place | None) -> None:
    # The place's pages and their JSON-LD show the photos: they changed.
    if place is not None:
        place.updated_at = utcnow()


def photo_file(photo_id: int, width: int) -> tuple[str, str] | None:
    """The ETag and type of one rendition, in a one-row read (enough for a 304)."""
    row = db.session.execute(
        select(PhotoFile.etag, PhotoFile.content_type).where(
            PhotoFile.photo_id == photo_id, PhotoFile.width == width
        )
    ).first()
    return (row[0], row[1]) if row else None


def photo_bytes(photo_id: int, width: int) -> bytes | None:
    """The bytes of one rendition."""
    return db.session.scalar(
        select(PhotoFile.content).where(PhotoFile.photo_id == photo_id, PhotoFile.width == width)
    )


def photo_urls(photo: PlacePhoto) -> dict[str, str]:
    """The paths of a photo's renditions: `small` (480) and `large` (1280)."""
    small, large = WIDTHS
    return {
        "small": f"/media/photos/{photo.id}-{small}.jpg",
        "large": f"/media/photos/{photo.id}-{large}.jpg",
    }
