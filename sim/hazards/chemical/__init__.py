"""Chemical release: toxic puffs and plumes that move with the wind, and the chemicals' AEGL
thresholds.

The public physics API (vectorised: every argument may be a numpy array and broadcasts):

- :func:`dispersion_sigmas` — Briggs σy, σz by Pasquill–Gifford class, rural or urban;
- :func:`plume_concentration` — the steady Gaussian plume with ground reflection (kg/m³);
- :func:`puff_concentration` — an instantaneous Gaussian puff (kg/m³);
- :func:`to_ppm`, :func:`to_kg_m3` and the chemicals table (:func:`chemical`,
  :func:`chemical_names`, :func:`aegl_ppm`).

The scenario's ``kind: chemical`` is a train of puffs (:mod:`.puffs`) under shifting winds
(:mod:`.hazard`).
"""

from drillsim.sim.hazards.chemical.chemicals import (
    aegl_ppm,
    chemical,
    chemical_names,
    to_kg_m3,
    to_ppm,
)
from drillsim.sim.hazards.chemical.dispersion import (
    dispersion_sigmas,
    plume_concentration,
    puff_concentration,
)

__all__ = ["aegl_ppm", "chemical", "chemical_names", "dispersion_sigmas",
           "plume_concentration", "puff_concentration", "to_kg_m3", "to_ppm"]
