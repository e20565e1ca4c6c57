from postlicense.registry.tests.conftest import make_enterprise, make_license  # noqa: F401  (fixtures)
