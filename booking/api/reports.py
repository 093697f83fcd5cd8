"""Usage reports for municipalities, umbrella organisations and hosts."""

from __future__ import annotations

from typing import Any

from flask import Response

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.schemas.report import PlaceUsageSchema, UsageQuerySchema
from booking.services.reports import usage_csv, usage_report

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Usage reports")


# Two representations of one answer: JSON by default, CSV with format=csv.
USAGE_RESPONSE: dict[str, Any] = {
    "description": "Usage per place and room",
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/PlaceUsage"}}
        },
        "text/csv": {"schema": {"type": "string"}},
    },
}


@blp.route("/reports/usage")
class UsageReport(View):
    @blp.doc(**SECURED)
    @blp.arguments(UsageQuerySchema, location="query")
    @blp.response(200, PlaceUsageSchema(many=True))
    @blp.doc(responses={"200": USAGE_RESPONSE})
    def get(self, args: dict[str, Any]) -> Any:
        """Open hours, booked hours, occupancy and activities per place and room (JSON or CSV)."""
        report = usage_report(
            current_actor(),
            args["from_"],
            args["to"],
            tuple(args.get("neighbourhood", ())),
            tuple(args.get("place", ())),
        )
        if args["format"] == "csv":
            name = f"usage-{args['from_']:%Y%m%d}-{args['to']:%Y%m%d}.csv"
            return Response(
                "\ufeff" + usage_csv(report),  # a BOM: spreadsheets then read UTF-8 correctly
                mimetype="text/csv",
                headers={
                    "Content-Type": "text/csv; charset=utf-8",
                    "Content-Disposition": f'attachment; filename="{name}"',
                },
            )
        return report
