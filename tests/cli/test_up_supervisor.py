"""`studio up`'s supervisor as a unit, with fake children and a fake clock: a child that stops by
itself is started again after a pause, a few times; one that keeps stopping is given up on and
`up` stops with its exit code. (tests/cli/test_up.py runs the real thing.)"""

from __future__ import annotations

from studio.cli.up import Supervisor


class FakeChild:
    def __init__(self, command: list[str]):
        self.command = command
        self.code: int | None = None
        self.stopped = False

    def poll(self) -> int | None:
        return self.code

    def terminate(self) -> None:
        self.stopped = True
        self.code = -15 if self.code is None else self.code

    def kill(self) -> None:
        self.terminate()

    def wait(self, timeout: float | None = None) -> int:
        return self.code or 0


class World:
    def __init__(self) -> None:
        self.now = 1000.0
        self.started: list[FakeChild] = []
        self.lines: list[str] = []

    def start(self, command: list[str]) -> FakeChild:
        child = FakeChild(command)
        self.started.append(child)
        return child

    def supervisor(self, **options: float) -> Supervisor:
        commands = {"UI": ["ui"], "API": ["api"], "worker": ["worker"]}
        return Supervisor(commands, self.start, self.lines.append, clock=lambda: self.now,
                          **options)  # type: ignore[arg-type]  # fmt: skip


def test_a_child_that_stops_is_started_again_after_a_pause() -> None:
    world = World()
    supervisor = world.supervisor(pause=1.0)
    assert len(world.started) == 3 and supervisor.watch() is None
    first_worker = supervisor.children["worker"]
    first_worker.code = 1  # type: ignore[attr-defined]
    assert supervisor.watch() is None
    assert world.lines[-1] == ("the worker stopped by itself (exit 1); starting it again in 1 s "
                               "(restart 1 of 5 allowed within 10 minutes)")  # fmt: skip
    world.now += 0.5
    assert supervisor.watch() is None and len(world.started) == 3  # still pausing
    world.now += 0.6
    assert supervisor.watch() is None
    assert len(world.started) == 4 and world.started[-1].command == ["worker"]
    assert supervisor.children["worker"] is world.started[-1]
    assert world.lines[-1] == "the worker was started again"
    assert not any(child.stopped for child in world.started)  # the others were left running


def test_a_child_that_keeps_stopping_is_given_up_on_and_the_others_stopped() -> None:
    world = World()
    supervisor = world.supervisor(pause=1.0, limit=5, window=600)
    for _ in range(5):
        supervisor.children["API"].code = -9  # type: ignore[attr-defined]
        assert supervisor.watch() is None
        world.now += 1.0
        assert supervisor.watch() is None  # started again
        world.now += 10
    supervisor.children["API"].code = -9  # type: ignore[attr-defined]
    assert supervisor.watch() == -9
    assert world.lines[-1] == ("the API stopped by itself (exit -9) again, after 5 restart(s) "
                               "within 10 minutes; giving up: stopping the others")  # fmt: skip
    supervisor.stop_all()
    assert supervisor.children["UI"].stopped and supervisor.children["worker"].stopped  # type: ignore[attr-defined]


def test_restarts_long_ago_do_not_count_against_a_child() -> None:
    world = World()
    supervisor = world.supervisor(pause=0.0, limit=2, window=600)
    for _ in range(6):  # one stop every 301 s: never more than 2 within 10 minutes
        supervisor.children["worker"].code = 0  # type: ignore[attr-defined]
        assert supervisor.watch() is None  # noticed (exit 0 is still a stop by itself)
        assert supervisor.watch() is None  # started again
        world.now += 301
    assert len(world.started) == 3 + 6


def test_an_exit_code_of_zero_still_stops_up_with_1_when_given_up() -> None:
    world = World()
    supervisor = world.supervisor(limit=0)
    supervisor.children["UI"].code = 0  # type: ignore[attr-defined]
    assert supervisor.watch() == 1
