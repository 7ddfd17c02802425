"""The words of the figures' pages, charts and CSV file, marked for the catalog."""

from __future__ import annotations

from tansiq.accountability.domain import Figure
from tansiq.core.i18n import N_

FIGURE_LABELS: dict[Figure, str] = {
    Figure.RECEIVED: N_("Applications received"),
    Figure.DECIDED: N_("Decisions taken"),
    Figure.APPROVED: N_("Approvals"),
    Figure.REFUSED: N_("Refusals"),
    Figure.OVERDUE: N_("Reviews overdue"),
    Figure.APPEALED: N_("Appeals"),
    Figure.REVOKED: N_("Permits revoked"),
    Figure.PASSAGES: N_("Passages"),
    Figure.REFUSALS: N_("Refusals at the checkpoint"),
    Figure.OVERRIDES: N_("Let through against the verdict"),
    Figure.CONTRADICTIONS: N_("Refusals of permits the authority signed"),
    Figure.CLONES: N_("Suspected cloned permits"),
    Figure.NOTIFIED: N_("Notifications received"),
    Figure.ACKNOWLEDGED: N_("Acknowledged"),
    Figure.UNACKNOWLEDGED: N_("Unacknowledged at the deadline"),
}

LABELS = {
    "figures": N_("Figures"),
    "figures_title": N_("Figures on every authority's conduct"),
    "figures_intro": N_(
        "Counted from the hub's records for the period chosen, in UTC days. Each number opens "
        "the cases behind it, as far as you may see them."
    ),
    "figures_own_intro": N_("Your authority's own figures, and the totals over every authority."),
    "period_from": N_("From"),
    "period_to": N_("To"),
    "all_authorities": N_("All authorities"),
    "all_checkpoints": N_("All checkpoints"),
    "show": N_("Show"),
    "download_csv": N_("Download as a spreadsheet (CSV)"),
    "by_authority": N_("By authority"),
    "by_checkpoint": N_("By checkpoint"),
    "median_hours": N_("Half decided within (hours)"),
    "p90_hours": N_("9 in 10 decided within (hours)"),
    "median_time": N_("Half decided within"),
    "p90_time": N_("9 in 10 decided within"),
    "no_decisions": N_("no decisions"),
    "refusals_by_reason": N_("Refusals by reason"),
    "appeals_by_outcome": N_("Appeals by outcome"),
    "revocations_by_reason": N_("Revocations by reason"),
    "checkpoint_refusals_by_reason": N_("Refusals at checkpoints by reason"),
    "overrides_by_reason": N_("Let through against the verdict, by reason"),
    "chart_decisions": N_("Approvals and refusals by authority"),
    "chart_times": N_("Time to decision by authority, in hours"),
    "chart_checkpoints": N_("What officers did at each checkpoint"),
    "total": N_("Total"),
    "reason_or_outcome": N_("Reason or outcome"),
    "cases_title": N_("Cases behind a figure"),
    "cases_intro": N_(
        "The cases this figure counts that you may see, newest first. A figure counts every "
        "case; this list shows only those you may open."
    ),
    "no_cases": N_("No cases you may see."),
    "when": N_("When"),
    "permit": N_("Permit"),
    "back_to_figures": N_("Back to the figures"),
    "more_cases": N_("More cases"),
    "nothing_counted": N_("Nothing counted in this period."),
    "by_party_liaison": N_("Notifications of movements and sites, by party reached"),
    "liaison_intro": N_(
        "How each party answered the notifications that reached it: an acknowledgement is a "
        "receipt, never a permission. Times run from delivery to the answer."
    ),
    "party": N_("Party"),
    "all_parties": N_("All parties"),
    "ack_median": N_("Half acknowledged within"),
    "ack_p90": N_("9 in 10 acknowledged within"),
    "ack_median_hours": N_("Half acknowledged within (hours)"),
    "ack_p90_hours": N_("9 in 10 acknowledged within (hours)"),
    "no_answers": N_("no answers"),
    "acknowledgements_by_answer": N_("Acknowledgements by answer"),
    "notification": N_("Notification"),
}
