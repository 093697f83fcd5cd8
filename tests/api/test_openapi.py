"""The OpenAPI document: every operation is summarised and errors are problems."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_every_operation_has_a_summary_and_problem_errors(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Wijkruimte API"
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "patch", "delete", "put"}
    ]
    assert len(operations) >= 25
    for path, method, op in operations:
        assert op.get("summary"), f"{method.upper()} {path} has no summary"
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "code",
    }
