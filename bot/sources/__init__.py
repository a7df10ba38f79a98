"""Offers from the sources districts already keep, kept current and shown with where they came from.

- `integreat.py`: an Integreat region's locations (`/api/v3/{region}/{lang}/locations/`), every language it has.
- `osm.py`: OpenStreetMap objects of a district from an Overpass API server, by a table of tags (`osm_tags.py`);
  every such offer carries "© OpenStreetMap contributors (ODbL)" wherever it is shown.
- `sync.py`: applies what a source says now to the offers: adds, updates, archives what the source dropped,
  never overwrites a field staff changed by hand, records every change in the audit trail under the source's
  name, and keeps a report of each run for the admin.
- `geocoder.py`: street addresses to points with a Nominatim-compatible service (1 request/s, cached).
- `schedule.py`: which syncs `lotse serve` runs, and how often (LOTSE_SYNC, LOTSE_SYNC_HOURS).

Plain Python with the standard library's HTTP client: no aiohttp here, so the CLI, the server's worker thread
and the tests call the same code.
"""
