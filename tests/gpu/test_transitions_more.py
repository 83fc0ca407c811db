"""What the built-in transitions beyond the basic set do between their exact ends (those
are pinned for every transition by test_transitions.py and test_fit_transitions.py): each
test draws one transition on Mesa's llvmpipe at a small size and checks the picture has the
shape the transition promises, in values."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.gpu.transitions import render_stills
from slideshow.transitions.files import TransitionLibrary
from tests.gpu.pictures import gradient as full_gradient

BUILTINS = TransitionLibrary(builtin=True)
SIZE = (96, 54)  # width, height: 16:9, small enough to stay fast

RED = (200, 40, 40)
BLUE = (40, 40, 200)


def flat(colour: tuple[int, int, int], size: tuple[int, int] = SIZE) -> np.ndarray:
    width, height = size
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[..., :3] = colour
    pixels[..., 3] = 255
    return pixels


def gradient(size: tuple[int, int] = SIZE, mirrored: bool = False) -> np.ndarray:
    """Every pixel different (tests/gpu/pictures.py's pattern, at `size`)."""
    return full_gradient(*size, mirrored=mirrored)


def position_coded(size: tuple[int, int] = SIZE) -> np.ndarray:
    """Red says how far across a pixel is, green how far down: a still of it says where
    each pixel was sampled from."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.zeros((height, width, 4), np.uint8)
    pixels[..., 0] = np.round(x * 255 / (width - 1))
    pixels[..., 1] = np.round(y * 255 / (height - 1))
    pixels[..., 3] = 255
    return pixels


def draw(surface, name: str, old: np.ndarray, new: np.ndarray, progresses,
         params: dict | None = None) -> list[np.ndarray]:
    stills = render_stills(surface.ctx, BUILTINS.get(name), old, new, progresses, params)
    return [still[..., :3].astype(int) for still in stills]


def reddish(still: np.ndarray) -> np.ndarray:
    return still[..., 0] > still[..., 2] + 60


def bluish(still: np.ndarray) -> np.ndarray:
    return still[..., 2] > still[..., 0] + 60


def close_to(still: np.ndarray, colour: tuple[int, int, int], within: int = 12) -> np.ndarray:
    return np.abs(still - np.array(colour)).max(axis=-1) <= within


def sampled_angles(still: np.ndarray, size: tuple[int, int] = SIZE) -> tuple[np.ndarray, np.ndarray]:
    """For a still of position_coded(): each pixel's own angle about the frame's centre and
    the angle of the place it was sampled from (square units, so a turn is a turn)."""
    width, height = size
    ratio = width / height
    y, x = np.mgrid[0:height, 0:width]
    own = np.arctan2((y - (height - 1) / 2) / (height - 1), (x - (width - 1) / 2) / (width - 1) * ratio)
    source_x = still[..., 0] / 255.0 - 0.5
    source_y = still[..., 1] / 255.0 - 0.5
    return own, np.arctan2(source_y, source_x * ratio)


def ring_mask(radius_min: float, radius_max: float, size: tuple[int, int] = SIZE) -> np.ndarray:
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    dx = (x - (width - 1) / 2) / (height - 1)
    dy = (y - (height - 1) / 2) / (height - 1)
    distance = np.hypot(dx, dy)
    return (distance >= radius_min) & (distance <= radius_max)


def turned_by(still: np.ndarray, mask: np.ndarray) -> np.ndarray:
    own, source = sampled_angles(still)
    return np.angle(np.exp(1j * (source - own)))[mask]  # wrapped to -pi..pi


# ---- iris and blocks ----

def test_circle_open_shows_the_new_photo_in_the_middle_and_the_old_in_the_corners(egl_surface):
    (middle,) = draw(egl_surface, "circle-open", flat(RED), flat(BLUE), [0.5])
    assert close_to(middle[27, 48], BLUE, 2).all()
    for corner in (middle[0, 0], middle[0, -1], middle[-1, 0], middle[-1, -1]):
        assert close_to(corner, RED, 2).all()


def test_circle_close_shrinks_the_old_photo_to_the_middle(egl_surface):
    (middle,) = draw(egl_surface, "circle-close", flat(RED), flat(BLUE), [0.5])
    assert close_to(middle[27, 48], RED, 2).all()
    assert close_to(middle[0, 0], BLUE, 2).all() and close_to(middle[-1, -1], BLUE, 2).all()


def test_pixelize_shows_blocks_that_grow_towards_the_middle(egl_surface):
    start, early, middle = draw(egl_surface, "pixelize", gradient(), gradient(mirrored=True),
                                [0.0, 0.2, 0.5])

    def equal_neighbours(still: np.ndarray) -> float:
        return float((still[:, 1:] == still[:, :-1]).all(axis=-1).mean())

    assert equal_neighbours(start) == 0.0  # the gradient: no two neighbours alike
    assert equal_neighbours(middle) > 0.6  # inside a block, neighbours are the same
    assert 0.1 < equal_neighbours(early) < equal_neighbours(middle)  # smaller blocks earlier
    blocks = {tuple(pixel) for pixel in middle.reshape(-1, 3)}
    assert len(blocks) < 0.2 * SIZE[0] * SIZE[1]


# ---- rain, vortex, fire ----

def test_ripple_with_one_drop_in_the_middle_opens_the_new_photo_there_first(egl_surface):
    early, later = draw(egl_surface, "ripple", flat(RED), flat(BLUE), [0.45, 0.8],
                        {"drops": 1, "first_drop": (0.5, 0.5)})
    assert bluish(early[22:32, 43:53]).all()
    assert reddish(early[:4, :4]).all() and reddish(early[-4:, -4:]).all()
    assert bluish(later).mean() > bluish(early).mean()


def test_ripple_drop_lands_where_it_is_told(egl_surface):
    (early,) = draw(egl_surface, "ripple", flat(RED), flat(BLUE), [0.3],
                    {"drops": 1, "first_drop": (0.2, 0.5)})
    assert bluish(early[:, :30]).mean() > 0.2
    assert not bluish(early[:, 60:]).any()


def test_ripple_more_drops_open_more_of_the_frame_early(egl_surface):
    (one,) = draw(egl_surface, "ripple", flat(RED), flat(BLUE), [0.35], {"drops": 1})
    (eight,) = draw(egl_surface, "ripple", flat(RED), flat(BLUE), [0.35], {"drops": 8})
    assert bluish(eight).mean() > bluish(one).mean() + 0.1


def test_ripple_waves_bend_the_picture_near_the_ring(egl_surface):
    coded = position_coded()
    # Waves a few pixels high, at this size.
    (middle,) = draw(egl_surface, "ripple", coded, coded, [0.3],
                     {"drops": 1, "highlight": 0.0, "amplitude": 0.06})
    moved = np.abs(middle[..., :2] - coded[..., :2].astype(int)).max(axis=-1)
    assert (moved > 3).mean() > 0.01 and moved.max() > 6  # pixels sampled from elsewhere...
    assert (moved <= 1).mean() > 0.5  # ... while away from the ring nothing moves


def test_warp_dissolve_turns_the_picture_in_the_middle_and_ends_exact(egl_surface):
    coded = position_coded()
    middle, end = draw(egl_surface, "warp-dissolve", coded, coded, [0.5, 1.0])
    turns = turned_by(middle, ring_mask(0.1, 0.3))
    assert np.abs(turns).min() > np.radians(20)  # every pixel of the ring is turned...
    assert (np.sign(turns) == np.sign(turns[0])).all()  # ... the same way round
    assert np.abs(end - coded[..., :3]).max() <= 1


def test_swirl_turns_the_middle_more_than_the_rim(egl_surface):
    coded = position_coded()
    (middle,) = draw(egl_surface, "swirl", coded, coded, [0.5])
    inner = np.abs(turned_by(middle, ring_mask(0.1, 0.2))).mean()
    outer = np.abs(turned_by(middle, ring_mask(0.7, 0.8))).mean()
    assert inner > np.radians(60)
    assert outer < inner / 4


def test_burn_eats_out_from_its_origin_with_a_glowing_edge(egl_surface):
    dull_old, dull_new = (90, 90, 100), (60, 90, 60)
    (early,) = draw(egl_surface, "burn", flat(dull_old), flat(dull_new), [0.35],
                    {"origin": (0.5, 0.5), "smoke": 0.0})
    assert close_to(early[0, 0], dull_old, 2).all() and close_to(early[-1, -1], dull_old, 2).all()
    assert (close_to(early, dull_new, 40)[20:34, 40:56]).mean() > 0.5  # burnt through round the origin
    glowing = (early[..., 0] > 160) & (early[..., 0] > early[..., 2] + 60)
    charred = early.max(axis=-1) < 40
    assert glowing.mean() > 0.01 and charred.mean() > 0.01


# ---- pieces and particles ----

def test_crumble_cracks_first_then_the_pieces_fall_away(egl_surface):
    cracking, falling, late = draw(egl_surface, "crumble", flat(RED), flat(BLUE),
                                   [0.1, 0.5, 0.97])
    # At first the photo only cracks: dark lines, nothing of the new photo yet.
    assert close_to(cracking, RED, 2).mean() > 0.7
    assert (cracking.max(axis=-1) < 100).mean() > 0.02
    assert not bluish(cracking).any()
    # Then pieces leave holes; pieces from the top go first, so the top opens first.
    assert 0.1 < bluish(falling).mean() < 0.9
    assert bluish(falling[:18]).mean() > bluish(falling[-18:]).mean()
    assert bluish(late).mean() > 0.9


def test_crumble_pieces_turn_darker_as_they_fall(egl_surface):
    (falling,) = draw(egl_surface, "crumble", flat(RED), flat(BLUE), [0.5])
    pieces = reddish(falling)
    shaded = pieces & (falling[..., 0] < RED[0] - 20)
    assert shaded.sum() > 0.2 * pieces.sum()


def test_particle_directional_fills_the_frame_from_the_far_side(egl_surface):
    (middle,) = draw(egl_surface, "particle-directional", flat(RED), flat(BLUE), [0.55],
                     {"direction": (-1.0, 0.0)})
    assert bluish(middle[:, :24]).mean() > bluish(middle[:, -24:]).mean() + 0.3
    (turned,) = draw(egl_surface, "particle-directional", flat(RED), flat(BLUE), [0.55],
                     {"direction": (1.0, 0.0)})
    assert bluish(turned[:, -24:]).mean() > bluish(turned[:, :24]).mean() + 0.3


def test_particle_converge_settles_the_middle_first(egl_surface):
    (middle,) = draw(egl_surface, "particle-converge", flat(RED), flat(BLUE), [0.55])
    assert bluish(middle[20:34, 40:56]).all()
    corners = np.concatenate([middle[:6, :6], middle[:6, -6:], middle[-6:, :6], middle[-6:, -6:]])
    assert bluish(corners).mean() < 0.5


def test_particles_in_flight_are_small_and_apart(egl_surface):
    (early,) = draw(egl_surface, "particle-swirl", flat(RED), flat(BLUE), [0.2], {"rows": 12})
    arrived = bluish(early)
    assert 0.0 < arrived.mean() < 0.3
    # Each blue spot is a particle: no row of the frame is blue from end to end.
    assert not arrived.all(axis=1).any()


# ---- geometry in perspective ----

@pytest.mark.parametrize("name", ["cube-left", "cube-right", "cube-up", "cube-down", "doorway"])
def test_turning_faces_and_doors_show_both_photos_in_the_middle(egl_surface, name):
    (middle,) = draw(egl_surface, name, flat(RED), flat(BLUE), [0.5])
    assert reddish(middle).mean() > 0.1
    assert bluish(middle).mean() > 0.1


def test_cube_left_sends_the_old_photo_to_the_left(egl_surface):
    (early,) = draw(egl_surface, "cube-left", flat(RED), flat(BLUE), [0.3])
    old_columns = np.nonzero(reddish(early).any(axis=0))[0]
    new_columns = np.nonzero(bluish(early).any(axis=0))[0]
    assert old_columns.mean() < new_columns.mean()


def test_doorway_opens_from_the_middle(egl_surface):
    (opening,) = draw(egl_surface, "doorway", flat(RED), flat(BLUE), [0.3])
    assert bluish(opening[20:34, 44:52]).all()  # the gap between the doors
    assert reddish(opening[20:34, :10]).all() and reddish(opening[20:34, -10:]).all()


def test_page_curl_peels_from_its_corner_and_shows_the_paper_back(egl_surface):
    dark_old, dark_new = (120, 20, 20), (20, 20, 120)
    (middle,) = draw(egl_surface, "page-curl", flat(dark_old), flat(dark_new), [0.4])
    assert bluish(middle[-6:, -6:]).all()  # peeled from the bottom right...
    assert reddish(middle[:6, :6]).all()  # ... the top left still lies flat
    paper = middle.min(axis=-1) > 140  # much brighter than either photo: the paper's back
    assert paper.mean() > 0.03


# ---- the rest of the classics ----

def test_glitch_is_the_same_every_time_for_the_same_moment(egl_surface):
    old, new = gradient(), gradient(mirrored=True)
    first, other = draw(egl_surface, "glitch", old, new, [0.37, 0.5])
    (again,) = draw(egl_surface, "glitch", old, new, [0.37])
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_glitch_jumps_bands_of_rows_sideways_and_tears_the_red_away(egl_surface):
    coded = position_coded()
    coded[..., 2] = coded[..., 0]  # blue, like red, says how far across
    (middle,) = draw(egl_surface, "glitch", coded, coded, [0.5], {"strength": 1.5})
    # Scan lines darken every other row: undo that with green, which says how far down.
    rows = slice(10, None)  # rows far enough down for green to measure the darkening
    darkening = np.median(middle[rows, :, 1], axis=1) / coded[rows, 0, 1]
    across = middle[rows, :, 2] / darkening[:, None]
    shift = np.median(across - coded[rows, :, 0], axis=1)  # per row, in levels of red
    assert (np.abs(shift) > 8).mean() > 0.1  # some bands have jumped...
    assert (np.abs(shift) <= 3).mean() > 0.2  # ... others have not
    tear = np.median(middle[..., 0] - middle[..., 2])
    assert abs(tear) >= 2


def test_zoom_blur_smears_fine_detail_in_the_middle(egl_surface):
    y, x = np.mgrid[0:SIZE[1], 0:SIZE[0]]
    checks = flat((0, 0, 0))
    checks[..., :3] = (((x // 2 + y // 2) % 2) * 255)[..., None]

    def detail(still: np.ndarray) -> float:
        return float(np.abs(np.diff(still.astype(int), axis=1)).mean())

    start, middle, end = draw(egl_surface, "zoom-blur", checks, checks, [0.0, 0.5, 1.0])
    assert detail(middle) < 0.6 * detail(start)
    assert detail(end) == detail(start)


def test_dreamy_blooms_brighter_than_a_crossfade(egl_surface):
    old, new = gradient(), gradient(mirrored=True)
    (dream,) = draw(egl_surface, "dreamy", old, new, [0.5])
    (fade,) = draw(egl_surface, "crossfade", old, new, [0.5])
    assert dream.mean() > fade.mean() + 15


def test_mosaic_pulls_back_to_a_wall_of_both_photos(egl_surface):
    # Grout wide enough to cover whole pixels at this size.
    (middle,) = draw(egl_surface, "mosaic", flat(RED), flat(BLUE), [0.5], {"grout": 0.1})
    assert reddish(middle).mean() > 0.05 and bluish(middle).mean() > 0.05
    grout = middle.max(axis=-1) < 20
    assert 0.005 < grout.mean() < 0.3
