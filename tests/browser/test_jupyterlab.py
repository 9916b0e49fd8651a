"""Run All on each notebook in JupyterLab, in headless Chromium driven by Selenium.

What a user does: open the notebook in JupyterLab, Run All, read the outputs, move a
control of the negotiator's what-if widget. The test asserts that every code cell ran,
that no cell shows an error (no error output in the notebook model, no traceback in any
stderr output area of the page) and that moving a widget control changes the output
shown under it. ``tests/test_notebooks.py`` executes the same notebooks without a front
end; only a browser catches what depends on one (widget output reported back from the
page, as the Run All failure of issue 18 did).

Runs only with ``CONSORTIUM_BROWSER_TEST=1`` and Chromium, chromedriver and Selenium
installed: ``make browser-test`` (it installs Debian's ``chromium`` and
``chromium-driver`` when missing and run as root). Plain ``pytest`` skips it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
ENV_FLAG = "CONSORTIUM_BROWSER_TEST"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = (os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
                or "/usr/bin/chromedriver")
#: Seconds a notebook's Run All may take in the browser (nbclient needs under 60).
RUN_ALL_TIMEOUT = 180


def _why_skip() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if os.environ.get(ENV_FLAG, "").lower() not in ("1", "true", "yes"):
        return f"runs only with {ENV_FLAG}=1 (make browser-test)"
    for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not os.access(path, os.X_OK):
            return f"{name} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


pytestmark = [pytest.mark.browser, pytest.mark.skipif(_why_skip() is not None,
                                                      reason=str(_why_skip()))]


# ------------------------------------------------------------------ the server
@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server serving a temporary copy of the notebooks."""

    url: str
    token: str
    root: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/notebooks/{name}.ipynb?token={self.token}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except (urllib.error.URLError, OSError):
        return 0


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """``jupyter lab`` from this interpreter's environment, on 127.0.0.1 with a token.

    It serves a copy of ``notebooks/`` next to a link to ``scenarios/`` (the notebooks
    read ``../scenarios``), so Run All never saves outputs into the repository; its
    settings, workspaces and runtime files live in the same temporary directory.
    """
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns("figures", ".ipynb_checkpoints"))
    (root / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    settings = root / ".lab-settings"
    # Every cell stays in the page (no windowing), so the page can be searched for errors.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the inline backend
    env.update({
        "CONSORTIUM_FIG_DIR": str(root / "figures"),
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".lab-workspaces"),
        "JUPYTER_PLATFORM_DIRS": "1",
    })
    port, token = _free_port(), secrets.token_hex(16)
    log = root / "jupyter-lab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run commands
               "--LabApp.news_url=None",  # no network: no news feed, no update check
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _status(f"{url}/api/status?token={token}") != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Lab(url, token, root, log)
    finally:
        shutdown = urllib.request.Request(f"{url}/api/shutdown?token={token}", method="POST")
        with contextlib.suppress(urllib.error.URLError, OSError):
            urllib.request.urlopen(shutdown, timeout=10).close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with a fresh profile, driven through Debian's chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager never downloads
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


# ------------------------------------------------------------------ the page
#: The open notebook's state: kernel status, each code cell's prompt, error outputs.
STATE_JS = """
const app = window.jupyterapp;
if (!app) { return {phase: "loading"}; }
const panel = app.shell.currentWidget;
if (!panel || !panel.content || !panel.sessionContext || !panel.content.model) {
  return {phase: "no notebook"};
}
const context = panel.sessionContext;
const kernel = context.session && context.session.kernel;
const prompts = [], errors = [];
panel.content.widgets.forEach((cell) => {
  if (cell.model.type !== "code") { return; }
  prompts.push(cell.node.querySelector(".jp-InputPrompt").textContent.trim());
  for (const output of cell.model.outputs.toJSON()) {
    if (output.output_type === "error") { errors.push(output.ename + ": " + output.evalue); }
  }
});
return {phase: "open", path: panel.context.path, ready: context.isReady,
        kernel: kernel ? kernel.status : null, prompts: prompts, errors: errors};
"""

#: Text of every stderr output on the page that shows a traceback or an exception.
TRACEBACKS_JS = """
return Array.from(document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
  .map((node) => node.textContent)
  .filter((text) => /Traceback|\\b\\w*(Error|Exception)\\b:/.test(text));
"""


