"""The browser UI in headless Chromium, against a live web server (scripts/test-ui.sh starts it).

Environment: UI_BASE_URL (the server), UI_API_TOKEN (its MAGE_API_TOKEN, typed into the page's dialog
when the page first changes something), UI_SCREENSHOTS (a folder for a screenshot of each page).
The tests run in order in one browser tab: the pages, a run started from the page, a promotion, a
run cancelled and retried from its page, the pipeline's triggers and Run@once, and a run of an api trigger.
Any browser console error fails the test that caused it.
"""

import json
import os
import re
import unittest
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import (ElementClickInterceptedException, ElementNotInteractableException,
                                        NoSuchElementException, StaleElementReferenceException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE_URL = os.environ["UI_BASE_URL"].rstrip("/")
TOKEN = os.environ["UI_API_TOKEN"]
SCREENSHOTS = os.environ["UI_SCREENSHOTS"]
PIPELINE = "demo_mlops"
BLOCKS = 7
# Generous: the machine is shared, and training runs on two cores.
TIMEOUT = 60
RUN_TIMEOUT = 300
FINISHED = {"completed", "failed", "cancelled"}


def api(path, body=None):
    """GET, or POST `body` as JSON with the server's token."""
    request = urllib.request.Request(BASE_URL + path)
    if body is not None:
        request = urllib.request.Request(BASE_URL + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


class BrowserUITest(unittest.TestCase):
    new_run_id = None
    token_asked = False

    @classmethod
    def setUpClass(cls):
        os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not fetch a browser or a driver
        os.makedirs(SCREENSHOTS, exist_ok=True)
        options = webdriver.ChromeOptions()
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000"):
            options.add_argument(flag)
        options.binary_location = "/usr/bin/chromium"
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        cls.driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
        cls.driver.get(BASE_URL + "/")

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def tearDown(self):
        self.assert_no_console_errors()

    # Helpers

    def wait(self, condition, timeout=TIMEOUT, message=""):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.2,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
            lambda driver: condition(), message)

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def find_all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def screenshot(self, name):
        path = os.path.join(SCREENSHOTS, f"{name}.png")
        self.driver.save_screenshot(path)
        print(f"  screenshot {path}")

    def navigate(self, section):
        self.find(f'nav a[data-section="{section}"]').click()
        self.wait(lambda: self.find(f'nav a[data-section="{section}"]').get_attribute("aria-current") == "page")

    def assert_no_console_errors(self):
        """SEVERE entries fail, except the one refusal (401) that made the page ask for its token."""
        errors = []
        for entry in self.driver.get_log("browser"):
            if entry["level"] != "SEVERE":
                continue
            refusal = "status of 401" in entry["message"]
            if refusal and self.token_asked and not getattr(BrowserUITest, "refusal_seen", False):
                BrowserUITest.refusal_seen = True
                continue
            errors.append(entry["message"])
        self.assertEqual(errors, [], "the browser console has errors")

    def act(self, action):
        """Runs a click that changes state. The server's 401 can open the token dialog while chromedriver
        is still sending the click's events, and it then says the dialog took the click; that, and only
        that, is no failure. (A key press is worse: chromedriver moves the focus back to the field, out of
        the dialog, so actions are clicks.)"""
        try:
            action()
        except (ElementClickInterceptedException, ElementNotInteractableException):
            if self.find("#token-dialog").get_attribute("open") is None:
                raise

    def answer_token_dialog_if_asked(self, done, refusal=lambda: ""):
        """After an action that changes state: the first one is refused (401) and the page asks for the
        token once; it is typed in, and the action goes on. Waits until the dialog or `done()`; stops at
        once when the page shows `refusal()`, the server's reason for refusing the action."""
        self.wait(lambda: self.find("#token-dialog").get_attribute("open") is not None or done() or refusal(),
                  message="neither the token dialog nor the action's result appeared")
        self.assertEqual(refusal(), "", "the server refused the action")
        if self.find("#token-dialog").get_attribute("open") is not None:
            self.assertFalse(BrowserUITest.token_asked, "the page asked for the token a second time")
            BrowserUITest.token_asked = True
            focused = lambda: self.driver.execute_script("return document.activeElement && document.activeElement.id")
            self.wait(lambda: focused() == "token-input", message="the token field has the focus")
            self.find("#token-input").send_keys(TOKEN, Keys.ENTER)
            self.wait(lambda: self.find("#token-dialog").get_attribute("open") is None)
        self.wait(lambda: done() or refusal(), message="the action did not complete")
        self.assertEqual(refusal(), "", "the server refused the action")

    def start_run(self):
        """Presses Start run in the open Run form; returns the id of the run whose page opens."""
        self.act(self.find("#start-run").click)
        on_run_page = lambda: re.fullmatch(r"#/runs/(\d+)", self.driver.execute_script("return location.hash")) is not None
        form_error = lambda: "" if on_run_page() else self.find(".run-form p.error").text
        self.answer_token_dialog_if_asked(on_run_page, form_error)
        return int(self.driver.execute_script("return location.hash").split("/")[-1])

    def run_rows(self):
        return {row.get_attribute("data-block"): row.get_attribute("data-status") for row in self.find_all("#block-runs tbody tr")}

    # The tests, in order

    def test_1_every_page_shows_the_project(self):
        self.navigate("pipelines")
        link = self.wait(lambda: self.find(f'#pipelines a[href="#/pipelines/{PIPELINE}"]'))
        self.screenshot("1-pipelines")
        link.click()
        self.wait(lambda: len(self.find_all("svg.graph g.node")) == BLOCKS, message="the DAG has every block")
        nodes = {node.get_attribute("data-id"): node for node in self.find_all("svg.graph g.node")}
        self.assertTrue(all("status-completed" in node.get_attribute("class") for node in nodes.values()),
                        "blocks are coloured by the last run, which completed")
        self.assertEqual(len(self.find_all("svg.graph path.edge")), 6)  # a chain of five, then deployment feeds two
        # Layers by longest path: training is right of preprocessing, the two lineage exporters share a column.
        x = {uuid: float(re.search(r"translate\(([\d.]+)", node.get_attribute("transform")).group(1)) for uuid, node in nodes.items()}
        self.assertLess(x["preprocessing"], x["training"])
        self.assertEqual(x["openlineage"], x["lineage_graph"])
        nodes["training"].click()
        self.wait(lambda: "churn_random_forest" in self.find("#block-details").text)
        self.assertIn("n_estimators", self.find("#block-details").text)
        nodes["registry"].send_keys(Keys.ENTER)  # the blocks are buttons for the keyboard too
        self.wait(lambda: "model_registry" in self.find("#block-details").text)
        self.wait(lambda: len(self.find_all("#pipeline-runs tbody tr")) >= 1)
        self.screenshot("2-pipeline")

        self.find("#pipeline-runs tbody tr a").click()
        self.wait(lambda: len(self.run_rows()) == BLOCKS and set(self.run_rows().values()) == {"completed"})
        self.wait(lambda: len(self.find_all("#run-timeline svg rect.bar")) == BLOCKS, message="a timeline bar per block")
        self.wait(lambda: len(self.find_all("#block-log .line")) > 0, message="the shown block's log is replayed")
        self.wait(lambda: "ended" in self.find("#log-state").text)
        self.assertFalse(self.find("#cancel-run").is_displayed())
        self.assertFalse(self.find("#retry-run").is_displayed())
        self.screenshot("3-run")

        self.navigate("models")
        self.wait(lambda: len(self.find_all("#model-versions tbody tr")) >= 1)
        versions = len(self.find_all("#model-versions tbody tr"))
        self.wait(lambda: len(self.find_all("#metric-chart svg circle")) == versions, message="a point per version")
        self.wait(lambda: len(self.find_all("#feature-importance svg rect.bar")) > 0, message="feature importance bars")
        self.wait(lambda: len(self.find_all("#lineage svg g.node")) >= 4, message="data, run, model, deployment")
        self.assertEqual(len(self.find_all('#model-versions tr[data-latest="true"]')), 1)
        self.screenshot("4-models")

        self.navigate("datasets")
        self.wait(lambda: len(self.find_all("#datasets tbody tr")) >= 1)
        self.screenshot("5-datasets")

        self.navigate("plugins")
        self.wait(lambda: "churn_random_forest" in self.find("main").text)
        self.assertIn("Refused libraries", self.find("main").text)
        self.screenshot("6-plugins")

    def test_2_a_run_started_from_the_page_is_followed_live(self):
        before = api(f"/api/pipeline_runs?pipeline_uuid={PIPELINE}&_limit=1")["pipeline_runs"]
        newest_before = before[0]["id"] if before else 0
        self.navigate("pipelines")
        self.wait(lambda: self.find(f'#pipelines a[href="#/pipelines/{PIPELINE}"]')).click()
        self.wait(lambda: self.find("#run-pipeline").is_enabled())
        self.find("#run-pipeline").click()
        rows = self.wait(lambda: self.find('.run-form input[name="rows"]'))
        self.assertEqual(rows.get_attribute("value"), "1000", "the form holds the pipeline's default")
        self.assertEqual(self.find(f'label[for="{rows.get_attribute("id")}"]').text, "rows")
        # More rows than the default, so the run lasts long enough to watch.
        rows.clear()
        rows.send_keys("20000")
        self.screenshot("7-run-form")
        self.find("#start-run").click()

        run_id = self.start_run()
        self.assertGreater(run_id, newest_before, "the page opened the run it started")
        BrowserUITest.new_run_id = run_id

        seen = {"live_statuses": set(), "live_log": False}

        def finished():
            status = self.find("#run-status .badge").get_attribute("data-status")
            lines = len(self.find_all("#block-log .line"))
            if status not in FINISHED:
                seen["live_statuses"].update(self.run_rows().values())
                if lines > 0 and "running" in self.find("#log-state").text:
                    seen["live_log"] = True
                    if not os.path.exists(os.path.join(SCREENSHOTS, "8-run-live.png")):
                        self.screenshot("8-run-live")
            return status in FINISHED

        self.wait(finished, timeout=RUN_TIMEOUT, message="the run did not finish")
        self.assertEqual(self.find("#run-status .badge").get_attribute("data-status"), "completed")
        self.wait(lambda: set(self.run_rows().values()) == {"completed"} and len(self.run_rows()) == BLOCKS)
        self.assertTrue(seen["live_statuses"] & {"initial", "queued", "running"},
                        f"the page showed the blocks before they completed (saw {seen['live_statuses']})")
        self.assertTrue(seen["live_log"], "a log line arrived while its block was running")
        self.assertFalse(self.find("#cancel-run").is_displayed())
        self.assertEqual(self.variables_of(run_id), {"rows": 20000, "seed": 42})
        self.screenshot("9-run-completed")

    def variables_of(self, run_id):
        return api(f"/api/pipeline_runs/{run_id}")["pipeline_run"]["variables"]

    def test_3_the_previous_model_version_is_promoted(self):
        self.navigate("models")
        self.wait(lambda: len(self.find_all("#model-versions tbody tr")) >= 2, message="two model versions to choose from")
        rows = self.find_all("#model-versions tbody tr")
        newest, previous = rows[0].get_attribute("data-version"), rows[1].get_attribute("data-version")
        if BrowserUITest.new_run_id is not None:
            self.assertIn(f"run {BrowserUITest.new_run_id}", rows[0].text, "the newest version is the run's")
            self.assertEqual(rows[0].get_attribute("data-latest"), "true", "the run's deployment made it latest")
        self.act(self.find(f'#model-versions tr[data-version="{previous}"] button.promote').click)

        def promoted():
            row = self.find(f'#model-versions tr[data-version="{previous}"]')
            return row.get_attribute("data-latest") == "true" and self.find("#latest-version").text == previous

        self.answer_token_dialog_if_asked(promoted, lambda: self.find("#notice").text)
        self.assertEqual(self.find(f'#model-versions tr[data-version="{newest}"]').get_attribute("data-latest"), "false")
        latest = [model["version"] for model in api("/api/models?_limit=100")["models"] if model["latest"]]
        self.assertEqual(latest, [previous], "the server's latest.json names the promoted version")
        self.screenshot("10-models-promoted")

    def test_4_a_cancelled_run_is_retried_from_its_page(self):
        self.navigate("pipelines")
        self.wait(lambda: self.find(f'#pipelines a[href="#/pipelines/{PIPELINE}"]')).click()
        self.wait(lambda: self.find("#run-pipeline").is_enabled())
        self.find("#run-pipeline").click()
        rows = self.wait(lambda: self.find('.run-form input[name="rows"]'))
        rows.clear()
        rows.send_keys("20000")
        self.start_run()
        self.wait(lambda: "running" in self.run_rows().values(), message="a block runs")
        self.wait(lambda: self.find("#cancel-run").is_displayed())
        self.find("#cancel-run").click()
        status = lambda: self.find("#run-status .badge").get_attribute("data-status")
        self.wait(lambda: status() == "cancelled" or self.find("#notice").text, timeout=RUN_TIMEOUT, message="the run was not cancelled")
        self.assertEqual(self.find("#notice").text, "", "the server refused the cancel")
        self.assertEqual(status(), "cancelled")
        self.assertFalse(self.find("#cancel-run").is_displayed())
        self.assertIn("cancelled", self.run_rows().values())
        self.screenshot("11-run-cancelled")

        self.wait(lambda: self.find("#retry-run").is_displayed())
        self.find("#retry-run").click()
        self.wait(lambda: status() not in FINISHED or self.find("#notice").text, message="the retry did not start")
        self.assertEqual(self.find("#notice").text, "", "the server refused the retry")
        self.wait(lambda: status() in FINISHED, timeout=RUN_TIMEOUT, message="the retried run did not finish")
        self.assertEqual(status(), "completed")
        self.wait(lambda: set(self.run_rows().values()) == {"completed"})
        self.screenshot("12-run-retried")

    def trigger_rows(self):
        return {row.get_attribute("data-trigger"): row for row in self.find_all("#triggers tbody tr")}

    def test_5_the_pipeline_lists_its_triggers_and_run_once_makes_one(self):
        # scripts/test-ui.sh wrote demo_mlops/triggers.yaml and synced it into the store (mage triggers sync).
        self.navigate("pipelines")
        self.wait(lambda: self.find(f'#pipelines a[href="#/pipelines/{PIPELINE}"]')).click()
        self.wait(lambda: {"nightly", "webhook"} <= set(self.trigger_rows()), message="the triggers are listed")
        rows = self.trigger_rows()
        nightly = rows["nightly"].text
        self.assertIn("0 2 * * *", nightly)
        self.assertIn("inactive", nightly)
        self.assertIn("by request", rows["webhook"].text)
        self.assertIn("triggers.yaml", nightly, "its origin is the file")
        self.screenshot("13-pipeline-triggers")

        before = set(self.trigger_rows())
        self.act(self.find("#run-once").click)
        made = lambda: [name for name in self.trigger_rows() if name not in before and name.startswith("run_once_")]
        self.answer_token_dialog_if_asked(lambda: bool(made()),
                                          lambda: self.find("#trigger-note").text if "error" in self.find("#trigger-note").get_attribute("class") else "")
        row = self.trigger_rows()[made()[0]]
        self.assertEqual(row.get_attribute("data-status"), "active")
        self.assertIn("@once", row.text)
        self.assertIn("within a second", self.find("#trigger-note").text)
        self.screenshot("14-run-once-trigger")

        # Enable and disable from the list.
        name = made()[0]
        self.act(self.trigger_rows()[name].find_element(By.CSS_SELECTOR, 'button[data-action="toggle"]').click)
        self.wait(lambda: self.trigger_rows()[name].get_attribute("data-status") == "inactive", message="the trigger was not disabled")

    def test_6_a_run_of_an_api_trigger_names_its_trigger(self):
        made = api(f"/api/pipelines/{PIPELINE}/pipeline_schedules",
                   {"pipeline_schedule": {"name": "ui_hook", "schedule_type": "api", "status": "active"}})["pipeline_schedule"]
        request = urllib.request.Request(f"{BASE_URL}/api/pipeline_schedules/{made['id']}/api_trigger", data=b"", method="POST",
                                         headers={"Authorization": f"Bearer {made['token']}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            run = json.load(response)["pipeline_run"]
        self.assertEqual(run["pipeline_schedule_id"], made["id"])
        self.driver.execute_script(f"location.hash = '#/runs/{run['id']}'")
        self.wait(lambda: self.find("#run-trigger-link").text == "ui_hook", message="the run page names its trigger")
        self.assertIn("asked through its API", self.find("#run-trigger").text)
        self.screenshot("15-run-of-a-trigger")
        status = lambda: self.find("#run-status .badge").get_attribute("data-status")
        if status() not in FINISHED:
            self.wait(lambda: self.find("#cancel-run").is_displayed())
            self.find("#cancel-run").click()
        self.wait(lambda: status() in FINISHED, timeout=RUN_TIMEOUT, message="the run did not finish")


if __name__ == "__main__":
    unittest.main(verbosity=2)
