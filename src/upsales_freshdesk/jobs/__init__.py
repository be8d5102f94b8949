"""A job queue for work that arrives by itself (Freshdesk's and Upsales' webhooks).

Two implementations of one :class:`~.base.JobQueue`: on Redis through arq when
``UFD_REDIS_URL`` is set (jobs survive a restart and every process works the one queue),
else in this process (documented as losing what is queued on restart). Both coalesce:
while a job for a key waits, another submitted for that key is folded into it, since a job
reads the record's current state when it runs, never the state the event carried.
"""

from .base import Handler, Job, JobQueue, Later, QueueFull, QueueUnavailable
from .local import LocalQueue

__all__ = [
    "Handler",
    "Job",
    "JobQueue",
    "Later",
    "LocalQueue",
    "QueueFull",
    "QueueUnavailable",
]
