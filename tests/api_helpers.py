"""Helpers for the JSON API tests."""

from __future__ import annotations

from datetime import UTC

from tests.conftest import TEST_PASSWORD


def iso(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def api_token(client, user_or_email, password: str = TEST_PASSWORD) -> str:
    email = getattr(user_or_email, "email", user_or_email)
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return response.json["data"]["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def headers_for(client, user) -> dict:
    return bearer(api_token(client, user))
