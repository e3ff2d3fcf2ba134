"""Load the peer fixtures when this folder is run on its own.

``tests/conftest.py`` loads them with ``pytest_plugins = ["tests.peers.fixtures"]``; pytest
forbids ``pytest_plugins`` in a nested conftest, so this one registers the plugin only if
nobody did yet (it is then harmless to keep both).
"""

import pytest

PLUGIN = "tests.peers.fixtures"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
