"""The building inventory of an extract: each residential building as a Hazus model building
type, so an earthquake has something to damage.

A building's type follows from its structural material and its number of stories, the two
things Hazus classifies by (Hazus-MH MR1 Earthquake Model Technical Manual, NIBS & FEMA
2003, Table 3.1, model building types: heights low-rise 1–3 stories, mid-rise 4–7, high-rise
8+; unreinforced masonry low-rise 1–2, mid-rise 3+; wood light frame W1 up to 5,000 sq ft of
floor area, W2 above it):

* material from ``building:material`` (OSM wiki, Key:building:material) where tagged, else
  :data:`DEFAULT_MATERIAL` (overridable: most mapped buildings do not tag it);
* wood → W1 or W2; masonry (brick, stone, blocks) → URML or URMM; concrete → C2, concrete
  shear walls, the system of most multi-storey concrete housing; steel → S1, steel moment
  frame; the material's low-, mid- or high-rise type by stories.

Stories are ``building:levels`` where tagged, else the extract's median (as for residents).
The seismic design level is the region's (``--code-level``), since OSM does not map it.
"""

from __future__ import annotations

from collections import Counter

MATERIALS: dict[str, str] = {
    "wood": "wood", "timber_framing": "wood", "timber": "wood", "log": "wood",
    "brick": "masonry", "stone": "masonry", "masonry": "masonry", "sandstone": "masonry",
    "limestone": "masonry", "cement_block": "masonry", "adobe": "masonry", "mud": "masonry",
    "concrete": "concrete", "reinforced_concrete": "concrete", "plaster": "concrete",
    "steel": "steel", "metal": "steel",
}
"""OSM ``building:material`` values by structural material. Plaster is a finish over a
frame: it counts as concrete, the common frame behind it in multi-storey housing."""

DEFAULT_MATERIAL = "concrete"
"""Material of a building that does not tag one. Multi-storey urban housing is mostly
concrete; set ``wood`` for suburbs of light-frame houses, ``masonry`` for old brick towns."""

W1_MAX_FLOOR_M2 = 5000 * 0.09290304
"""Hazus's limit between light (W1) and commercial (W2) wood frames: 5,000 sq ft, in m²."""


def hazus_type(material: str, stories: float, floor_m2: float) -> str:
    """The Hazus model building type of a building of ``material`` with ``stories`` and
    ``floor_m2`` of floor area (all stories)."""
    if material == "wood":
        return "W1" if floor_m2 <= W1_MAX_FLOOR_M2 else "W2"
    if material == "masonry":
        return "URML" if stories <= 2 else "URMM"
    height = "L" if stories <= 3 else "M" if stories <= 7 else "H"
    return ("S1" if material == "steel" else "C2") + height


def material_of(tags: dict[str, str], default: str) -> tuple[str, bool]:
    """The building's material family, and whether it was tagged (a value OSM does not
    define counts as untagged)."""
    family = MATERIALS.get(tags.get("building:material", "").strip().lower())
    return (family, True) if family else (default, False)


def inventory_line(types: Counter[str]) -> str:
    """``"C2M 120, URML 4"``, commonest first: the inventory in one line of the report."""
    return ", ".join(f"{t} {n:,}" for t, n in types.most_common())
