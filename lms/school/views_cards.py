"""A classroom's "Prepare sign-in": activation emails, login cards (page and PDF), open QR cards.

Admins for any classroom, teachers for their own (``services.get_classroom_for``: 404 otherwise).
"""

from __future__ import annotations

import segno
from flask import flash, make_response, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth import card_pdf, login_cards
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import NotFound, ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import redirect_to, render
from lms.common.ids import as_id
from lms.common.labels import classroom_label
from lms.core.organization import current_organization
from lms.extensions import db
from lms.school import bulk, services
from lms.school.services import require_admin
from lms.school.views_classrooms import bp


def summary(result: dict) -> str:
    parts = []
    if result["emailed"]:
        parts.append(ngettext("%(num)d activation email sent.", "%(num)d activation emails sent.",
                              result["emailed"]))
    if result["cards"]:
        parts.append(ngettext("%(num)d login card made: print it now, it is shown only for 30 minutes.",
                              "%(num)d login cards made: print them now, they are shown only for 30 minutes.",
                              result["cards"]))
    if result["skipped"]:
        parts.append(ngettext("%(num)d deactivated account skipped.", "%(num)d deactivated accounts skipped.",
                              result["skipped"]))
    return " ".join(parts)


def _page(classroom, *, error=None, status=200):
    batch = login_cards.current_batch(current_user, classroom)
    cards = login_cards.batch_cards(batch) if batch else []
    qr_svgs = [segno.make(card.link, error="m").svg_inline(scale=3, title=_("QR code to sign in"))
               for card in cards]
    db.session.commit()  # expired batches deleted
    response = render("school/login_cards.html", classroom=classroom, batch=batch,
                      cards=list(zip(cards, qr_svgs, strict=True)), students=services.roster(classroom),
                      open_cards=login_cards.open_cards(classroom), default_days=login_cards.DEFAULT_CARD_DAYS,
                      max_days=login_cards.MAX_CARD_DAYS, error=error, status=status)
    response.headers["Cache-Control"] = "no-store"  # one-time passwords
    return response


@bp.route("/classrooms/<int:classroom_id>/login-cards")
@allow(Role.ADMIN, Role.TEACHER)
def login_cards_page(classroom_id):
    return _page(services.get_classroom_for(current_user, classroom_id))


@bp.route("/classrooms/<int:classroom_id>/prepare-sign-in", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def prepare_sign_in(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    roster = {user.id: user for user, _profile in services.roster(classroom)}
    with saving(quiet=True, catch=ValidationFailed) as saved:
        if request.form.get("scope") == "all":
            students = list(roster.values())
        else:
            ids = [as_id(v) for v in request.form.getlist("student_id")]
            if any(i is None or i not in roster for i in ids):
                raise ValidationFailed(_("The selection is not valid. Reload the page and try again."),
                                       field="students")
            students = [roster[i] for i in dict.fromkeys(ids)]
        result = login_cards.prepare_sign_in(current_user, classroom, students, request.form.get("days"))
    if not saved:
        return _page(classroom, error=saved.message, status=422)
    flash(summary(result), "success")
    return redirect_to(url_for("school.classrooms.login_cards_page", classroom_id=classroom.id))


@bp.route("/classrooms/<int:classroom_id>/login-cards.pdf")
@allow(Role.ADMIN, Role.TEACHER)
def login_cards_pdf(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    batch = login_cards.current_batch(current_user, classroom)
    cards = login_cards.batch_cards(batch) if batch else []
    db.session.commit()
    if not cards:
        raise NotFound(_("There are no fresh login cards to print: make new cards for this classroom."))

    pdf = card_pdf.render_cards(cards, school=current_organization().name, labels={
        "title": _("Login cards %(name)s", name=classroom_label(classroom)),
        "username": _("Username"), "password": _("One-time password")})
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="login-cards-{classroom.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/classrooms/<int:classroom_id>/sign-in-cards/revoke", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def revoke_sign_in_cards(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    card_id = None
    if request.form.get("card_id"):
        card_id = as_id(request.form.get("card_id"))
        if card_id is None:
            return _page(classroom, error=_("That card does not exist."), status=422)
    count = login_cards.revoke(current_user, classroom, card_id)
    db.session.commit()
    flash(ngettext("%(num)d sign-in card revoked.", "%(num)d sign-in cards revoked.", count), "success")
    return redirect_to(url_for("school.classrooms.login_cards_page", classroom_id=classroom.id))


def prepare_sign_in_for_selection(actor, selection) -> str:
    """The students list's bulk "Prepare sign-in / print cards": per classroom, as on its page.

    Students without an email need a classroom (their cards are printed from its page)."""
    require_admin(actor)
    groups: dict[int, tuple] = {}
    homeless = []
    for user, _profile, room in selection.rows:
        if room is None:
            if user.email:
                homeless.append(user)
                continue
            raise ValidationFailed(_("%(name)s has no email and no classroom: put them in a classroom first, "
                                     "then print their card from the classroom's sign-in page.",
                                     name=user.full_name), field="selection")
        groups.setdefault(room.id, (room, []))[1].append(user)
    totals = {"emailed": 0, "cards": 0, "skipped": 0}
    with_cards = []
    for room, students in groups.values():
        result = login_cards.prepare_sign_in(actor, room, students)
        for key in totals:
            totals[key] += result[key]
        if result["cards"]:
            with_cards.append(classroom_label(room))
    for user in homeless:
        if user.active:
            login_cards.send_activation(actor, user)
            totals["emailed"] += 1
        else:
            totals["skipped"] += 1
    message = summary(totals)
    if with_cards:
        message += " " + _("Print the cards from the sign-in page of: %(names)s.", names=", ".join(with_cards))
    return message


bulk.prepare_sign_in_handler = prepare_sign_in_for_selection
