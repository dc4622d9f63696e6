"""Earthquake hazard: ground motion, building damage, casualties, broken roads, aftershocks.

The public physics API (vectorised: every argument may be a numpy array and broadcasts):

- :func:`ground_motion` — median and total log standard deviation from a ground-motion model
  ("BA08": Boore & Atkinson 2008; "BSSA14": Boore, Stewart, Seyhan & Atkinson 2014);
- :func:`pga_to_mmi`, :func:`pgv_to_mmi` — Worden et al. (2012) intensity conversions;
- :func:`damage_probabilities` — Hazus equivalent-PGA building fragility;
- :func:`casualty_rates` — Hazus expected indoor casualties per occupant, severities 1–4.

The hazard model of a scenario's ``kind: earthquake`` lives in :mod:`.hazard`.
"""

from drillsim.sim.hazards.quake.casualty import casualty_rates
from drillsim.sim.hazards.quake.fragility import damage_probabilities
from drillsim.sim.hazards.quake.gmice import pga_to_mmi, pgv_to_mmi
from drillsim.sim.hazards.quake.gmpe import ground_motion

__all__ = ["casualty_rates", "damage_probabilities", "ground_motion", "pga_to_mmi",
           "pgv_to_mmi"]
