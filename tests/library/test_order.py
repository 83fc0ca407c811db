"""The order photos are dealt in: shuffled cycles (every photo once per cycle, additions
join the cycle, removals leave it, no repeat across a cycle boundary, no photo on two
displays at once), per-display history, and the name, date and mtime orders."""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from slideshow.library.shuffle import ShuffleCycle
from tests.library.trees import JPEG_SIGNATURE, scan

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def ids(*values: int) -> np.ndarray:
    return np.array(values, np.int32)


def deal_all(cycle: ShuffleCycle, count: int, everyone, last: int | None = None) -> list[int]:
    dealt = []
    for _ in range(count):
        last = cycle.deal(({last} if last is not None else set(),), everyone)
        dealt.append(last)
    return dealt


def test_every_photo_is_dealt_once_per_cycle_and_never_twice_in_a_row():
    photos = np.arange(30, dtype=np.int32)
    for seed in range(20):
        cycle = ShuffleCycle(random.Random(seed))
        dealt = deal_all(cycle, 30 * 8, lambda: photos)
        for start in range(0, len(dealt), 30):
            assert sorted(dealt[start:start + 30]) == list(range(30)), f"seed {seed}"
        assert all(a != b for a, b in itertools.pairwise(dealt)), f"seed {seed}: a repeat"
        assert cycle.cycle == 8


def test_cycles_differ_from_each_other():
    photos = np.arange(30, dtype=np.int32)
    dealt = deal_all(ShuffleCycle(random.Random(1)), 90, lambda: photos)
    assert dealt[:30] != dealt[30:60] != dealt[60:]


def test_photos_added_mid_cycle_join_it_and_removed_ones_leave_it():
    photos = list(range(20))
    cycle = ShuffleCycle(random.Random(3))
    everyone = lambda: np.array(photos, np.int32)
    cycle.add(everyone())
    first = deal_all(cycle, 8, everyone)
    photos.extend([20, 21, 22])
    cycle.add(ids(20, 21, 22))
    gone = [p for p in range(20) if p not in first][:3]
    for photo in gone:
        photos.remove(photo)
    cycle.remove(np.array(gone, np.int32))
    rest = deal_all(cycle, cycle.left, everyone, first[-1])
    assert sorted(first + rest) == sorted(photos)  # the rest of this cycle: new in, gone out
    assert cycle.cycle == 0  # all of it within the first cycle
    assert sorted(deal_all(cycle, len(photos), everyone, rest[-1])) == sorted(photos)


def test_an_avoided_photo_is_not_skipped_but_comes_later_in_the_cycle():
    cycle = ShuffleCycle(random.Random(0))
    cycle.add(ids(0, 1, 2, 3))
    dealt = [cycle.deal(({0},), lambda: ids(0, 1, 2, 3)) for _ in range(4)]
    assert dealt[-1] == 0 and sorted(dealt) == [0, 1, 2, 3]


def test_avoid_tiers_are_relaxed_only_as_far_as_needed():
    cycle = ShuffleCycle(random.Random(0))
    cycle.add(ids(0, 1, 2))
    # The strictest tier covers every photo left; the next one only 0 and 1.
    assert cycle.deal(({0, 1, 2}, {0, 1}, {0}), lambda: ids(0, 1, 2)) == 2


