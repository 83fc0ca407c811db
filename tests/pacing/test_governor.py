"""The frame-cost governor's choices, driven by a fake cost source (a GPU whose frame costs
follow a formula, since no GPU runs here) and injected time: scale, cadence, dropping,
learning, late samples, and its report."""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field

import pytest

from slideshow.pacing import cost_cache
from slideshow.pacing import governor as governor_module
from slideshow.pacing.fake_time import FakeTime
from slideshow.pacing.governor import (
    DROP_AFTER,
    MAX_CADENCE,
    MAX_HOLD,
    STILL,
    UNSURE_SAMPLES,
    UPLOAD_STEP,
    CostModel,
    FrameGovernor,
    FramePlan,
    GovernorSettings,
)

PERIOD_S = 1 / 60


@dataclass
class FakeGpuCosts:
    """A fake cost source: what a frame costs on an imaginary GPU, in ms, from a formula
    the governor does not know (the still frames, the upscale and each motion at full
    size), handed back `delay` frames late as GL timer queries are."""

    still_ms: float = 2.0
    upscale_ms: float = 3.0
    motions: dict[str, float] = field(default_factory=dict)
    delay: int = 0
    pending: deque = field(default_factory=deque)
    #: Every `spike_every`-th frame (0: none) costs `spike` times as much: a busy machine.
    spike_every: int = 0
    spike: float = 1.0

    def cost_ms(self, plan: FramePlan) -> float:
        factor = self.spike if self.spike_every and plan.frame % self.spike_every == 0 else 1.0
        if plan.motion == STILL:
            return self.still_ms * factor
        scaled = self.upscale_ms if plan.scale < 1.0 else 0.0
        return (self.still_ms + scaled + plan.scale ** 2 * self.motions[plan.motion]) * factor

    def run(self, governor: FrameGovernor, motions: list[str], first_frame: int = 0
            ) -> list[FramePlan]:
        """Plans and 'draws' one frame per entry of `motions`; returns the plans."""
        plans = []
        for frame, motion in enumerate(motions, start=first_frame):
            plan = governor.plan(frame, motion)
            plans.append(plan)
            self.pending.append((frame, self.cost_ms(plan)))
            while len(self.pending) > self.delay:
                governor.observe(*self.pending.popleft())
        return plans


def governor_for(costs: FakeGpuCosts, **settings) -> FrameGovernor:
    """A governor as a display builds one: the upscale timed at start (here: known)."""
    drops: list[tuple[str, float, float]] = []
    governor = FrameGovernor(PERIOD_S, GovernorSettings(**settings),
                             CostModel(upscale_ms=costs.upscale_ms), size=(1280, 720),
                             on_drop=lambda *drop: drops.append(drop), now=FakeTime().now)
    governor.drops = drops  # type: ignore[attr-defined]
    return governor


def test_a_still_photo_is_always_drawn_at_full_size_and_at_full_rate_where_it_fits():
    costs = FakeGpuCosts(still_ms=4.0)
    plans = costs.run(governor_for(costs), [STILL] * 30)
    assert {(plan.scale, plan.cadence) for plan in plans} == {(1.0, 1)}
    dear = FakeGpuCosts(still_ms=40.0)  # a still frame that fits no period: still full size
    plans = dear.run(governor_for(dear), [STILL] * 30)
    assert {plan.scale for plan in plans} == {1.0} and plans[-1].cadence == MAX_CADENCE


def test_slack_work_that_ate_the_budget_makes_the_next_still_frame_a_planned_repeat():
    costs = FakeGpuCosts()
    governor = governor_for(costs)
    costs.run(governor, [STILL] * 10)
    # 12 ms went to making a transition ready after the last swap: 12 + 2 > 13.2 ms.
    late = governor.plan(10, STILL, spent_ms=12.0)
    assert (late.scale, late.cadence) == (1.0, 2)
    assert governor.plan(11, STILL, spent_ms=0.2).cadence == 1