def _wait(what: str, predicate: Callable[[], Any], timeout: float, browser: Any,
          lab: Lab) -> Any:
    """Poll ``predicate`` until it returns something true; fail with a screenshot."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            shot = lab.root / f"timeout-{int(time.time())}.png"
            browser.save_screenshot(str(shot))
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} "
                        f"(screenshot {shot}, server log {lab.log})")
        time.sleep(0.25)


def _run_all(browser: Any, lab: Lab, name: str) -> dict[str, Any]:
    """Open ``name`` in JupyterLab, Run All, and return the state once the kernel is done."""
    browser.get(lab.notebook_url(name))

    def kernel_idle() -> bool:
        state = browser.execute_script(STATE_JS)
        return (state["phase"] == "open" and state["path"] == f"notebooks/{name}.ipynb"
                and state["ready"] and state["kernel"] == "idle")

    _wait(f"{name}: the notebook and an idle kernel", kernel_idle, 120, browser, lab)
    browser.execute_script(
        "window.jupyterapp.commands.execute('notebook:run-all-cells');")
    start = time.monotonic()
    last: dict[str, Any] = {}
    quiet_since: list[float] = []

    def finished() -> bool:
        state = browser.execute_script(STATE_JS)
        last.update(state)
        running = any("*" in p for p in state["prompts"]) or state["kernel"] != "idle"
        if running:
            quiet_since.clear()
            return False
        if all(p.strip("[]: ").isdigit() for p in state["prompts"]):
            return True
        # Nothing running, but cells left without a count: Run All stopped (an error),
        # or has not started yet; decide after two quiet seconds.
        quiet_since.append(time.monotonic())
        return quiet_since[-1] - quiet_since[0] > 2.0

    _wait(f"{name}: Run All to finish", finished, RUN_ALL_TIMEOUT, browser, lab)
    last["seconds"] = time.monotonic() - start
    return last


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_in_jupyterlab_shows_no_error(name: str, browser: Any, lab: Lab) -> None:
    state = _run_all(browser, lab, name)
    print(f"{name}: Run All in JupyterLab took {state['seconds']:.1f} s")
    assert state["errors"] == [], f"{name}: error outputs {state['errors']}"
    assert browser.execute_script(TRACEBACKS_JS) == []
    assert all(p.strip("[]: ").isdigit() for p in state["prompts"]), (
        f"{name}: cells did not run: prompts {state['prompts']}")
    if name == "negotiator":
        _move_what_if_controls(browser, lab)


def _move_what_if_controls(browser: Any, lab: Lab) -> None:
    """Under Run All the what-if widget opens at the base case; moving a control redraws."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    def control(kind: str, label: str) -> Any:
        xpath = (f"//div[contains(@class, 'widget-{kind}')]"
                 f"[.//label[normalize-space()='{label}']]")
        element = browser.find_element(By.XPATH, xpath)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        return element

    def shown() -> str:
        tables = browser.find_elements(By.CSS_SELECTOR, ".widget-output")
        return tables[-1].text if tables else ""

    def settled_on(check: Callable[[str], bool]) -> Callable[[], str]:
        """The output's text once both tables are back and ``check`` holds."""
        def probe() -> str:
            text = shown()
            ready = "Shares after the what-if" in text and "ASRC tiers" in text
            return text if ready and check(text) else ""
        return probe

    base = _wait("the what-if tables", settled_on(lambda _: True), 60, browser, lab)
    drop = Select(control("dropdown", "drop").find_element(By.TAG_NAME, "select"))
    assert drop.first_selected_option.text == "(none)"  # opens at the base case
    assert "Taizhou Zecheng" in base

    drop.select_by_visible_text("泰州泽成 / Taizhou Zecheng")
    dropped = _wait("the tables without Zecheng", settled_on(
        lambda text: text != base and "Taizhou Zecheng" not in text), 60, browser, lab)

    market = control("slider", "market x")
    readout = market.find_element(By.CSS_SELECTOR, ".widget-readout")
    before = readout.text
    market.find_element(By.CSS_SELECTOR, ".noUi-handle").send_keys(Keys.ARROW_RIGHT)
    _wait("the market slider to move", lambda: readout.text != before, 30, browser, lab)
    _wait("the tables for the larger market", settled_on(lambda text: text != dropped), 60,
          browser, lab)
    assert browser.execute_script(TRACEBACKS_JS) == []
    print(f"negotiator: what-if redrawn after drop -> Zecheng and market {before} -> "
          f"{readout.text}")
