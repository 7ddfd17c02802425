"""``tansiq thread``: liaison threads between parties: list, show, start, write, templates.
The same use cases as the API; ``--as`` names the acting user, ``--lang`` the language the
messages are rendered in."""

from __future__ import annotations

import click

from tansiq.cli.base import echo_json, hub_context, operator, session_scope
from tansiq.cli.clearances import parse
from tansiq.core.i18n import Locale
from tansiq.deconfliction import threads
from tansiq.deconfliction.thread_render import Reader, summaries_out, templates_out, thread_out
from tansiq.deconfliction.thread_schemas import MessageIn, ThreadOut
from tansiq.web.deps import MAX_ID

AS_USER = click.option(
    "--as", "as_user", required=True, metavar="USERNAME", help="The user to act as."
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
LANG = click.option(
    "--lang",
    type=click.Choice([locale.value for locale in Locale]),
    default="en",
    show_default=True,
    help="The language messages are rendered in.",
)
THREAD = click.argument("thread_id", type=click.IntRange(1, MAX_ID))
TEMPLATE = click.option("--template", help="A template id (see `tansiq thread templates`).")
PARAM = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A template's value; times ISO 8601 with their offset, places a checkpoint code.",
)
TEXT = click.option("--text", default="", help="Free text, shown as written.")


def _message(template: str | None, params: tuple[str, ...], text: str) -> threads.NewMessage:
    values = {}
    for param in params:
        name, _, value = param.partition("=")
        values[name.strip()] = value
    body = parse(MessageIn, {"template": template, "params": values, "text": text})
    return threads.NewMessage(template=body.template, params=body.params, text=body.text)


def show(shown: ThreadOut) -> None:
    about = f"  about {shown.notification_reference}" if shown.notification_reference else ""
    members = ", ".join(m.party for m in shown.members)
    click.echo(f"#{shown.id}  {shown.topic}  [{members}]{about}")
    for m in shown.messages:
        click.echo(f"  {m.created_at:%Y-%m-%d %H:%M}Z  {m.party} ({m.user}): {m.rendered}")
        for r in m.receipts:
            read = (
                f"read {r.read_at:%Y-%m-%d %H:%M}Z by {r.read_by}" if r.read_at else "not read yet"
            )
            click.echo(f"      {r.party}: delivered {r.delivered_at:%Y-%m-%d %H:%M}Z, {read}")


@click.group()
def thread() -> None:
    """Liaison threads: party-to-party messages through the hub."""


@thread.command("list")
@AS_USER
@click.option("--notification", type=click.IntRange(1, MAX_ID), help="Only threads about it.")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@JSON
@click.pass_context
def list_threads(
    ctx: click.Context, as_user: str, notification: int | None, limit: int, as_json: bool
) -> None:
    """Your party's threads, latest message first (the hub's admins: every one)."""
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        rows = threads.threads(session, me, notification_id=notification, limit=limit)
        found = summaries_out(session, rows)
    if as_json:
        echo_json([t.model_dump(mode="json") for t in found])
        return
    for t in found:
        unread = f"  {t.unread} unread" if t.unread else ""
        click.echo(f"#{t.id:<5} {t.last_message_at:%Y-%m-%d %H:%M}Z  {t.topic}{unread}")


@thread.command("show")
@THREAD
@AS_USER
@LANG
@JSON
@click.pass_context
def show_thread(ctx: click.Context, thread_id: int, as_user: str, lang: str, as_json: bool) -> None:
    """A thread with every message and each party's receipts; marks your party's unread
    messages read, by you."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        view = threads.thread_view(session, me, thread_id, hub.clock)
        shown = thread_out(Reader(session, Locale(lang), hub.settings.time_zone), view, me.party_id)
    echo_json(shown.model_dump(mode="json")) if as_json else show(shown)


@thread.command("start")
@AS_USER
@click.option("--topic", required=True, help="What the thread is about.")
@click.option("--to", "members", multiple=True, required=True, help="A party's code (repeat).")
@click.option(
    "--notification", type=click.IntRange(1, MAX_ID), help="The notification it is about."
)
@TEMPLATE
@PARAM
@TEXT
@LANG
@JSON
@click.pass_context
def start_thread(
    ctx: click.Context,
    as_user: str,
    topic: str,
    members: tuple[str, ...],
    notification: int | None,
    template: str | None,
    params: tuple[str, ...],
    text: str,
    lang: str,
    as_json: bool,
) -> None:
    """Start a thread with other parties, with its first message (a template or free text)."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        record = threads.start_thread(
            session,
            me,
            topic=topic,
            members=list(members),
            notification_id=notification,
            first=_message(template, params, text),
            clock=hub.clock,
        )
        view = threads.thread_view(session, me, record.id, hub.clock)
        shown = thread_out(Reader(session, Locale(lang), hub.settings.time_zone), view, me.party_id)
    echo_json(shown.model_dump(mode="json")) if as_json else show(shown)


@thread.command("send")
@THREAD
@AS_USER
@TEMPLATE
@PARAM
@TEXT
@LANG
@JSON
@click.pass_context
def send(
    ctx: click.Context,
    thread_id: int,
    as_user: str,
    template: str | None,
    params: tuple[str, ...],
    text: str,
    lang: str,
    as_json: bool,
) -> None:
    """Write in a thread your party is a member of."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        threads.post_message(session, me, thread_id, _message(template, params, text), hub.clock)
        view = threads.thread_view(session, me, thread_id, hub.clock)
        shown = thread_out(Reader(session, Locale(lang), hub.settings.time_zone), view, me.party_id)
    echo_json(shown.model_dump(mode="json")) if as_json else show(shown)


@thread.command("templates")
@LANG
def list_templates(lang: str) -> None:
    """The message templates and the values each needs."""
    for t in templates_out(Locale(lang)):
        names = ", ".join(f"{p.name} ({p.kind.value})" for p in t.params) or "—"
        click.echo(f"{t.id:<18} {t.text}  [{names}]")