def test_a_photo_upload_step_is_learned_apart_and_its_frame_held_by_plan_where_it_will_not_fit():
    # A still frame costs 4 ms; one carrying an upload step 4 + 12 ms (budget 13.2).
    costs = FakeGpuCosts(still_ms=4.0, motions={UPLOAD_STEP: 12.0, "wipe": 6.0})
    governor = governor_for(costs)
    photo_change = [STILL] * 20 + [UPLOAD_STEP] * 3 + [STILL] * 20
    costs.run(governor, photo_change * 3)  # three photos' uploads: learnt
    plans = costs.run(governor, photo_change + ["wipe"] * 10, first_frame=1000)
    steps = [plan for plan in plans if plan.motion == UPLOAD_STEP]
    stills = [plan for plan in plans if plan.motion == STILL]
    assert [(plan.scale, plan.cadence) for plan in steps] == [(1.0, 2)] * 3  # by plan
    assert {(plan.scale, plan.cadence) for plan in stills} == {(1.0, 1)}  # not dearer
    assert governor.model.still_ms == pytest.approx(4.0, abs=0.5)
    assert plans[43].first  # the transition after them starts as a first frame
    dear = FakeGpuCosts(still_ms=4.0, motions={UPLOAD_STEP: 60.0})  # 64 ms: 5 vsyncs
    governor = governor_for(dear)
    plans = dear.run(governor, photo_change * 4)
    last_steps = [plan for plan in plans[-43:] if plan.motion == UPLOAD_STEP]
    assert {plan.cadence for plan in last_steps} == {5} and MAX_HOLD > MAX_CADENCE  # held
    assert governor.drops == [] and governor.summary()["dropped_transitions"] == []  # never


def late_frames(costs: FakeGpuCosts, plans: list[FramePlan]) -> list[FramePlan]:
    """Moving frames that cost more than their slot: vsyncs missed by surprise."""
    return [plan for plan in plans if plan.motion != STILL
            and costs.cost_ms(plan) > plan.cadence * PERIOD_S * 1e3 - 1.0]


def test_frames_that_now_and_then_cost_more_than_predicted_widen_the_room_a_budget_leaves(
        monkeypatch):
    show = ([STILL] * 5 + ["ripple"] * 60) * 16
    quiet = FakeGpuCosts(motions={"ripple": 30.0})
    quiet_governor = governor_for(quiet)
    quiet_plans = quiet.run(quiet_governor, show)
    busy = FakeGpuCosts(motions={"ripple": 30.0}, spike_every=25, spike=1.4)
    busy_governor = governor_for(busy)
    busy_plans = busy.run(busy_governor, show)
    # The peer: the same busy machine, the room fixed at HEADROOM (nothing learnt).
    monkeypatch.setattr(governor_module, "SPREAD_MIN_SAMPLES", len(show) + 1)
    fixed = FakeGpuCosts(motions={"ripple": 30.0}, spike_every=25, spike=1.4)
    fixed_plans = fixed.run(governor_for(fixed), show)

    assert quiet_governor.model.spread == pytest.approx(1 / 0.85)  # nothing to learn: HEADROOM
    assert 1.2 <= busy_governor.model.spread <= 1.4  # (the estimates themselves rise after a spike)
    assert busy_governor.model.to_dict()["spread"] == round(busy_governor.model.spread, 4)
    assert busy_governor.summary()["cost_spread"] == round(busy_governor.model.spread, 3)
    # Once learnt, no spike misses its slot any more (a slower cadence or a smaller scale
    # than the quiet machine's pays for it), where the fixed room missed again and again.
    late, late_fixed = late_frames(busy, busy_plans[-520:]), late_frames(fixed, fixed_plans[-520:])
    assert late == [] and len(late_fixed) >= 5
    assert late_frames(quiet, quiet_plans[-520:]) == []


