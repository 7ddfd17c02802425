"""SQL runs only in repositories: no statement is built and no session is queried elsewhere.

Parsed from every module's syntax tree, so a new module is covered without editing a list.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tansiq"

# Calls that build a SQL statement, and session methods that run one.
BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})
RUNNERS = frozenset({"execute", "scalars", "scalar", "query", "get"})
SESSION_NAMES = frozenset({"session", "connection", "conn", "db"})

# Where SQL belongs: repositories, the database package and the migrations.
SQL_HOMES = ("repository.py", "repository_")
SQL_PACKAGES = ("db", "migrations")

# Modules outside a repository that must run SQL, each with its reason.
LEDGER_FACTS = (
    "what the ledger must hold, read in bulk from the rows it records (verify, back-fill)"
)
ALLOWED: dict[str, str] = {
    "app.py": "the /health check sends SELECT 1 to prove the database answers",
    "checkpoints/client.py": "the checkpoint device's own sqlite3 queue, not the hub's database",
    "checkpoints/ledger_facts.py": LEDGER_FACTS,
    "clearances/ledger_facts.py": LEDGER_FACTS,
    "deconfliction/ledger_facts.py": LEDGER_FACTS,
    "incidents/ledger_facts.py": LEDGER_FACTS,
    "parties/ledger_facts.py": LEDGER_FACTS,
    "permits/ledger_facts.py": LEDGER_FACTS,
}


def _is_sql_home(path: Path) -> bool:
    relative = path.relative_to(SRC)
    return relative.parts[0] in SQL_PACKAGES or relative.name.startswith(SQL_HOMES)


def _receiver_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def sql_calls(tree: ast.AST) -> list[str]:
    """The SQL a module builds or runs, as ``line: call`` strings."""
    found: list[str] = []
    sqlalchemy_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
        for alias in node.names
        if alias.name in BUILDERS
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in sqlalchemy_names:
            found.append(f"{node.lineno}: {function.id}(")
        elif isinstance(function, ast.Attribute) and function.attr in RUNNERS:
            receiver = _receiver_name(function.value)
            if receiver is not None and receiver.lstrip("_") in SESSION_NAMES:
                found.append(f"{node.lineno}: {receiver}.{function.attr}(")
    return sorted(found, key=lambda call: (int(call.split(":")[0]), call))


def test_sql_runs_only_in_repositories() -> None:
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = str(path.relative_to(SRC))
        if _is_sql_home(path) or relative in ALLOWED:
            continue
        calls = sql_calls(ast.parse(path.read_text(encoding="utf-8")))
        if calls:
            offenders[relative] = calls
    assert offenders == {}


def test_the_check_sees_a_query_outside_a_repository() -> None:
    tree = ast.parse(
        "from sqlalchemy import select\n"
        "def f(session):\n"
        "    session.execute(select(1))\n"
        "    self.session.scalars(q)\n"
    )
    assert sql_calls(tree) == ["3: select(", "3: session.execute(", "4: session.scalars("]
