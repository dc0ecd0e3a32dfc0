"""Configuration for ``rq cron`` (one per instance; PM2 starts it with LMS_INSTANCE set).

    LMS_INSTANCE=<slug> rq cron --url $REDIS_URL lms.cron_config
"""

from rq import cron

from lms.config import load_config
from lms.periodic import PERIODIC_JOBS

_config = load_config()

for _job in PERIODIC_JOBS:
    cron.register(
        _job.resolve(),
        queue_name=_config["QUEUE_NAME"],
        interval=_job.interval,
        name=f"{_config['QUEUE_NAME']}:{_job.name}",
    )