def test_a_known_motions_first_frame_gets_the_extra_time_first_frames_take():
    costs = FakeGpuCosts(motions={"wipe": 8.0})  # 10 ms: one period at full size
    governor = governor_for(costs)
    costs.run(governor, [STILL] * 3 + ["wipe"] * 20 + [STILL] * 3)  # known now
    for start in (30, 60, 90):  # its first frames cost 12 ms more, on this fake GPU
        first = governor.plan(start, "wipe")
        governor.observe(start, costs.cost_ms(first) + 12.0)
        costs.run(governor, ["wipe"] * 10 + [STILL] * 3, first_frame=start + 1)
    first = governor.plan(200, "wipe")
    assert first.first and first.cadence == 2  # the still before it stays a vsync longer
    assert first.predicted_ms >= costs.cost_ms(first) + 12.0 * 0.8
    assert governor.plan(201, "wipe").cadence == 1  # then every vsync, as before


def test_a_cheap_transition_is_drawn_at_full_size_every_vsync_once_known():
    costs = FakeGpuCosts(motions={"cheap": 5.0})
    governor = governor_for(costs)
    plans = costs.run(governor, [STILL] * 10 + ["cheap"] * 30)
    moving = plans[10:]
    assert moving[0].scale < 1.0  # unknown: it starts low ...
    assert all(plan.scale == 1.0 and plan.cadence == 1 for plan in moving[6:])  # ... and rises
    assert [plan.scale for plan in moving] == sorted(plan.scale for plan in moving)


def test_a_transition_too_dear_for_a_period_is_scaled_to_fit_it():
    costs = FakeGpuCosts(motions={"ripple": 30.0})  # 32 ms at full size, the budget is 13.2
    governor = governor_for(costs)
    plans = costs.run(governor, [STILL] * 10 + ["ripple"] * 60)
    settled = plans[30:]
    assert {plan.cadence for plan in settled} == {1}
    budget_ms = governor.budget_ms(1)
    for plan in settled:
        assert 0.5 <= plan.scale < 1.0
        assert costs.cost_ms(plan) <= budget_ms  # it really fits
    # And it is the largest scale that fits, to within a step of 1/32.
    scale = settled[-1].scale
    assert costs.cost_ms(FramePlan(0, "ripple", scale + 2 / 32, 1, 0.0)) > budget_ms * 0.95
    # Only while it was unsure (its first samples) did it run slower, to be safe.
    assert governor.frames_scaled == 60 and governor.frames_reduced_cadence <= UNSURE_SAMPLES


def test_what_fits_no_scale_runs_at_a_steady_half_rate_and_the_still_after_it_at_full_rate():
    costs = FakeGpuCosts(motions={"burn": 60.0})  # at scale 0.5: 2 + 3 + 15 = 20 ms > 13.2
    governor = governor_for(costs)
    costs.run(governor, [STILL] * 5 + ["burn"] * 40 + [STILL] * 5)  # learns it
    plans = costs.run(governor, ["burn"] * 40 + [STILL] * 5, first_frame=50)
    assert [plan.cadence for plan in plans[:40]] == [2] * 40  # steady, from its first frame
    assert all(costs.cost_ms(plan) <= governor.budget_ms(2) for plan in plans[:40])
    assert [(plan.scale, plan.cadence) for plan in plans[40:]] == [(1.0, 1)] * 5


def test_a_transition_that_fits_no_way_is_reported_once_with_its_cost_and_scale():
    costs = FakeGpuCosts(motions={"monster": 400.0, "fine": 4.0})
    governor = governor_for(costs)
    plans = costs.run(governor, (["monster"] * 20 + [STILL] * 3) * 2 + ["fine"] * 20)
    assert {plan.cadence for plan in plans[1:20]} == {MAX_CADENCE}  # from its first sample on
    assert len(governor.drops) == 1
    name, cost_ms, scale = governor.drops[0]
    assert name == "monster" and scale == 0.5 and cost_ms > governor.budget_ms(MAX_CADENCE)
    assert governor.summary()["dropped_transitions"] == ["monster"]
    assert list(governor.describe_drops()) == [
        f"monster ({cost_ms:.1f} ms at scale 0.50, 1280x720)"]


