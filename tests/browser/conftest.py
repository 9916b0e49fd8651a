"""The ``browser`` marker: tests that drive JupyterLab in headless Chromium."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in headless Chromium with Selenium; runs "
                   "only with CONSORTIUM_BROWSER_TEST=1 (make browser-test)")
