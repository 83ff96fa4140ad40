"""Demo data for development: `manage.py load_demo`, `load_demo_support`, `load_demo_reads`."""
