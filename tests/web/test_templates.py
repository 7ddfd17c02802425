"""Every feature's templates and the shell's are searched as one: a name defined twice would
silently show the first one found, so each template name lives in one place."""

from __future__ import annotations

from collections import Counter
from importlib import resources

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