def test_with_governor_drop_off_the_transition_stays_at_its_best_cadence_and_is_not_dropped():
    costs = FakeGpuCosts(motions={"monster": 400.0})
    governor = governor_for(costs, drop=False)
    plans = costs.run(governor, ["monster"] * 40)
    assert governor.summary()["dropped_transitions"] == []
    assert governor.drops and governor.drops[0][0] == "monster"  # told, to log it
    assert {plan.cadence for plan in plans[10:]} == {MAX_CADENCE}


def test_cadence_full_never_slows_down_and_scales_to_the_minimum_instead():
    costs = FakeGpuCosts(motions={"burn": 60.0})
    plans = costs.run(governor_for(costs, steady_cadence=False), ["burn"] * 40)
    assert {plan.cadence for plan in plans} == {1}
    assert {plan.scale for plan in plans[5:]} == {0.5}


def test_the_minimum_scale_is_honoured():
    costs = FakeGpuCosts(motions={"ripple": 30.0})
    plans = costs.run(governor_for(costs, min_scale=0.75), ["ripple"] * 40)
    assert min(plan.scale for plan in plans) >= 0.75
    # 0.75 does not fit one period: at half rate it is drawn as large as two allow.
    assert {plan.cadence for plan in plans[10:]} == {2}
    assert 0.75 < plans[-1].scale < 1.0


def test_off_plans_every_frame_at_full_size_and_rate():
    costs = FakeGpuCosts(motions={"burn": 60.0})
    governor = governor_for(costs, enabled=False)
    plans = costs.run(governor, ["burn"] * 30)
    assert {(plan.scale, plan.cadence) for plan in plans} == {(1.0, 1)}
    assert governor.summary()["mode"] == "off" and governor.frames_scaled == 0


def test_samples_that_come_back_frames_later_are_matched_to_their_own_frames():
    late = FakeGpuCosts(motions={"ripple": 30.0}, delay=2)
    on_time = FakeGpuCosts(motions={"ripple": 30.0})
    script = [STILL] * 10 + ["ripple"] * 60
    plans_late = late.run(governor_for(late), script)
    plans_on_time = on_time.run(governor_for(on_time), script)
    assert plans_late[-1].scale == plans_on_time[-1].scale


def test_when_the_gpu_slows_down_mid_transition_the_cadence_rises_once_and_stays():
    costs = FakeGpuCosts(motions={"wipe": 20.0})
    governor = governor_for(costs)
    costs.run(governor, ["wipe"] * 30 + [STILL] * 3)  # known: fits one period scaled
    first = costs.run(governor, ["wipe"] * 10, first_frame=40)
    assert {plan.cadence for plan in first} == {1}
    costs.motions["wipe"] = 80.0  # the driver dropped its clocks
    later = costs.run(governor, ["wipe"] * 30, first_frame=50)
    cadences = [plan.cadence for plan in later]
    assert cadences[-1] == 2 and cadences == sorted(cadences)
    # On its vsyncs again (the budget's headroom absorbs the estimate's last wobble).
    assert all(costs.cost_ms(plan) <= plan.cadence * PERIOD_S * 1e3 for plan in later[-10:])


def test_a_remembered_model_starts_the_transition_at_the_right_scale_at_once():
    costs = FakeGpuCosts(motions={"ripple": 30.0})
    first = governor_for(costs)
    costs.run(first, [STILL] * 10 + ["ripple"] * 60)
    learned_scale = first.plan(999, "ripple").scale
    model = CostModel.from_dict(json.loads(json.dumps(first.model.to_dict())))
    second = FrameGovernor(PERIOD_S, GovernorSettings(), model)
    plans = costs.run(second, ["ripple"] * 5)
    assert [(plan.scale, plan.cadence) for plan in plans] == [(learned_scale, 1)] * 5
    assert all(costs.cost_ms(plan) <= second.budget_ms(1) for plan in plans)


