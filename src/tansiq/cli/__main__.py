"""``python -m tansiq.cli``: the same as the ``tansiq`` command."""

from tansiq.cli.main import cli

cli()
