"""The Thai catalog is complete: every marked string of the code has a Thai translation.

The messages are extracted afresh (Babel's API, the settings of ``bin/i18n``) into a temporary
.pot and compared with ``lms/translations/th/LC_MESSAGES/messages.po``: a missing, empty or
fuzzy translation fails, and so does a translation that lost a placeholder.  When this fails
after you added strings: ``bin/i18n update``, translate the new entries in the Thai .po (see
``lms/translations/GLOSSARY.md``), ``bin/i18n compile``.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "lms" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sdif]|\{\w+\}")


def _bin_i18n_options() -> tuple[list[str], list[str]]:
    """The ``-k`` keywords and ``--ignore-dirs`` patterns of ``bin/i18n update``."""
    script = (ROOT / "bin" / "i18n").read_text()
    command = script.split("pybabel extract", 1)[1].split("\n    .venv", 1)[0].replace("\\\n", " ")
    words = shlex.split(command)
    keywords = [words[i + 1] for i, w in enumerate(words) if w == "-k"]
    ignore = words[words.index("--ignore-dirs") + 1].split()
    return keywords, ignore


def extract_catalog(tmp_path) -> Catalog:
    """What ``bin/i18n update`` would extract, written to and read back from a temporary .pot."""
    keyword_args, ignore = _bin_i18n_options()
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(keyword_args))
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def directory_filter(path: str) -> bool:
        import fnmatch

        name = os.path.basename(path)
        return not any(fnmatch.fnmatch(name, pattern) for pattern in ignore)

    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, directory_filter=directory_filter):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    pot = tmp_path / "messages.pot"
    with open(pot, "wb") as out:
        write_po(out, catalog, no_location=True, sort_output=True)
    with open(pot, "rb") as source:
        return read_po(source)


def _load(locale: str) -> Catalog:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as source:
        return read_po(source, locale=locale)


def _key(message) -> tuple:
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    return extract_catalog(tmp_path_factory.mktemp("pot"))


def test_every_marked_string_has_a_thai_translation(extracted):
    thai = {_key(m): m for m in _load("th") if m.id}
    missing, empty, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue
        translated = thai.get(_key(message))
        if translated is None:
            missing.append(message.id)
        elif translated.fuzzy:
            fuzzy.append(message.id)
        elif not translated.string or (isinstance(translated.string, tuple) and not all(translated.string)):
            empty.append(message.id)
    assert (missing, empty, fuzzy) == ([], [], []), (
        f"Thai catalog: {len(missing)} missing {missing[:10]}, {len(empty)} empty {empty[:10]}, "
        f"{len(fuzzy)} fuzzy {fuzzy[:10]}. Run bin/i18n update and translate them.")


def test_the_extraction_finds_the_strings_of_every_part_of_the_code(extracted):
    ids = {_key(m)[1] for m in extracted if m.id}
    # Python, templates, macros under templates/_macros, WTForms' own messages, plural and context forms.
    assert {"Sign in", "Skip to main content", "Previous", "This field is required.",
            "%(num)d result", "Prathom %(number)s"} <= ids
    assert ("student status", "Active") in {_key(m) for m in extracted}


def test_thai_translations_keep_every_placeholder_and_the_plural_form():
    catalog = _load("th")
    assert catalog.num_plurals == 1 and catalog.plural_expr == "0"
    assert "nplurals=1; plural=0;" in catalog.plural_forms
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        if not isinstance(message.id, str):
            assert len(targets) == 1, f"Thai has one plural form: {message.id}"
        wanted = set(PLACEHOLDER.findall(sources[-1])) | set(PLACEHOLDER.findall(sources[0]))
        for target in targets:
            if target and set(PLACEHOLDER.findall(target)) != wanted:
                wrong.append((sources[0], target))
    assert wrong == []


def test_the_english_catalog_is_the_source_and_keeps_empty_translations():
    english = _load("en")
    assert english.num_plurals == 2
    assert all(not m.string or m.string == ("", "") for m in english if m.id)
    assert not any(m.fuzzy for m in english if m.id)


def test_english_and_thai_pages_read_in_their_language(client):
    english = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    thai = client.get("/auth/login", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert "Forgot your password?" in english and "ลืมรหัสผ่าน?" in thai
    assert "Forgot your password?" not in thai
