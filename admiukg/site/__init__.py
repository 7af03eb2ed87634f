"""The human and linked-data site: dereferenceable IRIs, entity and reference pages, dumps,
VoID, the landing and query pages, with their templates, static files and UI strings."""
