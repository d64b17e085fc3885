"""The stack tool installs what the browser tests drive, as it installs PostgreSQL and nginx."""

from pathlib import Path

from deploy.local import browser
from deploy.local import stack as local_stack
from deploy.local.install import missing_debian_packages


def test_missing_packages_are_the_ones_dpkg_does_not_have() -> None:
    assert missing_debian_packages(["dpkg", "support-portal-no-such-package"]) == [
        "support-portal-no-such-package"
    ]


def test_ensure_browser_leaves_chromium_its_driver_and_cjk_fonts_installed(tmp_path: Path) -> None:
    chromium = local_stack.ensure_browser(tmp_path / "state", quiet=True)
    assert chromium.exists()
    assert missing_debian_packages(browser.PACKAGES) == []
