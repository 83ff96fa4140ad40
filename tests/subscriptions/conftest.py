"""The crash tests' database that worker processes can see comes from tests/core."""

from tests.core.conftest import _migrated_worker_database, worker_env  # noqa: F401 - fixtures
