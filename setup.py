"""Packaging beyond pyproject.toml: the top-level migrations/ folder ships as
booking.migrations, so an installed wheel can migrate its database."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["booking", "booking.*"], exclude=["booking.migrations*"]),
        "booking.migrations",
        "booking.migrations.versions",
    ],
    package_dir={"booking.migrations": "migrations"},
)
