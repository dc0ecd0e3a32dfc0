"""Every route declares who may use it (DESIGN.md §8)."""

from lms.common.access import access_of

EXEMPT = {"static"}


def test_every_endpoint_declares_its_access(app):
    undeclared = sorted(
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint not in EXEMPT and access_of(view) is None
    )
    assert undeclared == [], f"routes without @allow(...): {undeclared}"


def test_signed_out_users_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_htmx_requests_without_a_login_get_a_client_redirect(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code in (204, 302)
