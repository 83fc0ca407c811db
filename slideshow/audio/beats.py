"""Beat events: onsets in one frequency region of a spectrum (the kick's bass, the snare's
mids and highs), found by spectral flux against an adaptive threshold.

Spectral flux is the summed *rise* of the spectrum: per FFT bin, how far the level in dB
climbed above where it was a moment ago; falls count nothing. Working in dB makes the flux
independent of loudness (a kick 20 dB up is a kick at any volume), and the mean over the
region's bins makes it independent of how many bins the region spans.

"A moment ago" is a reference spectrum that follows the current one with a short time
constant (`_REFERENCE_S`), not the previous hop's spectrum: a previous-hop difference
shrinks as hops get shorter, so the same music would beat differently at 256- and
1024-sample hops. Likewise the threshold's running mean and variance are exponential
averages in seconds, applied with the real elapsed time of each hop.

A beat fires when the flux rises above mean + k standard deviations (plus a small absolute
minimum, so steady sound with tiny fluctuations fires nothing), the detector is armed (the
flux fell below the threshold since the last beat: one onset, one beat) and the refractory
period since the last beat has passed. During silence nothing fires and the statistics are
held, so the first beat after a pause is judged against the music before it.
"""

from __future__ import annotations

import math

import numpy as np

_REFERENCE_S = 0.03  # time constant of the "moment ago" spectrum the flux is measured against
_STATS_S = 1.0  # time constant of the threshold's running mean and variance: about 2 beats
_MIN_FLUX_DB = 2.0  # mean rise per bin, in dB, that can count as an onset at all


class OnsetDetector:
    """Onsets of one region (`bins` of a magnitude spectrum, normalised so 1.0 is full scale)."""

    def __init__(self, bins: slice, threshold_std: float, refractory_s: float) -> None:
        count = bins.stop - bins.start
        if count < 1:
            raise ValueError(f"an onset region needs at least one FFT bin, got {bins}")
        self.bins = bins
        self.threshold_std = float(threshold_std)
        self.refractory_s = float(refractory_s)
        self._level_db = np.empty(count, dtype=np.float32)  # this hop, per bin
        self._rise_db = np.empty(count, dtype=np.float32)  # scratch for differences
        self._reference_db = np.zeros(count, dtype=np.float32)
        self._primed = False  # the reference holds a hop's levels
        self._mean = 0.0  # running mean of the flux, dB
        self._variance = 0.0  # running variance of the flux, dB^2
        self._armed = True
        self._last_beat_s = -math.inf
        self.count = 0  # beats found so far
        self.flux_db = 0.0  # the last hop's flux, for tuning and tests

    @property
    def threshold_db(self) -> float:
        """The flux a hop needs now to count as an onset."""
        return self._mean + self.threshold_std * math.sqrt(self._variance) + _MIN_FLUX_DB

    def update(self, magnitude: np.ndarray, dt_s: float, now_s: float, silent: bool,
               floor_db: float) -> bool:
        """Feeds one hop's magnitude spectrum; True when this hop holds a new onset.

        Levels below `floor_db` count as `floor_db`: rises out of the hiss below it are
        not onsets. The caller ties it to the sensitivity, which makes beats independent
        of the music's loudness.
        """
        level = self._level_db
        np.maximum(magnitude[self.bins], 1e-12, out=level)
        np.log10(level, out=level)
        level *= 20.0
        np.maximum(level, floor_db, out=level)

        if not self._primed:
            # The first hop only sets the reference: a rise out of nothing at start-up
            # would be a flux so large that the threshold took seconds to forget it.
            self._reference_db[:] = level
            self._primed = True
        # Below the floor is the floor, for the reference too: when the floor rises (the
        # sensitivity fell), the old hiss must not count as a rise.
        np.maximum(self._reference_db, floor_db, out=self._reference_db)
        rise = self._rise_db
        np.subtract(level, self._reference_db, out=rise)
        # The reference moves toward this hop's level by the share that dt_s of the time
        # constant allows; computed before `rise` is clipped, reusing the difference.
        self._reference_db += rise * np.float32(1.0 - math.exp(-dt_s / _REFERENCE_S))
        np.maximum(rise, 0.0, out=rise)
        flux = float(rise.mean())
        self.flux_db = flux

        if silent:
            return False  # hold the statistics: silence says nothing about the music's beat
        threshold = self.threshold_db
        beat = (flux > threshold and self._armed
                and now_s - self._last_beat_s >= self.refractory_s)
        if beat:
            self.count += 1
            self._last_beat_s = now_s
            self._armed = False
        elif flux <= threshold:
            self._armed = True
        self._update_statistics(flux, dt_s)
        return beat

    def _update_statistics(self, flux: float, dt_s: float) -> None:
        # Exponentially weighted mean and variance (West's incremental form), in seconds.
        share = 1.0 - math.exp(-dt_s / _STATS_S)
        delta = flux - self._mean
        self._mean += share * delta
        self._variance = (1.0 - share) * (self._variance + share * delta * delta)
