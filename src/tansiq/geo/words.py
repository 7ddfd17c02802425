"""The words of geo's pages (zone maps, checkpoints), marked for the catalog."""

from __future__ import annotations

from tansiq.core.i18n import N_

LABELS = {
    "upload_zone_map": N_("Upload a new zone map"),
    "geojson_file": N_("GeoJSON file"),
    "geojson_help": N_(
        "A FeatureCollection of Polygons or MultiPolygons in longitude, latitude (RFC 7946). The "
        "chosen file is read into the box below; you may also paste the text."
    ),
    "geojson_text": N_("GeoJSON text"),
    "source_name": N_("Source (file name)"),
    "zone_valid_from": N_("In force from"),
    "zone_valid_until": N_("In force until (optional)"),
    "time_help": N_("Times in UTC. Empty \u201cfrom\u201d means now."),
    "rewind": N_("Turn wrongly wound rings around instead of refusing them"),
    "upload": N_("Upload"),
    "zone_map_stored": N_("The zone map was stored. The map shows its zones."),
    "map_zones_help": N_(
        "Zones in force now and checkpoints; where zones of two authorities overlap, the ground "
        "is contested."
    ),
    "map_uploaded_help": N_(
        "The uploaded map's zones, with the other authorities' zones in force now; overlaps are "
        "contested ground."
    ),
    "zone_map": N_("Map"),
    "zone_count": N_("Zones"),
    "in_force": N_("In force"),
    "map_in_force": N_("In force"),
    "map_future": N_("Not yet in force"),
    "map_past": N_("Superseded"),
    "no_zone_maps": N_("No zone map yet."),
    "checkpoint_code": N_("Checkpoint code"),
    "checkpoint_code_help": N_("2 to 40 letters, digits, '-' or '_'."),
    "checkpoint_saved": N_("Checkpoint {checkpoint} saved."),
    "change_status": N_("Open or close"),
    "cp_open": N_("Open"),
    "cp_closed": N_("Closed"),
    "close_reason": N_("Reason for closing"),
    "close_checkpoint": N_("Close"),
    "open_checkpoint": N_("Reopen"),
    "new_checkpoint": N_("New checkpoint"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "admin_add_checkpoint": N_("Add checkpoint"),
}
