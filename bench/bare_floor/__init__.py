"""The bare Django floor for bench/site_benchmark.py: a project with no apps and no middleware
that answers every request with the same few bytes. Run from bench/ as the benchmark does:

    gunicorn bare_floor.wsgi -c /dev/null -w 2 -k sync

Whatever Byline serves is set against this: what Django and gunicorn cost with nothing added.
"""
