"""The webhooks service's 0.1 s ticks start a worker only when there is work: an idle
platform is not 20 workers a second of webhooks (dependencies, context, hooks each)."""
from nameko.extensions import DependencyProvider

from services.common.testing import wait_for
from services.webhooks.service import tick


class Switch(DependencyProvider):
    """Due when switched on; counts how often it was asked."""
    on = False
    asked = 0

    def due(self):
        Switch.asked += 1
        return Switch.on

    def get_dependency(self, worker_ctx):
        return self


RUNS = []


class Ticking:
    name = "ticking"
    switch = Switch()

    @tick(interval=0.02, of=Switch)
    def work(self):
        RUNS.append(self.switch.on)


def test_a_tick_starts_a_worker_only_when_its_dependency_is_due(
        rabbit_config, container_factory):
    Switch.on, Switch.asked = False, 0
    RUNS.clear()
    container = container_factory(Ticking, rabbit_config)
    container.start()
    wait_for(lambda: Switch.asked >= 10, timeout=5, what="ten ticks")
    assert RUNS == []  # asked ten times, no worker
    Switch.on = True
    wait_for(lambda: len(RUNS) >= 3, timeout=5, what="workers once due")
    assert set(RUNS) == {True}
