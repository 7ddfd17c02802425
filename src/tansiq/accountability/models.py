"""The indexes the cases behind a figure stand on. The counts come from the tallies
(``tallies.models``, kept by the features in the transaction of each event); the cases are
read from the records themselves, by each event's time. This feature keeps no table of its
own: only these indexes on other features' records, declared here so that the features that
own those tables need not know what the figures ask of them (docs/accountability.md)."""

from __future__ import annotations

from sqlalchemy import Index

from tansiq.checkpoints.models import ScanEventRecord
from tansiq.clearances.models import AppealRecord, ApplicationRecord, DecisionRecord, ReviewRecord
from tansiq.deconfliction.models import AcknowledgementRecord
from tansiq.permits.models import PermitRecord

INDEXES = (
    Index("ix_applications_created_at", ApplicationRecord.created_at),
    # Decisions in a period, with the review each belongs to, from the index alone.
    Index("ix_review_decisions_decided_at", DecisionRecord.decided_at, DecisionRecord.review_id),
    Index("ix_reviews_overdue_at", ReviewRecord.overdue_at),
    Index("ix_appeals_opened_at", AppealRecord.opened_at),
    Index("ix_permits_status_changed_at", PermitRecord.status_changed_at),
    # Every checkpoint figure of a period from the index alone, without reading the scans.
    Index(
        "ix_scan_events_figures",
        ScanEventRecord.scanned_at,
        ScanEventRecord.checkpoint_id,
        ScanEventRecord.action,
        ScanEventRecord.reason_code,
        ScanEventRecord.contradiction,
        ScanEventRecord.clone_suspected,
    ),
    # The acknowledgements behind the deconfliction figures, by the moment each counts.
    Index("ix_deconfliction_acks_delivered_at", AcknowledgementRecord.delivered_at),
    Index("ix_deconfliction_acks_answered_at", AcknowledgementRecord.answered_at),
    Index("ix_deconfliction_acks_escalated_at", AcknowledgementRecord.escalated_at),
)
