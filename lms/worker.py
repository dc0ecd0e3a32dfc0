"""The RQ worker class PM2 runs (``--worker-class lms.worker.Worker``).

It builds the Flask app once in the worker process, before it forks a work
horse per job, so jobs do not pay for ``create_app`` each time.

Its maintenance (which finds jobs abandoned by a work horse or a worker that died — a
``kill -9``, an out-of-memory kill — and retries them) runs every minute instead of RQ's
ten: a job lost that way runs again about two and a half minutes later (RQ considers it
abandoned 90 s after its last heartbeat).
"""

from rq.defaults import DEFAULT_MAINTENANCE_TASK_INTERVAL
from rq.worker import Worker as RQWorker

from lms import jobs

MAINTENANCE_INTERVAL = 60


class Worker(RQWorker):
    def __init__(self, *args, **kwargs):
        # `rq worker` always passes --maintenance-interval (600 unless given), so RQ's default is
        # replaced here rather than only filled in; an explicit other value is kept.
        if kwargs.get("maintenance_interval", DEFAULT_MAINTENANCE_TASK_INTERVAL) == DEFAULT_MAINTENANCE_TASK_INTERVAL:
            kwargs["maintenance_interval"] = MAINTENANCE_INTERVAL
        super().__init__(*args, **kwargs)
        jobs.prepare_worker_app()