def test_a_calibration_seed_sets_a_new_motions_cost_and_can_drop_it_before_it_is_ever_shown():
    costs = FakeGpuCosts(motions={"cheap": 5.0})
    governor = governor_for(costs)
    costs.run(governor, [STILL] * 10)
    governor.seed("cheap", 0.5, 1.25)  # 5 ms at full size
    assert governor.model.motions["cheap"].full_ms == pytest.approx(5.0)
    for _ in range(3):  # a seed and a few samples make it sure
        governor.seed("huge", 0.5, 200.0)
        governor.model.motions["huge"].samples += 1
    for _ in range(DROP_AFTER - 1):  # not on one look: a few in a row
        governor.seed("huge", 0.5, 200.0)
    assert governor.drops == []
    governor.seed("huge", 0.5, 200.0)
    assert [drop[0] for drop in governor.drops] == ["huge"]


def test_the_summary_reports_scale_cadence_errors_and_its_own_cost():
    costs = FakeGpuCosts(motions={"ripple": 30.0, "burn": 60.0})
    time = FakeTime(read_cost_s=2e-6)
    governor = FrameGovernor(PERIOD_S, GovernorSettings(), now=time.now)
    costs.run(governor, [STILL] * 10 + ["ripple"] * 40 + [STILL] * 5 + ["burn"] * 40)
    summary = governor.summary()
    assert summary["frames_scaled"] == 80 and summary["frames_reduced_cadence"] > 0
    assert 0.5 <= summary["scale"]["min"] <= summary["scale"]["p50"] < 1.0
    assert summary["prediction_error_ms"]["p50"] < summary["prediction_error_ms"]["p99"]
    assert summary["own_ms"]["p99"] == pytest.approx(0.002)  # one clock read apart


