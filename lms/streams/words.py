"""The organization's word filter: a post or comment containing a listed word waits for review.

Words are stored case-folded.  English (and any word written with spaces between words) matches
whole words, case-insensitively; Thai is written without spaces, so a Thai word matches anywhere
in the text.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.common.errors import Conflict, NotFound, ValidationFailed
from lms.common.services import flush_or_raise, get_visible
from lms.core.organization import current_organization
from lms.extensions import db
from lms.school.services import ensure_organization, require_admin
from lms.streams.models import WORD_MAX, FilteredWord

THAI = re.compile(r"[\u0e00-\u0e7f]")


def _tenant_id() -> int:
    org = current_organization()
    return org.id if org.id is not None else ensure_organization().id


def words_query():
    return select(FilteredWord).where(FilteredWord.tenant_id == _tenant_id()).order_by(FilteredWord.word)


def filtered_words() -> list[str]:
    return list(db.session.scalars(select(FilteredWord.word).where(FilteredWord.tenant_id == _tenant_id())))


def matches(text: str, words: list[str] | None = None) -> bool:
    """Does ``text`` contain a word of the filter?"""
    words = filtered_words() if words is None else words
    folded = text.casefold()
    for word in words:
        if THAI.search(word):
            if word in folded:
                return True
        elif re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", folded):
            return True
    return False


def add_word(actor, raw) -> FilteredWord:
    require_admin(actor)
    word = " ".join(str(raw or "").split()).casefold()
    if not word or "\x00" in word:
        raise ValidationFailed(_("Type a word."), field="word")
    if len(word) > WORD_MAX:
        raise ValidationFailed(_("A word has at most %(max)s characters.", max=WORD_MAX), field="word")
    duplicate = Conflict(_("“%(word)s” is already in the list.", word=word), details={"field": "word"})
    if db.session.scalar(select(FilteredWord.id).where(FilteredWord.tenant_id == _tenant_id(),
                                                        FilteredWord.word == word)):
        raise duplicate
    entry = FilteredWord(tenant_id=_tenant_id(), word=word, added_by_id=actor.id)
    with flush_or_raise(duplicate):
        db.session.add(entry)
    record(actor, "stream.word_add", entry, word=word)
    return entry


def remove_word(actor, word_id) -> str:
    require_admin(actor)
    entry = get_visible(words_query(), FilteredWord, word_id, NotFound(_("That word is not in the list.")))
    word = entry.word
    record(actor, "stream.word_remove", entry, word=word)
    db.session.delete(entry)
    db.session.flush()
    return word
