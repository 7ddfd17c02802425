"""Every feature's templates and the shell's are searched as one: a name defined twice would
silently show the first one found, so each template name lives in one place."""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest

from tansiq.app import WORDS
from tansiq.web.text import LABELS, LabelClash, join_labels
from tansiq.web.view import template_packages, templates


def test_the_shell_comes_first_and_every_feature_with_templates_is_searched() -> None:
    packages = template_packages()
    assert packages[0] == "tansiq.web"
    assert {"tansiq.clearances", "tansiq.parties", "tansiq.geo"} <= set(packages)


def test_no_template_name_is_defined_twice() -> None:
    names = Counter(
        entry.name
        for package in template_packages()
        for entry in resources.files(package).joinpath("templates").iterdir()
    )
    assert [name for name, count in names.items() if count > 1] == []


def test_a_feature_page_extends_the_shell_layout() -> None:
    source = templates().loader
    assert source is not None
    assert "base.html" in source.list_templates()
    assert "applications.html" in source.list_templates()


def test_the_pages_words_join_into_one_table_for_the_templates() -> None:
    assert set(LABELS) < set(WORDS)
    assert join_labels({"home": LABELS["home"]})["home"] == LABELS["home"]  # the same word twice


def test_two_tables_naming_different_words_with_one_key_are_refused() -> None:
    with pytest.raises(LabelClash, match="home"):
        join_labels({"home": "Start"})
