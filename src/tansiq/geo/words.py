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
    "base_layers": N_("Base layers"),
    "base_layers_intro": N_(
        "Roads, rivers, built-up areas and place names of the deployment, drawn under the zones "
        "of every map so people can find their way. Each upload replaces the layer of its kind."
    ),
    "base_layers_help": N_("Roads, rivers, built-up areas and place names under every map."),
    "upload_base_layer": N_("Upload a base layer"),
    "base_layer_kind": N_("Layer"),
    "base_kind_roads": N_("Roads"),
    "base_kind_rivers": N_("Rivers"),
    "base_kind_built_up": N_("Built-up areas"),
    "base_kind_places": N_("Place names"),
    "base_layer_help": N_(
        "A GeoJSON FeatureCollection in longitude, latitude (RFC 7946): roads as LineStrings, "
        "rivers as LineStrings or Polygons, built-up areas as Polygons, places as Points. Give "
        "each feature name_ar and name_en, and a rank from 1 (main) to 3 (minor); a place may "
        "say place: town, village, quarter or landmark instead."
    ),
    "base_layer_stored": N_("The base layer was stored; every map now draws it."),
    "base_layers_map_help": N_(
        "The base layers under the zones in force and the checkpoints. Names appear as you zoom in."
    ),
    "base_layer_uploads": N_("Uploads"),
    "base_layer_features": N_("Features"),
    "base_layer_uploaded": N_("Uploaded"),
    "base_layer_drawn": N_("Drawn on the maps"),
    "no_base_layers": N_("No base layer yet: maps show zones and checkpoints only."),
}
