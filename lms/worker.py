"""The RQ worker class PM2 runs (``--worker-class lms.worker.Worker``).

It builds the Flask app once in the worker process, before it forks a work
horse per job, so jobs do not pay for ``create_app`` each time.
"""

from rq.worker import Worker as RQWorker

from lms import jobs


class Worker(RQWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        jobs.prepare_worker_app()
