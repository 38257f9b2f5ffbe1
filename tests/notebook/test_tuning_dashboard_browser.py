"""TuningDashboard's front end in headless Chromium with a mock model (recipe Path C).

State comes from real studies; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import optuna
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails in CI and skips elsewhere
    expect = None

from jupytorch.notebook._tuning_dashboard import TuningDashboard

optuna.logging.set_verbosity(optuna.logging.WARNING)
EVIL = "<img src=x onerror=alert(1)>"


def study(n: int = 40, evil: bool = False) -> optuna.Study:
    name = EVIL if evil else "lr"

    def objective(trial):
        lr = trial.suggest_float(name, 1e-4, 1e-1, log=True)
        opt = trial.suggest_categorical("opt", ["adam", EVIL if evil else "sgd"])
        layers = trial.suggest_int("layers", 1, 4)
        trial.set_user_attr("internal_epochs", layers * 3)
        for step in range(6):
            trial.report(lr * 10 * (6 - step) + layers * 0.1, step)
            if trial.number % 5 == 4 and step == 3:
                raise optuna.TrialPruned()
        return lr * 10 + (opt == "adam") * 0.3 + layers * 0.1

    s = optuna.create_study(study_name="tune_mlp", sampler=optuna.samplers.RandomSampler(seed=0))
    s.optimize(objective, n_trials=n)
    return s


def tab(page, name: str) -> None:
    page.locator(f'.jt-td-tab[data-tab="{name}"]').click()
    expect(page.locator(".jt-td-body")).to_have_attribute("data-tab", name)


def test_tabs_draw_history_table_parallel_slice_intermediate(page, mount, artifacts):
    dash = TuningDashboard(study())
    mount(dash)
    expect(page.locator(".jt-td-title")).to_have_text("Study tune_mlp")
    assert page.locator(".jt-td-counts").inner_text().startswith("40 trials (32 complete, 8 pruned)")
    assert page.locator(".jt-td-best").inner_text().startswith(f"best: trial {dash.best['number']}, value = ")
    assert page.locator(".jt-td-dot").count() == 32 and page.locator(".jt-td-best-line").count() == 1
    assert page.locator('.jt-td-tab[data-tab="pareto"]').count() == 0  # one objective
    page.locator(".jt-td").screenshot(path=str(artifacts / "dashboard_history.png"))

    tab(page, "trials")
    rows = page.locator(".jt-td-table tr")
    expect(rows).to_have_count(41)
    headers = page.locator(".jt-td-table th").all_inner_texts()
    assert headers == ["#", "state", "value", "runtime", "lr", "opt", "layers", "internal_epochs"]
    page.locator('.jt-td-table th[data-column="value0"]').click()  # sort by value, ascending
    values = [float(v) for v in page.locator(".jt-td-table tr td:nth-child(3)").all_inner_texts()]
    assert values == sorted(values)
    page.locator('.jt-td-table th[data-column="value0"]').click()  # descending
    first = page.locator(".jt-td-table tr").nth(1).locator("td").nth(2).inner_text()
    assert float(first) == max(values)
    page.locator(".jt-td-filter").fill("pruned")
    expect(rows).to_have_count(9)
    page.locator(".jt-td-filter").fill("complete opt=adam")
    assert all(r == "complete" for r in page.locator(".jt-td-table tr td:nth-child(2)").all_inner_texts())
    page.locator(".jt-td").screenshot(path=str(artifacts / "dashboard_table.png"))

    tab(page, "parallel")
    assert page.locator(".jt-td-pc-line").count() == 32 and page.locator(".jt-td-pc-axis").count() == 4
    tab(page, "slice")
    page.locator(".jt-td-slice-param").select_option("opt")
    assert page.locator(".jt-td-dot").count() == 32
    tab(page, "intermediate")
    assert page.locator(".jt-td-iv-pruned").count() == 8 and page.locator(".jt-td-pruned-mark").count() == 8
    page.locator(".jt-td").screenshot(path=str(artifacts / "dashboard_intermediate.png"))
    assert [s.get("tab") for s in page.evaluate("window.__saved")] == ["trials", "parallel", "slice", "intermediate"]
    assert page.evaluate("window.__errors") == []


def test_stop_live_and_importance(page, mount):
    dash = TuningDashboard(study(20))
    dash.tab = "importance"
    mount(dash)
    expect(page.locator(".jt-td-imp-row")).to_have_count(3)
    assert page.locator(".jt-td-imp-name").first.inner_text() in {"lr", "opt", "layers"}
    page.locator(".jt-td-live-box").check()
    page.locator(".jt-td-stop").click()
    expect(page.locator(".jt-td-stop")).to_be_disabled()
    assert page.evaluate("window.__saved") == [{"live": True}, {"stop_requested": True}]


def test_pareto_front_for_two_objectives(page, mount, artifacts):
    s = optuna.create_study(directions=["minimize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=2))
    with pytest.warns(optuna.exceptions.ExperimentalWarning):
        s.set_metric_names(["error", "latency"])
    s.optimize(lambda t: (t.suggest_float("x", 0, 1), (1 - t.params["x"]) ** 2 + t.suggest_float("y", 0, 0.3)), n_trials=30)
    dash = TuningDashboard(s)
    mount(dash)
    tab(page, "pareto")
    assert page.locator(".jt-td-front").count() == len(s.best_trials)
    assert page.locator(".jt-td-dominated").count() == 30 - len(s.best_trials)
    page.locator(".jt-td").screenshot(path=str(artifacts / "dashboard_pareto.png"))


def test_hostile_names_stay_text(page, mount):
    dash = TuningDashboard(study(10, evil=True))
    mount(dash)
    for name in ("trials", "parallel", "slice", "importance"):
        tab(page, name)
    tab(page, "trials")
    assert EVIL in page.locator(".jt-td-table th").all_inner_texts()
    page.wait_for_timeout(100)
    assert page.evaluate("window.__dialogs") == 0 and page.evaluate("window.__errors") == []
    assert page.locator("img").count() == 0


def test_five_hundred_trials_render_and_sort_quickly(page, mount):
    dash = TuningDashboard(study(500))
    mount(dash)
    tab(page, "trials")
    expect(page.locator(".jt-td-table tr")).to_have_count(101)  # 100 rows a page
    took = page.evaluate("""() => { const t = performance.now();
        document.querySelector('.jt-td-table th[data-column="param:lr"]').click();
        return performance.now() - t; }""")
    print(f"sorting 500 trials took {took:.1f} ms")
    tab(page, "parallel")
    assert page.locator(".jt-td-pc-line").count() == 400
