"""A teacher's Markdown cannot make an admin's browser act for the admin.

The teacher adds a web link to the assessment's media whose address is crafted
(``https://example.org/x/hx-post=/admin/users/<id>/deactivate?``) and uses its label inside a link
address in the instructions and a question; before the fix the media markup was pasted into the
``href`` and the browser read the address's tail as an ``hx-post`` attribute.  The admin opens the
assessment and clicks the crafted link.
"""

from types import SimpleNamespace

from lms.auth.models import User
from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD


def _web_link(app, owner, url: str):
    from lms.extensions import db as _db
    from lms.resources import services

    with app.app_context():
        resource = services.add_link(_db.session.get(User, owner.id), url, title="Worksheet")
        _db.session.commit()
        ident = resource.id
        _db.session.remove()
    return SimpleNamespace(id=ident)


def test_an_admin_clicking_a_teachers_crafted_link_sends_nothing_to_the_admin_url(desktop, live_server, make, db,
                                                                                  app):
    teacher = make.teacher("P1/1")
    victim = make.user(role="TEACHER", full_name="Target Teacher")
    admin = make.user(role="ADMIN")
    target = f"/admin/users/{victim.id}/deactivate"
    crafted = ('[Open the worksheet]([[media:pic]])\n\n'
               f'[Read this]([[media:pic]] "x hx-post={target} hx-trigger=click")\n\n'
               f'<a href="#top" hx-post="{target}" data-hx-post="{target}" hx-trigger="click">Raw link</a>\n\n'
               "Typed LMSMEDIATOKEN0X and [[media:pic]]")
    picture = _web_link(app, teacher, f"https://example.org/x/hx-post={target}?")
    quiz = make.assessment(teacher, title="Crafted quiz", instructions=crafted, media=[("pic", picture)],
                           questions=[{"type": "SINGLE_CHOICE", "text": crafted, "options": ["a", "b"],
                                       "key": {"correct": 0}, "points": 1}])

    page = desktop
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url)))
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.goto(f"{live_server}/assessments/{quiz.id}")
    page.wait_for_load_state("networkidle")
    # Click every link of the teacher's text (the media link opens example.org in a new tab: refused here).
    page.context.route("https://example.org/**", lambda route: route.abort())
    links = page.locator(".instructions a, .question-text a")
    assert links.count() >= 6
    for index in range(links.count()):
        links.nth(index).click(no_wait_after=True)
        page.wait_for_timeout(150)
        assert [url for _method, url in sent if target in url] == [], "the click reached the admin URL"
    page.wait_for_load_state("networkidle")
    assert page.locator("[hx-post*='/deactivate'], [data-hx-post*='/deactivate']").count() == 0
    assert page.locator(".instructions .user-content[hx-disable]").count() == 1

    # Had something slipped past the sanitiser, htmx would still ignore it inside the container.
    page.evaluate("""(target) => {
        const link = document.querySelector('.instructions .user-content a');
        link.setAttribute('hx-post', target);
        link.setAttribute('hx-trigger', 'click');
        htmx.process(link);
        link.click();
    }""", target)
    page.wait_for_timeout(500)
    assert [url for _method, url in sent if target in url] == []
    assert db.get(User, victim.id).active

    # The same injection outside user content does reach the server: the check above can fail.
    page.evaluate("""() => {
        const probe = document.createElement('button');
        probe.id = 'probe';
        probe.setAttribute('hx-get', '/healthz');
        probe.setAttribute('hx-swap', 'none');
        document.querySelector('main').appendChild(probe);
        htmx.process(probe);
        probe.click();
    }""")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert any(url.endswith("/healthz") for _method, url in sent)
