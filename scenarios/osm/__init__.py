"""Real regions from OpenStreetMap extracts: roads, zones, residents, shelters and
facilities, offline (``drillsim import-osm``)."""

from drillsim.scenarios.osm.build import ImportOptions, ImportResult, import_osm
from drillsim.scenarios.osm.dem import Dem, read_geotiff
from drillsim.scenarios.osm.output import report_lines, write_map, write_region
from drillsim.scenarios.osm.read import OsmError

__all__ = ["Dem", "ImportOptions", "ImportResult", "OsmError", "import_osm", "read_geotiff",
           "report_lines", "write_map", "write_region"]
