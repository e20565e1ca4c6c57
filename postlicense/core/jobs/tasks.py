"""The one queued task: run a Job by its id. The job row, not the queue, holds input, progress and result,
so any backend of settings.TASKS (the database one here, RQ/Celery-style ones in a cluster) can carry it."""

from django_tasks import task

from . import services


@task()
def run_job(job_id):
    job = services.execute(job_id)
    return job.status if job else None
