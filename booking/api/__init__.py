"""HTTP API: flask-smorest blueprints under /api/v1, plus health and docs assets."""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from booking.api import (
    accounts,
    admin,
    availability,
    bookings,
    feed_tokens,
    health,
    host_invitations,
    initiatives,
    introduction,
    monitoring,
    neighbourhoods,
    photos,
    places,
    reports,
    signups,
    webhooks,
)
from booking.api.base import ProblemApi
from booking.api.openapi import document_problems
from booking.feeds import routes as feeds
from booking.schemas.availability import RoomFreeTimeSchema


def register_api(app: Flask) -> ProblemApi:
    """Create the app's Api (OpenAPI document) and register every blueprint."""
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    options = app.config["API_SPEC_OPTIONS"]
    info = {"description": introduction.GETTING_STARTED, **options.get("info", {})}
    app.config["API_SPEC_OPTIONS"] = {**options, "info": info}
    api = ProblemApi(app, spec_kwargs={"marshmallow_plugin": plugin})
    for module in (
        introduction,
        accounts,
        neighbourhoods,
        places,
        host_invitations,
        photos,
        bookings,
        signups,
        availability,
        initiatives,
        reports,
        monitoring,
        feed_tokens,
        feeds,
        admin,
        webhooks,
    ):
        api.register_blueprint(module.blp)
    app.register_blueprint(health.blp)
    document_problems(api)
    # Named in the grouped availability's oneOf, but the answer of no decorator of its own.
    api.spec.components.schema("RoomFreeTime", schema=RoomFreeTimeSchema)
    return api


def schema_name(schema: Any) -> str:
    """OpenAPI component name: the class name without 'Schema', '...Patch' when partial."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema") or cls.__name__
    if not isinstance(schema, type) and schema.partial:
        name += "Patch"
    return name
