"""The ground floor: what every app uses and that knows no app (see docs/architecture.md)."""
