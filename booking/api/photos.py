"""Photos of a place (DESIGN §16): upload (multipart), list, reorder or re-describe, remove."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, fields, validate

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.services import photos
from booking.services.photos import MAX_ALT, photo_urls

blp = Blueprint("photos", __name__, url_prefix="/api/v1", description="Photos of a place")


class PhotoSchema(Schema):
    """A photo of a place and the addresses of its renditions."""

    id = fields.Integer()
    place_id = fields.Integer()
    alt = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    position = fields.Integer()
    urls = fields.Method("_urls")

    def _urls(self, photo: Any) -> dict[str, str]:
        return photo_urls(photo)


class PhotoChangeSchema(Schema):
    """A new alt text, or a new place in the order (1 is first)."""

    alt = fields.String(validate=validate.Length(min=1, max=MAX_ALT))
    position = fields.Integer(strict=True, validate=validate.Range(1, photos.MAX_PHOTOS))


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "alt"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "alt": {"type": "string", "maxLength": MAX_ALT},
                },
            }
        }
    },
}


@blp.route("/places/<id:place_id>/photos")
class PlacePhotos(View):
    @blp.doc(**SECURED, requestBody=UPLOAD_BODY)
    @blp.response(201, PhotoSchema)
    def post(self, place_id: int) -> Any:
        """Upload a photo (hosts of the place, admins): JPEG, PNG or WebP, at most 10 MB and
        40 megapixels, with its alt text; kept without EXIF, XMP or GPS."""
        upload = request.files.get("file")
        data = upload.read(photos.MAX_BYTES + 1) if upload is not None else b""
        return photos.add_photo(current_actor(), place_id, data, request.form.get("alt"))

    @blp.response(200, PhotoSchema(many=True))
    def get(self, place_id: int) -> Any:
        """A place's photos in their order."""
        return photos.place_photos(place_id)


@blp.route("/photos/<id:photo_id>")
class PhotoById(View):
    @blp.doc(**SECURED)
    @blp.arguments(PhotoChangeSchema)
    @blp.response(200, PhotoSchema)
    def patch(self, data: dict[str, Any], photo_id: int) -> Any:
        """Change a photo's alt text or its place in the order."""
        return photos.update_photo(current_actor(), photo_id, data)

    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, photo_id: int) -> None:
        """Remove a photo; those after it move up."""
        photos.delete_photo(current_actor(), photo_id)