def test_the_cost_cache_round_trips_and_a_damaged_file_is_a_fresh_start(tmp_path, caplog):
    model = CostModel(still_ms=2.5, upscale_ms=4.0)
    model.learn("ripple", 0.5, 12.0)
    model.spread = 1.45  # a busy machine's, kept for the next start
    path = cost_cache.cost_file(tmp_path, "llvmpipe", (1280, 720))
    cost_cache.save(path, model, "llvmpipe", (1280, 720))
    loaded = cost_cache.load(path, "llvmpipe", (1280, 720))
    assert loaded is not None and loaded.to_dict()["motions"] == model.to_dict()["motions"]
    assert loaded.spread == 1.45
    assert FrameGovernor(PERIOD_S, model=loaded).budget_ms(2) == pytest.approx((100 / 3 - 1) / 1.45)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["model"]["spread"] = 40.0  # not a spread a model can have
    path.write_text(json.dumps(document), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert cost_cache.load(path, "llvmpipe", (1280, 720)) is None
    assert "bad spread 40.0" in caplog.text
    cost_cache.save(path, model, "llvmpipe", (1280, 720))
    assert cost_cache.load(path, "llvmpipe", (1920, 1080)) is None  # another size's file
    assert cost_cache.cost_file(tmp_path, "llvmpipe", (1920, 1080)) != path
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert cost_cache.load(path, "llvmpipe", (1280, 720)) is None
    assert str(path) in caplog.text and "measuring them again" in caplog.text
    assert cost_cache.load(tmp_path / "absent.json", "llvmpipe", (1280, 720)) is None


def test_one_stall_does_not_drop_a_transition():
    costs = FakeGpuCosts(motions={"crossfade": 8.0})
    governor = governor_for(costs)
    costs.run(governor, [STILL] * 3 + ["crossfade"] * 10)
    stalled = governor.plan(100, "crossfade")
    governor.observe(100, 400.0)  # the X server stalled the frame
    costs.run(governor, ["crossfade"] * 30, first_frame=101)
    assert governor.drops == [] and governor.plan(200, "crossfade").cadence == 1
    assert stalled.cadence == 1


def test_when_the_room_grows_mid_transition_the_cadence_rises_before_a_frame_is_late():
    costs = FakeGpuCosts(motions={"wipe": 30.0})  # at scale 0.5: 2 + 3 + 7.5 = 12.5 ms
    governor = governor_for(costs)
    costs.run(governor, ([STILL] * 3 + ["wipe"] * 30) * 2)  # known: one period at min_scale
    plans = costs.run(governor, ["wipe"] * 10, first_frame=100)
    assert {(plan.scale, plan.cadence) for plan in plans[1:]} == {(0.5, 1)}
    # The machine got busy: frames came up to 1.3 times their predictions, and the budget
    # now leaves that room (15.7 / 1.3 = 12.0 ms < 12.5 ms).
    governor.model.spread = 1.3
    later = costs.run(governor, ["wipe"] * 10, first_frame=110)
    assert [plan.cadence for plan in later] == [2] * 10  # planned at once, not after overruns
    assert all(plan.predicted_ms <= governor.budget_ms(plan.cadence) for plan in later)


def test_the_first_seconds_leave_the_most_room_and_teach_no_spread():
    costs = FakeGpuCosts(still_ms=9.0, motions={"wipe": 30.0})
    model = CostModel(still_ms=9.0, upscale_ms=3.0, motions={"wipe": governor_module.MotionCost(30.0, 9)})
    governor = FrameGovernor(PERIOD_S, GovernorSettings(), model, start_s=1.0, now=FakeTime().now)
    # 9 ms fits a period's budget (13.2) but not the first second's (15.7 / 2 = 7.8): the
    # still photo is held a vsync longer, and the wipe drawn smaller or slower.
    plans = costs.run(governor, [STILL] * 20 + ["wipe"] * 40)
    assert all(plan.starting for plan in plans) and not governor.starting  # 60 plans: 1 s
    assert {plan.cadence for plan in plans[:20]} == {2}
    assert all(plan.predicted_ms <= governor.budget_ms(plan.cadence) for plan in plans[20:])
    assert governor.model.spread == pytest.approx(1 / 0.85)  # nothing learnt from them
    later = costs.run(governor, [STILL] * 20, first_frame=60)
    assert not any(plan.starting for plan in later)
    assert {plan.cadence for plan in later} == {1}
    # Nothing is dropped for the first seconds' room: a motion that fits the learned one
    # at a third of the rate stays (12.5 + 3 + 0.25 x 80 = 35.5 > 33.3 / 2, < 48.2).
    start = FrameGovernor(PERIOD_S, GovernorSettings(), CostModel(still_ms=12.5, upscale_ms=3.0),
                          start_s=10.0, now=FakeTime().now)
    for _ in range(DROP_AFTER + 4):
        start.seed("dear", 0.5, 20.0)
        start.model.motions["dear"].samples += 1
    assert start.too_slow == set() and start.dropped == {}
    # Nor for a busy machine's learned room (49 / 1.9 = 25.8 ms at a third of the rate).
    busy = FrameGovernor(PERIOD_S, GovernorSettings(), CostModel(still_ms=12.5, upscale_ms=3.0),
                         now=FakeTime().now)
    busy.model.spread = 1.9
    for _ in range(DROP_AFTER + 4):
        busy.seed("dear", 0.5, 20.0)
        busy.model.motions["dear"].samples += 1
    assert busy.too_slow == set() and busy.dropped == {}


def test_the_last_runs_spread_holds_for_the_first_ratios_of_the_next():
    model = CostModel(still_ms=2.0, upscale_ms=3.0, motions={"wipe": governor_module.MotionCost(30.0, 9)})
    model.spread = 1.6  # kept by the last run
    costs = FakeGpuCosts(motions={"wipe": 30.0})
    governor = FrameGovernor(PERIOD_S, GovernorSettings(), model, now=FakeTime().now)
    costs.run(governor, ["wipe"] * 65)  # (the first frame teaches no spread) 64 ratios,
    # quiet frames: they come in at or under 1 / 0.85; the seed fades
    assert governor.model.spread == pytest.approx(1.6 - (1.6 - 1 / 0.85) * 64 / 512)
    costs.run(governor, ["wipe"] * 192, first_frame=65)
    assert governor.model.spread == pytest.approx(1.6 - (1.6 - 1 / 0.85) * 256 / 512)
    costs.run(governor, ["wipe"] * 300, first_frame=257)  # SPREAD_SEED_KEPT (512) passed:
    assert governor.model.spread < 1.25  # what is saved for the next start is lower too
