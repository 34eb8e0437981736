"""The explorer in a real browser (issue 10): JupyterLab on 127.0.0.1, a
notebook that creates the explorer over examples/three-tier.vpc, driven in
headless Chromium: change the source, destination and port, click objects in
the drawing to pick them, and check the page; then the reach panel: select an
end, see what it reaches and who reaches it, click a row for its witness trace.

It fails, never skips, when Chromium or its driver is missing (`make test`
installs them). A screenshot of each step is saved in the test's tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_lab import chromium, jupyter_lab
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

THREE_TIER = Path(__file__).parent.parent / "examples" / "three-tier.vpc"
STEP_TIMEOUT = 60


def notebook(path: Path) -> None:
    source = ("import vpcdsl\n"
              f"model = vpcdsl.load({str(THREE_TIER)!r})\n"
              "ex = vpcdsl.explore(model, src='web-1', dst='db-1', port=5432)\n"
              "ex")
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [{"cell_type": "code", "id": "explorer", "metadata": {}, "execution_count": None,
                   "outputs": [], "source": source}]}), encoding="utf-8")


def _text(driver, css: str) -> str:
    return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, css))


def _control(driver, kind: str, label: str):
    """The <select> or <input> of the ipywidget whose description is ``label``."""
    for box in driver.find_elements(By.CSS_SELECTOR, f".widget-{kind}"):
        labels = box.find_elements(By.CSS_SELECTOR, "label")
        if labels and labels[0].text.strip() == label:
            return box.find_element(By.CSS_SELECTOR, "select" if kind == "dropdown" else "input")
    raise AssertionError(f"no {kind} labelled {label!r} on the page")


def _hop_rows(driver) -> list[str]:
    return [r.text for r in driver.find_elements(By.CSS_SELECTOR, ".vpcdsl-hops tr")[1:]]


def _highlighted(driver) -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, ".vpcdsl-diagram-view svg .vpc-trace"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab and one Chromium for the module's tests: (driver, base, token, root).
    Each test opens a notebook of its own in a workspace of its own."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    with jupyter_lab(root, tmp / "jupyter") as (base, token):
        driver = chromium(tmp / "profile")
        try:
            yield driver, base, token, root
        finally:
            driver.quit()


def _run_explorer(lab, name: str):
    """Write the explorer notebook as ``name``.ipynb, open it (in workspace ``name``), run
    it once its kernel is idle; return the driver and a WebDriverWait."""
    driver, base, token, root = lab
    notebook(root / f"{name}.ipynb")
    wait = WebDriverWait(driver, STEP_TIMEOUT)
    driver.get_log("browser")          # what an earlier test's page logged is not this one's
    driver.get(f"{base}/lab/workspaces/{name}/tree/{name}.ipynb?token={token}")
    wait.until(lambda d: d.execute_script(
        "const a = window.jupyterapp; const w = a && a.shell.currentWidget;"
        "return !!(w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel && w.content && w.content.widgets.length);"))
    wait.until(lambda d: d.execute_script(
        "return window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status") == "idle")
    driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    return driver, wait


def test_explorer_in_jupyterlab(lab, tmp_path):
    driver, wait = _run_explorer(lab, "explorer")
    try:
        wait.until(lambda d: "ALLOWED" in _text(d, ".widget-html"))
        wait.until(lambda d: _highlighted(d) > 0)
        driver.save_screenshot(str(tmp_path / "1-allowed.png"))
        allowed_rows, allowed_edges = _hop_rows(driver), _highlighted(driver)
        assert allowed_rows[0].split()[:3] == ["→", "1", "sg:web"]
        assert not driver.find_elements(By.CSS_SELECTOR, ".vpcdsl-hops tr.decider")

        # The CI server in the peered VPC: blocked by the db subnet's NACL.
        Select(_control(driver, "dropdown", "source")).select_by_visible_text("instances › ci-1")
        wait.until(lambda d: "BLOCKED" in _text(d, ".widget-html"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".vpcdsl-hops tr.decider"))
        decider = driver.find_element(By.CSS_SELECTOR, ".vpcdsl-hops tr.decider").text
        assert "nacl:db" in decider and "three-tier.vpc:30" in decider
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".vpcdsl-diagram-view svg .vpc-trace-blocked"))
        driver.save_screenshot(str(tmp_path / "2-blocked.png"))
        blocked_edges = _highlighted(driver)

        # Back to web-1, then the port: the db subnet's NACL admits 5432, not 22.
        Select(_control(driver, "dropdown", "source")).select_by_visible_text("instances › web-1")
        wait.until(lambda d: "ALLOWED" in _text(d, ".widget-html"))
        port = _control(driver, "text", "port")
        port.send_keys(Keys.CONTROL, "a")
        port.send_keys("22", Keys.ENTER)
        wait.until(lambda d: "web-1 -> db-1 tcp 22" in _text(d, ".widget-html")
                   and "BLOCKED" in _text(d, ".widget-html"))
        decider = driver.find_element(By.CSS_SELECTOR, ".vpcdsl-hops tr.decider").text
        assert "nacl:db" in decider and "in" in decider

        # The destination: the internet, from web-1 on 443 (through the NAT gateway).
        port = _control(driver, "text", "port")
        port.send_keys(Keys.CONTROL, "a")
        port.send_keys("443", Keys.ENTER)
        Select(_control(driver, "dropdown", "destination")).select_by_visible_text("internet")
        wait.until(lambda d: "web-1 -> internet tcp 443" in _text(d, ".widget-html")
                   and "ALLOWED" in _text(d, ".widget-html"))
        wait.until(lambda d: any("nat:nat-a" in r for r in _hop_rows(d)))
        driver.save_screenshot(str(tmp_path / "3-internet.png"))
        internet_edges = _highlighted(driver)
        assert allowed_edges > 0 and blocked_edges > 0 and internet_edges > 0
        assert len({allowed_edges, internet_edges}) == 2 or allowed_rows != _hop_rows(driver)

        # A click on a subnet in the drawing picks it as the source ("click picks" is
        # on source), and the next click picks the destination.
        def node(name):
            for g in d_nodes(driver):
                title = g.find_elements(By.CSS_SELECTOR, "title")
                if title and title[0].get_attribute("textContent").endswith("__" + name):
                    return g
            raise AssertionError(f"no node for {name} in the drawing")

        def d_nodes(d):
            return d.find_elements(By.CSS_SELECTOR, ".vpcdsl-diagram-view svg g.node")

        node("app-a").click()
        wait.until(lambda d: "app-a -> internet tcp 443" in _text(d, ".widget-html"))
        assert Select(_control(driver, "dropdown", "source")).first_selected_option.text == "subnets › app-a"
        node("db-a").click()
        wait.until(lambda d: "app-a -> db-a tcp 443" in _text(d, ".widget-html")
                   and "BLOCKED" in _text(d, ".widget-html"))
        driver.save_screenshot(str(tmp_path / "4-clicked.png"))
        logs = driver.execute_script("return window.jupyterapp ? 'ok' : 'none'")
        assert logs == "ok"
    finally:
        driver.save_screenshot(str(tmp_path / "last.png"))


def _tab(driver, title: str):
    for tab in driver.find_elements(By.CSS_SELECTOR, ".widget-tab .lm-TabBar-tab"):
        if tab.text.strip() == title:
            return tab
    raise AssertionError(f"no tab {title!r} on the page")


def _reach_rows(driver, arrow: str) -> list:
    """The <option>s of the reach panel's list whose rows start with ``arrow``
    ("→": what the end reaches, "←": who reaches it)."""
    return [o for o in driver.find_elements(By.CSS_SELECTOR, ".vpcdsl-reach-rows select option")
            if o.text.startswith(arrow)]


def _witness(driver) -> str:
    """The text of the reach panel's witness (its heading and hop table), or ""."""
    return "\n".join(t for t in (e.text for e in driver.find_elements(By.CSS_SELECTOR, ".widget-html"))
                     if t.startswith("witness of"))


