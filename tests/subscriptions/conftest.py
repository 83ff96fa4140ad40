"""The crash tests' database that worker processes can see comes from tests/core."""

from tests.core.conftest import worker_env  # noqa: F401 - a fixture, used by name