def make_photos(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"p{n:02d}.jpg"
        path.write_bytes(JPEG_SIGNATURE)
        paths.append(str(path))
    return paths


def test_two_displays_never_show_the_same_photo_and_each_cycle_is_complete(tmp_path):
    make_photos(tmp_path / "photos" / "a", 4)
    make_photos(tmp_path / "photos" / "b", 3)
    with scan([tmp_path / "photos"], tmp_path, seed=5, recent=1) as library:
        shown: dict[int, list[str]] = {0: [], 1: []}
        order = []
        for step in range(7 * 12):
            display = step % 2
            path = library.next_path(display)
            other = shown[1 - display]
            assert not other or path != other[-1], f"step {step}: on both displays"
            assert not shown[display] or path != shown[display][-1], f"step {step}: a repeat"
            shown[display].append(path)
            order.append(path)
        for start in range(0, len(order), 7):
            assert len(set(order[start:start + 7])) == 7


@pytest.mark.parametrize("seed", range(5))
def test_photos_on_screen_or_queued_on_any_display_are_not_dealt_again(tmp_path, seed):
    make_photos(tmp_path / "photos", 20)
    with scan([tmp_path / "photos"], tmp_path, seed=seed, recent=4) as library:
        handed: dict[int, list[str]] = {0: [], 1: []}
        for step in range(20 * 10):
            display = step % 2
            path = library.next_path(display)
            assert path not in handed[0][-4:] + handed[1][-4:], f"step {step}"
            handed[display].append(path)


def test_with_fewer_photos_than_displays_each_display_still_gets_one(tmp_path):
    make_photos(tmp_path / "photos", 1)
    with scan([tmp_path / "photos"], tmp_path) as library:
        assert library.next_path(0) == library.next_path(1) == library.next_path(2) is not None


def test_two_photos_on_one_display_alternate(tmp_path):
    a, b = make_photos(tmp_path / "photos", 2)
    with scan([tmp_path / "photos"], tmp_path, seed=2) as library:
        dealt = [library.next_path() for _ in range(10)]
    assert dealt in ([a, b] * 5, [b, a] * 5)


def test_previous_steps_back_through_a_display_s_history_and_next_forward_again(tmp_path):
    make_photos(tmp_path / "photos", 10)
    with scan([tmp_path / "photos"], tmp_path, seed=1) as library:
        a, b, c = (library.next_path(0) for _ in range(3))
        other = library.next_path(1)
        assert library.previous(0) == b
        assert library.previous(0) == a
        assert library.previous(0) is None
        assert library.previous(1) is None  # display 1 has seen one photo
        assert [library.next_path(0) for _ in range(2)] == [b, c]
        fresh = library.next_path(0)
        assert fresh not in (a, b, c, other)
        assert library.previous(0) == c


def test_name_order_walks_folders_by_path_and_names_case_insensitively(tmp_path):
    root = tmp_path / "photos"
    for relative in ("b/x.jpg", "a/B.jpg", "a/a.jpg", "a/c.jpg", "A2/z.jpg", "top.jpg"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(JPEG_SIGNATURE)
    with scan([root], tmp_path, order="name") as library:
        dealt = [os.path.relpath(library.next_path(), root) for _ in range(7)]
    assert dealt == ["top.jpg", "a/a.jpg", "a/B.jpg", "a/c.jpg", "A2/z.jpg", "b/x.jpg", "top.jpg"]


def test_mtime_order_goes_oldest_first(tmp_path):
    root = tmp_path / "photos"
    paths = make_photos(root, 4)
    for path, age_s in zip(paths, (100, 400, 200, 300)):
        os.utime(path, (1e9 - age_s, 1e9 - age_s))
    with scan([root], tmp_path, order="mtime") as library:
        dealt = [library.next_path() for _ in range(5)]
    assert dealt == [paths[1], paths[3], paths[2], paths[0], paths[1]]


def test_date_order_uses_the_exif_date_taken_and_falls_back_to_the_mtime(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()

    def photo(name: str, taken: str | None, mtime_s: float) -> str:
        exif = Image.Exif()
        if taken:
            exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
        Image.new("RGB", (8, 8)).save(root / name, exif=exif)
        os.utime(root / name, (mtime_s, mtime_s))
        return str(root / name)

    newest_file = photo("a.jpg", "2003:01:01 12:00:00", 1.7e9)  # taken first, copied last
    no_exif = photo("b.jpg", None, 1.2e9)  # 2008, by its mtime
    taken_later = photo("c.jpg", "2015:06:01 08:00:00", 1.0e9)
    (root / "d.png").write_bytes(b"")  # not a photo: skipped, never dated
    with scan([root], tmp_path, order="date") as library:
        dealt = [library.next_path() for _ in range(3)]
    assert dealt == [newest_file, no_exif, taken_later]


@pytest.mark.parametrize("order", ["name", "mtime"])
def test_ordered_modes_deal_each_photo_once_per_round_across_displays(tmp_path, order):
    make_photos(tmp_path / "photos", 5)
    with scan([tmp_path / "photos"], tmp_path, order=order) as library:
        dealt = [library.next_path(n % 2) for n in range(10)]
    assert len(set(dealt[:5])) == 5 and dealt[:5] == dealt[5:]
