"""Durable background jobs and the daily scheduler (DESIGN "Architecture": core holds both).

A `Job` row is what the user sees (kind, input, progress, result, a Chinese reason when it fails); the work is
queued on Django's Tasks API (settings.TASKS; django-tasks-db by default) as `tasks.run_job(job_id)`. Whoever
runs a job first claims it with a lease that a heartbeat renews, so a job whose worker died is run again only
after the lease expires, and never by two workers at once. See services.py.
"""