def _overlay_titles(driver) -> str:
    return "\n".join(e.get_attribute("textContent") for e in driver.find_elements(
        By.CSS_SELECTOR, ".vpcdsl-diagram-view svg .vpc-trace > title"))


def test_reach_panel_in_jupyterlab(lab, tmp_path):
    driver, wait = _run_explorer(lab, "reach")
    try:
        wait.until(lambda d: "web-1 -> db-1 tcp 5432" in _text(d, ".widget-html")
                   and "ALLOWED" in _text(d, ".widget-html"))
        wait.until(lambda d: _highlighted(d) > 0)
        _tab(driver, "reach").click()
        wait.until(lambda d: "what web-1 can reach: 6 rows" in _text(d, ".widget-html"))

        # An end: web-2 as the source; the panel follows the end picked last.
        Select(_control(driver, "dropdown", "source")).select_by_visible_text("instances › web-2")
        wait.until(lambda d: "what web-2 can reach: 6 rows" in _text(d, ".widget-html")
                   and "who can reach web-2: 1 row" in _text(d, ".widget-html"))
        wait.until(lambda d: len(_reach_rows(d, "→")) == 6 and len(_reach_rows(d, "←")) == 1)
        out = [o.text.split() for o in _reach_rows(driver, "→")]
        assert out[0] == ["→", "db-1", "tcp", "5432", "local", "ALLOWED"]
        assert any(r[:2] == ["→", "internet"] and "nat:nat-a" in r for r in out)
        assert _reach_rows(driver, "←")[0].text.split() == ["←", "web-alb", "tcp", "8080", "local", "ALLOWED"]
        assert _witness(driver) == ""
        # Lists, not drop-downs (a <select> of size 1 is one, and hides a lone row behind a blank).
        assert driver.execute_script(
            "return [...document.querySelectorAll('.vpcdsl-reach-rows select')].map(s => s.size)") == [6, 2]
        driver.save_screenshot(str(tmp_path / "1-reach.png"))

        # A click on "→ internet": its witness (web-2 to an internet address) leaves through
        # the NAT gateway, and is drawn over the drawing instead of the picked flow
        # (web-2 -> db-1, still the verdict above the tabs).
        flow_titles = _overlay_titles(driver)
        assert "web-2 -> db-1 tcp 5432" in flow_titles
        next(o for o in _reach_rows(driver, "→") if o.text.split()[1] == "internet").click()
        wait.until(lambda d: _witness(d).startswith("witness of web-2 → internet"))
        witness = _witness(driver)
        assert witness.splitlines()[0].endswith(": ALLOWED")
        assert "nat:nat-a" in witness and "nat-a translates 10.0.11.4 to 10.0.0.4" in witness
        assert "igw:prod-igw" in witness
        wait.until(lambda d: "web-2 -> 1.0.0.1" in _overlay_titles(d))
        assert "web-2 -> db-1" not in _overlay_titles(driver)
        assert "web-2 -> db-1 tcp 5432: ALLOWED" in _text(driver, ".widget-html")
        driver.save_screenshot(str(tmp_path / "2-witness.png"))

        # A row of the other list, who reaches web-2: the load balancer, on 8080.
        _reach_rows(driver, "←")[0].click()
        wait.until(lambda d: _witness(d).startswith("witness of web-alb → web-2 tcp 8080"))
        witness = _witness(driver)
        assert witness.splitlines()[0].endswith(": ALLOWED") and "instance:web-2" in witness
        assert "nat:nat-a" not in witness
        wait.until(lambda d: "web-2 -> 1.0.0.1" not in _overlay_titles(d) and _highlighted(d) > 0)
        driver.save_screenshot(str(tmp_path / "3-witness-in.png"))

        # No error shown by the widget, none in the page's console.
        assert not driver.find_elements(By.CSS_SELECTOR, ".vpcdsl .error, .jp-OutputArea-output[data-mime-type"
                                                         "='application/vnd.jupyter.stderr']")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
    finally:
        driver.save_screenshot(str(tmp_path / "last.png"))
